"""What the settings panel changes, kept apart from the dialog: paths, options, the worker.

- where the user's data lives (QStandardPaths.AppDataLocation: ``~/.local/share/Scrivox``
  on Linux): ``models/`` (the registry, app/registry.py), ``runs/`` (training runs),
  ``samples/`` (app/samples.py), ``user-words.txt`` (the personal vocabulary);
- the recognition options (device, decoder per recognizer), stored in the window's
  QSettings under ``recognition/``;
- `ConfigurableWorker`, the recognizer worker that builds the chosen decoder on its own
  thread whenever it loads a model: changing device or decoding reloads the model (a few
  seconds with the lexicon beam, which reads its word list and language model) through the
  same path as any other load.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QSettings

from app.workers import RecognizerWorker, release_freed_memory
from recognizers.decoding import DecoderSettings
from recognizers.modality import MODALITIES

DECODER_CHOICES = [
    ("greedy", "Greedy (fastest, one reading)"),
    ("prefix", "Prefix beam (n-best, no word list)"),
    ("beam", "Beam with word list and language model"),
    ("beam-free", "Beam, free spelling (names, numbers, codes)"),
]
# The lexicon beam reads best: held-out Cathy sentences 34.7 % WER greedy -> 17.5 %, held-out
# UNIPEN words 6.2 % CER -> 5.0 % (docs/decoding.md). Without flashlight-text the worker keeps
# the prefix decoder and says why.
DEFAULT_DECODER = "beam"
# Version 2: the default became the beam. A "prefix" stored before then is read as the old
# default, not a choice: changing the device saved both decoders, chosen or not.
DECODERS_VERSION = 2


def user_data_dir() -> Path:
    """The platform's per-user data directory for Scrivox."""
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".local" / "share" / "Scrivox")


def default_samples_dir() -> Path:
    """Where the opt-in samples are saved (recognizers.workspace.samples.SampleStore)."""
    return user_data_dir() / "samples"


def user_words_path(data_dir: str | os.PathLike | None = None) -> Path:
    return Path(data_dir if data_dir is not None else user_data_dir()) / "user-words.txt"


def read_user_words(path: str | os.PathLike) -> list[str]:
    """The personal vocabulary (recognizers.workspace.userfiles: a damaged file is set aside
    and reported, never a failure to start)."""
    from recognizers.workspace.userfiles import read_user_words as read

    return read(path)


def write_user_words(path: str | os.PathLike, words: list[str]) -> None:
    from recognizers.workspace.userfiles import write_user_words as write

    write(path, words)


def as_bool(value, default: bool) -> bool:
    """A QSettings value as a bool: an ini file stores "true" / "false", other back ends a bool;
    anything else (missing, damaged, hand-edited) is the default."""
    if isinstance(value, bool):
        return value
    v = str(value).strip().lower() if value is not None else ""
    return True if v in ("true", "1", "yes", "on") else False if v in ("false", "0", "no", "off") else default


