"""Tiny untrained checkpoints for tests that need a model file, not a good model (milliseconds)."""

from __future__ import annotations

import torch

from recognizers.alphabet import Alphabet
from recognizers.checkpoint import Checkpoint, feature_config_for, save_checkpoint
from recognizers.model import CTCModel, ModelConfig


def tiny_checkpoint(modality: str, **feature_over) -> Checkpoint:
    torch.manual_seed(0)
    alphabet = Alphabet.handwriting() if modality == "handwriting" else Alphabet.speech()
    fcfg = feature_config_for(modality, feature_over)
    mcfg = ModelConfig(fcfg.dim, len(alphabet), conv_channels=8, conv_kernel=3, conv_strides=(2,), hidden=8, layers=1, dropout=0.0)
    model = CTCModel(mcfg)
    return Checkpoint(modality, mcfg, fcfg, alphabet, model.state_dict(), {"name": f"tiny-{modality}"})


def write_tiny(path, modality: str, **feature_over):
    save_checkpoint(path, tiny_checkpoint(modality, **feature_over))
    return path
