"""Error rates: CER, WER and exact match, with DESIGN.md's scoring rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from recognizers.modality import Modality


def edit_distance(ref: str | list[str], hyp: str | list[str]) -> int:
    """Levenshtein distance between two strings, or two lists of words."""
    return Levenshtein.distance(ref, hyp)


def score_text(text: str, modality: str) -> str:
    """Text as it is scored: handwriting exactly as written (spaces folded); speech normalised."""
    if modality == Modality.SPEECH:
        from recognizers.text_norm import normalize_text

        return normalize_text(text)
    return " ".join(text.split())


@dataclass
class ErrorRates:
    n: int
    cer: float
    wer: float
    exact: float

    def as_dict(self) -> dict:
        return {"n": self.n, "cer": self.cer, "wer": self.wer, "exact": self.exact}


def error_rates(pairs: Iterable[tuple[str, str]], modality: str) -> ErrorRates:
    """Corpus-level rates over (reference, hypothesis) pairs: edits summed, then divided by
    the summed reference length (characters for CER, words for WER)."""
    n = char_err = char_tot = word_err = word_tot = exact = 0
    for ref, hyp in pairs:
        r, h = score_text(ref, modality), score_text(hyp, modality)
        n += 1
        char_err += edit_distance(r, h)
        char_tot += max(len(r), 1)
        rw, hw = r.split(), h.split()
        word_err += edit_distance(rw, hw)
        word_tot += max(len(rw), 1)
        exact += int(r == h)
    if n == 0:
        return ErrorRates(0, 0.0, 0.0, 0.0)
    return ErrorRates(n, char_err / char_tot, word_err / word_tot, exact / n)
