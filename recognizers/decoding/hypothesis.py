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


def join_lines(lines: list[list[Hypothesis]], nbest: int = 5, sep: str = "\n") -> list[Hypothesis]:
    """Hypotheses for several pieces read one by one (lines, or the words of a line; each list
    best first): the best is the pieces' best joined with `sep`; the alternatives change one
    piece to its alternative."""
    if not lines:
        return []
    best = [h[0] for h in lines]
    total = sum(h.score for h in best)
    conf: list[float] = []
    for k, h in enumerate(best):
        ok = len(h.char_confidence) == len(h.text)
        conf += (h.char_confidence if ok else [1.0] * len(h.text)) + ([1.0] if k < len(best) - 1 else [])
    out = [Hypothesis(sep.join(h.text for h in best), total, conf)]
    alts = []
    for k, hs in enumerate(lines):
        for h in hs[1:]:
            if best[k].text.strip() and not h.text.strip():
                continue  # a piece read as nothing would leave a stray separator (" 2 3 4")
            texts = [b.text for b in best]
            texts[k] = h.text
            alts.append(Hypothesis(sep.join(texts), total - best[k].score + h.score))
    alts.sort(key=lambda h: -h.score)
    return out + alts[: max(nbest - 1, 0)]
