"""The text area: committed text, with the words the recognizer doubts underlined.

A doubtful word (its weakest letter's confidence below DOUBT_BELOW) gets an orange wavy
underline, as a spelling checker marks words. The marks are overlays (extra selections),
not part of the text: copying or saving gives plain text, typing next to a marked word does
not spread the underline, and a mark goes away once its word is edited. A mark that went away
comes back when undo puts its word back in the same place (Clear text, then Ctrl+Z), since
the overlays are not part of the document's undo history.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from app.formatting import join_text
from recognizers.decoding.confidence import DOUBT_BELOW

CLINGING = ".,;:!?"  # marks written without the space before them
MAX_GONE = 500  # dropped marks remembered for undo


@dataclass
class _Mark:
    cursor: QTextCursor  # selects the word and follows edits
    word: str
    conf: float
    span: tuple[int, int]  # (start, end) when the cursor last held the word: where undo puts it back


class TranscriptEdit(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._marks: list[_Mark] = []
        self._gone: list[_Mark] = []  # marks dropped by an edit, kept for an undo that restores their word
        self._undo_steps = 0  # the document's undo steps at the last refresh: fewer now means an undo
        self.textChanged.connect(self._refresh_marks)
        self.setTabChangesFocus(True)  # Tab reaches the buttons after the text, as keyboard users expect

    def append_committed(self, text: str, words: list[tuple[str, float]] | None = None) -> str:
        """Put `text` where a commit goes and mark its doubtful words: over the selection where
        there is one (a misread word selected, then written or said again), else at the end,
        after a space where needed. `words` are the (word, confidence) pairs of `text`.
        Returns the text put in."""
        text = text.strip(" \t")  # a line break said at either end, or alone ("new line"), is kept
        if not text:
            return ""
        whole = self.toPlainText()
        c = self.textCursor()
        lo, hi = (c.selectionStart(), c.selectionEnd()) if c.hasSelection() else (len(whole), len(whole))
        before = whole[:lo]
        # a mark holds on to the word before it, even after a space typed there ("Hello " + ",")
        loose = len(before) - len(before.rstrip(" \t")) if text[0] in CLINGING else 0
        sep = join_text(before[:lo - loose][-1:], text).removesuffix(text)  # a space between words, none before "." or ","
        after = " " if whole[hi:hi + 1].isalnum() and not text[-1].isspace() else ""  # a word written over one inside the text
        # new text brings its own confidences: forget dropped marks in the place it takes
        self._gone = [g for g in self._gone if g.span[1] <= lo - loose or g.span[0] >= hi]
        start = lo - loose + len(sep)
        # an edit block of its own: Qt would merge adjacent insertions into one undo step, and
        # one Ctrl+Z then took back several commits and the person's own edit before them
        c.beginEditBlock()
        c.setPosition(lo - loose)
        c.setPosition(hi, QTextCursor.MoveMode.KeepAnchor)
        c.insertText(sep + text + after)
        c.endEditBlock()
        self.setTextCursor(c)
        self.ensureCursorVisible()
        pos = 0
        for word, conf in words or []:
            at = text.find(word, pos)
            if at < 0:
                break  # the words do not belong to this text: mark nothing more
            pos = at + len(word)
            if conf < DOUBT_BELOW and (m := self._mark_at(start + at, word, conf)):
                self._marks.append(m)
        self._refresh_marks()
        return text

    def text_before_commit(self) -> str:
        """The text before where a commit would go (the selection's start, or the end): what
        decides its joining space and a sentence's capital."""
        c = self.textCursor()
        return self.toPlainText()[: c.selectionStart()] if c.hasSelection() else self.toPlainText()

    def marks(self) -> list[tuple[int, str, float]]:
        """The doubted words as (start, word, confidence), to be kept with the text."""
        return sorted((m.cursor.selectionStart(), m.word, m.conf) for m in self._marks)

    def restore_marks(self, marks: list[tuple[int, str, float]]) -> int:
        """Underline saved doubted words again; one whose word is not at its place is dropped.
        Returns how many came back."""
        taken = {m.cursor.selectionStart() for m in self._marks}
        back = 0
        for start, word, conf in marks:
            if start >= 0 and word and start not in taken and (m := self._mark_at(start, word, conf)):
                self._marks.append(m)
                taken.add(start)
                back += 1
        self._refresh_marks()
        return back

    def doubtful_words(self) -> list[str]:
        """The words marked now, in text order."""
        return [m.word for m in sorted(self._marks, key=lambda m: m.cursor.selectionStart())]

    def _mark_at(self, start: int, word: str, conf: float) -> _Mark | None:
        """A mark on `word` at `start`, or None where the text there is not that word alone."""
        sel = QTextCursor(self.document())
        end = start + len(word)
        if end >= self.document().characterCount():  # the document ends in one extra paragraph mark
            return None
        sel.setPosition(start)
        sel.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        if sel.selectedText() != word or self._grown(sel):
            return None
        sel.setKeepPositionOnInsert(True)  # text typed right after the word stays outside
        return _Mark(sel, word, conf, (start, end))

    def _refresh_marks(self) -> None:
        # a selection's cursor follows edits; once its text is no longer the word, or the
        # word has grown (letters typed against it), drop it, and bring back dropped marks
        # whose word an undo put back where it was
        kept = []
        for m in self._marks:
            if m.cursor.selectedText() == m.word and not self._grown(m.cursor):
                m.span = (m.cursor.selectionStart(), m.cursor.selectionEnd())
                kept.append(m)
            else:
                self._gone.append(m)
        steps = self.document().availableUndoSteps()
        undone, self._undo_steps = steps < self._undo_steps, steps
        gone = []
        for g in self._gone[-MAX_GONE:]:
            # only an undo puts a dropped word back: a keystroke does not look for it
            free = undone and not any(k.span[0] < g.span[1] and g.span[0] < k.span[1] for k in kept)
            back = self._mark_at(g.span[0], g.word, g.conf) if free else None
            (kept if back else gone).append(back or g)
        self._marks, self._gone = kept, gone
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor("#e07b00"))
        sels = []
        for m in self._marks:
            s = QTextEdit.ExtraSelection()
            s.cursor, s.format = m.cursor, fmt
            sels.append(s)
        self.setExtraSelections(sels)

    def _grown(self, sel: QTextCursor) -> bool:
        doc = self.document()
        before = doc.characterAt(sel.selectionStart() - 1) if sel.selectionStart() > 0 else " "
        after = doc.characterAt(sel.selectionEnd())
        return any(c.isalnum() or c == "'" for c in (before, after))

    def viewportEvent(self, ev: QEvent) -> bool:  # noqa: N802 - Qt's name
        if ev.type() == QEvent.Type.ToolTip:
            pos = self.cursorForPosition(ev.pos()).position()
            for m in self._marks:
                if m.cursor.selectionStart() <= pos < m.cursor.selectionEnd():
                    QToolTip.showText(ev.globalPos(), f"Not sure of “{m.word}” (confidence {m.conf:.0%})", self)
                    return True
            QToolTip.hideText()
            ev.ignore()
            return True
        return super().viewportEvent(ev)
