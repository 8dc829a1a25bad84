"""Beam-search CTC decoding with a lexicon and a word language model (flashlight-text).

Two modes, one class:

- ``lexicon``: every word must be in the word list (the shipped English list plus the
  user's own words); a word bigram model (ARPA, read by KenLM) scores them. For prose.
- ``free``: any character sequence (names, numbers, codes); no language model, n-best only.

The user's own words join the lexicon with a boost: their unigram log-probability is set
to that of a common word, so they win without retraining. Handwriting keeps its case: the
lexicon spells each word lower-case, Capitalised and UPPER-case, and the text is read
from the decoded characters, not from the language model's (lower-case) word.
"""

from __future__ import annotations

import math
import tempfile
from functools import lru_cache
from pathlib import Path

import torch

from recognizers.paths import resource_path
from recognizers.alphabet import Alphabet
from recognizers.decoding.ctc import PrefixBeamDecoder, aligned_confidence, greedy_path
from recognizers.decoding.hypothesis import Hypothesis
from recognizers.decoding.word_lm import WordLM

LM_DIR = resource_path("lm")
WORDS = LM_DIR / "en-words.txt"
ARPA = LM_DIR / "en-bigram.arpa"
TUNED = LM_DIR / "decoder.json"  # the beam's weights and search options per modality, from scripts/tune_beam.py
SIL = "|"  # the word-boundary token flashlight needs; our space maps to it
BLANK_TOKEN = "<blk>"


def tuned_options(modality: str) -> dict:
    """The decoder weights tuned on held-out data for `modality` (empty when untuned)."""
    import json

    if TUNED.exists():
        return dict(json.loads(TUNED.read_text()).get(modality, {}))
    return {}


@lru_cache(maxsize=2)
def shipped_lm(path: Path = ARPA) -> WordLM:
    """The shipped word model, read once per process (a decoder is rebuilt whenever the
    user's words change)."""
    return WordLM.read_arpa(path)


def _spellings(word: str, alphabet: Alphabet, cased: bool) -> list[str]:
    forms = {word}
    if cased:
        forms |= {word[:1].upper() + word[1:], word.upper()}
    return [f for f in forms if alphabet.covers(f) and " " not in f]


