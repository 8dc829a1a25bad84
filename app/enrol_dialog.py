"""The enrolment dialog: prompts to write on a canvas or to read aloud, saved as samples.

Handwriting: the prompt is shown above a canvas; the person writes it and presses
"Save and next" (Enter). Speech: the person presses Record, reads the prompt, and presses
Stop (the same button) — the recording is saved at once; "Use a recording…" takes a file of
the person reading the prompt instead (a phone's memo, or a machine without a microphone).
Either way the sample goes to the
enrolment files through the app's ordinary sample saving (app/enrol.py says where), and
"Skip" moves on without saving. With the model of that modality loaded (`worker`), each
saved sample is checked against its prompt in the background (Recognizer.check_label): one
that reads as another text is named, with *Take back the last* to remove it. Closing keeps what was saved; enrolment continues where
it stopped the next time, past the prompts saved or skipped. "Teach Scrivox" (enabled from MIN_SAMPLES samples on) closes the
dialog and asks the settings panel to fine-tune the active model on them.
"""

from __future__ import annotations

import html
import os
import queue

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.audio_input import AudioBackend, AudioInputError, InputDevice
from app.canvas import ONE_WORD_PITCH, InkCanvas
from app.workers import Job, RecognizerWorker
from app.widgets import AUDIO_FILTER, Banner, LevelMeter, dialog_start, remember_dir
from recognizers.audio import SAMPLE_RATE, AudioFileError, load_audio
from recognizers.modality import Modality
from recognizers.workspace.enrol import (
    ENROL_PROMPTS,
    MIN_SAMPLES,
    next_prompt,
    prompt_at,
    prompt_counter,
    remember_skipped,
    sample_count,
    saved_prompts,
    skipped_prompts,
)
from recognizers.workspace.samples import SampleStore

MIN_RECORDING_S = 0.4
MAX_FILE_S = 30.0  # a prompt is a sentence: a longer file is a talk, not its reading


