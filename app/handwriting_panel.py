"""The handwriting panel: canvas, live transcription with n-best candidates, commit.

After every stroke the whole ink goes to the handwriting worker as a droppable job, so
while the recognizer is busy only the newest ink waits. A commit (Enter, the button, a
candidate, or a pause) takes the reading of the ink as it is now: if that reading is still
being computed, the commit waits for it. Ink whose reading is empty is never cleared by a
commit: only Clear (or Esc) throws ink away.
"""

from __future__ import annotations

import html
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.canvas import InkCanvas
from app.candidates import CandidateBar
from app.widgets import Banner, ElidedLabel
from app.workers import Job, RecognizerWorker

# a new line below is scrolled into view after the pen has rested this long: people writing
# letter by letter pause a second or more between letters (at 0.8 s, a tester's "c", "a", "t"
# with 1 s pauses landed on three lines); with the default auto-commit (1.5 s) the ink is
# committed and the canvas cleared first, so this only matters with a longer pause or none
SCROLL_AFTER_MS = 2500

STATUS_STYLE = "color: #666;"
NOTE_STYLE = "color: #7a4b00;"  # the banners' warning colour

# The field hint: (label, recognizers.recognizer.CHARSETS name or None for anything)
FIELDS = (("Any text", None), ("Number", "number"), ("Digits", "digits"), ("Letters", "letters"), ("Upper case", "upper"), ("Lower case", "lower"))


