"""Model checkpoints: config, alphabet, feature config, weights and figures in one file.

Loading rebuilds the model from the file alone (no code is unpickled: weights_only=True),
and writing goes through a temporary file and a rename, so an interrupted save never
destroys the model that was there.

A shipped model may store its weights as float16 (`save_checkpoint(..., weights="float16")`):
half the file for the same network, read back as float32 on load, so everything downstream
(inference, fine-tuning, widening) sees float32 as before.
"""

from __future__ import annotations

import io
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from recognizers.alphabet import Alphabet
from recognizers.atomic import atomic_write_bytes
from recognizers.features import INK_NORMS, AudioFeatureConfig, InkFeatureConfig
from recognizers.modality import Modality
from recognizers.model import CTCModel, ModelConfig

FORMAT = "scrivox-ckpt-1"


class CheckpointError(RuntimeError):
    """A model file that is missing, damaged or not a Scrivox model."""


@dataclass
class Checkpoint:
    modality: Modality
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
            "modality": str(self.modality),  # the plain word: weights_only loading takes no enums
            "model_config": self.model_config.to_dict(),
            "feature_config": asdict(self.feature_config),
            "alphabet": self.alphabet.chars,
            "state_dict": {k: v.detach().cpu() for k, v in self.state_dict.items()},
            "info": self.info,
        }


def feature_config_for(modality: str, d: dict | None = None) -> InkFeatureConfig | AudioFeatureConfig:
    return Modality.parse(modality).feature_config(d)


# What a checkpoint's settings may say. A model file is data someone may have edited (or
# damaged): an n_fft of 10**9 would ask for gigabytes before the weights are even checked.
_BOUNDS = {
    "model": {"input_dim": (1, 4096), "num_classes": (2, 20_000), "conv_channels": (1, 4096), "conv_kernel": (1, 63),
              "hidden": (1, 4096), "layers": (1, 16), "dropout": (0.0, 1.0)},
    "speech": {"sample_rate": (8_000, 48_000), "n_mels": (1, 512), "win_ms": (1.0, 200.0), "hop_ms": (1.0, 100.0), "n_fft": (16, 16_384)},
    "handwriting": {"step": (1e-4, 10.0), "max_points": (2, 1_000_000), "min_scale_ratio": (0.0, 1.0)},
}
MAX_STRIDES = 6


def check_settings(modality: str, model_config: dict, feature_config: dict) -> None:
    """Raise ValueError when a checkpoint's settings lie outside what a Scrivox model can be."""

    def check(where: str, d: dict, bounds: dict) -> None:
        if not isinstance(d, dict):
            raise ValueError(f"{where} settings are not a table")
        for k, (lo, hi) in bounds.items():
            if k not in d:
                continue
            v = d[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(lo, int) and not isinstance(v, int)):
                raise ValueError(f"{where} setting {k}={v!r} is not a {'whole ' if isinstance(lo, int) else ''}number")
            if not lo <= v <= hi:
                raise ValueError(f"{where} setting {k}={v!r} is outside {lo}..{hi}")

    check("model", model_config, _BOUNDS["model"])
    strides = model_config.get("conv_strides", (1,))
    if not isinstance(strides, (list, tuple)) or not 1 <= len(strides) <= MAX_STRIDES or not all(isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= 8 for k in strides):
        raise ValueError(f"model setting conv_strides={strides!r} must be 1 to {MAX_STRIDES} whole numbers in 1..8")
    check("feature", feature_config, _BOUNDS[modality])
    if modality == Modality.HANDWRITING and feature_config.get("norm", "box") not in INK_NORMS:
        raise ValueError(f"feature setting norm={feature_config['norm']!r} is not one of {', '.join(INK_NORMS)}")
    if modality == Modality.SPEECH and "n_fft" in feature_config:
        win = int(feature_config.get("sample_rate", 16_000) * feature_config.get("win_ms", 25.0) / 1000)
        if feature_config["n_fft"] < win:
            raise ValueError(f"feature setting n_fft={feature_config['n_fft']} is shorter than the window ({win} samples)")
        if feature_config.get("n_mels", 80) > feature_config["n_fft"] // 2 + 1:
            raise ValueError(f"feature setting n_mels={feature_config.get('n_mels')} is more than n_fft={feature_config['n_fft']} gives frequencies")