class EnrolmentDialog(QDialog):
    teachRequested = Signal(str)  # modality
    sampleSaved = Signal(str, int)  # modality, samples now stored

    def __init__(
        self,
        modality: str,
        store: SampleStore,
        backend: AudioBackend | None = None,
        device: InputDevice | None = None,
        parent: QWidget | None = None,
        worker: RecognizerWorker | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker  # checks each saved sample against its prompt, when given
        if worker is not None:
            worker.done.connect(self._checked)
        self.modality = modality
        self.store = store
        self.backend = backend
        self.device = device
        self.count = sample_count(store, modality)
        self._done = saved_prompts(store, modality)
        self._skipped = skipped_prompts(store, modality)  # skipped in an earlier session: gone past, not shown first
        self.index = next_prompt(modality, self._done | self._skipped)  # continue at the first prompt not yet saved
        self._saved_here: list[tuple[int, str]] = []  # (prompt index, prompt) saved in this dialog, for Take back
        self._taken_back: int | None = None  # the prompt a "Removed the sample" note is about
        self._warned = False  # the banner says the last sample reads as another text
        self._input = None
        self._chunks: list[np.ndarray] = []
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        what = "handwriting" if modality == Modality.HANDWRITING else "voice"
        self.setWindowTitle(f"Teach Scrivox your {what}")
        self.setModal(True)

        intro = QLabel(
            f"Write each word as you usually write, then press <b>Save and next</b> (Enter). About {ENROL_PROMPTS} words take five minutes."
            if modality == Modality.HANDWRITING
            else f"Press <b>Record</b>, read the sentence aloud as you usually speak, then press <b>Stop</b>. Digits are read one by one. About {ENROL_PROMPTS} prompts take five minutes."
        )
        intro.setWordWrap(True)
        self.banner = Banner(self)
        self.counter = QLabel()
        # as wide as the widest "Prompt N of 50", so the progress bar beside it stays put
        self.counter.setMinimumWidth(max(self.counter.fontMetrics().horizontalAdvance(prompt_counter(i)) for i in range(ENROL_PROMPTS)) + 2)
        self.progress = QProgressBar()
        self.progress.setRange(0, ENROL_PROMPTS)
        self.progress.setTextVisible(True)
        self.prompt_label = QLabel()
        self.prompt_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt_label.setWordWrap(True)
        self.prompt_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        f = QFont(self.font())
        f.setPointSizeF(max(f.pointSizeF(), 10) * 2.0)
        self.prompt_label.setFont(f)
        self.prompt_label.setAccessibleName("Prompt")

        self.skip_button = QPushButton("Skip")
        self.skip_button.setToolTip("Go on to the next prompt without saving")
        self.back_button = QPushButton("Take back the last")
        self.back_button.setToolTip("Remove the sample saved last (written or said wrong) and show its prompt again")
        self.teach_button = QPushButton("Teach Scrivox")
        self.teach_button.setToolTip(f"Fine-tune the active model on your samples (needs {MIN_SAMPLES} or more)")
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Stop here; your samples are kept and enrolment goes on next time")

        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        if modality != Modality.HANDWRITING:
            lay.addWidget(self.banner)  # with a canvas, below it: a banner above moved the canvas under the pen
        top = QHBoxLayout()
        top.addWidget(self.counter)
        top.addWidget(self.progress, 1)
        lay.addLayout(top)
        lay.addWidget(self.prompt_label)

        row = QHBoxLayout()
        if modality == Modality.HANDWRITING:
            self.canvas = InkCanvas(self)
            self.canvas.placeholder = "Write the word here"
            self.canvas.line_pitch = ONE_WORD_PITCH  # one word per prompt: one large guide, not the panel's ruled lines
            self.canvas.setMinimumSize(560, 200)
            lay.addWidget(self.canvas, 1)
            # its room is kept, two lines high, shown or not: the canvas never changes size under the pen
            keep = self.banner.sizePolicy()
            keep.setRetainSizeWhenHidden(True)
            self.banner.setSizePolicy(keep)
            self.banner.setMinimumHeight(2 * self.banner.label.fontMetrics().lineSpacing() + 14)
            lay.addWidget(self.banner)
            self.clear_button = QPushButton("Clear")
            self.undo_button = QPushButton("Undo stroke")
            self.save_button = QPushButton("Save and next")
            self.save_button.setToolTip("Save this sample and show the next prompt (Enter)")
            row.addWidget(self.undo_button)
            row.addWidget(self.clear_button)
            self.clear_button.clicked.connect(self.canvas.clear)
            self.undo_button.clicked.connect(self.canvas.undo)
            self.save_button.clicked.connect(self.save_ink)
            self.canvas.inkChanged.connect(self._update_buttons)
            for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                sc = QShortcut(QKeySequence(key), self)
                sc.activated.connect(self.save_ink)
        else:
            self.canvas = None
            self.meter = LevelMeter()
            self.record_button = QPushButton("● Record")
            self.record_button.setCheckable(True)
            self.record_button.toggled.connect(self._record_toggled)
            self.duration_label = QLabel("")
            self.file_button = QPushButton("Use a recording…")
            self.file_button.setToolTip("Save an audio file of you reading the prompt, instead of recording it here")
            self.file_button.clicked.connect(lambda: self.use_recording())
            rec_row = QHBoxLayout()
            rec_row.addWidget(self.record_button)
            rec_row.addWidget(self.meter, 1)
            rec_row.addWidget(self.duration_label)
            rec_row.addWidget(self.file_button)
            lay.addLayout(rec_row)
            self.save_button = None
            self.poll = QTimer(self)
            self.poll.setInterval(30)
            self.poll.timeout.connect(self._drain)
            if device is None or backend is None:
                self.banner.show_message("No microphone is available: plug one in and choose it in the speech panel, then open this again, "
                                         "or record yourself reading each prompt elsewhere and choose the file with <i>Use a recording…</i>", "warning")
                self.record_button.setEnabled(False)
            else:
                self.banner.show_message(f"Recording from: {html.escape(device.label)}", "info")
        row.addWidget(self.skip_button)
        row.addWidget(self.back_button)
        row.addStretch(1)
        if self.save_button is not None:
            row.addWidget(self.save_button)
        lay.addLayout(row)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.teach_button)
        bottom.addWidget(self.close_button)
        lay.addLayout(bottom)

        self.skip_button.clicked.connect(self.skip)
        self.back_button.clicked.connect(self.take_back)
        self.teach_button.clicked.connect(self._teach)
        self.close_button.clicked.connect(self.reject)
        for b in self.findChildren(QPushButton):
            b.setAutoDefault(False)  # Enter saves (the shortcut), it never presses a button
        self.resize(680, 520 if modality == Modality.HANDWRITING else 320)
        self._show_prompt()

    # -- prompts --------------------------------------------------------------------

    def prompt_at(self, i: int) -> str:
        return prompt_at(self.modality, i)  # past 50: extra prompts, never prompt 1 again

    @property
    def current_prompt(self) -> str:
        return self.prompt_at(self.index)

    @property
    def _recording(self) -> bool:
        return self.modality == Modality.SPEECH and self.record_button.isChecked()

    @property
    def _verb(self) -> str:
        return "Write" if self.modality == Modality.HANDWRITING else "Say"

    def _show_prompt(self) -> None:
        if self._taken_back is not None and self.index != self._taken_back:
            self.banner.clear()  # "Removed the sample for …" is about another prompt now
            self._taken_back = None
        # labelled, so a prompt such as "38%" never reads as a progress figure
        self.prompt_label.setText(f"<span style='font-size: 11pt; color: #666;'>{self._verb}:</span><br>{html.escape(self.current_prompt)}")
        done = min(self.count, ENROL_PROMPTS)
        self.progress.setValue(done)
        self.progress.setFormat(f"{self.count} saved" if self.count <= ENROL_PROMPTS else f"{self.count} saved (more than enough)")
        self.counter.setText(prompt_counter(self.index))
        self._update_buttons()
        if self.canvas is not None:
            self.canvas.clear()
            self.canvas.setFocus()

    def _update_buttons(self) -> None:
        if self.save_button is not None and self.canvas is not None:
            self.save_button.setEnabled(not self.canvas.is_empty())
            self.undo_button.setEnabled(self.canvas.stroke_count() > 0)
            self.clear_button.setEnabled(not self.canvas.is_empty())
        self.teach_button.setEnabled(self.count >= MIN_SAMPLES)
        self.back_button.setEnabled(bool(self._saved_here) and not self._recording)
        if self.modality == Modality.SPEECH:
            self.file_button.setEnabled(not self._recording)

    def skip(self) -> None:
        if self._recording:
            self._stop_recording(save=False)
        remember_skipped(self.store, self.modality, self.current_prompt)
        self.index = next_prompt(self.modality, self._done, self.index + 1)
        self._show_prompt()

    def take_back(self) -> bool:
        """Remove the sample saved last in this dialog and show its prompt again."""
        if not self._saved_here:
            return False
        if self._recording:
            self._stop_recording(save=False)  # a recording under way belongs to the prompt shown
        index, prompt = self._saved_here[-1]
        try:
            gone = self.store.take_back_last(self.modality == Modality.SPEECH, prompt)
        except OSError as exc:
            self.banner.show_message(f"Could not remove the sample: {html.escape(str(exc))}", "error")
            return False
        self._saved_here.pop()
        if not gone:  # the files changed under us: say so rather than remove another sample
            self.banner.show_message("The last saved sample is not this dialog's any more; nothing was removed.", "warning")
            self._update_buttons()
            return False
        self.count -= 1
        self._done.discard(prompt)
        self.index = index
        self.sampleSaved.emit(self.modality, self.count)
        self._show_prompt()
        self.banner.show_message(f"Removed the sample for “{html.escape(prompt)}”. {self._verb} it again, or Skip.", "info")
        self._taken_back = index  # the prompt the note is about
        return True

    def _saved(self, sample: object) -> None:
        if self.banner.level == "warning" and self._warned:
            self.banner.clear()  # the warning was about the sample before this one
        self._warned = False
        self._saved_here.append((self.index, self.current_prompt))
        if self.worker is not None:
            self.worker.submit(Job("check", (sample, self.current_prompt), channel="enrol", tag=(id(self), len(self._saved_here), self.current_prompt)))
        self._done.add(self.current_prompt)
        self.count += 1
        self.index = next_prompt(self.modality, self._done, self.index + 1)
        self.sampleSaved.emit(self.modality, self.count)
        self._show_prompt()

    def _checked(self, job: Job) -> None:
        """A saved sample's check: one that reads as another text than its prompt is named
        while it is still the last one saved (Take back removes it)."""
        if job.channel != "enrol" or job.error or not isinstance(job.tag, tuple) or job.tag[0] != id(self):
            return  # no model to check with is no reason to bother the person
        _, n, prompt = job.tag
        if not job.result.another_text or len(self._saved_here) != n or self._saved_here[-1][1] != prompt:
            return
        reading = job.result.reading.replace("\n", " ").strip()
        read = f"it reads as “{html.escape(reading)}”" if reading else "nothing could be read in it"
        self.banner.show_message(f"Saved as “{html.escape(prompt)}”, but {read}. If you {'wrote' if self.modality == Modality.HANDWRITING else 'said'} "
                                 "something else, press <b>Take back the last</b>: a sample teaches what its prompt says.", "warning")
        self._warned = True

    # -- handwriting ----------------------------------------------------------------

    def save_ink(self) -> bool:
        if self.canvas is None or self.canvas.is_empty() or self.canvas.drawing:
            return False
        try:
            ink = self.canvas.ink()
            self.store.save_ink(ink, self.current_prompt)
        except (OSError, ValueError) as exc:
            self.banner.show_message(f"Could not save the sample: {html.escape(str(exc))}", "error")
            return False
        self._saved(ink)
        return True

    # -- speech ---------------------------------------------------------------------

    def _record_toggled(self, on: bool) -> None:
        if on:
            self._start_recording()
        else:
            self._stop_recording(save=True)
        self._update_buttons()  # no Take back while a recording is under way

    def _start_recording(self) -> None:
        self._chunks = []
        self._queue = queue.SimpleQueue()
        try:
            self._input = self.backend.open(self.device)
            q = self._queue
            self._input.start(lambda chunk: q.put(np.asarray(chunk, np.float32).copy()))
        except (AudioInputError, OSError, KeyError) as exc:
            self._input = None
            self.banner.show_message(f"Cannot listen to the microphone: {html.escape(str(exc))}", "error")
            self.record_button.blockSignals(True)
            self.record_button.setChecked(False)
            self.record_button.blockSignals(False)
            return
        self.record_button.setText("■ Stop")
        self.poll.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = self._queue.get_nowait()
            except queue.Empty:
                break
            self._chunks.append(chunk)
            if len(chunk):
                rms = float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2)) + 1e-9)
                self.meter.set_level(20 * np.log10(rms))
        n = sum(len(c) for c in self._chunks)
        self.duration_label.setText(f"{n / 16000:.1f} s")

    def _stop_recording(self, save: bool) -> None:
        inp, self._input = self._input, None
        if inp is not None:
            inp.stop()
        self.poll.stop()
        self._drain()
        self.record_button.blockSignals(True)
        self.record_button.setChecked(False)
        self.record_button.blockSignals(False)
        self.record_button.setText("● Record")
        self.meter.reset()
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
        self._chunks = []
        if not save:
            return
        if len(audio) < MIN_RECORDING_S * SAMPLE_RATE:
            self.banner.show_message("That recording was too short; press Record and read the prompt again.", "warning")
            return
        self._save_audio(audio)

    def use_recording(self, path: str | None = None) -> bool:
        """Save an audio file (any rate, mono or stereo) as the reading of the prompt shown."""
        if self.modality != Modality.SPEECH or self._recording:
            return False
        if path is None:
            path = remember_dir(QFileDialog.getOpenFileName(self, f"A recording of “{self.current_prompt}”", dialog_start(), AUDIO_FILTER)[0])
            if not path:
                return False
        try:
            audio = load_audio(path)
        except AudioFileError as exc:
            self.banner.show_message(html.escape(str(exc)), "error")
            return False
        name = html.escape(os.path.basename(path))
        if len(audio) < MIN_RECORDING_S * SAMPLE_RATE:
            self.banner.show_message(f"{name} is too short ({len(audio) / SAMPLE_RATE:.1f} s) to be the prompt read aloud; nothing was saved.", "warning")
            return False
        if len(audio) > MAX_FILE_S * SAMPLE_RATE:
            self.banner.show_message(f"{name} is {len(audio) / SAMPLE_RATE:.0f} s long; a prompt read aloud takes a few seconds. "
                                     f"Choose a file of this prompt alone (at most {MAX_FILE_S:.0f} s); nothing was saved.", "warning")
            return False
        prompt = self.current_prompt
        if not self._save_audio(audio):
            return False
        self.banner.show_message(f"Saved {name} as “{html.escape(prompt)}”.", "info")  # over any earlier error
        return True

    def _save_audio(self, audio: np.ndarray) -> bool:
        try:
            self.store.save_utterance(audio, self.current_prompt)
        except Exception as exc:  # soundfile raises its own types
            self.banner.show_message(f"Could not save the recording: {html.escape(str(exc))}", "error")
            return False
        self._saved(audio)
        return True

    # -- ending ---------------------------------------------------------------------

    def _teach(self) -> None:
        if self.count < MIN_SAMPLES:
            QMessageBox.information(self, "A few more, please", f"Save at least {MIN_SAMPLES} samples first.")
            return
        self.teachRequested.emit(self.modality)
        self.accept()

    def keyPressEvent(self, ev) -> None:  # noqa: N802 (Qt's name)
        # Esc clears a word being written, as it does in the main window; Esc again closes
        if ev.key() == Qt.Key.Key_Escape and self.canvas is not None and not self.canvas.is_empty():
            self.canvas.clear()
            ev.accept()
            return
        super().keyPressEvent(ev)

    def done(self, r: int) -> None:
        if self.modality == Modality.SPEECH and self._input is not None:
            self._stop_recording(save=False)
        super().done(r)