class LexiconBeamDecoder:
    def __init__(
        self,
        alphabet: Alphabet,
        mode: str = "lexicon",
        user_words: list[str] | None = None,
        max_words: int = 20000,
        beam_size: int = 50,
        beam_threshold: float = 50.0,
        nbest: int = 5,
        lm_weight: float = 0.5,
        word_score: float = 2.0,
        user_boost_logprob: float = -2.5,
        oov_logprob: float = -7.0,
        search_nbest: int | None = None,
        search_lm_weight: float | None = None,
        search_word_score: float | None = None,
    ) -> None:
        """`lm_weight`, `word_score` and `oov_logprob` rank the candidates (`rescore`);
        the `search_*` options steer flashlight's beam that finds them (`search_nbest`
        hypotheses kept, at least `nbest`; its LM weight and word score default to the
        ranking's). Sentences of speech gain from a wider, more LM-led search than a word."""
        from torchaudio.models.decoder import ctc_decoder

        if " " not in alphabet.chars:
            raise ValueError("beam decoding needs an alphabet with a space")
        self.alphabet, self.mode, self.nbest = alphabet, mode, nbest
        self.lm_weight, self.word_score, self.oov_logprob = lm_weight, word_score, oov_logprob
        self.lm = WordLM({})
        self.free = PrefixBeamDecoder(alphabet, beam=8, nbest=nbest)
        self.tokens = [BLANK_TOKEN] + [SIL if c == " " else c for c in alphabet.chars]
        self._tmp = tempfile.TemporaryDirectory(prefix="scrivox-lm-")
        tmp = Path(self._tmp.name)
        (tmp / "tokens.txt").write_text("\n".join(self.tokens) + "\n")
        cased = any(c.isupper() for c in alphabet.chars)
        kwargs = dict(tokens=str(tmp / "tokens.txt"), nbest=max(search_nbest or 0, nbest) if mode == "lexicon" else nbest, beam_size=beam_size, beam_threshold=beam_threshold, blank_token=BLANK_TOKEN, sil_token=SIL, unk_word="<unk>")
        if mode == "lexicon":
            words = WORDS.read_text().split()[:max_words]
            user = [w for w in (user_words or []) if w.strip()]
            lex_lines = []
            for w in words + [u.lower() for u in user]:
                for sp in _spellings(w, alphabet, cased):
                    lex_lines.append(f"{w}\t{' '.join(sp)} {SIL}")
            for u in user:  # keep the user's own spelling too (e.g. "McArthur")
                if alphabet.covers(u) and " " not in u:
                    lex_lines.append(f"{u.lower()}\t{' '.join(u)} {SIL}")
            (tmp / "lexicon.txt").write_text("\n".join(dict.fromkeys(lex_lines)) + "\n")
            lm_path = self._write_lm(tmp, words, [u.lower() for u in user], user_boost_logprob)
            self.decoder = ctc_decoder(lexicon=str(tmp / "lexicon.txt"), lm=str(lm_path),
                                       lm_weight=lm_weight if search_lm_weight is None else search_lm_weight,
                                       word_score=word_score if search_word_score is None else search_word_score, sil_score=0.0, log_add=True, **kwargs)
        elif mode == "free":
            self.decoder = ctc_decoder(lexicon=None, lm=None, **kwargs)
        else:
            raise ValueError(f"unknown beam mode {mode!r} (lexicon or free)")

    def _write_lm(self, tmp: Path, words: list[str], user: list[str], boost: float) -> Path:
        """The shipped model restricted to `words`, plus the user's words at `boost`."""
        self.lm = shipped_lm().restricted(words, {u: boost for u in user})
        path = tmp / "lm.arpa"
        self.lm.write_arpa(path)
        return path

    def decode(self, log_probs: torch.Tensor) -> list[Hypothesis]:
        """log_probs: (T, C). Returns up to nbest hypotheses, best first.

        In lexicon mode the lexicon's n-best meet the unconstrained n-best, and all are
        rescored alike: CTC log-likelihood + lm_weight * word log-probabilities +
        word_score per word, where a word outside the lexicon costs `oov_logprob`. So a
        misread English word is corrected, while a code, a number or a name still comes
        through when the ink or the voice clearly says it.
        """
        em = log_probs.detach().float().cpu().contiguous()
        texts = self.candidates(em)
        ranked = sorted(zip(self.rescore(em, texts), texts), key=lambda st: -st[0])[: self.nbest]
        g_labels, g_conf, g_score = greedy_path(em)
        greedy_text = self.alphabet.decode(g_labels)
        out = [Hypothesis(t, float(sc)) for sc, t in ranked]
        if out:  # confidences for the best only, as the prefix decoder gives
            out[0].char_confidence = g_conf if out[0].text == greedy_text else aligned_confidence(em, self.alphabet.encode(out[0].text))
        return out or [Hypothesis(greedy_text, g_score, g_conf)]

    def candidates(self, em: torch.Tensor) -> list[str]:
        """Distinct candidate texts: the flashlight beam's n-best (and, in lexicon mode,
        the unconstrained prefix beam's n-best)."""
        texts: list[str] = []
        for h in self.decoder(em.unsqueeze(0))[0]:
            toks = [self.tokens[i] for i in h.tokens.tolist() if self.tokens[i] != BLANK_TOKEN]
            texts.append(" ".join("".join(" " if t == SIL else t for t in toks).split()))
        if self.mode == "lexicon":
            texts += [h.text for h in self.free.decode(em)]
        return list(dict.fromkeys(texts))

    def rescore(self, em: torch.Tensor, texts: list[str], lm_weight: float | None = None, word_score: float | None = None, oov_logprob: float | None = None) -> list[float]:
        """Total score of each text (higher is better); weights default to the decoder's."""
        ac = self.ctc_logp(em, texts)
        if self.mode == "free":
            return ac
        lw = self.lm_weight if lm_weight is None else lm_weight
        ws = self.word_score if word_score is None else word_score
        oov = self.oov_logprob if oov_logprob is None else oov_logprob
        return [a + lw * self.lm_score(t, oov) + ws * len(t.split()) for a, t in zip(ac, texts)]

    def ctc_logp(self, em: torch.Tensor, texts: list[str]) -> list[float]:
        """log p(text | input) under CTC for each text (batched; an empty text is allowed)."""
        if not texts:
            return []
        targets = [self.alphabet.encode(t) for t in texts]
        T = em.shape[0]
        flat = torch.tensor([i for t in targets for i in t], dtype=torch.long)
        nll = torch.nn.functional.ctc_loss(
            em.unsqueeze(1).expand(T, len(texts), em.shape[1]),
            flat,
            torch.full((len(texts),), T, dtype=torch.long),
            torch.tensor([len(t) for t in targets], dtype=torch.long),
            blank=0,
            reduction="none",
            zero_infinity=False,
        )
        return [-float(x) for x in nll]

    def lm_score(self, text: str, oov_logprob: float) -> float:
        """Natural-log bigram score of the words of `text` (case and edge punctuation
        ignored). A number or an unknown word breaks the chain: the next word is scored
        without context."""
        total, prev = 0.0, None
        for w in text.split():
            core = w.strip(".,;:!?\"'()-/&%$+=@#").lower()
            is_word = bool(core) and not any(c.isdigit() for c in core)
            lp = self.lm.logprob(prev, core) if is_word else NUMBER_LOGPROB
            if lp is None:
                lp = oov_logprob
            prev = core if is_word and core in self.lm else None
            total += lp * math.log(10)
        return total


NUMBER_LOGPROB = -3.0  # numbers, and lone punctuation, are neither words nor out-of-vocabulary
