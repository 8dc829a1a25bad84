"""What the window does with its text area: commits appended (or written over a selection),
Copy, Save, Clear text, undo and redo, and what the status bar says of them. A part of MainWindow."""

from __future__ import annotations

import contextlib

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app.widgets import dialog_start, remember_dir
from recognizers.atomic import atomic_write_text

TEXT_CLEARED = "Text cleared. Ctrl+Z brings it back."


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def text_undone(before: str, after: str) -> str:
    """What the status bar says when Ctrl+Z on the empty canvas undid a change in the text:
    the piece taken off its end (a commit, mostly), or that a change was undone."""
    if before.startswith(after) and (gone := before[len(after):].strip()):
        return f"Undid “{_short(gone)}” at the end of the text. Ctrl+Y puts it back."
    return "Undid the last change in the text. Ctrl+Y redoes it."


class TextActions:
    """MainWindow's text-area actions (a mixin: it uses the window's text, canvas, status bar
    and sample labels)."""

    def append_text(self, text: str, words: list[tuple[str, float]] | None = None) -> None:
        """Append at the end of the text, with a space if the text does not end in one, or
        write over the text selected (`TranscriptEdit.append_committed`); `words` (word,
        confidence) mark the words the recognizer doubts."""
        c = self.text.textCursor()
        over = c.selectedText().replace("\u2029", "\n") if c.hasSelection() else ""
        # a commit at the end never lands inside an earlier one's span; one written over a
        # selection is a correction, which the sample it falls in follows like typing
        with contextlib.nullcontext() if over else self.sample_labels.appending():
            text = self.text.append_committed(text, words)
        if text and over:
            self.statusBar().showMessage(f"Wrote “{_short(text)}” over “{_short(over)}”. Ctrl+Z takes it back.", 5000)
        if text:
            self.textAppended.emit(text)

    def copy_text(self) -> None:
        QApplication.clipboard().setText(self.text.toPlainText())
        self.statusBar().showMessage("Text copied to the clipboard", 3000)

    def save_text(self, path: str | None = None) -> None:
        if not path:
            path = remember_dir(QFileDialog.getSaveFileName(self, "Save the text", dialog_start("scrivox.txt"), "Text files (*.txt);;All files (*)")[0])
        if not path:
            return
        try:
            atomic_write_text(path, self.text.toPlainText() + "\n")  # a full disk never truncates the file that was there
        except OSError as exc:
            QMessageBox.warning(self, "Could not save", f"The text could not be saved to {path}:\n{exc}")
            return
        self.statusBar().showMessage(f"Saved {path}", 4000)

    def clear_text(self) -> None:
        """Empty the text as one edit that Ctrl+Z in the text undoes (QPlainTextEdit.clear
        would also drop the undo history, and with it the person's text)."""
        if not self.text.toPlainText():
            return
        cur = self.text.textCursor()
        cur.select(QTextCursor.SelectionType.Document)
        cur.removeSelectedText()
        self.text.setFocus()  # so that Ctrl+Z undoes in the text, not a stroke
        self.statusBar().showMessage(TEXT_CLEARED)  # until the text is back or new text comes

    def _text_changed(self) -> None:
        # once the text is back (Ctrl+Z) or new text came, "Ctrl+Z brings it back" is stale
        if self.text.toPlainText() and self.statusBar().currentMessage() and self.statusBar().full_message == TEXT_CLEARED:
            self.statusBar().clearMessage()

    def undo(self) -> None:
        """Ctrl+Z: typing in the text area; a stroke on the canvas; on an empty canvas the last
        change in the text (right after a commit the focus is still on the emptied canvas, and
        a tester's Ctrl+Z there did nothing)."""
        if self.text.hasFocus():
            self.text.undo()
        elif not self.handwriting.canvas.is_empty():
            self.handwriting.undo()
        elif self.text.document().isUndoAvailable():
            before = self.text.toPlainText()
            self.text.undo()
            self.statusBar().showMessage(text_undone(before, self.text.toPlainText()), 5000)  # the text changed away from the eye

    def redo(self) -> None:
        """Redo in the text area (strokes have no redo): a commit or an edit undone there."""
        self.text.redo()
