"""The microphone panel: device picker, level meter, record and push-to-talk, live text.

Audio arrives on the capture thread and waits in a queue; a 30 ms timer on the GUI thread
feeds it to the utterance segmenter (energy VAD), draws the level, and sends recognition
jobs to the speech worker: a droppable "partial" every `partial_every_ms` of speech (so a
busy recognizer only ever sees the newest audio) and a final one when the utterance ends
(silence, push-to-talk released, or recording stopped).
"""

from __future__ import annotations

import html
import queue
import time

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.audio_input import AudioBackend, AudioInput, AudioInputError, InputDevice
from recognizers.vad import SegEvent, UtteranceSegmenter
from app.widgets import Banner, LevelMeter
from app.speech_files import FileTranscription
from app.workers import Job, RecognizerWorker


class SpeechPanel(FileTranscription, QGroupBox):
    utteranceStarted = Signal(int)  # utterance id
    partialTranscript = Signal(int, str)  # utterance id, text so far
    finalTranscript = Signal(int, str, object)  # utterance id, text, the utterance audio (16 kHz)
    fileTranscribed = Signal(str, str)  # path, text
    listeningChanged = Signal(bool)
    recognitionTime = Signal(float)
    message = Signal(str)  # a line for the status bar

    def __init__(self, worker: RecognizerWorker, backend: AudioBackend, parent: QWidget | None = None) -> None:
        super().__init__("Speech", parent)
        self.worker = worker
        self.backend = backend
        self.model_ready = False
        self.devices: list[InputDevice] = []
        self.mic_error = ""  # why there is no microphone, when there is none
        self.model_error = ""
        self.notes: dict[str, str] = {}  # lasting warnings (HTML) by topic: "model" (a file refused, ...), "samples"
        self.loading = False  # a model is being loaded: the live line says so
        self.preferred_device = ""  # a device name remembered in the settings
        self.segmenter = UtteranceSegmenter()
        self.partial_lags_ms: list[float] = []  # arrival of the newest audio in a partial -> shown
        self.final_lags_ms: list[float] = []  # end of utterance detected -> final shown
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._input: AudioInput | None = None
        self._ptt_opened_stream = False
        self._utt_id = 0
        self._finalized: set[int] = set()
        self.last_final_words: list[tuple[str, float]] = []  # (word, confidence) of the last final text
        self.last_file_words: list[tuple[str, float]] = []  # the same for the last file transcribed
        self._files_pending = 0
        self._file_failed = False  # the banner shows a file's failure

        self.banner = Banner(self)
        self.device_combo = QComboBox()
        self.device_combo.setMinimumWidth(220)
        self.device_combo.setToolTip("Microphone to listen to")
        self.refresh_button = QToolButton()
        self.refresh_button.setText("↻")
        self.refresh_button.setToolTip("Look for microphones again")
        self.meter = LevelMeter()
        self.record_button = QPushButton("● Record")
        self.record_button.setCheckable(True)
        self.record_button.setToolTip("Listen and transcribe; a pause ends each utterance (Ctrl+R)")
        self.ptt_button = QPushButton("Hold to talk")
        self.ptt_button.setToolTip("Transcribe while held (or hold F8)")
        self.file_button = QPushButton("Transcribe file…")
        self.file_button.setToolTip("Transcribe a WAV, FLAC or OGG recording (Ctrl+O)")
        self.live_label = QLabel("")
        self.live_label.setWordWrap(True)
        self.live_label.setMinimumHeight(26)
        self.live_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.live_label.setAccessibleName("Live transcript")

        row = QHBoxLayout()
        row.addWidget(QLabel("Input:"))
        row.addWidget(self.device_combo, 2)
        row.addWidget(self.refresh_button)
        row.addWidget(self.meter, 2)
        row.addWidget(self.record_button)
        row.addWidget(self.ptt_button)
        row.addWidget(self.file_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addLayout(row)
        lay.addWidget(self.live_label)

        self.poll = QTimer(self)
        self.poll.setInterval(30)
        self.poll.timeout.connect(self.drain)
        self.refresh_button.clicked.connect(self.rescan_devices)
        self.record_button.toggled.connect(self._record_toggled)
        self.ptt_button.pressed.connect(self.push_to_talk_pressed)
        self.ptt_button.released.connect(self.push_to_talk_released)
        self.file_button.clicked.connect(self._file_clicked)
        self.device_combo.currentIndexChanged.connect(self._device_changed)
        self.worker.done.connect(self._job_done)
        self._update_controls()

    # -- devices --------------------------------------------------------------------

    def rescan_devices(self) -> None:
        """↻ and the menu: restart the audio system's device scan (a microphone plugged in
        after the start), then list the devices again."""
        self.refresh_devices(rescan=True)

    def refresh_devices(self, rescan: bool = False) -> None:
        """Ask the backend for input devices; no device or no audio system shows a message.
        `rescan` first has the backend look again (PortAudio re-initialised)."""
        current = self.current_device()
        want = current.name if current else self.preferred_device
        try:
            if rescan and hasattr(self.backend, "rescan"):
                self.backend.rescan()
            self.devices = self.backend.input_devices()
            self.mic_error = "" if self.devices else "No microphone was found."
        except AudioInputError as exc:
            self.devices = []
            self.mic_error = f"The microphone is unavailable ({exc})."
        self.device_combo.blockSignals(True)
        self.device_combo.clear()
        for d in self.devices:
            self.device_combo.addItem(d.label, d.name)
        names = [d.name for d in self.devices]
        if want in names:
            self.device_combo.setCurrentIndex(names.index(want))
        else:
            defaults = [i for i, d in enumerate(self.devices) if d.is_default]
            self.device_combo.setCurrentIndex(defaults[0] if defaults else (0 if self.devices else -1))
        self.device_combo.blockSignals(False)
        if not self.devices:
            self.device_combo.addItem("(no microphone)")
            self.device_combo.setEnabled(False)
        else:
            self.device_combo.setEnabled(True)
        self._show_state()
        self._update_controls()

    def current_device(self) -> InputDevice | None:
        i = self.device_combo.currentIndex()
        return self.devices[i] if 0 <= i < len(self.devices) else None

    def _device_changed(self, _i: int) -> None:
        if self.listening:
            self.stop_listening()
            self.start_listening()

    # -- model state ----------------------------------------------------------------

    def set_model_ready(self, ready: bool, message: str = "") -> None:
        self.model_ready = ready
        self.loading = False
        self.model_error = "" if ready else message
        self.notes.pop("model", None)
        if not ready and self.listening:
            self.stop_listening()
        self._show_state()
        self._update_controls()

    def show_note(self, topic: str, text: str) -> None:
        """A lasting warning (HTML) about `topic` in the banner; "" takes it away. The "model"
        note lasts until another model loads or fails."""
        if topic == "model":
            self.loading = False  # a refused file: the model before is still the one in use
        if text:
            self.notes[topic] = text
        else:
            self.notes.pop(topic, None)
        self._show_state()
        self._update_controls()

    def refresh_messages(self) -> None:
        """Say again what works, after the panel's controls changed (the compact panel)."""
        self._show_state()
        self._set_live("")

    def _show_state(self) -> None:
        msgs = []
        if self.model_error:
            msgs.append(f"<b>No speech model.</b> {self.model_error}")
        msgs += self.notes.values()
        if self.mic_error:
            tail = " Plug one in and press ↻." if "No microphone" in self.mic_error else ""
            if self.file_button.isHidden():  # the compact panel has neither ↻ nor the file button
                # its toolbar's button, not Ctrl+Shift+P: the panel never takes the keyboard focus,
                # so no shortcut reaches it (a tester, session 31)
                how = (" Plug one in, then press ↻ in the full window (the “Full window” button above), which can also transcribe a file."
                       if tail else " The full window (the “Full window” button above) can transcribe a file.")
                msgs.append(f"<b>{html.escape(self.mic_error)}</b>{how}")
            else:
                msgs.append(f"<b>{html.escape(self.mic_error)}</b>{tail} Transcribe file… still works" + ("." if not self.model_error else " once a speech model is loaded."))
        if msgs:
            self.banner.show_message("<br>".join(msgs), "error" if self.model_error else "warning")
        else:
            self.banner.clear()

    def _set_live(self, text: str, kind: str = "state") -> None:
        """The line under the controls: the partial transcript, the state, or a hint."""
        if not text and not self.listening:
            text, kind = self.hint(), "hint"
        style = {
            "live": "color: #223; font-style: italic; font-size: 15px;",
            "state": "color: #2d6a3e; font-size: 13px;",
            "hint": "color: #888; font-size: 13px;",
        }[kind]
        self.live_label.setStyleSheet(style)
        self.live_label.setText(text)
        self.live_label.setVisible(bool(text) or self.model_ready)

    def show_loading(self) -> None:
        """The live line says the model is loading (a banner would move the panels when it hides)."""
        self.loading = True
        self._update_controls()

    def hint(self) -> str:
        if not self.model_ready:
            return "Loading the speech model…" if self.loading and not self.model_error else ""
        if not self.devices:
            return "" if self.file_button.isHidden() else "Transcribe file… (Ctrl+O) reads a WAV, FLAC or OGG recording."
        return "Press ● Record (Ctrl+R) and speak; a pause ends each sentence. Or hold F8 or “Hold to talk”."

    def _update_controls(self) -> None:
        can_listen = bool(self.devices) and self.model_ready
        self.record_button.setEnabled(can_listen)
        self.ptt_button.setEnabled(can_listen)
        self._update_file_button()
        self.meter.setEnabled(bool(self.devices))
        if not self.listening:
            self._set_live("")

    # -- capture --------------------------------------------------------------------

    @property
    def listening(self) -> bool:
        return self._input is not None

    def start_listening(self) -> bool:
        """Open the selected microphone. Returns False (with a message) when it cannot."""
        if self._input is not None:
            return True
        dev = self.current_device()
        if dev is None or not self.model_ready:
            self._set_record_checked(False)
            # Ctrl+R or F8 from anywhere did nothing, unexplained (a tester): say why where the eye is
            self.message.emit(f"{self.mic_error or 'No microphone to listen to.'} File ▸ Transcribe file (Ctrl+O) reads a recording."
                              if dev is None else "The speech model is not loaded yet.")
            return False
        try:
            inp = self.backend.open(dev)
            self._drop_queue()
            self.segmenter.reset()
            inp.start(self._on_audio)
        except AudioInputError as exc:
            self.banner.show_message(f"<b>Cannot listen to {html.escape(dev.name)}.</b> {html.escape(str(exc))}", "error")
            self._set_record_checked(False)
            return False
        self._input = inp
        self.poll.start()
        self._set_live("Listening…", "state")
        self.listeningChanged.emit(True)
        return True

    def stop_listening(self) -> None:
        if self._input is None:
            return
        inp, self._input = self._input, None
        inp.stop()
        self.drain()
        self._handle(self.segmenter.finish("stopped"), time.perf_counter())
        self.poll.stop()
        self.meter.reset()
        self._ptt_opened_stream = False
        self._set_record_checked(False)
        if self.live_label.text() == "Listening…":
            self._set_live("")
        self.listeningChanged.emit(False)

    def _set_record_checked(self, on: bool) -> None:
        self.record_button.blockSignals(True)
        self.record_button.setChecked(on)
        self.record_button.setText("■ Stop" if on else "● Record")
        self.record_button.blockSignals(False)

    def _record_toggled(self, on: bool) -> None:
        self.set_recording(on)

    def set_recording(self, on: bool) -> None:
        """The record toggle: listen continuously, one transcript per utterance."""
        if on:
            self._ptt_opened_stream = False
            if self.start_listening():
                self._set_record_checked(True)
        else:
            self.stop_listening()

    def toggle_recording(self) -> None:
        self.set_recording(not self.listening)

    def push_to_talk_pressed(self) -> None:
        if not self.model_ready or not self.devices:
            return
        if self._input is None:
            if not self.start_listening():
                return
            self._ptt_opened_stream = True
        self.drain()
        self._handle(self.segmenter.begin(), time.perf_counter())
        self._set_live("Listening (push-to-talk)…", "state")

    def push_to_talk_released(self) -> None:
        if self._input is None:
            return
        self.drain()
        self._handle(self.segmenter.finish("released"), time.perf_counter())
        if self._ptt_opened_stream:
            self.stop_listening()

    def _on_audio(self, chunk: np.ndarray) -> None:
        """Capture thread: hand the chunk over, stamped with its arrival time."""
        self._queue.put((time.perf_counter(), chunk))

    def _drop_queue(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass

    def drain(self) -> None:
        """GUI thread: run the queued audio through the segmenter, act on its events."""
        got = False
        while True:
            try:
                t_arrival, chunk = self._queue.get_nowait()
            except queue.Empty:
                break
            got = True
            self._handle(self.segmenter.feed(chunk), t_arrival)
        if got:
            self.meter.set_level(self.segmenter.last_db, self.segmenter.in_utterance)

    def _handle(self, events: list[SegEvent], t_arrival: float) -> None:
        for ev in events:
            if ev.kind == "start":
                self._utt_id += 1
                self._set_live("…", "live")
                self.utteranceStarted.emit(self._utt_id)
            elif ev.kind == "partial":
                self.worker.submit(Job("recognize", ev.audio, channel="speech", droppable=True, tag=("partial", self._utt_id, t_arrival)))
            elif ev.kind == "end":
                self._finalized.add(self._utt_id)
                if ev.audio is None or len(ev.audio) < 1600:  # under 0.1 s: a click, not speech
                    self._set_live("Listening…" if self.listening else "", "state")
                    continue
                self.worker.submit(Job("recognize", ev.audio, channel="speech", droppable=False, tag=("final", self._utt_id, time.perf_counter())))

    # -- results --------------------------------------------------------------------

    def _job_done(self, job: Job) -> None:
        if job.channel == "file":
            self._file_done(job)
            return
        if job.channel != "speech":
            return
        kind, uid, t_ref = job.tag
        if job.error:
            self.banner.show_message(f"Recognition failed: {html.escape(job.error)}", "error")
            return
        rec = job.result
        self.recognitionTime.emit(rec.elapsed_ms)
        now = time.perf_counter()
        if kind == "partial":
            if uid != self._utt_id or uid in self._finalized:
                return  # the utterance has ended; its final transcript is on the way
            self.partial_lags_ms.append((now - t_ref) * 1000)
            self._set_live(rec.text + " …", "live")
            self.partialTranscript.emit(uid, rec.text)
        else:
            self._show_state()
            self.final_lags_ms.append((now - t_ref) * 1000)
            if uid == self._utt_id:
                self._set_live("Listening…" if self.listening else "", "state")
            self.last_final_words = rec.word_confidence
            self.finalTranscript.emit(uid, rec.text, job.payload)

    def shutdown(self) -> None:
        self.stop_listening()
