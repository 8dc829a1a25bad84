"""Turning per-frame CTC log-probabilities into text: greedy, prefix beam, lexicon + word LM, confidence.

`make_decoder(settings, alphabet, modality)` is the one way to get a decoder; the settings
are one frozen dataclass, so the GUI, the CLI and the benchmarks pass the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from recognizers.decoding.hypothesis import Decoder, Hypothesis

if TYPE_CHECKING:
    from recognizers.alphabet import Alphabet

__all__ = ["DECODERS", "Decoder", "DecoderSettings", "Hypothesis", "make_decoder"]

DECODERS = ("greedy", "prefix", "beam", "beam-free")


@dataclass(frozen=True)
class DecoderSettings:
    """How to decode: the decoder's name and its options. None means "the tuned value"
    (resources/lm/decoder.json, per modality) for the beam decoders' weights; a weight given
    here sets both the search's and the ranking's (the tuned search width and lexicon stay)."""

    name: str = "greedy"  # one of DECODERS
    nbest: int = 5
    beam: int = 8  # prefix beam width
    user_words: tuple[str, ...] = field(default=())  # personal vocabulary, joins the lexicon (beam)
    lm_weight: float | None = None
    word_score: float | None = None
    oov_logprob: float | None = None

    def __post_init__(self) -> None:
        if self.name not in DECODERS:
            raise ValueError(f"unknown decoder {self.name!r} ({', '.join(DECODERS)})")
        object.__setattr__(self, "user_words", tuple(self.user_words))

    def replace(self, **changes) -> "DecoderSettings":
        return replace(self, **changes)


def make_decoder(settings: DecoderSettings | str, alphabet: Alphabet, modality: str = "handwriting") -> Decoder:
    """A decoder for `settings` (or a bare decoder name with default settings)."""
    from recognizers.decoding.ctc import GreedyDecoder, PrefixBeamDecoder  # torch loads with the first decoder

    s = DecoderSettings(settings) if isinstance(settings, str) else settings
    if s.name == "greedy":
        return GreedyDecoder(alphabet)
    if s.name == "prefix":
        return PrefixBeamDecoder(alphabet, beam=s.beam, nbest=s.nbest)
    from recognizers.decoding.lexicon import LexiconBeamDecoder, tuned_options  # flashlight-text loads only when asked for

    opts = tuned_options(modality)
    for key in ("lm_weight", "word_score", "oov_logprob"):
        if getattr(s, key) is not None:
            opts[key] = getattr(s, key)
            if key != "oov_logprob":  # a weight given explicitly drives the search too
                opts[f"search_{key}"] = getattr(s, key)
    mode = "lexicon" if s.name == "beam" else "free"
    return LexiconBeamDecoder(alphabet, mode, user_words=list(s.user_words) or None, nbest=s.nbest, **opts)
