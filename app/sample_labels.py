"""Saved samples follow the corrections made in the text.

With "Save my samples" on, every committed reading is saved with the text it was read as;
that text is the sample's label when the recognizers are taught the person's hand or voice.
A reading the person then corrects in the text area ("9jx" made "qjx") would otherwise stay
a wrong label. `SampleLabels` keeps the span of each saved commit in the text up to date
through the document's edits, and a moment after the last edit writes the span's new text
into its sample (`SampleStore.relabel`).

What counts as a correction: edits inside the span, and letters typed against either end
of it. A span deleted whole, or swallowed by a larger deletion (Clear text, an undone
commit), is no longer followed and its sample stays as saved: nothing is removed behind the
person's back.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QTextDocument

from recognizers.workspace.samples import SampleStore

APPLY_AFTER_MS = 1500  # after the last edit: a word being retyped is not rewritten per key
MAX_SPANS = 500  # the saved commits followed; older ones keep their labels


@dataclass
class _Span:
    start: int
    end: int
    label: str  # the text its sample has now
    speech: bool
    line: int  # the sample's line in the store
    shown: str  # the text in the text area as last written to the sample


class SampleLabels(QObject):
    def __init__(self, document: QTextDocument, store: SampleStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = document
        self.store = store
        self.spans: list[_Span] = []
        self.relabelled = 0  # samples corrected so far (shown in no UI; tests and logs)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(APPLY_AFTER_MS)
        self._timer.timeout.connect(self.apply)
        document.contentsChange.connect(self._changed)

    def track(self, start: int, shown: str, label: str, speech: bool, line: int) -> None:
        """Follow the commit shown as `shown` at `start` in the text, saved with `label` on
        `line` of the store (speech is shown cased, "I" and a sentence's first capital, and
        saved in lower case, as its training labels are)."""
        self.spans = (self.spans + [_Span(start, start + len(shown), label, speech, line, shown)])[-MAX_SPANS:]

    def _changed(self, pos: int, removed: int, added: int) -> None:
        kept = []
        text = self.doc.toPlainText()
        for sp in self.spans:
            cut_end = pos + removed
            if cut_end < sp.start or (cut_end == sp.start and not _joins(text, pos, added, before=True)):
                sp.start += added - removed  # before it (an appended space or word does not join)
                sp.end += added - removed
            elif pos > sp.end or (pos == sp.end and not _joins(text, pos, added, before=False)):
                pass  # after it
            elif pos < sp.start and cut_end > sp.end:
                continue  # swallowed by a larger edit: no longer followed
            else:  # inside it, or against an end: the span takes the edit
                sp.start = min(sp.start, pos)
                sp.end = max(sp.end, cut_end) - removed + added
                if sp.end <= sp.start:
                    continue  # deleted whole
            kept.append(sp)
        self.spans = kept
        if self.spans:
            self._timer.start()

    def apply(self) -> int:
        """Write the spans' corrected texts into their samples now; returns how many."""
        self._timer.stop()
        text = self.doc.toPlainText()
        done, kept = 0, []
        for sp in self.spans:
            now = " ".join(text[sp.start:sp.end].split())
            if now and now != sp.shown:
                label = now.lower() if sp.speech else now
                try:
                    ok = label == sp.label or self.store.relabel(sp.speech, sp.line, sp.label, label)
                except OSError:
                    ok = False
                if not ok:
                    continue  # the store changed under it (samples deleted): stop following
                done += label != sp.label
                sp.label, sp.shown = label, now
            kept.append(sp)
        self.spans = kept
        self.relabelled += done
        return done


def _joins(text: str, pos: int, added: int, before: bool) -> bool:
    """Whether text inserted at a span's edge is part of the word there: letters typed
    against it, not a space or a new commit that starts with one."""
    if added == 0:
        return False
    new = text[pos:pos + added]
    return bool(new) and not (new[-1] if before else new[0]).isspace()
