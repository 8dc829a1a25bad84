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

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from recognizers.workspace.enrol import ENROL_PROMPTS, MIN_SAMPLES, enrolment_plan, enrolment_store, sample_count
from recognizers.workspace.registry import RegistryError
from app.settings import (
    DECODER_CHOICES,
    RecognitionOptions,
    cuda_devices,
    decoder_settings,
    read_user_words,
    user_words_path,
    write_user_words,
)
from recognizers.workspace.runs import new_run_dir
from app.training_panel import TrainingPanel
from app.widgets import Banner

MODALITIES = (("handwriting", "Handwriting"), ("speech", "Speech"))
COLUMNS = ["", "Model", "Origin", "Date", "CER", "WER", "Measured on"]


class ModelList(QGroupBox):
    """One recognizer's models: a table and the buttons that act on the selected one."""

    def __init__(self, dialog: "SettingsDialog", modality: str, title: str) -> None:
        super().__init__(title)
        self.dialog, self.modality = dialog, modality
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        h = self.tree.header()
        h.setStretchLastSection(True)
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.tree.setColumnWidth(0, 22)
        for c in (1, 2, 3, 4, 5):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: palette(mid);")
        self.use_button = QPushButton("Use this model")
        self.restore_button = QPushButton("Restore previous")
        self.delete_button = QPushButton("Delete")
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip("Add a model file (.pt) to the list")
        lay = QVBoxLayout(self)
        lay.addWidget(self.tree, 1)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        row.addWidget(self.import_button)
        row.addWidget(self.delete_button)
        row.addWidget(self.restore_button)
        row.addWidget(self.use_button)
        lay.addLayout(row)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(lambda *_: self.use_selected())
        self.use_button.clicked.connect(self.use_selected)
        self.restore_button.clicked.connect(self.restore_previous)
        self.delete_button.clicked.connect(self.delete_selected)
        self.import_button.clicked.connect(self.import_model)
        self.entries = []

    def refresh(self) -> None:
        reg = self.dialog.registry
        reg.reload()
        sel = self.selected_id()
        self.entries = reg.entries(self.modality)
        active = reg.active(self.modality)
        active_id = active.id if active is not None else None
        self.tree.clear()
        for e in self.entries:
            f = e.figures or {}
            it = QTreeWidgetItem([
                "●" if e.id == active_id else "",
                e.name,
                e.origin,
                e.date,
                f"{100 * f['cer']:.1f} %" if "cer" in f else "—",
                f"{100 * f['wer']:.1f} %" if "wer" in f else "—",
                e.figures_on or "",
            ])
            it.setData(0, Qt.ItemDataRole.UserRole, e.id)
            it.setToolTip(1, e.path)
            it.setToolTip(6, e.figures_on or "")
            if e.id == active_id:
                font = QFont(self.tree.font())
                font.setBold(True)
                for c in range(len(COLUMNS)):
                    it.setFont(c, font)
                it.setToolTip(0, "active")
            if not e.exists:
                it.setDisabled(True)
            self.tree.addTopLevelItem(it)
            if e.id == sel:
                it.setSelected(True)
        if not self.entries:
            self.note.setText(f"No {self.modality} model yet: train one in the Training tab.")
        else:
            running = self.dialog.window_model_path(self.modality)
            act = active.path if active else None
            if running and act and Path(running).resolve() != Path(act).resolve():
                self.note.setText(f"This window runs {html.escape(Path(running).name)} (chosen on the command line or in the File menu).")
            else:
                prev = reg.previous(self.modality)
                self.note.setText(f"Previous: {html.escape(prev.name)}" if prev else "")
        self._update_buttons()

    def selected_id(self) -> str | None:
        items = self.tree.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    def select(self, mid: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            it = self.tree.topLevelItem(i)
            it.setSelected(it.data(0, Qt.ItemDataRole.UserRole) == mid)

    def _update_buttons(self) -> None:
        reg = self.dialog.registry
        mid = self.selected_id()
        e = next((x for x in self.entries if x.id == mid), None)
        active = reg.active(self.modality)
        self.use_button.setEnabled(e is not None and e.exists and (active is None or e.id != active.id or self.dialog.window_runs_other(self.modality)))
        self.delete_button.setEnabled(e is not None and not e.builtin and (active is None or e.id != active.id))
        prev = reg.previous(self.modality)
        self.restore_button.setEnabled(prev is not None)
        self.restore_button.setToolTip(f"Go back to {prev.name}" if prev else "No previous model to go back to")

    def use_selected(self) -> None:
        mid = self.selected_id()
        if mid is None:
            return
        self._switch(lambda: self.dialog.registry.activate(self.modality, mid))

    def restore_previous(self) -> None:
        self._switch(lambda: self.dialog.registry.restore_previous(self.modality))

    def _switch(self, change) -> None:  # noqa: ANN001 - a registry call returning the new active entry
        """Make another model active (`change` asks the registry) and load it in the window."""
        try:
            e = change()
        except RegistryError as exc:
            self.dialog.show_error(str(exc))
            return
        self.dialog.win.load_model(self.modality, e.path)
        self.dialog.models_changed(self.modality)

    def delete_selected(self) -> None:
        mid = self.selected_id()
        e = next((x for x in self.entries if x.id == mid), None)
        if e is None:
            return
        if self.dialog.confirm and QMessageBox.question(self, "Delete the model?", f"Delete {e.name}? Its file is removed.") != QMessageBox.StandardButton.Yes:
            return
        try:
            self.dialog.registry.delete(self.modality, mid)
        except RegistryError as exc:
            self.dialog.show_error(str(exc))
        self.dialog.models_changed(self.modality)

    def import_model(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, f"Import a {self.modality} model", "", "Scrivox models (*.pt);;All files (*)")
        if not path:
            return
        try:
            e = self.dialog.registry.add_model(self.modality, path, "imported")
        except Exception as exc:  # CheckpointError, RegistryError, OSError
            self.dialog.show_error(f"Could not import {path}: {exc}")
            return
        self.dialog.models_changed(self.modality)
        self.select(e.id)


class SettingsDialog(QDialog):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.win = window
        self.confirm = True  # ask before deleting (tests switch it off)
        self.setWindowTitle("Scrivox settings")
        self.banner = Banner(self)
        self.tabs = QTabWidget()

        # models
        models = QWidget()
        ml = QVBoxLayout(models)
        self.model_lists = {m: ModelList(self, m, title) for m, title in MODALITIES}
        for m, _ in MODALITIES:
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
        for m, title in MODALITIES:
            c = QComboBox()
            for key, label in DECODER_CHOICES:
                c.addItem(label, key)
            self.decoder_combos[m] = c
            form.addRow(f"{title} decoding:", c)
        box = QGroupBox("Recognition")
        box.setLayout(form)
        rl.addWidget(box)
        vocab = QGroupBox("Personal vocabulary")
        vl = QVBoxLayout(vocab)
        vnote = QLabel("Names, jargon and other words of yours, one per line. The beam with word list recognizes them without retraining.")
        vnote.setWordWrap(True)
        self.words_edit = QPlainTextEdit()
        self.words_edit.setPlaceholderText("Scrivox\nKubernetes\nMaëlle")
        self.words_save = QPushButton("Save words")
        self.words_status = QLabel("")
        self.words_status.setStyleSheet("color: palette(mid);")
        wr = QHBoxLayout()
        wr.addWidget(self.words_status, 1)
        wr.addWidget(self.words_save)
        vl.addWidget(vnote)
        vl.addWidget(self.words_edit, 1)
        vl.addLayout(wr)
        rl.addWidget(vocab, 1)
        self.tabs.addTab(rec, "Recognition")

        # training
        self.training = TrainingPanel(window)
        self.tabs.addTab(self.training, "Training")

        # personalize
        per = QWidget()
        pl = QVBoxLayout(per)
        intro = QLabel(
            f"Teach Scrivox your own hand and voice: write or read about {ENROL_PROMPTS} prompts (five minutes), "
            "then the active model is fine-tuned on them (a few minutes on a CPU), with the built-in data mixed in so it keeps what it knew. "
            "Ten of your samples are kept aside to measure the model before and after."
        )
        intro.setWordWrap(True)
        pl.addWidget(intro)
        self.enrol_labels: dict[str, QLabel] = {}
        self.enrol_buttons: dict[str, tuple[QPushButton, QPushButton, QPushButton]] = {}
        for m, title in MODALITIES:
            g = QGroupBox(f"Your {'handwriting' if m == 'handwriting' else 'voice'}")
            gl = QHBoxLayout(g)
            lab = QLabel()
            lab.setWordWrap(True)
            write = QPushButton("Write the prompts…" if m == "handwriting" else "Read the prompts…")
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
        self.words_save.clicked.connect(self.save_words)
        self.training.modelsChanged.connect(self.models_changed)
        # the dialog may be closed while a run goes on: the window's status bar tells the end
        self.training.proc.finished.connect(lambda *_: self._tell_window("Training finished: Options ▸ Settings ▸ Training compares the models; use the new one or discard it."))
        self.training.proc.failed.connect(lambda *_: self._tell_window("The training run failed; Options ▸ Settings ▸ Training says why."))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.refresh()
        self.resize(940, 680)

    # -- plumbing -------------------------------------------------------------------

    @property
    def registry(self):
        return self.win.registry

    def window_model_path(self, modality: str) -> str | None:
        w = self.win.hw_worker if modality == "handwriting" else self.win.sp_worker
        rec = getattr(w, "recognizer", None)
        return getattr(rec, "path", None) if rec is not None else None

    def window_runs_other(self, modality: str) -> bool:
        running = self.window_model_path(modality)
        act = self.registry.active(modality)
        return bool(running and act and Path(running).resolve() != Path(act.path).resolve())

    def _tell_window(self, text: str) -> None:
        if not self.isVisible():
            self.win.statusBar().showMessage(text, 15000)
        self._refresh_enrolment()

    def show_error(self, text: str) -> None:
        self.banner.show_message(html.escape(text), "error")

    def refresh(self) -> None:
        for lst in self.model_lists.values():
            lst.refresh()
        self._refresh_enrolment()

    def models_changed(self, modality: str) -> None:
        self.model_lists[modality].refresh()

    def _tab_changed(self, i: int) -> None:
        w = self.tabs.widget(i)
        if w is self.training:
            self.training._modality_changed()
            self.training.refresh_resumable()
        else:
            self.refresh()

    def showEvent(self, ev) -> None:
        self.refresh()
        super().showEvent(ev)

    # -- recognition ----------------------------------------------------------------

    def _load_recognition(self) -> None:
        o = RecognitionOptions.load(self.win.settings)
        i = self.device_combo.findData(o.device)
        if i < 0:  # a CUDA device that is gone
            self.device_combo.addItem(f"{o.device} (not available now)", o.device)
            i = self.device_combo.count() - 1
        self.device_combo.setCurrentIndex(i)
        for m, c in self.decoder_combos.items():
            c.setCurrentIndex(max(0, c.findData(o.decoders[m])))
        self.words_edit.setPlainText("\n".join(read_user_words(self.words_path)))

    @property
    def words_path(self) -> Path:
        return user_words_path(self.win.data_dir)

    def options(self) -> RecognitionOptions:
        return RecognitionOptions(self.device_combo.currentData(), {m: c.currentData() for m, c in self.decoder_combos.items()})

    def _recognition_changed(self) -> None:
        old = RecognitionOptions.load(self.win.settings)
        new = self.options()
        new.save(self.win.settings)
        for m, _ in MODALITIES:
            if new.device != old.device or new.decoders[m] != old.decoders[m]:
                self.apply(m, new)
        self.training._update_device_note()

    def apply(self, modality: str, options: RecognitionOptions | None = None) -> None:
        """Reconfigure a recognizer (device, decoder, vocabulary) and reload its model."""
        o = options or RecognitionOptions.load(self.win.settings)
        worker = self.win.hw_worker if modality == "handwriting" else self.win.sp_worker
        name = o.decoders[modality]
        worker.configure(device=o.device, decoder=decoder_settings(name, read_user_words(self.words_path)))
        running = self.window_model_path(modality)
        if running:  # otherwise it applies at the next load
            self.win.load_model(modality, running)

    def save_words(self) -> None:
        words = self.words_edit.toPlainText().split()
        try:
            write_user_words(self.words_path, words)
        except OSError as exc:
            self.show_error(f"Could not save the words: {exc}")
            return
        self.words_status.setText(f"{len(read_user_words(self.words_path))} words saved")
        o = RecognitionOptions.load(self.win.settings)
        for m, _ in MODALITIES:
            if o.decoders[m] == "beam":
                self.apply(m, o)

    # -- personalization ------------------------------------------------------------

    @property
    def enrol_store(self):
        return enrolment_store(self.win.store.root)

    def _refresh_enrolment(self) -> None:
        for m, _ in MODALITIES:
            n = sample_count(self.enrol_store, m)
            path, name, _ = self.training.current_model(m)
            model = f"Fine-tuning starts from <b>{html.escape(name)}</b>." if path else f"Fine-tuning needs a {m} model first (the samples can be collected already)."
            self.enrol_labels[m].setText(f"{n} of {ENROL_PROMPTS} prompts done. {model}")
            write, teach, clear = self.enrol_buttons[m]
            teach.setEnabled(n >= MIN_SAMPLES and bool(path) and not self.training.proc.busy)
            clear.setEnabled(n > 0)

    def open_enrolment(self, modality: str):
        from app.enrol_dialog import EnrolmentDialog

        backend, device = None, None
        if modality == "speech":
            backend = self.win.speech.backend
            device = self.win.speech.current_device()
        dlg = EnrolmentDialog(modality, self.enrol_store, backend, device, self)
        dlg.teachRequested.connect(self.start_personalization)
        dlg.finished.connect(lambda *_: self._refresh_enrolment())
        dlg.open()
        return dlg

    def delete_enrolment(self, modality: str) -> None:
        st = self.enrol_store
        if self.confirm and QMessageBox.question(self, "Delete your samples?", "Delete the enrolment samples? Models already fine-tuned on them are kept.") != QMessageBox.StandardButton.Yes:
            return
        import shutil

        shutil.rmtree(st.ink_path.parent if modality == "handwriting" else st.manifest_path.parent, ignore_errors=True)
        self._refresh_enrolment()

    def start_personalization(self, modality: str, total_steps: int | None = None) -> bool:
        """Fine-tune the model in use on the enrolment samples (shown in the Training tab)."""
        if self.training.proc.busy:
            self.show_error("A training run is going on; wait for it or cancel it first.")
            return False
        path, name, figures = self.training.current_model(modality)
        run_dir = new_run_dir(self.win.runs_dir, modality)
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

    def shutdown(self) -> None:
        self.training.shutdown()
