"""What the settings panels may use of the app: a small context, never the main window itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

if TYPE_CHECKING:
    from app.audio_input import AudioBackend, InputDevice
    from app.settings import ConfigurableWorker
    from recognizers.workspace.registry import ModelRegistry
    from recognizers.workspace.samples import SampleStore


@dataclass
class AppContext:
    settings: QSettings
    store: "SampleStore"  # samples saved while using the app
    data_dir: Path  # the user's Scrivox folder (models, runs, vocabulary)
    workers: dict[str, "ConfigurableWorker"]  # the recognizer worker of each modality
    registry_of: Callable[[], "ModelRegistry"]  # the registry, opened on first use
    load_model: Callable[[str, str | None], None]  # (modality, path or None for the active one)
    show_status: Callable[[str], None]  # a message in the window's status bar
    audio_input: Callable[[], tuple["AudioBackend", "InputDevice | None"]]  # the microphone in use

    @property
    def registry(self) -> "ModelRegistry":
        return self.registry_of()

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"

    def running_model(self, modality: str) -> str | None:
        """The path of the model the window runs for `modality`, or is loading to run (right
        after Use or Restore previous the old one is still loaded); None while there is none."""
        worker = self.workers[modality]
        if pending := getattr(worker, "loading_path", None):
            return pending
        rec = getattr(worker, "recognizer", None)
        return getattr(rec, "path", None) if rec is not None else None
