"""The Training tab's form: which recognizer, which preset, which data, which hyperparameters.

The form remembers its choices in the settings (the recognizer and preset chosen last, and the
data per recognizer); the panel around it
(app/training_panel.py) starts and watches the run.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.settings import as_bool
from app.widgets import dialog_start, remember_dir
from recognizers.modality import MODALITIES, Modality
from recognizers.workspace.runs import (
    PRESET_CHOICES,
    DataSource,
    count_items,
    recognizer_preset,
    synthetic_status,
)

MODALITY_LABELS = [(m.value, m.label) for m in MODALITIES]


class TrainingForm(QWidget):
    def __init__(self, ctx: AppContext, current_model: Callable[[str], tuple[str | None, str, dict]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.current_model = current_model  # (path, name, figures) of the model in use
        self._loading_form = False
        self._numbers_for: tuple[str, str] | None = None  # see load

        self.modality_combo = QComboBox()
        for key, label in MODALITY_LABELS:
            self.modality_combo.addItem(label, key)
        self.preset_combo = QComboBox()
        for key, label in PRESET_CHOICES:
            self.preset_combo.addItem(label, key)
        self.preset_note = QLabel()
        self.preset_note.setWordWrap(True)
        self.preset_note.setStyleSheet("color: palette(mid);")

        self.synth_check = QCheckBox("Built-in synthetic data")
        self.synth_note = QLabel()
        self.synth_note.setWordWrap(True)
        self.synth_note.setStyleSheet("color: palette(mid); margin-left: 22px;")
        self.mine_check = QCheckBox("My samples")
        self.mine_note = QLabel()
        self.mine_note.setWordWrap(True)
        self.mine_note.setStyleSheet("color: palette(mid); margin-left: 22px;")
        self.sources_list = QListWidget()
        self.sources_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.sources_list.setMaximumHeight(64)
        self.sources_list.setToolTip("Sample folders, ink files (.json, .jsonl, .jsonl.gz) or speech manifests (.jsonl) to train on")
        self.add_folder_button = QPushButton("Add folder…")
        self.add_file_button = QPushButton("Add file…")
        self.remove_source_button = QPushButton("Remove")
        self.dataset_edit = QLineEdit()
        self.dataset_edit.setPlaceholderText("a path or a data spec")  # short: the field is narrow; the tooltip says more
        self.dataset_edit.setToolTip("A dataset: a sample folder or file, or any data spec `python -m recognizers train` accepts (such as unipen:word,digit)")
        self.dataset_browse = QPushButton("…")
        self.dataset_browse.setMaximumWidth(32)
        self.val_edit = QLineEdit()
        self.val_edit.setPlaceholderText("empty: 1 in 10 held out")
        self.val_edit.setToolTip("Samples to measure the model on (never trained on); empty: 1 in 10 of the files above are held out for it")
        self.val_browse = QPushButton("…")
        self.val_browse.setMaximumWidth(32)

        data_box = QGroupBox("Data")
        dl = QVBoxLayout(data_box)
        dl.setSpacing(4)
        dl.addWidget(self.synth_check)
        dl.addWidget(self.synth_note)
        dl.addWidget(self.mine_check)
        dl.addWidget(self.mine_note)
        dl.addWidget(QLabel("Sample folders and manifests:"))
        dl.addWidget(self.sources_list)
        sb = QHBoxLayout()
        sb.addWidget(self.add_folder_button)
        sb.addWidget(self.add_file_button)
        sb.addWidget(self.remove_source_button)
        sb.addStretch(1)
        dl.addLayout(sb)
        df = QFormLayout()
        df.setContentsMargins(0, 4, 0, 0)
        r1 = QHBoxLayout()
        r1.addWidget(self.dataset_edit, 1)
        r1.addWidget(self.dataset_browse)
        r2 = QHBoxLayout()
        r2.addWidget(self.val_edit, 1)
        r2.addWidget(self.val_browse)
        df.addRow("Dataset:", r1)
        df.addRow("Validation:", r2)
        dl.addLayout(df)

        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(1, 1_000_000)
        self.steps_spin.setSingleStep(50)
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setDecimals(5)
        self.lr_spin.setRange(1e-5, 1.0)
        self.lr_spin.setSingleStep(1e-4)
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(500, 200_000)
        self.batch_spin.setSingleStep(1000)
        self.batch_spin.setToolTip("Padded frames per batch: the memory and speed knob")
        hyper = QGroupBox("Hyperparameters")
        hf = QFormLayout(hyper)
        hf.addRow("Steps:", self.steps_spin)
        hf.addRow("Learning rate:", self.lr_spin)
        hf.addRow("Batch frames:", self.batch_spin)

        self.start_button = QPushButton("Start training")
        self.start_button.setToolTip("Train in a separate process; the window stays usable")
        self.device_note = QLabel()
        self.device_note.setStyleSheet("color: palette(mid);")

        fl = QVBoxLayout(self)
        fl.setContentsMargins(0, 0, 0, 0)
        top = QFormLayout()
        top.addRow("Recognizer:", self.modality_combo)
        top.addRow("Preset:", self.preset_combo)
        fl.addLayout(top)
        fl.addWidget(self.preset_note)
        fl.addWidget(data_box)
        fl.addWidget(hyper)
        sr = QHBoxLayout()
        sr.addWidget(self.device_note, 1)
        sr.addWidget(self.start_button)
        fl.addLayout(sr)
        fl.addStretch(1)
        self.setMinimumWidth(340)
        self.setMaximumWidth(420)

        self._restore_choice(self.modality_combo, "training/modality")
        self._restore_choice(self.preset_combo, "training/preset")
        self.modality_combo.currentIndexChanged.connect(self._modality_changed)
        self.preset_combo.currentIndexChanged.connect(self._preset_changed)
        for combo in (self.modality_combo, self.preset_combo):
            combo.currentIndexChanged.connect(self._save_choices)
        self.add_folder_button.clicked.connect(self._add_folder)
        self.add_file_button.clicked.connect(self._add_file)
        self.remove_source_button.clicked.connect(self._remove_sources)
        self.dataset_browse.clicked.connect(lambda: self._browse_into(self.dataset_edit))
        self.val_browse.clicked.connect(lambda: self._browse_into(self.val_edit))
        for w in (self.synth_check, self.mine_check):
            w.toggled.connect(self._save_form)
        for w in (self.dataset_edit, self.val_edit):
            w.editingFinished.connect(self._save_form)

    def load(self) -> None:
        """Fill the form from the settings (at start, and when the samples may have changed),
        keeping the steps, learning rate and batch frames typed for the recognizer and preset
        shown (a tester's 80 steps went back to the preset's 300 after a look at the Models
        tab, and the run trained 300)."""
        typed = (self.steps_spin.value(), self.lr_spin.value(), self.batch_spin.value())
        same = self._numbers_for == (self.modality, self.preset)
        self._modality_changed()
        if same:
            self.steps_spin.setValue(typed[0])
            self.lr_spin.setValue(typed[1])
            self.batch_spin.setValue(typed[2])

    @property
    def modality(self) -> str:
        return self.modality_combo.currentData()

    @property
    def preset(self) -> str:
        return self.preset_combo.currentData()

    def set_modality(self, modality: str) -> None:
        self.modality_combo.setCurrentIndex(self.modality_combo.findData(modality))

    def set_preset(self, preset: str) -> None:
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(preset))

    # The recognizer and preset shown last come back at the next start (training/modality,
    # training/preset). Steps, learning rate and batch frames are not remembered across starts:
    # every change of recognizer or preset resets them to the preset's values, so the preset is
    # what is kept, not the numbers; showing the tab again (load) keeps what was typed.

    def _restore_choice(self, combo: QComboBox, key: str) -> None:
        """Show the choice saved under `key`; a value that is not one of the combo's (a preset
        since renamed or removed, a hand-edited file) leaves the default."""
        value = self.ctx.settings.value(key)
        i = combo.findData(value) if isinstance(value, str) else -1
        if i >= 0:
            combo.setCurrentIndex(i)

    def _save_choices(self) -> None:
        for combo, key in ((self.modality_combo, "training/modality"), (self.preset_combo, "training/preset")):
            if combo.currentData() is not None:
                self.ctx.settings.setValue(key, combo.currentData())

    def _key(self, name: str) -> str:
        return f"training/{self.modality}/{name}"

    def _own_files(self, modality: str) -> list[tuple[Path, str]]:
        from recognizers.workspace.enrol import enrolment_store

        store = self.ctx.store
        enrol = enrolment_store(store.root)
        if modality == Modality.HANDWRITING:
            return [(store.ink_path, "your saved handwriting"), (enrol.ink_path, "your enrolment handwriting")]
        return [(store.manifest_path, "your saved recordings"), (enrol.manifest_path, "your enrolment recordings")]

    def refresh_own_counts(self) -> None:
        """Say how many of the person's own samples there are now (samples are saved while the
        panel is open, in the window or in the Personalize tab)."""
        total, text = self._own_counts_text(self.modality)
        self.mine_note.setText(text)
        was = self.mine_check.isEnabled()
        self.mine_check.setEnabled(total > 0)
        if not was or total == 0:  # a choice the person made stays as it is
            self.mine_check.setChecked(total > 0 and as_bool(self.ctx.settings.value(self._key("mine")), True))

    def _own_counts_text(self, modality: str) -> tuple[int, str]:
        (saved, _), (enrolled, _) = self._own_files(modality)
        a = count_items(saved) if saved.exists() else 0
        b = count_items(enrolled) if enrolled.exists() else 0
        parts = ([f"{a} saved while using the app"] if a else []) + ([f"{b} from enrolment (Personalize)"] if b else [])
        return a + b, ", ".join(parts) or "none yet: Options ▸ Save my samples, or the Personalize tab"

    # -- the form -------------------------------------------------------------------

    def _modality_changed(self) -> None:
        self._loading_form = True
        s = self.ctx.settings
        m = self.modality
        ok, note = synthetic_status(m)
        self.synth_check.setEnabled(ok)
        self.synth_check.setChecked(ok and as_bool(s.value(self._key("synthetic")), True))
        self.synth_note.setText(note)
        self.refresh_own_counts()
        self.sources_list.clear()
        try:
            for p in json.loads(str(s.value(self._key("sources"), "[]") or "[]")):
                self.sources_list.addItem(str(p))
        except ValueError:
            pass
        self.dataset_edit.setText(str(s.value(self._key("dataset"), "") or ""))
        self.val_edit.setText(str(s.value(self._key("val"), "") or ""))
        self._loading_form = False
        self._preset_changed()

    def _preset_changed(self) -> None:
        m, preset = self.modality, self.preset
        self._numbers_for = (m, preset)  # the recognizer and preset the numbers now belong to
        cfg = recognizer_preset(m, preset)
        self.steps_spin.setValue(int(cfg.get("total_steps", 300)))
        self.lr_spin.setValue(float(cfg.get("lr", 2e-3)))
        self.batch_spin.setValue(int(cfg.get("batch_frames", 6000)))
        if preset == "quick-finetune":
            path, name, _ = self.current_model(m)
            what = f"<b>{html.escape(name)}</b>" if path else "the active model (there is none yet)"
            text = f"Continues training {what} for a few hundred steps at a low learning rate; the built-in synthetic data is mixed in so it keeps what it knew."
        elif preset == "full":
            text = "Trains a new model from scratch with the shipped model's recipe. Hours on a CPU: a GPU is much faster. It can be paused, cancelled and resumed."
        else:
            text = "A small model trained for a few seconds: tries the whole pipeline, not meant to be used."
        self.preset_note.setText(text)
        self._update_device_note()

    def _update_device_note(self) -> None:
        from app.settings import RecognitionOptions

        dev = RecognitionOptions.load(self.ctx.settings).device
        self.device_note.setText(f"Runs on: {'CPU or CUDA (auto)' if dev == 'auto' else dev.upper()}")

    def _save_form(self) -> None:
        if self._loading_form:
            return
        s = self.ctx.settings
        s.setValue(self._key("synthetic"), self.synth_check.isChecked())
        s.setValue(self._key("mine"), self.mine_check.isChecked())
        s.setValue(self._key("sources"), json.dumps([self.sources_list.item(i).text() for i in range(self.sources_list.count())]))
        s.setValue(self._key("dataset"), self.dataset_edit.text().strip())
        s.setValue(self._key("val"), self.val_edit.text().strip())

    def add_source(self, path: str) -> None:
        if path and not self.sources_list.findItems(path, Qt.MatchFlag.MatchExactly):
            self.sources_list.addItem(path)
            self._save_form()

    def _add_folder(self) -> None:
        d = remember_dir(QFileDialog.getExistingDirectory(self, "Add a folder of ink samples" if self.modality == Modality.HANDWRITING else "Add a folder", dialog_start()))
        if d:
            self.add_source(d)

    def _add_file(self) -> None:
        filt = Modality(self.modality).file_filter
        path = remember_dir(QFileDialog.getOpenFileName(self, "Add samples", dialog_start(), filt)[0])
        if path:
            self.add_source(path)

    def _remove_sources(self) -> None:
        for it in self.sources_list.selectedItems():
            self.sources_list.takeItem(self.sources_list.row(it))
        self._save_form()

    def _browse_into(self, edit: QLineEdit) -> None:
        filt = Modality(self.modality).file_filter
        path = remember_dir(QFileDialog.getOpenFileName(self, "Choose a file", dialog_start(), filt)[0])
        if path:
            edit.setText(path)
            self._save_form()

    def sources(self) -> list[DataSource]:
        out: list[DataSource] = []
        if self.synth_check.isChecked() and self.synth_check.isEnabled():
            out.append(DataSource("synthetic", "", "built-in synthetic data"))
        if self.mine_check.isChecked() and self.mine_check.isEnabled():
            out += [DataSource("file", str(p), label) for p, label in self._own_files(self.modality) if p.exists() and count_items(p)]
        for i in range(self.sources_list.count()):
            p = self.sources_list.item(i).text()
            out.append(DataSource("file", p, Path(p).name))
        ds = self.dataset_edit.text().strip()
        if ds:
            if Path(ds).exists():
                out.append(DataSource("file", ds, Path(ds).name))
            elif re.match(r"^[a-z][a-z-]*:", ds):  # a data spec (unipen:..., synth-ink:N, ...)
                out.append(DataSource("spec", ds, ds))
            else:
                raise ValueError(f"the dataset {ds} does not exist")
        return out
