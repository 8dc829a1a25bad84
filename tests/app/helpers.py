"""Helpers shared by the GUI tests: paths, stand-in models, padded speech."""

from __future__ import annotations

from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_standin_model(path: Path, modality: str, seed: int = 0) -> Path:
    """A small untrained model written through the real checkpoint code.

    Its random weights read anything as some deterministic gibberish, which is what the
    plumbing tests want: non-empty text that differs with the input, and a reference
    (the same model, loaded separately) to compare the app's answers with.
    """
    import torch

    from recognizers.alphabet import Alphabet
    from recognizers.checkpoint import Checkpoint, feature_config_for, save_checkpoint
    from recognizers.model import CTCModel, ModelConfig

    fcfg = feature_config_for(modality)
    alphabet = Alphabet.handwriting() if modality == "handwriting" else Alphabet.speech()
    mcfg = ModelConfig(input_dim=fcfg.dim, num_classes=len(alphabet), conv_channels=16, hidden=24, layers=1, dropout=0.0)
    torch.manual_seed(seed)
    model = CTCModel(mcfg)
    save_checkpoint(path, Checkpoint(modality, mcfg, fcfg, alphabet, model.state_dict(), {"name": f"stand-in {modality}"}))
    return path


def with_silence(audio: np.ndarray, before_s: float = 0.6, after_s: float = 1.2, noise: float = 1e-3, seed: int = 0) -> np.ndarray:
    """Pad speech with quiet room noise on both sides, as a microphone would hear it."""
    rng = np.random.default_rng(seed)
    pad = lambda s: (rng.standard_normal(int(16_000 * s)) * noise).astype(np.float32)  # noqa: E731
    return np.concatenate([pad(before_s), audio + (rng.standard_normal(len(audio)) * noise).astype(np.float32), pad(after_s)])
