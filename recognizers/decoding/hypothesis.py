"""What every decoder returns, and the one interface decoders share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from recognizers.decoding.confidence import word_confidence

if TYPE_CHECKING:  # torch stays unimported until a model is used (the GUI starts without it)
    import torch


@dataclass
class Hypothesis:
    text: str
    score: float  # log-probability-like; higher is better
    char_confidence: list[float] = field(default_factory=list)  # one in [0, 1] per character (the best hypothesis; may be empty for the others)

    @property
    def word_confidence(self) -> list[tuple[str, float]]:
        return word_confidence(self.text, self.char_confidence)


class Decoder(Protocol):
    def decode(self, log_probs: torch.Tensor) -> list[Hypothesis]:
        """log_probs: (T, C) for one sequence. Returns hypotheses, best first (at least one)."""
        ...
