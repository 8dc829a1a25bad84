"""What a training run trains: a new model from the presets, or a checkpoint to fine-tune
(grown wider, or moved to other features, when the run's config says so)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from recognizers.alphabet import Alphabet
from recognizers.checkpoint import Checkpoint, feature_config_for, load_checkpoint
from recognizers.features import AudioFeatureConfig, InkFeatureConfig
from recognizers.modality import Modality
from recognizers.model import ModelConfig

if TYPE_CHECKING:
    from recognizers.training.loop import TrainConfig


def default_model(modality: str, input_dim: int, num_classes: int, frontend: str = "logmel") -> ModelConfig:
    """The network a run from scratch builds for this modality and front end."""
    if modality == Modality.HANDWRITING:
        return ModelConfig(input_dim, num_classes, conv_channels=96, conv_kernel=5, conv_strides=(2,), hidden=160, layers=3, dropout=0.15)
    if frontend != "logmel":
        # a head on pretrained encoder frames (50 a second): one convolution that halves the
        # rate to 25 a second (still above the ~15 letters a second of fast speech) and halves
        # the LSTM's cost, which is what bounds training on a shared CPU; then 2 x 192 BiLSTM
        return ModelConfig(input_dim, num_classes, conv_channels=256, conv_kernel=5, conv_strides=(2,), hidden=192, layers=2, dropout=0.2)
    return ModelConfig(input_dim, num_classes, conv_channels=192, conv_kernel=5, conv_strides=(2, 2), hidden=192, layers=3, dropout=0.2)


def model_to_train(cfg: "TrainConfig") -> tuple[Checkpoint | None, Alphabet, InkFeatureConfig | AudioFeatureConfig, ModelConfig]:
    """The base checkpoint (None for a new model), alphabet, feature and model settings of a run."""
    base: Checkpoint | None = load_checkpoint(cfg.init_from) if cfg.init_from else None
    if base is not None:
        if base.modality != cfg.modality:
            raise ValueError(f"{cfg.init_from} is a {base.modality} model, not {cfg.modality}")
        if cfg.model.get("hidden", base.model_config.hidden) != base.model_config.hidden:
            # a larger network that starts as the trained one (recognizers/training/widen.py)
            from recognizers.training.widen import widen_checkpoint

            base = widen_checkpoint(base, int(cfg.model["hidden"]), seed=cfg.seed)
        alphabet, fcfg, mcfg = base.alphabet, base.feature_config, base.model_config
        if cfg.refit_features:  # move a trained model to other features, e.g. another ink normalisation
            # (cfg.features holds the preset's as well: "handwriting" asks for the core normalisation)
            fcfg = feature_config_for(cfg.modality, {**dataclasses.asdict(fcfg), **cfg.features})
            old = base.feature_config
            if fcfg.dim != old.dim or any(getattr(fcfg, k, None) != getattr(old, k, None) for k in ("frontend", "encoder_sha256")):
                raise ValueError(f"refit_features: {cfg.features} changes the input size or the speech front end "
                                 f"({old.dim} -> {fcfg.dim}); a fine-tune cannot do that")
    elif cfg.refit_features:
        raise ValueError("refit_features moves a model given by init_from to other features; this run has no init_from")
    else:
        alphabet = Alphabet.handwriting() if cfg.modality == Modality.HANDWRITING else Alphabet.speech()
        fcfg = feature_config_for(cfg.modality, cfg.features)
        if getattr(fcfg, "frontend", "logmel") != "logmel":
            from recognizers.checkpoint import check_encoder
            from recognizers.encoder import get_encoder

            fcfg.encoder_sha256 = fcfg.encoder_sha256 or get_encoder(fcfg.frontend).sha256  # pin the installed encoder
            check_encoder(fcfg, "this training run")
        mcfg = default_model(cfg.modality, fcfg.dim, len(alphabet), getattr(fcfg, "frontend", "logmel"))
        if cfg.model:
            mcfg = ModelConfig.from_dict({**mcfg.to_dict(), **cfg.model})
    return base, alphabet, fcfg, mcfg
