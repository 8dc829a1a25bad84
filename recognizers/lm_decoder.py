"""Beam-search CTC decoding with a lexicon and a word language model (flashlight-text).

Two modes, one class:

- ``lexicon``: every word must be in the word list (the shipped English list plus the
  user's own words); a KenLM/ARPA word model scores them. For prose.
- ``free``: any character sequence (names, numbers, codes); no language model, n-best only.

The user's own words join the lexicon with a boost: their unigram log-probability is set
to that of a common word, so they win without retraining. Handwriting keeps its case: the
lexicon spells each word lower-case, Capitalised and UPPER-case, and the text is read
from the decoded characters, not from the language model's (lower-case) word.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import torch

from .alphabet import Alphabet
from .decoding import Hypothesis, greedy_path

LM_DIR = Path(__file__).resolve().parent.parent / "resources" / "lm"
WORDS = LM_DIR / "en-words.txt"
ARPA = LM_DIR / "en-unigram.arpa"
SIL = "|"  # the word-boundary token flashlight needs; our space maps to it
BLANK_TOKEN = "<blk>"


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
    ) -> None:
        from torchaudio.models.decoder import ctc_decoder

        if " " not in alphabet.chars:
            raise ValueError("beam decoding needs an alphabet with a space")
        self.alphabet, self.mode, self.nbest = alphabet, mode, nbest
        self.tokens = [BLANK_TOKEN] + [SIL if c == " " else c for c in alphabet.chars]
        self._tmp = tempfile.TemporaryDirectory(prefix="scrivox-lm-")
        tmp = Path(self._tmp.name)
        (tmp / "tokens.txt").write_text("\n".join(self.tokens) + "\n")
        cased = any(c.isupper() for c in alphabet.chars)
        kwargs = dict(tokens=str(tmp / "tokens.txt"), nbest=nbest, beam_size=beam_size, beam_threshold=beam_threshold, blank_token=BLANK_TOKEN, sil_token=SIL, unk_word="<unk>")
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
            self.decoder = ctc_decoder(lexicon=str(tmp / "lexicon.txt"), lm=str(lm_path), lm_weight=lm_weight, word_score=word_score, sil_score=0.0, log_add=True, **kwargs)
        elif mode == "free":
            self.decoder = ctc_decoder(lexicon=None, lm=None, **kwargs)
        else:
            raise ValueError(f"unknown beam mode {mode!r} (lexicon or free)")

    @staticmethod
    def _write_lm(tmp: Path, words: list[str], user: list[str], boost: float) -> Path:
        """The shipped ARPA model restricted to `words`, plus the user's words at `boost`."""
        keep = set(words)
        probs: dict[str, float] = {}
        for line in ARPA.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and " " not in parts[1] and (parts[1] in keep or parts[1] in ("<unk>", "<s>", "</s>")):
                probs[parts[1]] = float(parts[0])
        for u in user:
            probs[u] = max(probs.get(u, -99.0), boost)
        lines = write_arpa_lines(probs)
        path = tmp / "lm.arpa"
        path.write_text("\n".join(lines))
        return path

    def decode(self, log_probs: torch.Tensor) -> list[Hypothesis]:
        """log_probs: (T, C). Returns up to nbest hypotheses, best first."""
        em = log_probs.detach().float().cpu().contiguous().unsqueeze(0)
        hyps = self.decoder(em)[0]
        out: list[Hypothesis] = []
        seen = set()
        g_labels, g_conf, g_score = greedy_path(log_probs)
        for h in hyps:
            toks = [self.tokens[i] for i in h.tokens.tolist() if self.tokens[i] != BLANK_TOKEN]
            text = " ".join("".join(" " if t == SIL else t for t in toks).split())
            if text in seen:
                continue
            seen.add(text)
            conf = _char_confidence(log_probs, h.timesteps.tolist(), h.tokens.tolist(), self.tokens.index(SIL))
            out.append(Hypothesis(text, float(h.score), conf))
        if not out:  # nothing in the lexicon fits: fall back to the plain best path
            out.append(Hypothesis(self.alphabet.decode(g_labels), g_score, g_conf))
        return out


def write_arpa_lines(unigrams: dict[str, float]) -> list[str]:
    """An ARPA model of these unigram log10-probabilities. KenLM insists on a bigram
    section, so one bigram stands in it that says no more than the unigrams do."""
    common = max((w for w in unigrams if not w.startswith("<")), key=lambda w: unigrams[w])
    lines = ["\\data\\", f"ngram 1={len(unigrams)}", "ngram 2=1", "", "\\1-grams:"]
    lines += [f"{p:.4f}\t{w}\t0" for w, p in unigrams.items()]
    lines += ["", "\\2-grams:", f"{unigrams[common]:.4f}\t<s> {common}", "", "\\end\\", ""]
    return lines


def _char_confidence(log_probs: torch.Tensor, timesteps: list[int], tokens: list[int], sil: int) -> list[float]:
    """Each character's peak posterior between the frame the decoder placed it at and the next."""
    probs = log_probs.detach().float().cpu().exp()
    pairs = [(t, k) for t, k in zip(timesteps, tokens) if k != 0]
    while pairs and pairs[0][1] == sil:
        pairs.pop(0)
    while pairs and pairs[-1][1] == sil:
        pairs.pop()
    conf: list[float] = []
    T = probs.shape[0]
    for j, (t, k) in enumerate(pairs):
        if k == sil and j and pairs[j - 1][1] == sil:
            continue
        end = pairs[j + 1][0] if j + 1 < len(pairs) else T
        lo = min(max(t, 0), T - 1)
        conf.append(float(probs[lo : max(end, lo + 1), k].max()))
    return conf
