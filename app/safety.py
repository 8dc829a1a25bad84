"""Never lose a person's work in the window (issue 14): the text area is autosaved
(atomically, at most once per AUTOSAVE_MS while it changes) and restored at the next start;
closing asks before discarding anything that would be lost, or stopping a training run;
notices about damaged user files (recognizers.workspace.userfiles) are shown, not swallowed.

The window calls `install(window)` once it is built, and `confirm_close(window)` from its
closeEvent.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QMessageBox

from recognizers.workspace.draft import Draft
from recognizers.workspace.userfiles import take_notices

if TYPE_CHECKING:
    from app.main_window import MainWindow
    from app.transcript_edit import TranscriptEdit

AUTOSAVE_MS = 1500  # the longest a change waits to reach the disk (and the shortest gap between writes)
NOTICE_POLL_MS = 2000  # how often new notices (from a settings action, say) are looked for
DRAFT_NAME = "text-draft.txt"
COMMIT_WAIT_MS = 15_000  # Quit ▸ Commit and quit waits this long at most for the canvas's reading


class TextAutosave(QObject):
    """Saves the text area's text (and its doubted words) to a Draft, throttled: the first change starts a timer,
    later changes ride on it, so a burst of typing costs one write per AUTOSAVE_MS."""

    failed = Signal(str)  # why the last write failed (the text is then only in the window)

    def __init__(self, edit: "TranscriptEdit", draft: Draft, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.edit, self.draft = edit, draft
        self.dirty = False
        self.error: str | None = None
        self.writes = 0
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(AUTOSAVE_MS)
        self.timer.timeout.connect(self.flush)
        edit.textChanged.connect(self._changed)

    def restore(self) -> bool:
        """Put the saved text back in the window (only into an empty one); True when it did."""
        text = self.draft.load()
        if not text or self.edit.toPlainText():
            return False
        self.edit.setPlainText(text)
        self.edit.restore_marks(self.draft.load_marks(text))  # the doubted words' underlines too
        self.edit.moveCursor(QTextCursor.MoveOperation.End)  # where the next commit lands (a tester saw the top)
        # scrolled there once the window is shown and laid out: before, the scroll did nothing
        QTimer.singleShot(0, self.edit.ensureCursorVisible)
        self.dirty = False
        self.timer.stop()
        return True

    def _changed(self) -> None:
        self.dirty = True
        if not self.timer.isActive():
            self.timer.start()

    def flush(self) -> bool:
        """Write now if anything changed; True when the disk holds the window's text."""
        self.timer.stop()
        if not self.dirty:
            return self.error is None
        try:
            self.draft.save(self.edit.toPlainText(), self.edit.marks())
        except OSError as exc:
            self.error = f"{self.draft.path}: {exc.strerror or exc}"
            self.failed.emit(self.error)
            return False
        self.dirty, self.error = False, None
        self.writes += 1
        return True


def install(win: "MainWindow") -> TextAutosave:
    """Autosave the window's text to ``<data dir>/text-draft.txt``, restore the last session's
    text, and show notices (now and whenever more arrive)."""
    saver = TextAutosave(win.text, Draft(Path(win.data_dir) / DRAFT_NAME), win)
    win.ask_before_close = True  # False only where nobody can answer (the GUI tests' windows)
    # the advice first: a long data path would push it past the status bar's end
    saver.failed.connect(lambda why: win.statusBar().showMessage(f"Your text could not be saved automatically: use Save… to keep it ({why}).", 10_000))
    if saver.restore():
        win.statusBar().showMessage("The text from your last session is back.", 8000)
        modes = getattr(win, "modes", None)
        if modes is not None and modes.compact:  # no status bar in the compact panel: say it under the canvas
            win.handwriting.status.setText("Your last text is back")  # short: the compact panel is narrow ("…last tim…")
    win.notices_shown = []
    timer = QTimer(win)
    timer.setInterval(NOTICE_POLL_MS)
    timer.timeout.connect(lambda: show_notices(win))
    timer.start()
    win._notice_timer = timer
    QTimer.singleShot(0, lambda: show_notices(win))
    return saver


def show_notices(win: "MainWindow") -> None:
    """Show the queued notices in one non-modal message box (and remember them)."""
    notes = take_notices()
    if not notes:
        return
    win.notices_shown.extend(notes)
    box = QMessageBox(QMessageBox.Icon.Warning, "Scrivox", "Scrivox found a problem with your files and carried on:", QMessageBox.StandardButton.Ok, win)
    box.setInformativeText("<br><br>".join(html.escape(n) for n in notes))
    box.setModal(False)
    box.show()
    win._notice_box = box


