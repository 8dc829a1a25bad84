"""The Models tab's list of one recognizer's models, with Use, Restore previous, Delete and Import."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from app.widgets import NO_YES, dialog_start, remember_dir
from recognizers.workspace.registry import RegistryError
from recognizers.workspace.run_figures import MIN_SURE_N

if TYPE_CHECKING:
    from app.settings_dialog import SettingsDialog

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
            n = f.get("n")
            unsure = n is not None and n < MIN_SURE_N  # a figure on a handful of samples
            mark = " ?" if unsure else ""
            on = e.figures_on or ""
            if "base_cer" in f:  # the model it came from, scored on the same samples: like with like
                on += f"; {e.base or 'its base'} on the same: CER {100 * f['base_cer']:.1f} %" + (f", WER {100 * f['base_wer']:.1f} %" if "base_wer" in f else "")
            it = QTreeWidgetItem([
                "●" if e.id == active_id else "",
                e.name,
                e.origin,
                e.date[:10],  # the day: some models' dates carry a time, others not
                # beside the base's figure on the same samples: its own stored one is on other data
                f"{100 * f['cer']:.1f} %{mark}" + (f" ({e.base or 'base'}: {100 * f['base_cer']:.1f} %)" if "base_cer" in f else "") if "cer" in f else "—",
                f"{100 * f['wer']:.1f} %{mark}" + (f" ({e.base or 'base'}: {100 * f['base_wer']:.1f} %)" if "base_wer" in f else "") if "wer" in f else "—",
                on,
            ])
            it.setData(0, Qt.ItemDataRole.UserRole, e.id)
            it.setToolTip(1, e.path)
            it.setToolTip(3, e.date)
            it.setToolTip(6, on)
            if unsure:
                for c in (4, 5):
                    it.setToolTip(c, f"Measured on only {n} samples: too few to be sure (at least {MIN_SURE_N} are needed)")
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
        ons = {e.figures_on for e in self.entries if e.figures}
        apart = "Figures measured on different data (see Measured on) are not comparable with each other." if len(ons) > 1 else ""
        if not self.entries:
            self.note.setText(f"No {self.modality} model yet: train one in the Training tab.")
        else:
            running = self.dialog.window_model_path(self.modality)
            act = active.path if active else None
            if running and act and Path(running).resolve() != Path(act).resolve():
                self.note.setText(f"This window runs {html.escape(Path(running).name)} (chosen on the command line or in the File menu).")
            else:
                prev = reg.previous(self.modality)
                self.note.setText(" ".join(x for x in (f"Previous: {html.escape(prev.name)}." if prev else "", apart) if x))
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
        except (RegistryError, OSError) as exc:  # OSError: the list could not be saved (a full or read-only disk)
            self.dialog.show_error(str(exc))
            return
        self.dialog.clear_error()
        self.dialog.ctx.load_model(self.modality, e.path)
        self.dialog.models_changed(self.modality)

    def delete_selected(self) -> None:
        mid = self.selected_id()
        e = next((x for x in self.entries if x.id == mid), None)
        if e is None:
            return
        if self.dialog.confirm and QMessageBox.question(self, "Delete the model?", f"Delete {e.name}? Its file is removed.", NO_YES, QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return
        try:
            self.dialog.registry.delete(self.modality, mid)
            self.dialog.clear_error()
        except (RegistryError, OSError) as exc:
            self.dialog.show_error(str(exc))
        self.dialog.models_changed(self.modality)

    def import_model(self, path: str | None = None) -> None:
        if not path:
            path = remember_dir(QFileDialog.getOpenFileName(self, f"Import a {self.modality} model", dialog_start(), "Scrivox models (*.pt);;All files (*)")[0])
        if not path:
            return
        try:
            e = self.dialog.registry.add_model(self.modality, path, "imported")
        except (RegistryError, OSError) as exc:  # not a readable Scrivox model, or the copy failed
            self.dialog.show_error(f"Could not import {path}: {exc}")
            return
        self.dialog.clear_error()
        self.dialog.models_changed(self.modality)
        self.select(e.id)
