"""A loaded model that turns ink or audio into text, alternatives and confidences."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from .checkpoint import Checkpoint, load_checkpoint
from .confidence import nbest_shares, word_confidence
from .decoding import Decoder, make_decoder
from .features import audio_features, ink_features
from .ink import Ink

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def default_model_path(modality: str) -> Path:
    """The shipped model for `handwriting` or `speech`."""
    return RESOURCES / "models" / f"{modality}.pt"


def pick_device(name: str = "auto") -> str:
    """`auto` means the first CUDA device when there is one, else the CPU."""
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


CHARSETS = {
    "digits": "0123456789",
    "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "lower": "abcdefghijklmnopqrstuvwxyz",
    "letters": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "number": "0123456789.,-+$%/: ",
}


def restrict(log_probs: torch.Tensor, alphabet_chars: str, allowed: str) -> torch.Tensor:
    """Log-probs (T, C) with every character outside `allowed` made impossible (blank kept)."""
    keep = torch.tensor([True] + [c in allowed for c in alphabet_chars])
    return log_probs.masked_fill(~keep, float("-inf"))


@dataclass
class Recognition:
    text: str
    alternatives: list[tuple[str, float]] = field(default_factory=list)  # (text, score), best first
    char_confidence: list[float] = field(default_factory=list)  # one per character of text
    elapsed_ms: float = 0.0

    @property
    def word_confidence(self) -> list[tuple[str, float]]:
        """(word, confidence in [0, 1]) for each word of the best text."""
        return word_confidence(self.text, self.char_confidence)

    def shares(self) -> list[float]:
        """Each alternative's share of the n-best's probability, in the same order."""
        return nbest_shares([s for _, s in self.alternatives])


class Recognizer:
    def __init__(self, ckpt: Checkpoint, device: str = "auto", decoder: str | Decoder = "prefix", path: str | None = None, threads: int | None = 1, decoder_options: dict | None = None) -> None:
        # One CPU thread: these sequences are short, and on a busy 2-core machine a second
        # intra-op thread makes recognition many times slower, not faster.
        if threads:
            torch.set_num_threads(threads)
        self.ckpt = ckpt
        self.modality = ckpt.modality
        self.path = path
        self.device = pick_device(device)
        self.model = ckpt.build_model(self.device)
        self.decoder = make_decoder(decoder, ckpt.alphabet, self.modality, **(decoder_options or {})) if isinstance(decoder, str) else decoder

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, modality: str = "handwriting", device: str = "auto", decoder: str | Decoder = "prefix", threads: int | None = 1, decoder_options: dict | None = None) -> "Recognizer":
        """Load a checkpoint (the shipped model for `modality` when no path is given).

        Raises CheckpointError with a readable message for a missing or damaged file.
        """
        p = Path(path) if path else default_model_path(modality)
        return cls(load_checkpoint(p), device, decoder, str(p), threads, decoder_options)

    def features(self, sample: Ink | np.ndarray) -> np.ndarray:
        if self.modality == "handwriting":
            return ink_features(sample, self.ckpt.feature_config)
        return audio_features(sample, self.ckpt.feature_config)

    @torch.inference_mode()
    def log_probs(self, feats: np.ndarray) -> torch.Tensor:
        """Per-frame log-probabilities (T', C) for features (T, F)."""
        x = torch.from_numpy(feats).unsqueeze(0).to(self.device)
        lp, _ = self.model(x, torch.tensor([len(feats)]))
        return lp[0].float().cpu()

    def recognize(self, sample: Ink | np.ndarray, charset: str | None = None) -> Recognition:
        """Text for ink (list of (N, 3) strokes) or audio (mono float32 at 16 kHz).

        `charset` restricts the output to some characters (a name from CHARSETS, such as
        "digits", or the characters themselves): the hint a number field gives, which
        settles what shape alone cannot (0 or O, 1 or l, S or s).
        """
        t0 = time.perf_counter()
        feats = self.features(sample)
        if len(feats) == 0:
            return Recognition("", [], [], (time.perf_counter() - t0) * 1000)
        lp = self.log_probs(feats)
        if charset:
            lp = restrict(lp, self.ckpt.alphabet.chars, CHARSETS.get(charset, charset))
        hyps = self.decoder.decode(lp)
        best = hyps[0]
        return Recognition(best.text, [(h.text, h.score) for h in hyps], best.char_confidence, (time.perf_counter() - t0) * 1000)

    recognize_ink = recognize
    recognize_audio = recognize

    def set_decoder(self, name: str, **options) -> None:
        """Switch decoding (greedy, prefix, beam, beam-free) without reloading the model."""
        self.decoder = make_decoder(name, self.ckpt.alphabet, self.modality, **options)

    def describe(self) -> str:
        info = self.ckpt.info
        name = info.get("name") or (Path(self.path).stem if self.path else self.modality)
        return f"{name} ({self.device})"
