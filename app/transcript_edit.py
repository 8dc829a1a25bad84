"""The text area: committed text, with the words the recognizer doubts underlined.

A doubtful word (its weakest letter's confidence below DOUBT_BELOW) gets an orange wavy
underline, as a spelling checker marks words. The marks are overlays (extra selections),
not part of the text: copying or saving gives plain text, typing next to a marked word does
not spread the underline, and a mark goes away once its word is edited. A mark that went away
comes back when undo puts its word back in the same place (Clear text, then Ctrl+Z), since
the overlays are not part of the document's undo history.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from recognizers.decoding.confidence import DOUBT_BELOW

MAX_GONE = 500  # dropped marks remembered for undo


class TranscriptEdit(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._marks: list[tuple[QTextCursor, str, float]] = []  # (selection, word, confidence)
        self._spans: dict[int, tuple[int, int]] = {}  # id(selection) -> its last (start, end) while valid
        self._gone: list[tuple[int, int, str, float]] = []  # marks dropped: (start, end, word, confidence)
        self.textChanged.connect(self._refresh_marks)

    def append_committed(self, text: str, words: list[tuple[str, float]] | None = None) -> str:
        """Append `text` at the end (after a space where needed); mark its doubtful words.
        `words` are the (word, confidence) pairs of `text`. Returns the text appended."""
        text = text.strip()
        if not text:
            return ""
        cur = self.toPlainText()
        sep = "" if not cur or cur[-1].isspace() else " "
        c = self.textCursor()
        c.movePosition(QTextCursor.MoveOperation.End)
        start = c.position() + len(sep)
        # new text brings its own confidences: forget dropped marks in the place it takes
        self._gone = [g for g in self._gone if g[1] <= start - len(sep)]
        c.insertText(sep + text)
        self.setTextCursor(c)
        self.ensureCursorVisible()
        pos = 0
        for word, conf in words or []:
            at = text.find(word, pos)
            if at < 0:
                break  # the words do not belong to this text: mark nothing more
            pos = at + len(word)
            if conf < DOUBT_BELOW:
                sel = QTextCursor(self.document())
                sel.setPosition(start + at)
                sel.setPosition(start + pos, QTextCursor.MoveMode.KeepAnchor)
                sel.setKeepPositionOnInsert(True)  # text typed right after the word stays outside
                self._marks.append((sel, word, conf))
        self._refresh_marks()
        return text

    def doubtful_words(self) -> list[str]:
        """The words marked now, in text order."""
        return [w for _, w, _ in sorted(self._marks, key=lambda m: m[0].selectionStart())]

    def _refresh_marks(self) -> None:
        # a selection's cursor follows edits; once its text is no longer the word, or the
        # word has grown (letters typed against it), drop it
        kept = []
        for m in self._marks:
            if m[0].selectedText() == m[1] and not self._grown(m[0]):
                kept.append(m)
                self._spans[id(m[0])] = (m[0].selectionStart(), m[0].selectionEnd())
            elif id(m[0]) in self._spans:
                self._gone.append((*self._spans.pop(id(m[0])), m[1], m[2]))
        self._gone = self._gone[-MAX_GONE:]
        self._marks = kept + self._restored(kept)
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor("#e07b00"))
        sels = []
        for cursor, _, _ in self._marks:
            s = QTextEdit.ExtraSelection()
            s.cursor, s.format = cursor, fmt
            sels.append(s)
        self.setExtraSelections(sels)

    def _restored(self, kept: list[tuple[QTextCursor, str, float]]) -> list[tuple[QTextCursor, str, float]]:
        """Dropped marks whose word is back where it was (an undo), as marks again."""
        if not self._gone:
            return []
        text = self.toPlainText()
        taken = [(c.selectionStart(), c.selectionEnd()) for c, _, _ in kept]
        back, still_gone = [], []
        for start, end, word, conf in self._gone:
            sel = QTextCursor(self.document())
            fits = end <= len(text) and text[start:end] == word
            fits = fits and not any(a < end and start < b for a, b in taken)
            if fits:
                sel.setPosition(start)
                sel.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
                fits = not self._grown(sel)
            if fits:
                sel.setKeepPositionOnInsert(True)
                back.append((sel, word, conf))
                taken.append((start, end))
                self._spans[id(sel)] = (start, end)
            else:
                still_gone.append((start, end, word, conf))
        self._gone = still_gone
        return back

    def _grown(self, sel: QTextCursor) -> bool:
        doc = self.document()
        before = doc.characterAt(sel.selectionStart() - 1) if sel.selectionStart() > 0 else " "
        after = doc.characterAt(sel.selectionEnd())
        return any(c.isalnum() or c == "'" for c in (before, after))

    def viewportEvent(self, ev: QEvent) -> bool:  # noqa: N802 - Qt's name
        if ev.type() == QEvent.Type.ToolTip:
            pos = self.cursorForPosition(ev.pos()).position()
            for cursor, word, conf in self._marks:
                if cursor.selectionStart() <= pos < cursor.selectionEnd():
                    QToolTip.showText(ev.globalPos(), f"Not sure of “{word}” (confidence {conf:.0%})", self)
                    return True
            QToolTip.hideText()
            ev.ignore()
            return True
        return super().viewportEvent(ev)