class HandwritingPanel(QGroupBox):
    transcriptionChanged = Signal(str, list)  # best text, all candidate texts (after each stroke)
    committed = Signal(str, object)  # text, the ink it came from (list of (N, 3) arrays)
    recognitionTime = Signal(float)  # ms spent recognizing

    def __init__(self, worker: RecognizerWorker, parent: QWidget | None = None) -> None:
        super().__init__("Handwriting", parent)
        self.worker = worker
        self.model_ready = False
        self.pause_ms = 1500  # commit after this long without a stroke; 0 = never
        # a lone dot is taken for a click to focus the canvas, except where no click can give
        # it the focus (the compact panel): there a dot written for another window is a period
        self.commit_lone_dots = False
        self._result_version = -1  # canvas version of the reading on display
        self._best = ""
        self._best_words: list[tuple[str, float]] = []  # (word, confidence) of the best reading
        self.last_commit_words: list[tuple[str, float]] = []  # of the text committed last
        self._commit_wanted: str | None = None  # "best", or a chosen text, waiting for the reading
        self._held = False  # commits on their own (the pause, a reading awaited) wait: a question about the ink is open
        self._pause_missed = False  # the pause ended while held
        self.last_latency_ms: float | None = None  # pen-up to reading shown
        self._pen_up_at: dict[int, float] = {}
        self.note = ""  # a lasting warning on the status line (set_note)

        self.banner = Banner(self)
        self.canvas = InkCanvas(self)
        self.canvas.grow = True  # several lines: the canvas grows a line at a time and scrolls
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.canvas)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setMinimumHeight(self.canvas.base_min_height)
        # the canvas takes the focus, not the area around it: a Tab stop there showed nothing (a tester)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.canvas.grown.connect(self._grown)
        self.candidates = CandidateBar(5, self)
        self.status = ElidedLabel("", max_text_px=260)  # "nothing read — ..." is elided, never widens the row
        self.status.setStyleSheet(STATUS_STYLE)
        self.undo_button = QPushButton("Undo stroke")
        self.undo_button.setToolTip("Remove the last stroke (Ctrl+Z)")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Clear the canvas (Esc)")
        self.commit_button = QPushButton("Commit")
        self.commit_button.setToolTip("Append the best reading to the text and clear the canvas (Enter)")
        self.commit_button.setDefault(False)
        # What the field expects: shape alone cannot tell 0 from O or 1 from l, a form can.
        self.field = QComboBox()
        for label, charset in FIELDS:
            self.field.addItem(label, charset)
        self.field.setToolTip("What you are writing: restricting it to digits or letters settles look-alike shapes (0/O/o, 1/l/I, S/s)")
        self.field.currentIndexChanged.connect(lambda _i: self._request() if self.canvas.ink() else None)

        # the candidates get a row of their own, the panel's whole width: five readings of a
        # written line side by side need it to differ visibly (sharing the buttons' row, all
        # five were cut to their first word)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.field)
        row.addWidget(self.undo_button)
        row.addWidget(self.clear_button)
        row.addWidget(self.commit_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addWidget(self.scroll, 1)
        lay.addWidget(self.candidates)
        lay.addLayout(row)

        self.pause_timer = QTimer(self)
        self.pause_timer.setSingleShot(True)
        self.pause_timer.timeout.connect(self._pause_elapsed)
        # a line added below is scrolled into view once the pen rests: scrolling between the
        # strokes of a word would move the writing from under the pen
        self._scroll_to: int | None = None
        self.scroll_timer = QTimer(self)
        self.scroll_timer.setSingleShot(True)
        self.scroll_timer.setInterval(SCROLL_AFTER_MS)
        self.scroll_timer.timeout.connect(self._scroll_to_new_line)
        self.canvas.penDown.connect(self.scroll_timer.stop)

        self.canvas.strokeFinished.connect(self._stroke_finished)
        self.canvas.penDown.connect(self.pause_timer.stop)
        self.canvas.inkChanged.connect(self._ink_changed)
        # after a click on Undo or Clear the pen goes on writing, so the canvas keeps the keys
        # (Enter commits, Esc clears) instead of the button that was clicked
        self.undo_button.clicked.connect(lambda: (self.undo(), self.canvas.setFocus()))
        self.clear_button.clicked.connect(lambda: (self.clear(), self.canvas.setFocus()))
        self.commit_button.clicked.connect(self.commit)
        self.candidates.chosen.connect(self._candidate_chosen)
        # keyboard focus on a candidate holds the pause as the pointer does (_choosing); leaving
        # the candidates with it starts a full pause again
        QApplication.instance().focusChanged.connect(self._focus_moved)
        self.worker.done.connect(self._job_done)

        # Enter commits while the canvas (or a candidate) has the focus; Ctrl+Enter anywhere
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            sc = QShortcut(QKeySequence(key), self.canvas)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(self.commit)
        sc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.canvas)
        sc.setContext(Qt.ShortcutContext.WidgetShortcut)
        sc.activated.connect(self.clear)
        self._update_buttons()

    # -- the status line ---------------------------------------------------------------

    def set_note(self, text: str) -> None:
        """A lasting warning (plain text) on the status line under the canvas, shown whenever
        the line has nothing of the moment to say ("reading…"); "" takes it away. Not a banner:
        one above the canvas pushed it down under the pen (a tester's "good" read "od")."""
        shown, old = self.status.text(), self.note
        self.note = text
        if not shown or shown == old:
            self._say("")

    def _say(self, text: str) -> None:
        shown = text or self.note
        self.status.setText(shown)
        style = NOTE_STYLE if shown and shown == self.note else STATUS_STYLE
        if self.status.styleSheet() != style:  # after every reading: restyle only on a change
            self.status.setStyleSheet(style)

    # -- model state ----------------------------------------------------------------

    def show_loading(self) -> None:
        """Say that the model is loading where the eye already is, the canvas and the status
        line: a banner above the canvas would move it down and back when the model arrives.
        Only for a first load: while another model replaces a working one, reading and
        committing go on (the jobs wait for the new model), as the status bar says loading."""
        if self.model_ready:
            return
        self.canvas.placeholder = "Write here (model loading…)"  # short: the compact panel is narrow
        self.canvas.update()
        self._say("loading the model…")
        self._update_buttons()

    def set_model_ready(self, ready: bool, message: str = "") -> None:
        self.model_ready = ready
        self.canvas.placeholder = "Write here"
        self.canvas.update()
        if self.status.text().startswith("loading"):
            self._say("")
        if ready:
            self.banner.clear()
            if not self.canvas.is_empty():
                self._request()
                if self.pause_ms > 0 and not self.canvas.drawing:  # ink written while loading commits as any other
                    self.pause_timer.start(self.pause_ms)
        elif message:
            self.banner.show_message(message, "error")
        self._update_buttons()

    # -- actions ----------------------------------------------------------------------

    def undo(self) -> None:
        if self.canvas.undo():
            self.pause_timer.stop()
            self.scroll_timer.stop()  # the stroke that asked for a new line may be the one undone
            self._scroll_to = None
            if self.pause_ms > 0 and self.model_ready and not self.canvas.is_empty():
                # the ink left commits after a full pause, as after a stroke (it stayed on the
                # canvas for good before: a new user's "good morning" after one Ctrl+Z)
                self.pause_timer.start(self.pause_ms)

    def clear(self) -> None:
        self.pause_timer.stop()
        self._commit_wanted = None
        self.canvas.clear()

    def commit(self) -> None:
        """Commit the best reading of the ink as it is now (waits for it if needed)."""
        self._want_commit("best")

    def commit_text(self, text: str) -> None:
        """Commit a chosen candidate."""
        self._want_commit(text)

    def _candidate_chosen(self, text: str) -> None:
        if self._in_candidates(QApplication.focusWidget()):
            self.canvas.setFocus(Qt.FocusReason.OtherFocusReason)  # chosen from the keyboard: writing goes on there
        self.commit_text(text)

    def choose(self, k: int) -> None:
        self.candidates.choose(k)

    @property
    def commit_pending(self) -> bool:
        """A commit is waiting for the newest reading of the ink."""
        return self._commit_wanted is not None

    def call_off_commit(self, why: str) -> None:
        """Drop the commit waiting for its reading (the reading, when it comes, only shows)."""
        self._commit_wanted = None
        self._say(why)

    def _want_commit(self, what: str) -> None:
        self.pause_timer.stop()
        if self.canvas.is_empty() or not self.model_ready:
            return
        self._commit_wanted = what
        if self._result_version == self.canvas.version:
            self._do_commit()
        else:
            self._say("reading…")

    def _do_commit(self) -> None:
        what, self._commit_wanted = self._commit_wanted, None
        text = self._best if what == "best" else what
        if not text.strip():
            # nothing was read: the ink stays (clearing it would lose the writing for nothing)
            self._say("nothing read — write on, pick a candidate, or Clear")
            return
        # per-word confidence is known for the best reading only
        self.last_commit_words = self._best_words if text == self._best else []
        ink = self.canvas.ink()
        self.canvas.clear()
        self.committed.emit(text, ink)

    def hold_commits(self, held: bool) -> None:
        """Hold the commits that happen on their own (the pause; one waiting for its reading)
        while a question about the ink on the canvas is open (Quit Scrivox?), so that the
        answer applies to the ink the question describes; released, they go on."""
        if held:
            self._held = True
            self._pause_missed = self._pause_missed or self.pause_timer.isActive()
            self.pause_timer.stop()
            return
        self._held = False
        if self._commit_wanted is not None and self._result_version == self.canvas.version:
            self._do_commit()
        elif self._pause_missed and self.pause_ms > 0 and not self.canvas.is_empty():
            self.pause_timer.start(self.pause_ms)  # a full pause again: the person just came back
        self._pause_missed = False

    def _pause_elapsed(self) -> None:
        if self._held:  # a model that arrived meanwhile may have started the timer
            self._pause_missed = True
            return
        # a lone dot is more often a click to focus the canvas than a period: it waits for
        # more ink or an explicit commit (Enter, the button) instead of going into the text
        if self.pause_ms > 0 and self._choosing():
            self.pause_timer.start(self.pause_ms)  # a full pause again once the pointer leaves them
            return
        if self.pause_ms > 0 and not self.canvas.drawing and (self.commit_lone_dots or not self.canvas.is_lone_dot()):
            self.commit()

    def _choosing(self) -> bool:
        """The pointer rests on the candidates, or the keyboard focus is on one (Tab from the
        canvas): the person is reading them to pick one, and the pause must not commit the
        best reading from under the pointer (a new user had about a second to read five
        readings and click) or instead of the candidate Tab reached (a tester, session 31)."""
        bar = self.candidates
        if not (bar.texts() and bar.isVisible()):
            return False
        return self._in_candidates(QApplication.focusWidget()) or bar.rect().contains(bar.mapFromGlobal(QCursor.pos()))

    def _in_candidates(self, w: QWidget | None) -> bool:
        return w is not None and self.candidates.isAncestorOf(w)

    def _focus_moved(self, old: QWidget | None, new: QWidget | None) -> None:
        """Focus that leaves the candidates gives the person a full pause from then on."""
        if self._in_candidates(old) and not self._in_candidates(new) and self.pause_timer.isActive():
            self.pause_timer.start(self.pause_ms)

    # -- recognition ----------------------------------------------------------------

    def _grown(self, y: int) -> None:
        self._scroll_to = y
        self.scroll_timer.start()

    def _scroll_to_new_line(self) -> None:
        if self._scroll_to is None or self.canvas.drawing:
            return
        self.scroll.ensureVisible(0, self._scroll_to, 0, int(self.canvas.line_pitch))
        self._scroll_to = None

    def _stroke_finished(self) -> None:
        if self._scroll_to is not None:
            self.scroll_timer.start()
        if self.pause_ms > 0 and self.model_ready:
            self.pause_timer.start(self.pause_ms)

    def _ink_changed(self) -> None:
        """A stroke ended, one was undone, or the canvas was cleared: read the ink again."""
        if self.canvas.is_empty():
            self._scroll_to = None
            self._result_version = self.canvas.version
            self._best = ""
            self._pen_up_at.clear()
            self.candidates.set_candidates([])
            self._say("")
            self.transcriptionChanged.emit("", [])
        elif not self.canvas.drawing:
            self._pen_up_at[self.canvas.version] = time.perf_counter()
            if self.model_ready:
                self._request()
        self._update_buttons()

    def _request(self) -> None:
        self.worker.submit(Job("recognize", self.canvas.ink(), channel="ink", droppable=True, tag=self.canvas.version, charset=self.field.currentData()))

    def _job_done(self, job: Job) -> None:
        if job.channel != "ink":
            return
        if job.error:
            self.banner.show_message(f"Recognition failed: {html.escape(job.error)}", "error")
            return
        if job.tag != self.canvas.version:
            return  # the ink changed since; a newer request is on its way
        rec = job.result
        if self.banner.level == "error":  # an earlier failure is over
            self.banner.clear()
        texts = [t for t, _ in rec.alternatives] or [rec.text]
        self._best = rec.text
        self._best_words = rec.word_confidence
        self._result_version = job.tag
        self.candidates.set_candidates(texts, rec.shares() if rec.alternatives else None)
        self._say("")
        t_up = self._pen_up_at.get(job.tag)
        for v in [v for v in self._pen_up_at if v < job.tag]:
            del self._pen_up_at[v]
        if t_up is not None:
            self.last_latency_ms = (time.perf_counter() - t_up) * 1000
        self.recognitionTime.emit(rec.elapsed_ms)
        self.transcriptionChanged.emit(rec.text, texts)
        if self._commit_wanted is not None and not self._held:
            self._do_commit()

    def _update_buttons(self) -> None:
        has_ink = not self.canvas.is_empty()
        self.undo_button.setEnabled(self.canvas.stroke_count() > 0)
        self.clear_button.setEnabled(has_ink)
        self.commit_button.setEnabled(has_ink and self.model_ready)
