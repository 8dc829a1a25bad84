"""Saved samples follow the corrections made in the text.

With "Save my samples" on, every committed reading is saved with the text it was read as;
that text is the sample's label when the recognizers are taught the person's hand or voice.
A reading the person then corrects in the text area ("9jx" made "qjx") would otherwise stay
a wrong label. `SampleLabels` keeps the span of each saved commit in the text up to date
through the document's edits, and a moment after the last edit writes the span's new text
into its sample (`SampleStore.relabel`, found by its ink or audio file, not its place).

What counts as a correction, and nothing else does: edits inside the span (a selection of
it retyped or pasted over, a letter deleted or typed between two of its letters), and the
typing that goes on from such an edit at its end ("q", then "j" and "x" after it). Text
typed against either end otherwise stays outside it ("at" typed in front of "tin" is a new
word, not "attin"). An edit that reaches past an end of it (a selection across two commits,
Clear text, an undone commit), a span deleted whole, or one whose number of words changed
without being retyped whole, is no longer followed, and its sample stays as saved: nothing
is rewritten or removed on a guess. Nor are the spans kept across a restart, or brought
back by a redo. The window says each correction it writes to a sample.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from collections.abc import Iterator

from PySide6.QtCore import QObject, QTimer, Signal
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
    key: str  # the sample's `sample_key`
    shown: str  # the span's text as last written to the sample (spaces folded)
    retyped: bool = False  # the whole of it was selected and written over
    caret: int = -1  # where the last edit inside it ended: typing goes on from there


def _fold(text: str) -> str:
    return " ".join(text.split())


class SampleLabels(QObject):
    relabelled = Signal(str)  # a sample's new text, once written

    def __init__(self, document: QTextDocument, store: SampleStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = document
        self.store = store
        self.spans: list[_Span] = []
        self._appending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(APPLY_AFTER_MS)
        self._timer.timeout.connect(self.apply)
        document.contentsChange.connect(self._changed)

    @contextmanager
    def appending(self) -> Iterator[None]:
        """Around the app's own appending of a commit: it lands after every span, never in one
        (a "." written on its own joins the word before it in the text, not in its label)."""
        self._appending = True
        try:
            yield
        finally:
            self._appending = False

    def track(self, start: int, shown: str, label: str, speech: bool, key: str) -> None:
        """Follow the commit shown as `shown` at `start` in the text, saved with `label` as the
        sample `key` (speech is shown cased, "I" and a sentence's first capital, and saved in
        lower case, as its training labels are)."""
        self.spans = (self.spans + [_Span(start, start + len(shown), label, speech, key, _fold(shown))])[-MAX_SPANS:]

    def _changed(self, pos: int, removed: int, added: int) -> None:
        if self._appending or not self.spans:
            return  # the app's own commit lands at the end, after every span
        text = self.doc.toPlainText()
        new = text[pos:pos + added]
        kept = []
        for sp in self.spans:
            cut_end = pos + removed
            # typing that goes on at the end of an edit of this span: letters or digits only
            goes_on = removed == 0 and pos == sp.end == sp.caret and new.isalnum()
            if cut_end < sp.start or (cut_end == sp.start and (removed == 0 or pos < sp.start)):
                sp.start += added - removed  # before it (text typed against its start included)
                sp.end += added - removed
                sp.caret = -1 if sp.caret < 0 else sp.caret + added - removed
            elif pos > sp.end or (pos == sp.end and not goes_on and (removed == 0 or sp.end > sp.start)):
                pass  # after it
            elif pos >= sp.start and cut_end <= sp.end:  # inside it, or typing going on from such an edit
                sp.retyped |= removed > 0 and pos == sp.start and cut_end == sp.end
                sp.end += added - removed
                sp.caret = pos + added
                if sp.end <= sp.start:
                    continue  # deleted whole
            else:
                continue  # the edit reaches past an end of it: no longer followed
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
            now = _fold(text[sp.start:sp.end])
            if now and now != sp.shown:
                if len(now.split()) != len(sp.shown.split()) and not sp.retyped:
                    continue  # a word typed in front or split off: more than a correction of it
                label = now.lower() if sp.speech else now
                try:
                    ok = label == sp.label or self.store.relabel(sp.speech, sp.key, sp.label, label)
                except (OSError, ValueError):  # unwritable, or a store that is not UTF-8 JSON lines
                    ok = False
                if not ok:
                    continue  # the sample is gone or the store cannot be written: stop following
                if label != sp.label:
                    done += 1
                    self.relabelled.emit(now)
                sp.label, sp.shown = label, now
            kept.append(sp)
        self.spans = kept
        return done