@dataclass
class RecognitionOptions:
    device: str = "auto"  # auto, cpu, cuda:N
    decoders: dict = field(default_factory=lambda: {"handwriting": DEFAULT_DECODER, "speech": DEFAULT_DECODER})
    ink_views: bool = True  # handwriting read in five views (recognizers.ink_views): fewer errors, slower
    speech_views: bool = False  # speech read at three speeds (recognizers.recognizer.SPEED_VIEWS): 2-3x the time
    spoken_punctuation: bool = True  # "comma", "new line"... said become marks (app.formatting.dictate)

    def views(self, modality: str) -> bool:
        return self.ink_views if modality == "handwriting" else self.speech_views

    @classmethod
    def load(cls, settings: QSettings) -> "RecognitionOptions":
        o = cls()
        o.device = str(settings.value("recognition/device", "auto") or "auto")
        try:  # a damaged or hand-edited value must not stop the window opening
            version = int(settings.value("recognition/decoders_version", 1) or 1)
        except (TypeError, ValueError):
            version = 1
        for m in MODALITIES:
            d = str(settings.value(f"recognition/decoder_{m}", DEFAULT_DECODER) or DEFAULT_DECODER)
            if version < 2 and d == "prefix":
                d = DEFAULT_DECODER
            o.decoders[m] = d if d in dict(DECODER_CHOICES) else DEFAULT_DECODER
        o.ink_views = as_bool(settings.value("recognition/ink_views"), cls.ink_views)
        o.speech_views = as_bool(settings.value("recognition/speech_views"), cls.speech_views)
        o.spoken_punctuation = as_bool(settings.value("recognition/spoken_punctuation"), cls.spoken_punctuation)
        return o

    def save(self, settings: QSettings) -> None:
        settings.setValue("recognition/device", self.device)
        settings.setValue("recognition/decoders_version", DECODERS_VERSION)
        for m, d in self.decoders.items():
            settings.setValue(f"recognition/decoder_{m}", d)
        settings.setValue("recognition/ink_views", "true" if self.ink_views else "false")
        settings.setValue("recognition/speech_views", "true" if self.speech_views else "false")
        settings.setValue("recognition/spoken_punctuation", "true" if self.spoken_punctuation else "false")
        settings.sync()


def decoder_settings(name: str, words: list[str]) -> DecoderSettings:
    """The decoder chosen in the settings; the personal vocabulary joins the lexicon beam."""
    return DecoderSettings(name, user_words=tuple(words) if name == "beam" else ())


def cuda_devices() -> list[tuple[str, str]]:
    """(device, label) for each CUDA device torch sees; empty without CUDA or torch."""
    try:
        import torch

        if not torch.cuda.is_available():
            return []
        out = []
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            out.append((f"cuda:{i}", f"CUDA {i}: {p.name} ({p.total_memory / 2**30:.0f} GiB)"))
        return out
    except Exception:
        return []


class ConfigurableWorker(RecognizerWorker):
    """A RecognizerWorker whose decoder is chosen in the settings.

    The decoder is built on the worker thread, between a model's two warm-up readings, so a slow one (the lexicon beam reads the word list) never holds up
    the window. When the chosen decoder cannot be built (flashlight-text missing, ...),
    the model keeps its prefix decoder and the status bar says why.
    """

    def __init__(self, modality: str, device: str = "auto", parent=None) -> None:
        super().__init__(modality, device, parent)
        self.decoder = DecoderSettings(DEFAULT_DECODER)
        self.views = RecognitionOptions().views(modality)  # set from the GUI thread; applies from the next reading, no reload
        self.decoder_error = ""

    def configure(self, device: str | None = None, decoder: DecoderSettings | None = None) -> None:
        """Takes effect at the next load (call `load` afterwards)."""
        if device is not None:
            self.device = device
        if decoder is not None:
            self.decoder = decoder

    def _before_job(self, job) -> None:  # worker thread: every reading, file and check uses the views chosen now
        if self.recognizer is not None:
            self.recognizer.set_views(self.views)

    def _warm_up(self, rec) -> None:  # worker thread, inside _load
        self.decoder_error = ""
        rec.set_views(self.views)  # the warm-up reads as the person's readings will
        # The first reading loads what the model needs (the speech encoder's load peaks about
        # 120 MB above where it settles); its temporaries are released before the decoder's
        # word list and language model are read, so that the two peaks never stack.
        super()._warm_up(rec)
        decoder = self.decoder  # read once: `configure` may replace it from the GUI thread
        if decoder == DecoderSettings("prefix"):  # Recognizer.load's own decoder
            return
        release_freed_memory()
        try:
            rec.set_decoder(decoder)
        except Exception as exc:
            self.decoder_error = f"{exc.__class__.__name__}: {exc}"
            self.progress.emit(f"The {decoder.name} decoder is unavailable ({self.decoder_error}); using the prefix decoder")
            return
        super()._warm_up(rec)