STORED_WEIGHTS = {"float32": torch.float32, "float16": torch.float16}


def save_checkpoint(path: str | os.PathLike, ckpt: Checkpoint, weights: str = "float32") -> None:
    """Write the checkpoint; `weights="float16"` stores the floating-point tensors at half size."""
    if weights not in STORED_WEIGHTS:
        raise ValueError(f"weights must be one of {', '.join(STORED_WEIGHTS)}, not {weights!r}")
    obj = ckpt.to_obj()
    if weights != "float32":
        obj["state_dict"] = {k: v.to(STORED_WEIGHTS[weights]) if v.is_floating_point() else v for k, v in obj["state_dict"].items()}
    buf = io.BytesIO()
    torch.save(obj, buf)
    atomic_write_bytes(path, buf.getvalue())


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"no model file at {path}")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except OSError as exc:  # unreadable (permissions, a folder, a vanished disk): not damaged
        raise CheckpointError(f"{path} cannot be read ({exc.strerror or exc.__class__.__name__})") from exc
    except Exception as exc:
        # torch's own text here is pages long and advises loading with weights_only=False,
        # which would run code from the file: the person gets what happened, in one line
        raise CheckpointError(f"{path} is not a readable model file: it is damaged or not a Scrivox model ({exc.__class__.__name__})") from exc
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a Scrivox model file")
    try:
        modality = Modality.parse(obj["modality"])
        check_settings(modality, obj["model_config"], obj["feature_config"] or {})
        ckpt = Checkpoint(
            modality=modality,
            model_config=ModelConfig.from_dict(obj["model_config"]),
            feature_config=feature_config_for(modality, obj["feature_config"]),
            alphabet=Alphabet(obj["alphabet"]),
            # float16-stored weights (a smaller shipped file) come back as float32
            state_dict={k: v.float() if torch.is_tensor(v) and v.is_floating_point() else v for k, v in obj["state_dict"].items()},
            info=obj.get("info", {}),
        )
        if ckpt.model_config.input_dim != ckpt.feature_config.dim:
            raise ValueError(f"the model reads {ckpt.model_config.input_dim} features a frame but its feature settings make {ckpt.feature_config.dim}")
        if len(ckpt.alphabet) != ckpt.model_config.num_classes:
            raise ValueError(f"the model has {ckpt.model_config.num_classes} outputs but its alphabet {len(ckpt.alphabet)} classes")
        ckpt.build_model()  # proves the weights fit the config
    except Exception as exc:
        raise CheckpointError(f"{path} is damaged ({exc.__class__.__name__}: {exc})") from exc
    check_encoder(ckpt.feature_config, path)
    return ckpt


def check_encoder(fcfg: InkFeatureConfig | AudioFeatureConfig, where: str | os.PathLike = "the model") -> None:
    """Raise CheckpointError unless the pretrained encoder a speech model was trained on is
    installed, byte for byte (its weights' SHA-256): a head trained on another encoder's
    frames would read this one's as noise."""
    frontend = getattr(fcfg, "frontend", "logmel")
    if frontend == "logmel":
        return
    from recognizers.encoder import EncoderUnavailable, get_encoder

    try:
        installed = get_encoder(frontend).sha256
    except EncoderUnavailable as exc:
        raise CheckpointError(f"{where} needs the speech encoder {frontend}: {exc}") from exc
    if installed != fcfg.encoder_sha256:
        raise CheckpointError(
            f"{where} was trained on a different {frontend} encoder (weights {fcfg.encoder_sha256[:12] or 'unknown'}, "
            f"installed {installed[:12]}): install the encoder it was trained with, or retrain it"
        )
