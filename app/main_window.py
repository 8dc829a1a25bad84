"""The main window: handwriting above, speech below, the text they produce at the bottom."""

from __future__ import annotations

import html
import os
from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.audio_input import AudioBackend, SoundDeviceBackend
from app.commits import Commits
from app.context import AppContext
from app.fonts import reading_font
from app.handwriting_panel import HandwritingPanel
from app.menus import build_menus
from app.push_to_talk import PushToTalkFilter
from app.sample_labels import SampleLabels
from app.send_to_window import install as install_window_modes
from app.settings import (
    ConfigurableWorker,
    RecognitionOptions,
    as_bool,
    decoder_settings,
    default_samples_dir,
    read_user_words,
    user_data_dir,
    user_words_path,
)
from app.speech_panel import SpeechPanel
from app.text_actions import TextActions
from app.transcript_edit import TranscriptEdit
from app.widgets import ElidingStatusBar, dialog_start, fit_to_screen, remember_dir
from recognizers.modality import Modality
from recognizers.workspace.samples import SampleStore

class MainWindow(Commits, TextActions, QMainWindow):
    modelsSettled = Signal()  # both models have loaded or failed (once, at start-up)
    textAppended = Signal(str)
    speechCommitted = Signal(str)  # an utterance's final text, as it went into the text area

    def __init__(
        self,
        handwriting_model: str | None = None,
        speech_model: str | None = None,
        device: str = "auto",
        audio_backend: AudioBackend | None = None,
        settings: QSettings | None = None,
        samples_dir: str | os.PathLike | None = None,
        load_models: bool = True,
        data_dir: str | os.PathLike | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Handwriting and speech to text")  # Qt adds " — Scrivox", the application name
        self.setStatusBar(ElidingStatusBar(self))  # a long message ends in "…" (tooltip: all of it), never cut mid-letter
        self.settings = settings if settings is not None else QSettings("Scrivox", "Scrivox")
        if self.settings.parent() is None:
            self.settings.setParent(self)  # destroyed with the window, on the GUI thread
        self.store = SampleStore(samples_dir if samples_dir is not None else default_samples_dir())
        # settings panel: models/ (registry), runs/, user-words.txt; the active models and decoders
        self.data_dir = Path(data_dir) if data_dir is not None else user_data_dir()
        self._registry = None
        self._settings_dialog = None
        self.recognition = RecognitionOptions.load(self.settings)
        if device == "auto":
            device = self.recognition.device
        # the user's own model chosen in Settings ▸ Models: if it cannot be loaded at start-up,
        # the shipped one is loaded instead (with a note), not nothing
        self._saved_choice: dict[str, str] = {}
        self._fallback_why: dict[str, str] = {}  # why the shipped model is loaded instead (said once it has)
        if handwriting_model is None:
            handwriting_model = self._active_model("handwriting")
        if speech_model is None:
            speech_model = self._active_model("speech")
        self.model_status = {"handwriting": "loading…", "speech": "loading…"}
        self.model_device = {"handwriting": "", "speech": ""}
        self.model_paths = {"handwriting": handwriting_model, "speech": speech_model}
        self._settled: set[str] = set()
        self.last_saved: Path | None = None

        self.hw_worker = ConfigurableWorker("handwriting", device, self)
        self.sp_worker = ConfigurableWorker("speech", device, self)
        for w in (self.hw_worker, self.sp_worker):
            dec = self.recognition.decoders[w.modality]
            w.configure(decoder=decoder_settings(dec, read_user_words(user_words_path(self.data_dir)) if dec == "beam" else []))
            w.views = self.recognition.views(w.modality)
            w.loaded.connect(self._model_loaded)
            w.loadFailed.connect(self._model_failed)
            w.progress.connect(lambda msg: self.statusBar().showMessage(msg, 4000))

        self.handwriting = HandwritingPanel(self.hw_worker)
        self.speech = SpeechPanel(self.sp_worker, audio_backend or SoundDeviceBackend())

        # the text area
        self.text = TranscriptEdit()
        self.sample_labels = SampleLabels(self.text.document(), self.store, self)  # corrections reach the saved samples
        self.sample_labels.relabelled.connect(lambda t: self.statusBar().showMessage(f"Corrected the saved sample too: it now reads “{t}”.", 5000))
        self.text.setPlaceholderText("Committed handwriting and speech appear here. You can edit it.")
        f = reading_font(self.text.font())  # a recognized "I" must not look like an "l"
        f.setPointSizeF(max(f.pointSizeF(), 10) * 1.25)
        self.text.setFont(f)
        # two lines at the least (Qt's default, 70 px, with the canvas's 150 made the window's
        # least height 590 px: more than a 1280 x 800 screen at scale 1.5 shows)
        self.text.setMinimumHeight(2 * self.text.fontMetrics().lineSpacing() + 2 * self.text.frameWidth()
                                   + int(2 * self.text.document().documentMargin()))
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy all text to the clipboard (Ctrl+Shift+C)")
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save the text to a file (Ctrl+S)")
        self.clear_text_button = QPushButton("Clear text")
        self.clear_text_button.setToolTip("Empty the text; Ctrl+Z in the text brings it back")
        text_box = QGroupBox("Text")
        tl = QVBoxLayout(text_box)
        tl.addWidget(self.text, 1)
        bl = QHBoxLayout()
        bl.addStretch(1)
        bl.addWidget(self.clear_text_button)
        bl.addWidget(self.copy_button)
        bl.addWidget(self.save_button)
        tl.addLayout(bl)

        # a plain column (a QSplitter would ignore the height a wrapped message needs)
        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(8, 8, 8, 4)
        # 7:3, so that the canvas of the window at its first size rules three lines of writing
        # above the candidates' three lines (5:3 left it one; tests/app/test_handwriting_lines.py)
        cl.addWidget(self.handwriting, 7)
        cl.addWidget(self.speech, 0)
        cl.addWidget(text_box, 3)
        self.setCentralWidget(central)

        # status bar: models, device, last recognition time
        self.models_label = QLabel()
        self.device_label = QLabel()
        self.time_label = QLabel("last: —")
        for w in (self.models_label, self.device_label, self.time_label):
            w.setStyleSheet("padding: 0 6px;")
        # the models on the left, a normal widget: a message hides it while shown and gets its
        # room (as a permanent one it left a 753 px window's messages cut to "Text cleared. Ctrl…")
        self.statusBar().addWidget(self.models_label, 1)
        self.statusBar().addPermanentWidget(self.device_label)
        self.statusBar().addPermanentWidget(self.time_label)
        self._update_status()

        build_menus(self)
        self.act_save_samples.toggled.connect(self._save_samples_toggled)
        self._load_settings()

        self.handwriting.committed.connect(self._handwriting_committed)
        self.handwriting.recognitionTime.connect(lambda ms: self._show_time("handwriting", ms))
        self.speech.recognitionTime.connect(lambda ms: self._show_time("speech", ms))
        self.speech.finalTranscript.connect(self._speech_final)
        self.speech.fileTranscribed.connect(self._file_transcribed)
        self.speech.message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        self.copy_button.clicked.connect(self.copy_text)
        self.save_button.clicked.connect(self.save_text)
        self.clear_text_button.clicked.connect(self.clear_text)
        self.text.textChanged.connect(self._text_changed)

        self._ptt_filter = PushToTalkFilter(self, self.speech)
        QApplication.instance().installEventFilter(self._ptt_filter)

        fit_to_screen(self, 980, 760)  # never larger than the screen (a small one, or one scaled up)
        # View menu: compact input panel, Send to window; restores geometry and the last panel
        self.modes = install_window_modes(self)
        self.speech.refresh_devices()
        if load_models:  # speech first: its encoder's load peaks highest (app/workers.py, _SpeechFirst)
            self.load_model("speech", speech_model)
            self.load_model("handwriting", handwriting_model)
        self.handwriting.canvas.setFocus()
        from app import safety

        self.autosave = safety.install(self)  # the text outlives a quit or a crash; notices shown

    def _load_settings(self) -> None:
        s = self.settings
        self.act_save_samples.setChecked(as_bool(s.value("save_samples"), False))
        try:
            pause = int(s.value("pause_ms", 1500))
        except (TypeError, ValueError):
            pause = 1500
        self.set_pause_ms(pause)
        self.speech.preferred_device = str(s.value("input_device", "") or "")
        self.act_guide.setChecked(as_bool(s.value("guide"), True))

    # -- models -----------------------------------------------------------------------

    def load_model(self, modality: str, path: str | None = None) -> None:
        self.model_status[modality] = "loading…"
        self.model_paths[modality] = path
        self._update_status()
        (self.handwriting if modality == Modality.HANDWRITING else self.speech).show_loading()
        worker = self.hw_worker if modality == Modality.HANDWRITING else self.sp_worker
        worker.load(path)

    def load_default_models(self) -> None:
        self.load_model("speech", None)
        self.load_model("handwriting", None)

    def _active_model(self, modality: str) -> str | None:
        """The registry's active model for `modality` (remembered when it is one of the user's)."""
        from recognizers.workspace.registry import BUILTIN_ID

        e = self.registry.active(modality)
        if e is None:
            return None
        if e.id != BUILTIN_ID:
            self._saved_choice[modality] = e.path
        return e.path

    @property
    def registry(self):
        """The user's models and the active one per recognizer (app/registry.py)."""
        if self._registry is None:
            from recognizers.workspace.registry import ModelRegistry

            self._registry = ModelRegistry(self.data_dir / "models")
        return self._registry

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"

    def context(self) -> AppContext:
        """What the settings panels may use of this window."""
        return AppContext(
            settings=self.settings, store=self.store, data_dir=self.data_dir,
            workers={"handwriting": self.hw_worker, "speech": self.sp_worker},
            registry_of=lambda: self.registry, load_model=self.load_model,
            show_status=lambda text: self.statusBar().showMessage(text, 15000),
            audio_input=lambda: (self.speech.backend, self.speech.current_device()),
        )

    def show_settings(self, checked: bool = False, tab: str | None = None):
        """Options ▸ Settings…: made once, kept (a training run goes on while it is closed)."""
        if self._settings_dialog is None:
            from app.settings_dialog import SettingsDialog

            self._settings_dialog = SettingsDialog(self.context(), self)
            last = str(self.settings.value("window/settings_tab", "") or "")
            for i in range(self._settings_dialog.tabs.count()):
                if self._settings_dialog.tabs.tabText(i) == last:
                    self._settings_dialog.tabs.setCurrentIndex(i)
            self._settings_dialog.tabs.currentChanged.connect(
                lambda i: self.settings.setValue("window/settings_tab", self._settings_dialog.tabs.tabText(i)))
        d = self._settings_dialog
        if tab:
            for i in range(d.tabs.count()):
                if d.tabs.tabText(i).lower() == tab.lower():
                    d.tabs.setCurrentIndex(i)
        d.show()
        d.raise_()
        d.activateWindow()
        return d

    def choose_model(self, modality: str) -> None:
        path = remember_dir(QFileDialog.getOpenFileName(self, f"Load a {modality} model", dialog_start(), "Scrivox models (*.pt);;All files (*)")[0])
        if path:
            self.load_model(modality, path)

    def _model_loaded(self, modality: str, description: str, device: str, path: str) -> None:
        self.model_status[modality] = description
        self.model_device[modality] = device
        panel = self.handwriting if modality == Modality.HANDWRITING else self.speech
        panel.set_model_ready(True)
        self._saved_choice.pop(modality, None)  # loaded: a later failure keeps this model (RecognizerWorker)
        if why := self._fallback_why.pop(modality, ""):
            self._show_model_note(modality, f"<b>Your {modality} model could not be loaded:</b> {why}. Using the shipped model "
                                            "instead; Options ▸ Settings ▸ Models chooses another.")
        self._update_status()
        self._settle(modality)

    def _show_model_note(self, modality: str, text: str) -> None:
        """A warning about the model (HTML) above the panel, until another model loads."""
        if modality == Modality.HANDWRITING:
            self.handwriting.banner.show_message(text, "warning")
        else:
            self.speech.show_note("model", text)

    def _model_failed(self, modality: str, message: str) -> None:
        message = html.escape(message)
        worker = self.hw_worker if modality == Modality.HANDWRITING else self.sp_worker
        rec = worker.recognizer
        if rec is not None:  # the worker kept the model it had: refuse the file, go on with that one
            self.model_status[modality] = rec.describe()
            self.model_device[modality] = rec.device
            self.model_paths[modality] = rec.path
            self._show_model_note(modality, f"<b>The model could not be loaded:</b> {message}. Still using {html.escape(rec.describe())}.")
            self._update_status()
            self._settle(modality)
            return
        failed = self.model_paths[modality]
        if failed and self._saved_choice.pop(modality, None) == failed:
            # the user's chosen model is broken: the shipped one rather than none
            self._fallback_why[modality] = message
            self.load_model(modality, None)
            return
        if why := self._fallback_why.pop(modality, ""):  # the shipped model failed too: say both
            message = f"{why}; the shipped model could not be loaded either: {message}"
        self.model_status[modality] = "none"
        self.model_device[modality] = ""
        if message.startswith("no model file at"):
            how = f"python -m recognizers train {modality}"
            text = f"There is {message}. Train one with <code>{how}</code> or load one from the File menu."
        else:
            text = f"The model could not be loaded: {message}. Load another from the File menu."
        if modality == Modality.HANDWRITING:
            self.handwriting.set_model_ready(False, f"<b>No handwriting model.</b> {text} You can still draw, and speech works.")
        else:
            self.speech.set_model_ready(False, text + " Handwriting still works.")
        self._update_status()
        self._settle(modality)

    def _settle(self, modality: str) -> None:
        if modality not in self._settled:
            self._settled.add(modality)
            if len(self._settled) == 2:
                self.modelsSettled.emit()

    @property
    def models_settled(self) -> bool:
        return len(self._settled) == 2

    def _update_status(self) -> None:
        hw, sp = self.model_status["handwriting"], self.model_status["speech"]
        self.models_label.setText(f"Handwriting: {hw}  ·  Speech: {sp}")
        devs = sorted({d for d in self.model_device.values() if d})
        self.device_label.setText("Device: " + ("/".join(d.upper() for d in devs) if devs else "—"))

    def _show_time(self, modality: str, ms: float) -> None:
        self.time_label.setText(f"last {modality}: {ms:.0f} ms")

    # -- options ----------------------------------------------------------------------

    def set_pause_ms(self, ms: int) -> None:
        self.handwriting.pause_ms = max(0, int(ms))
        if ms in self.pause_actions:
            self.pause_actions[ms].setChecked(True)
        self.settings.setValue("pause_ms", int(ms))

    def _set_guide(self, on: bool) -> None:
        self.handwriting.canvas.show_guide = on
        self.handwriting.canvas._cache = None
        self.handwriting.canvas.update()
        self.settings.setValue("guide", on)

    # -- shutdown ---------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop the microphone and the worker threads (safe to call twice)."""
        if getattr(self, "_shut", False):
            return
        self._shut = True
        if getattr(self, "autosave", None) is not None:
            self.autosave.flush()
        try:
            self.sample_labels.apply()  # a correction made just before closing
        except Exception:  # noqa: BLE001 - nothing here may keep the rest of shutdown from running
            pass
        dev = self.speech.current_device()
        if dev is not None:
            self.settings.setValue("input_device", dev.name)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._ptt_filter)
        if self._settings_dialog is not None:
            self._settings_dialog.shutdown()  # stops a training run: no process is left behind
        self.speech.shutdown()
        self.handwriting.pause_timer.stop()
        self.hw_worker.shutdown()
        self.sp_worker.shutdown()
        self.modes.shutdown()  # window geometry and panel; stops the typing thread
        self.settings.sync()

    def closeEvent(self, ev) -> None:
        from app.safety import confirm_close

        if not getattr(self, "_shut", False) and not confirm_close(self):
            ev.ignore()  # the person chose to keep what would be lost
            return
        self.shutdown()
        super().closeEvent(ev)
