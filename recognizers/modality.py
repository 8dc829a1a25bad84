"""The two things Scrivox reads, as a type: handwriting (ink) and speech (audio).

Code asks a `Modality` what it needs (its label, its file types, how to read a labelled
file, how to turn an input into features) instead of comparing strings. It is a `str` enum,
so a checkpoint, a JSON file or a settings value that holds "speech" still compares equal
and serialises as the plain word.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


class Modality(str, Enum):
    HANDWRITING = "handwriting"
    SPEECH = "speech"

    def __str__(self) -> str:  # "speech", not "Modality.SPEECH", in messages and paths
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    # Enum hashes by member name; hash as the word, so dicts keyed by "speech" find
    # Modality.SPEECH and the other way round
    __hash__ = str.__hash__

    @classmethod
    def parse(cls, value: object) -> "Modality":
        """The modality named by `value`, with a clear error for anything else."""
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"unknown modality {value!r} (handwriting or speech)") from None

    @property
    def label(self) -> str:
        return "Handwriting" if self is Modality.HANDWRITING else "Speech"

    @property
    def is_ink(self) -> bool:
        return self is Modality.HANDWRITING

    @property
    def file_filter(self) -> str:
        """The file types a labelled data file of this modality has (a file dialog's filter)."""
        if self is Modality.HANDWRITING:
            return "Ink samples (*.json *.jsonl *.jsonl.gz);;All files (*)"
        return "Speech manifests (*.jsonl);;All files (*)"

    def features(self, sample: Any, feature_config: Any) -> "np.ndarray":
        """Model input (T, F) for ink strokes or 16 kHz audio, with the checkpoint's feature config."""
        from recognizers.features import audio_features, ink_features

        return ink_features(sample, feature_config) if self.is_ink else audio_features(sample, feature_config)

    def feature_config(self, d: dict | None = None) -> Any:
        """This modality's feature config dataclass, from a checkpoint's dict (or the defaults)."""
        from recognizers.features import AudioFeatureConfig, InkFeatureConfig

        cls = InkFeatureConfig if self.is_ink else AudioFeatureConfig
        return cls(**(d or {}))

    def read_labelled(self, path: str) -> Iterator[tuple[Any, str]]:
        """(input, reference text) pairs, streamed: ink strokes from an ink file or folder, or
        an audio path from a speech manifest."""
        if self.is_ink:
            from recognizers.ink import read_ink_samples

            return ((s.strokes, s.label) for s in read_ink_samples(path))
        from recognizers.manifest import iter_manifest

        return ((it.audio_path, it.text) for it in iter_manifest(path))


MODALITIES: tuple[Modality, ...] = tuple(Modality)
