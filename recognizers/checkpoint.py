"""Model checkpoints: config, alphabet, feature config, weights and figures in one file.

Loading rebuilds the model from the file alone (no code is unpickled: weights_only=True),
and writing goes through a temporary file and a rename, so an interrupted save never
destroys the model that was there.
"""

from __future__ import annotations

import io
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from recognizers.alphabet import Alphabet
from recognizers.features import AudioFeatureConfig, InkFeatureConfig
from recognizers.atomic import atomic_write_bytes
from recognizers.model import CTCModel, ModelConfig

FORMAT = "scrivox-ckpt-1"
MODALITIES = ("handwriting", "speech")


class CheckpointError(RuntimeError):
    """A model file that is missing, damaged or not a Scrivox model."""


@dataclass
class Checkpoint:
    modality: str
    model_config: ModelConfig
    feature_config: InkFeatureConfig | AudioFeatureConfig
    alphabet: Alphabet
    state_dict: dict
    info: dict = field(default_factory=dict)  # figures, date, training data, steps

    def build_model(self, device: str | torch.device = "cpu") -> CTCModel:
        model = CTCModel(self.model_config)
        model.load_state_dict(self.state_dict)
        return model.to(device).eval()

    def to_obj(self) -> dict:
        return {
            "format": FORMAT,
            "modality": self.modality,
            "model_config": self.model_config.to_dict(),
            "feature_config": asdict(self.feature_config),
            "alphabet": self.alphabet.chars,
            "state_dict": {k: v.detach().cpu() for k, v in self.state_dict.items()},
            "info": self.info,
        }


def feature_config_for(modality: str, d: dict | None = None) -> InkFeatureConfig | AudioFeatureConfig:
    cls = InkFeatureConfig if modality == "handwriting" else AudioFeatureConfig
    return cls(**(d or {}))


def save_checkpoint(path: str | os.PathLike, ckpt: Checkpoint) -> None:
    buf = io.BytesIO()
    torch.save(ckpt.to_obj(), buf)
    atomic_write_bytes(path, buf.getvalue())


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"no model file at {path}")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise CheckpointError(f"{path} is not a readable model file ({exc.__class__.__name__}: {exc})") from exc
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a Scrivox model file")
    try:
        modality = obj["modality"]
        if modality not in MODALITIES:
            raise ValueError(f"unknown modality {modality!r}")
        ckpt = Checkpoint(
            modality=modality,
            model_config=ModelConfig.from_dict(obj["model_config"]),
            feature_config=feature_config_for(modality, obj["feature_config"]),
            alphabet=Alphabet(obj["alphabet"]),
            state_dict=obj["state_dict"],
            info=obj.get("info", {}),
        )
        ckpt.build_model()  # proves the weights fit the config
    except Exception as exc:
        raise CheckpointError(f"{path} is damaged ({exc.__class__.__name__}: {exc})") from exc
    return ckpt
