"""The settings dialog (Options ▸ Settings…, Ctrl+,): models, recognition, training, personalization.

- **Models**: per recognizer, the models with their figures and dates; the active one is
  marked. Use another, go back to the previous one, delete one of yours, import a file.
- **Recognition**: the device (Auto, CPU, each CUDA device), the decoder per recognizer,
  and the personal vocabulary (words the lexicon beam should know).
- **Training**: app/training_panel.py.
- **Personalize**: enrolment (app/enrol_dialog.py) and the fine-tune on its samples.

The dialog is made once per window and hidden on close, so a run keeps going (and keeps
being shown) while it is closed; the window stops the run when it closes.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.settings import (
    DECODER_CHOICES,
    RecognitionOptions,
    cuda_devices,
    decoder_settings,
    read_user_words,
    user_words_path,
    write_user_words,
)
from app.settings_models import ModelList
from app.training_panel import TrainingPanel
from app.widgets import NO_YES, Banner, fit_to_screen
from recognizers.modality import MODALITIES, Modality
from recognizers.workspace.enrol import (
    ENROL_PROMPTS,
    MIN_SAMPLES,
    enrolment_plan,
    enrolment_store,
    sample_count,
)
from recognizers.workspace.runs import new_run_dir

MODALITY_CHOICES = tuple((m.value, m.label) for m in MODALITIES)


def unwritable_words(words: list[str]) -> list[str]:
    """The words that no shipped alphabet can spell (accents, other scripts): handwriting's
    letters, digits and punctuation, or speech's lower-case letters and apostrophe."""
    from recognizers.alphabet import Alphabet

    hw, sp = Alphabet.handwriting(), Alphabet.speech()
    return [w for w in words if not hw.covers(w) and not sp.covers(w.lower())]


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.confirm = True  # ask before deleting (tests switch it off)
        self.setWindowTitle("Scrivox settings")
        self.banner = Banner(self)
        self.tabs = QTabWidget()

        # models
        models = QWidget()
        ml = QVBoxLayout(models)
        self.model_lists = {m: ModelList(self, m, title) for m, title in MODALITY_CHOICES}
        for m, _ in MODALITY_CHOICES:
            ml.addWidget(self.model_lists[m], 1)
        self.tabs.addTab(models, "Models")

        # recognition
        rec = QWidget()
        rl = QVBoxLayout(rec)
        self.device_combo = QComboBox()
        self.device_combo.addItem("Auto (a CUDA GPU when there is one, else the CPU)", "auto")
        self.device_combo.addItem("CPU", "cpu")
        for dev, label in cuda_devices():
            self.device_combo.addItem(label, dev)
        self.decoder_combos: dict[str, QComboBox] = {}
        form = QFormLayout()
        form.addRow("Device:", self.device_combo)
        for m, title in MODALITY_CHOICES:
            c = QComboBox()
            for key, label in DECODER_CHOICES:
                c.addItem(label, key)
            self.decoder_combos[m] = c
            form.addRow(f"{title} decoding:", c)
        self.views_check = QCheckBox("Read handwriting in five views (fewer errors, slower)")
        self.views_check.setToolTip("Each word is also read slanted both ways, narrower and wider, and the readings vote: "
                                    "fewer errors on an unfamiliar hand, about 1.5 times the time with the beam.")
        form.addRow("", self.views_check)
        self.speech_views_check = QCheckBox("Read speech at three speeds (a few fewer errors, two to three times the time)")
        self.speech_views_check.setToolTip("Each utterance is also heard 5 % slower and 5 % faster, and the readings vote: "
                                           "up to a point fewer word errors, for two to three times the time of a final "
                                           "reading (the live text while you speak is not slowed).")
        form.addRow("", self.speech_views_check)
        self.punctuation_check = QCheckBox("Spoken punctuation: say “comma”, “period”, “question mark”, “new line”")
        self.punctuation_check.setToolTip("When you dictate, these words become , . ? and a line break (also “full stop”, "
                                          "“exclamation mark”, “colon”, “semicolon”, "
                                          "“new paragraph”). After “a”, “the” and the like "
                                          "they stay words: “a new line”.")
        form.addRow("", self.punctuation_check)
        box = QGroupBox("Recognition")
        box.setLayout(form)
        rl.addWidget(box)
        vocab = QGroupBox("Personal vocabulary")
        vl = QVBoxLayout(vocab)
        vnote = QLabel("Names, jargon and other words of yours, one per line. The beam with word list recognizes them without retraining.")
        vnote.setWordWrap(True)
        self.words_edit = QPlainTextEdit()
        self.words_edit.setTabChangesFocus(True)  # a word never holds a tab: Tab moves on (a tester's Tab, Space typed into it)
        self.words_edit.setPlaceholderText("Scrivox\nKubernetes\nSiobhan")
        self.words_save = QPushButton("Save words")
        self.words_status = QLabel("")
        self.words_status.setWordWrap(True)  # a note on unwritable words must not widen the dialog
        self.words_status.setStyleSheet("color: palette(mid);")
        wr = QHBoxLayout()
        wr.addWidget(self.words_status, 1)
        wr.addWidget(self.words_save)
        vl.addWidget(vnote)
        vl.addWidget(self.words_edit, 1)
        vl.addLayout(wr)
        rl.addWidget(vocab, 1)
        self.recognition_tab = rec
        self.tabs.addTab(rec, "Recognition")

        # training
        self.training = TrainingPanel(ctx)
        self.tabs.addTab(self.training, "Training")

        # personalize
        per = QWidget()
        pl = QVBoxLayout(per)
        intro = QLabel(
            f"Teach Scrivox your own hand and voice: write or read about {ENROL_PROMPTS} prompts (five minutes), "
            "then the active model is fine-tuned on them (a few minutes on a CPU), with the built-in data mixed in so it keeps what it knew. "
            "A fifth of your samples, at most ten, are kept aside to measure the model before and after."
        )
        intro.setWordWrap(True)
        pl.addWidget(intro)
        self.enrol_labels: dict[str, QLabel] = {}
        self.enrol_buttons: dict[str, tuple[QPushButton, QPushButton, QPushButton]] = {}
        for m, title in MODALITY_CHOICES:
            g = QGroupBox(f"Your {'handwriting' if m == 'handwriting' else 'voice'}")
            gl = QHBoxLayout(g)
            lab = QLabel()
            lab.setWordWrap(True)
            write = QPushButton("Write the prompts…" if m == Modality.HANDWRITING else "Read the prompts…")
            teach = QPushButton("Fine-tune on them")
            clear = QPushButton("Delete them")
            gl.addWidget(lab, 1)
            gl.addWidget(clear)
            gl.addWidget(write)
            gl.addWidget(teach)
            write.clicked.connect(lambda checked=False, m=m: self.open_enrolment(m))
            teach.clicked.connect(lambda checked=False, m=m: self.start_personalization(m))
            clear.clicked.connect(lambda checked=False, m=m: self.delete_enrolment(m))
            self.enrol_labels[m] = lab
            self.enrol_buttons[m] = (write, teach, clear)
            pl.addWidget(g)
        pl.addStretch(1)
        self.tabs.addTab(per, "Personalize")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(buttons)
        close = QShortcut(QKeySequence("Ctrl+W"), self)
        close.activated.connect(self.reject)

        self._load_recognition()
        self.device_combo.currentIndexChanged.connect(self._recognition_changed)
        for c in self.decoder_combos.values():
            c.currentIndexChanged.connect(self._recognition_changed)
        self.views_check.toggled.connect(self._recognition_changed)
        self.speech_views_check.toggled.connect(self._recognition_changed)
        self.punctuation_check.toggled.connect(self._recognition_changed)
        self.words_save.clicked.connect(self.save_words)
        self.training.modelsChanged.connect(self.models_changed)
        # the dialog may be closed while a run goes on: the window's status bar tells the end
        self.training.proc.finished.connect(lambda *_: self._tell_window("Training finished: Options ▸ Settings ▸ Training compares the models; use the new one or discard it."))
        self.training.proc.failed.connect(lambda *_: self._tell_window("The training run failed; Options ▸ Settings ▸ Training says why."))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.refresh()
        fit_to_screen(self, 940, 680)  # never larger than the screen (a small one, or one scaled up)

    # -- plumbing -------------------------------------------------------------------

    @property
    def registry(self):
        return self.ctx.registry

    def window_model_path(self, modality: str) -> str | None:
        return self.ctx.running_model(modality)

    def window_runs_other(self, modality: str) -> bool:
        running = self.window_model_path(modality)
        act = self.registry.active(modality)
        return bool(running and act and Path(running).resolve() != Path(act.path).resolve())

    def _tell_window(self, text: str) -> None:
        if not self.isVisible():
            self.ctx.show_status(text)
        self._refresh_enrolment()

    def show_error(self, text: str) -> None:
        self.banner.show_message(html.escape(text), "error")

    def clear_error(self) -> None:
        """An action that went through ends the message of one that failed before."""
        if self.banner.level == "error":
            self.banner.clear()

    def refresh(self) -> None:
        for lst in self.model_lists.values():
            lst.refresh()
        self._refresh_enrolment()

    def models_changed(self, modality: str) -> None:
        self.model_lists[modality].refresh()

    def _tab_changed(self, i: int) -> None:
        w = self.tabs.widget(i)
        if w is self.training:
            self.training.form.load()
            self.training.refresh_resumable()
        else:
            self.refresh()

    def showEvent(self, ev) -> None:
        self.refresh()
        super().showEvent(ev)

    def changeEvent(self, ev) -> None:
        # back from the window, where samples may have been saved meanwhile: count them again
        if ev.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.training.form.refresh_own_counts()
        super().changeEvent(ev)

    # -- recognition ----------------------------------------------------------------

    def _load_recognition(self) -> None:
        o = RecognitionOptions.load(self.ctx.settings)
        i = self.device_combo.findData(o.device)
        if i < 0:  # a CUDA device that is gone
            self.device_combo.addItem(f"{o.device} (not available now)", o.device)
            i = self.device_combo.count() - 1
        self.device_combo.setCurrentIndex(i)
        for m, c in self.decoder_combos.items():
            c.setCurrentIndex(max(0, c.findData(o.decoders[m])))
        self.views_check.setChecked(o.ink_views)
        self.speech_views_check.setChecked(o.speech_views)
        self.punctuation_check.setChecked(o.spoken_punctuation)
        self.words_edit.setPlainText("\n".join(read_user_words(self.words_path)))
        self._words_saved = self.words_edit.toPlainText().split()  # what the file holds (a close saves any change)
        self._close_refused = False  # a close kept the dialog open once: the words could not be saved

    @property
    def words_path(self) -> Path:
        return user_words_path(self.ctx.data_dir)

    def options(self) -> RecognitionOptions:
        return RecognitionOptions(self.device_combo.currentData(), {m: c.currentData() for m, c in self.decoder_combos.items()},
                                  self.views_check.isChecked(), self.speech_views_check.isChecked(), self.punctuation_check.isChecked())

    def _recognition_changed(self) -> None:
        old = RecognitionOptions.load(self.ctx.settings)
        new = self.options()
        new.save(self.ctx.settings)
        for m, w in self.ctx.workers.items():
            w.views = new.views(m)  # from the next reading, no reload
        for m, _ in MODALITY_CHOICES:
            if new.device != old.device or new.decoders[m] != old.decoders[m]:
                self.apply(m, new)
        self.training.form._update_device_note()

    def apply(self, modality: str, options: RecognitionOptions | None = None) -> None:
        """Reconfigure a recognizer (device, decoder, vocabulary) and reload its model."""
        o = options or RecognitionOptions.load(self.ctx.settings)
        worker = self.ctx.workers[modality]
        name = o.decoders[modality]
        worker.configure(device=o.device, decoder=decoder_settings(name, read_user_words(self.words_path)))
        running = self.window_model_path(modality)
        if running:  # otherwise it applies at the next load
            self.ctx.load_model(modality, running)

    def save_words(self, reload: bool = True) -> bool:
        """Write the personal vocabulary and (with `reload`) reload the models that use it;
        False when it could not be written (the banner says why)."""
        words = self.words_edit.toPlainText().split()
        try:
            write_user_words(self.words_path, words)
        except OSError as exc:
            self.show_error(f"Could not save the words: {exc}")
            return False
        self._words_saved = words
        saved = read_user_words(self.words_path)
        n = len(saved)
        status = f"{n} word{'' if n == 1 else 's'} saved"
        if odd := unwritable_words(saved):
            # saved all the same (a later model may know the letters), but said plainly
            shown = ", ".join(odd[:3]) + (", …" if len(odd) > 3 else "")
            status += f"; {len(odd)} with letters neither recognizer can write ({shown}): they will not be recognized"
        self.words_status.setText(status)
        if not reload:
            return True
        o = RecognitionOptions.load(self.ctx.settings)
        for m, _ in MODALITY_CHOICES:
            if o.decoders[m] == "beam":
                self.apply(m, o)
        return True

    def words_changed(self) -> bool:
        """The vocabulary box holds words that are not saved yet."""
        return self.words_edit.toPlainText().split() != self._words_saved

    # -- personalization ------------------------------------------------------------

    @property
    def enrol_store(self):
        return enrolment_store(self.ctx.store.root)

    def _refresh_enrolment(self) -> None:
        for m, _ in MODALITY_CHOICES:
            n = sample_count(self.enrol_store, m)
            path, name, _ = self.training.current_model(m)
            model = f"Fine-tuning starts from <b>{html.escape(name)}</b>." if path else f"Fine-tuning needs a {m} model first (the samples can be collected already)."
            # a tester taught on 13 and learnt nothing from "unchanged" on 2 held-out samples
            few = (f" Teaching now works, but its before and after figures rest on only a few held-out samples"
                   f" (about ten with all {ENROL_PROMPTS}).") if MIN_SAMPLES <= n < ENROL_PROMPTS else ""
            self.enrol_labels[m].setText(f"{n} of {ENROL_PROMPTS} prompts done. {model}{few}")
            write, teach, clear = self.enrol_buttons[m]
            teach.setEnabled(n >= MIN_SAMPLES and bool(path) and not self.training.proc.busy)
            clear.setEnabled(n > 0)

    def open_enrolment(self, modality: str):
        from app.enrol_dialog import EnrolmentDialog

        backend, device = None, None
        if modality == Modality.SPEECH:
            backend, device = self.ctx.audio_input()
        dlg = EnrolmentDialog(modality, self.enrol_store, backend, device, self, worker=self.ctx.workers.get(modality))
        dlg.teachRequested.connect(self.start_personalization)
        dlg.finished.connect(lambda *_: self._refresh_enrolment())
        dlg.open()
        return dlg

    def delete_enrolment(self, modality: str) -> None:
        st = self.enrol_store
        if self.confirm and QMessageBox.question(self, "Delete your samples?", "Delete the enrolment samples? Models already fine-tuned on them are kept.", NO_YES, QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return
        import shutil

        shutil.rmtree(st.ink_path.parent if modality == Modality.HANDWRITING else st.manifest_path.parent, ignore_errors=True)
        self._refresh_enrolment()

    def start_personalization(self, modality: str, total_steps: int | None = None) -> bool:
        """Fine-tune the model in use on the enrolment samples (shown in the Training tab)."""
        if self.training.proc.busy:
            self.show_error("A training run is going on; wait for it or cancel it first.")
            return False
        path, name, figures = self.training.current_model(modality)
        run_dir = new_run_dir(self.ctx.runs_dir, modality)
        try:
            plan = enrolment_plan(modality, self.enrol_store, run_dir, path, name, figures, total_steps=total_steps)
        except (ValueError, OSError) as exc:
            import shutil

            shutil.rmtree(run_dir, ignore_errors=True)
            self.show_error(str(exc))
            return False
        self.banner.clear()
        self.training.set_modality(modality)
        self.tabs.setCurrentWidget(self.training)
        self.training.start_plan(plan)
        self._refresh_enrolment()
        return True

    # -- closing --------------------------------------------------------------------

    def reject(self) -> None:
        """Close (the button, Esc, Ctrl+W, the title bar): words typed and not saved are saved
        now, as a settings dialog's changes are; if they cannot be, it stays open once and says
        why, and a second close closes it (the words stay in the box, and Quit asks about them)."""
        if self.words_changed() and not self.save_words() and not self._close_refused:
            self._close_refused = True
            self.tabs.setCurrentWidget(self.recognition_tab)
            return
        self._close_refused = False
        super().reject()

    def shutdown(self) -> None:
        if self.words_changed():  # the window closes with the dialog open: keep the words (no reload now)
            self.save_words(reload=False)
        self.training.shutdown()