def pending_losses(win: "MainWindow") -> list[str]:
    """What closing now would lose (empty: nothing)."""
    losses = []
    if not win.handwriting.canvas.is_empty():
        losses.append("the handwriting on the canvas has not been committed to the text")
    saver = getattr(win, "autosave", None)
    if saver is not None and not saver.flush():
        losses.append(f"the text could not be saved ({saver.error}); it will be lost unless you save it elsewhere first (File ▸ Save text…)")
    settings = getattr(win, "_settings_dialog", None)
    if settings is not None and settings.words_changed() and not settings.save_words(reload=False):
        losses.append("the words typed in Settings ▸ Recognition ▸ Personal vocabulary could not be saved (the settings say why)")
    return losses


# the buttons' own words: "Save" read as saving to a file (a tester), and "Discard" where
# nothing is lost but a training run that can be resumed
COMMIT_AND_QUIT = "Commit and quit"
QUIT = "Quit"


def running_training(win: "MainWindow") -> str:
    """What quitting would do to a training run under way (starting, running or paused): a
    sentence, or "" when none is. The run keeps its state on the way out (TrainingProcess.shutdown)."""
    settings = getattr(win, "_settings_dialog", None)
    proc = settings.training.proc if settings is not None else None
    if proc is None or proc.state not in ("starting", "running", "paused"):
        return ""
    kind = f"{proc.plan.modality} " if proc.plan is not None else ""
    paused = "paused " if proc.state == "paused" else ""
    return (f"The {paused}{kind}training run will stop. It keeps its state: Options ▸ Settings ▸ Training "
            "offers to resume it the next time you start Scrivox.")


def ask(parent: "MainWindow", title: str, text: str, buttons: QMessageBox.StandardButton,
        default: QMessageBox.StandardButton, labels: dict[QMessageBox.StandardButton, str] | None = None) -> QMessageBox.StandardButton:
    """QMessageBox.question with buttons relabelled (`labels`: standard button -> its words)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, buttons, parent)
    box.setDefaultButton(default)
    for button, label in (labels or {}).items():
        box.button(button).setText(label)
    box.exec()
    return box.standardButton(box.clickedButton()) if box.clickedButton() else QMessageBox.StandardButton.Cancel


def confirm_close(win: "MainWindow") -> bool:
    """True when the window may close: nothing would be lost nor any training run stopped, or
    the person said quit (Discard), or, with ink on the canvas, Commit and quit: the ink is
    committed to the text first (and the text saved), and the window closes once nothing else
    would be lost. A training run under way is asked about too (a tester's Ctrl+Q stopped one
    unasked); Cancel keeps it going."""
    losses = pending_losses(win)
    run = running_training(win)
    if not (losses or run) or not getattr(win, "ask_before_close", True):
        return True
    # while the question is open, the canvas's auto-commit waits: otherwise it commits (and
    # saves as a sample) the very ink that Discard is about to throw away
    win.handwriting.hold_commits(True)
    ink = not win.handwriting.canvas.is_empty() and win.handwriting.model_ready  # committing needs a reading
    S = QMessageBox.StandardButton
    said = [f"If you quit now, {'; and '.join(losses)}."] if losses else []
    if ink:
        said.append(f"{COMMIT_AND_QUIT} puts the handwriting into the text first.")
    if run:
        said.append(run)
    buttons = S.Discard | S.Cancel | (S.Save if ink else S.NoButton)
    labels = {S.Save: COMMIT_AND_QUIT} if ink else {} if losses else {S.Discard: QUIT}
    answer = ask(win, "Quit Scrivox?", " ".join(said), buttons, S.Save if ink else S.Cancel, labels)
    if answer == S.Save:
        win.handwriting.hold_commits(False)
        if commit_ink_now(win) and not pending_losses(win):
            return True
        return False  # what could not be committed or saved stays, and the window with it
    if answer != S.Discard:
        win.handwriting.hold_commits(False)  # staying: the ink commits as it would have
        return False
    return True


def commit_ink_now(win: "MainWindow", timeout_ms: int = COMMIT_WAIT_MS) -> bool:
    """Commit the canvas's best reading and wait for it (the reading may still be running):
    True once the canvas is empty. Ink read as nothing stays, with the panel's message; so
    does ink whose reading failed, was cleared meanwhile, or took over `timeout_ms` (then
    the commit is called off and the panel says so)."""
    panel = win.handwriting
    panel.commit()
    if panel.canvas.is_empty() or not panel.commit_pending:
        return panel.canvas.is_empty()
    loop = QEventLoop()
    poll = QTimer()  # the commit comes, or is dropped (a failed reading, Esc), or time runs out
    poll.timeout.connect(lambda: (panel.canvas.is_empty() or not panel.commit_pending) and loop.quit())
    poll.start(50)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    poll.stop()
    if not panel.canvas.is_empty() and panel.commit_pending:
        # too late now: a reading that comes after must not commit behind the window
        panel.call_off_commit("the reading took too long: the ink stays (Quit again to discard it)")
    return panel.canvas.is_empty()
