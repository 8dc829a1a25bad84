"""The samples a training run learns from and is validated on, from its config's data specs:
held-out writers or speakers go to validation, replayed base samples join a fine-tune."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from recognizers.alphabet import Alphabet
from recognizers.features import AudioFeatureConfig, InkFeatureConfig
from recognizers.modality import Modality
from recognizers.training.datasets import FeatureSet, InkSet, SpeechSet, in_holdout, load_ink_spec, load_speech_spec

if TYPE_CHECKING:
    from recognizers.training.loop import TrainConfig


def build_sets(cfg: TrainConfig, alphabet: Alphabet, fcfg: InkFeatureConfig | AudioFeatureConfig) -> tuple[FeatureSet, FeatureSet]:
    """The run's training and validation sets."""
    if cfg.modality == Modality.HANDWRITING:
        train, val = _split_specs(cfg, load_ink_spec, lambda s: s.writer)
        return InkSet(train, fcfg, alphabet, habits=cfg.ink_habits), InkSet(val, fcfg, alphabet)
    if any(spec.startswith("encoded:") for spec in cfg.data + cfg.val_data):
        return _encoded_sets(cfg, alphabet, fcfg)
    train, val = _split_specs(cfg, load_speech_spec, lambda it: it.speaker)
    return (SpeechSet(train, fcfg, alphabet, augment_strength=cfg.augment_strength),
            SpeechSet(val, fcfg, alphabet, spec_augment=False))


def _split_specs(cfg: TrainConfig, load: Callable[[str], list], group: Callable[[object], str | None]) -> tuple[list, list]:
    """Training and validation items of the config's specs: held-out writers or speakers
    (`group` names an item's) go to validation with the val specs; replay items join training."""
    items = [it for spec in cfg.data for it in load(spec)]
    train = [it for it in items if not in_holdout(group(it), cfg.holdout)]
    val = [it for it in items if in_holdout(group(it), cfg.holdout)]
    val += [it for spec in cfg.val_data for it in load(spec)]
    if cfg.replay_data:
        base = [it for spec in cfg.replay_data for it in load(spec) if not in_holdout(group(it), cfg.holdout)]
        train += _replay(base, len(train), cfg)
    return train, val


def _encoded_sets(cfg: TrainConfig, alphabet: Alphabet, fcfg) -> tuple[FeatureSet, FeatureSet]:
    """Sets of cached encoder frames (``encoded:DIR`` specs), checked against the encoder."""
    from recognizers.training.encoded import (
        EncodedSet,
        check_cache_encoder,
        load_encoded_spec,
    )

    if getattr(fcfg, "frontend", "logmel") == "logmel":
        raise ValueError("encoded: data needs an encoder front end (features.frontend)")
    for spec in cfg.data + cfg.val_data + cfg.replay_data:
        if not spec.startswith("encoded:"):
            raise ValueError(f"{spec!r}: with encoded: data every spec must be encoded: (mixing needs one kind of set)")
        check_cache_encoder(spec, fcfg.frontend, fcfg.encoder_sha256)
    train, val = _split_specs(cfg, load_encoded_spec, lambda it: it.speaker)
    return EncodedSet(train, alphabet, mask=cfg.augment), EncodedSet(val, alphabet, mask=False)


def _replay(base: list, n_new: int, cfg: TrainConfig) -> list:
    """Base samples mixed into a fine-tuning set so the model keeps what it knew."""
    if not base:
        return []
    k = int(round(n_new * cfg.replay_fraction / max(1e-6, 1 - cfg.replay_fraction)))
    rng = random.Random(cfg.seed)
    return rng.sample(base, min(k, len(base)))
