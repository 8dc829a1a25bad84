"""The text area: committed text, with the words the recognizer doubts underlined.

A doubtful word (its weakest letter's confidence below DOUBT_BELOW) gets an orange wavy
underline, as a spelling checker marks words. The marks are overlays (extra selections),
not part of the text: copying or saving gives plain text, typing next to a marked word does
not spread the underline, and a mark goes away once its word is edited.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from recognizers.decoding.confidence import DOUBT_BELOW


class TranscriptEdit(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._marks: list[tuple[QTextCursor, str, float]] = []  # (selection, word, confidence)
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
        self._marks = [m for m in self._marks if m[0].selectedText() == m[1] and not self._grown(m[0])]
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor("#e07b00"))
        sels = []
        for cursor, _, _ in self._marks:
            s = QTextEdit.ExtraSelection()
            s.cursor, s.format = cursor, fmt
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
            for cursor, word, conf in self._marks:
                if cursor.selectionStart() <= pos < cursor.selectionEnd():
                    QToolTip.showText(ev.globalPos(), f"Not sure of “{word}” (confidence {conf:.0%})", self)
                    return True
            QToolTip.hideText()
            ev.ignore()
            return True
        return super().viewportEvent(ev)
