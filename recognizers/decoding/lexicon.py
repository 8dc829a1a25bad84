"""Beam-search CTC decoding with a lexicon and a word language model (flashlight-text).

Two modes, one class:

- ``lexicon``: every word must be in the word list (the shipped English list plus the
  user's own words); a word bigram model (ARPA, read by KenLM) scores them. For prose.
- ``free``: any character sequence (names, numbers, codes); no language model, n-best only.

The user's own words join the lexicon with a boost: their unigram log-probability is set
to that of a common word, so they win without retraining. Handwriting keeps its case: the
search runs case-folded over lower-case words, and each candidate word then takes the form
(lower, Capitalised, UPPER, or the user's own spelling) its ink reads best as.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import math
import os
import re
import sys
import tempfile
import threading
import weakref
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import torch

from recognizers.paths import resource_path
from recognizers.alphabet import Alphabet
from recognizers.decoding.confidence import cap_by_posteriors, share_floor
from recognizers.decoding.ctc import PrefixBeamDecoder, aligned_confidence, ctc_log_likelihood, greedy_path, word_cased_confidence
from recognizers.decoding.hypothesis import Hypothesis
from recognizers.decoding.word_lm import WordLM

LM_DIR = resource_path("lm")
WORDS = LM_DIR / "en-words.txt"
ARPA = LM_DIR / "en-bigram.arpa"
TUNED = LM_DIR / "decoder.json"  # the beam's weights and search options per modality, from scripts/tune_beam.py
SIL = "|"  # the word-boundary token flashlight needs; our space maps to it
BLANK_TOKEN = "<blk>"


# What KenLM writes to the process's stderr while it reads an ARPA file: advice to build a
# binary (we build the model per user word list, so there is no binary to ship) and a progress
# ruler. Nothing a person at a terminal can act on.
KENLM_CHATTER = re.compile(r"^(Loading the LM will be faster if you build a binary file\.|Reading \S+\.arpa|[\d-]+|\*+)$")
_stderr_swap = threading.Lock()  # one swap of fd 2 at a time: overlapping ones would restore each other's files


@contextlib.contextmanager
def kenlm_quiet() -> Iterator[None]:
    """Hold back KenLM's chatter on file descriptor 2 while the LM loads; every other
    non-blank line written there meanwhile (by any thread) is passed on afterwards, in order."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real stderr (a GUI without a terminal)
        yield
        return
    with _stderr_swap, tempfile.TemporaryFile() as held:
        sys.stderr.flush()
        saved = os.dup(fd)
        os.dup2(held.fileno(), fd)
        try:
            yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)
            held.seek(0)
            kept = [ln for ln in held.read().decode("utf-8", "replace").splitlines() if ln.strip() and not KENLM_CHATTER.match(ln.strip())]
            if kept:
                os.write(fd, ("\n".join(kept) + "\n").encode())


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


class LexiconSearch:
    """A lexicon's trie and its word model (KenLM), built once and shared by every decoder
    that searches the same words with the same model: the handwriting and speech beams
    spell the same 60,000 words, and each trie with its model held about 70 MB.
    Its tokens are blank, the word boundary and the letters the words use; a decoder hands it
    those columns of its own output (the others can never be in a word)."""

    _built: "weakref.WeakValueDictionary[str, LexiconSearch]" = weakref.WeakValueDictionary()
    _lock = threading.Lock()

    def __init__(self, lexicon: list[str], lm_path: Path) -> None:
        from flashlight.lib.text.decoder import SmearingMode, Trie
        from flashlight.lib.text.decoder.kenlm import KenLM
        from flashlight.lib.text.dictionary import Dictionary

        self.tokens = [BLANK_TOKEN, SIL] + sorted({c for w in lexicon for c in w})
        index = {t: i for i, t in enumerate(self.tokens)}
        # the word dictionary torchaudio's ctc_decoder makes (create_word_dict of the lexicon,
        # "<unk>" the default), entry by entry: handing flashlight the whole lexicon as a
        # dict of spellings held about 50 MB more while it was built
        self.word_dict = Dictionary()
        for w in lexicon:
            self.word_dict.add_entry(w)
        self.word_dict.add_entry("<unk>")
        self.unk = self.word_dict.get_index("<unk>")
        self.word_dict.set_default_index(self.unk)
        with kenlm_quiet():
            self.lm = KenLM(str(lm_path), self.word_dict)
        # as ctc_decoder builds it: each word's unigram score, smeared up the trie
        self.trie = Trie(len(self.tokens), index[SIL])
        start = self.lm.start(False)
        sil = index[SIL]
        for w in lexicon:
            wi = self.word_dict.get_index(w)
            _, score = self.lm.score(start, wi)
            self.trie.insert([index[c] for c in w] + [sil], wi, score)
        self.trie.smear(SmearingMode.MAX)

    @classmethod
    def shared(cls, lexicon: list[str], lm_path: Path) -> "LexiconSearch":
        """The search over `lexicon` and the model in `lm_path`, built unless a decoder
        alive holds the same one."""
        h = hashlib.sha256("\n".join(lexicon).encode())
        # the shipped model is named; a model written with the user's words is known by its bytes
        h.update(b"\0" + (b"shipped" if Path(lm_path) == ARPA else Path(lm_path).read_bytes()))
        key = h.hexdigest()
        with cls._lock:
            search = cls._built.get(key)
            if search is None:
                search = cls._built[key] = cls(lexicon, lm_path)
            return search

    def decoder(self, options) -> object:
        """A flashlight lexicon decoder over this trie and model (its own beam; they are read only)."""
        from flashlight.lib.text.decoder import LexiconDecoder

        return LexiconDecoder(options, self.trie, self.lm, self.tokens.index(SIL), 0, self.unk, [], False)

    def decode(self, decoder, em: torch.Tensor, nbest: int) -> list[list[str]]:
        """The `nbest` token sequences (repeats merged) for log-probabilities `em` (T, tokens)."""
        em = em.float().contiguous()
        results = decoder.decode(em.data_ptr(), em.shape[0], em.shape[1])[:nbest]
        return [[self.tokens[i] for i, _ in itertools.groupby(r.tokens)] for r in results]


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
        oov_letters: int = 0,
        search_nbest: int | None = None,
        search_lm_weight: float | None = None,
        search_word_score: float | None = None,
    ) -> None:
        """`lm_weight`, `word_score` and `oov_logprob` rank the candidates (`rescore`);
        the `search_*` options steer flashlight's beam that finds them (`search_nbest`
        hypotheses kept, at least `nbest`; its LM weight and word score default to the
        ranking's). Sentences of speech gain from a wider, more LM-led search than a word."""
        if " " not in alphabet.chars:
            raise ValueError("beam decoding needs an alphabet with a space")
        self.alphabet, self.mode, self.nbest = alphabet, mode, nbest
        self.lm_weight, self.word_score, self.oov_logprob = lm_weight, word_score, oov_logprob
        # an unknown word longer than this many letters costs oov_logprob per that many
        # (0: one price for all): handwritten words run together ("thequickbrown") read as
        # one long unknown word, which a flat price made cheaper than the words they are
        self.oov_letters = oov_letters
        self.lm = WordLM({})
        self.free = PrefixBeamDecoder(alphabet, beam=8, nbest=nbest)
        # A cased alphabet (handwriting) is searched case-folded: each letter's column is the
        # sum of its lower- and upper-case probabilities, the lexicon holds each word once, in
        # lower case, and `_cased` gives every candidate back the case the ink shows. Spelling
        # each word three ways (lower, Capitalised, UPPER) had tripled flashlight's trie
        # (measured 45 MB more for 20,000 words) and its token set.
        self.cased = mode == "lexicon" and any(c.isupper() for c in alphabet.chars)
        # speech: a word's confidence is capped by its share of the n-best (`cap_by_posteriors`),
        # measured to mark more of the wrong words and fewer right ones (docs/decoding.md,
        # *Session 32*); handwriting, read a word at a time, keeps its letters' and case measure
        self.word_posteriors = mode == "lexicon" and not self.cased
        search_chars = "".join(c for c in alphabet.chars if not (c.isupper() and c.lower() in alphabet.chars)) if self.cased else alphabet.chars
        self._fold = _fold_columns(alphabet, search_chars) if self.cased else None
        self.user_spellings: dict[str, list[str]] = {}  # a user's word in lower case -> their own spelling
        self.personal: set[str] = set()  # the user's words in lower case (scored as words, `lm_score`)
        self.tokens = [BLANK_TOKEN] + [SIL if c == " " else c for c in search_chars]
        self.search_nbest = max(search_nbest or 0, nbest) if mode == "lexicon" else nbest
        if mode == "lexicon":
            search_alphabet = Alphabet(search_chars)
            words = WORDS.read_text().split()[:max_words]
            # a personal "word" with a space in it cannot be a lexicon entry, and KenLM
            # refuses a unigram with one: such an entry is left out
            typed = [w for w in (user_words or []) if w.strip() and not any(c.isspace() for c in w)]
            # a word typed with a comma or quotes ("Scrivox,", "(Ngozi)") is also the bare word:
            # the ranking looks words up without their edge punctuation (`lm_score`)
            bare = [core for w in typed if len(core := w.strip(BARE_STRIP)) > 1 and core != w]
            user = list(dict.fromkeys(typed + bare))
            self.personal = {u.lower() for u in user}
            for u in user:  # the user's own spelling (e.g. "McArthur") is kept for `_cased`
                if self.cased and alphabet.covers(u) and u != u.lower():
                    self.user_spellings.setdefault(u.lower(), []).append(u)
            lexicon = list(dict.fromkeys(w for w in words + [u.lower() for u in user] if search_alphabet.covers(w) and " " not in w))
            # flashlight reads the LM file while the search is built, then keeps it in memory:
            # the file goes at once (none is left behind however the app ends)
            with tempfile.TemporaryDirectory(prefix="scrivox-lm-") as tmp_name:
                lm_path = self._write_lm(Path(tmp_name), words, [u.lower() for u in user], user_boost_logprob)
                self._search = LexiconSearch.shared(lexicon, lm_path)
            self._columns = torch.tensor([self.tokens.index(t) for t in self._search.tokens])
            from flashlight.lib.text.decoder import CriterionType, LexiconDecoderOptions

            options = LexiconDecoderOptions(
                beam_size=beam_size, beam_size_token=len(self._search.tokens), beam_threshold=beam_threshold,
                lm_weight=lm_weight if search_lm_weight is None else search_lm_weight,
                word_score=word_score if search_word_score is None else search_word_score,
                unk_score=float("-inf"), sil_score=0.0, log_add=True, criterion_type=CriterionType.CTC)
            self.decoder = self._search.decoder(options)
        elif mode == "free":
            from torchaudio.models.decoder import ctc_decoder

            with tempfile.TemporaryDirectory(prefix="scrivox-lm-") as tmp_name:
                (Path(tmp_name) / "tokens.txt").write_text("\n".join(self.tokens) + "\n")
                self.decoder = ctc_decoder(lexicon=None, lm=None, tokens=str(Path(tmp_name) / "tokens.txt"), nbest=nbest, beam_size=beam_size,
                                           beam_threshold=beam_threshold, blank_token=BLANK_TOKEN, sil_token=SIL, unk_word="<unk>")
        else:
            raise ValueError(f"unknown beam mode {mode!r} (lexicon or free)")

    def _write_lm(self, tmp: Path, words: list[str], user: list[str], boost: float) -> Path:
        """The shipped model restricted to `words`, plus the user's words at `boost`."""
        shipped = shipped_lm()
        self.lm = shipped.restricted(words, {u: boost for u in user})
        if self.lm is shipped:  # every word kept, none boosted: KenLM reads the shipped file
            return ARPA
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
        scores = self.rescore(em, texts)
        ranked = sorted(zip(scores, texts), key=lambda st: -st[0])[: self.nbest]
        g_labels, g_conf, g_score = greedy_path(em)
        greedy_text = self.alphabet.decode(g_labels)
        out = [Hypothesis(t, float(sc)) for sc, t in ranked]
        if out:  # confidences for the best only, as the prefix decoder gives
            out[0].char_confidence = g_conf if out[0].text == greedy_text and not self.cased else self.confidence(em, out[0].text)
        if self.mode == "lexicon":
            share_floor(out)
        if out and self.word_posteriors:
            cap_by_posteriors(out[0], texts, scores)
        return out or [Hypothesis(greedy_text, g_score, g_conf)]

    def confidence(self, em: torch.Tensor, text: str) -> list[float]:
        """Per-letter confidence of `text` on these frames; a cased search sets each word's
        case as a whole, so its letters are judged so too (`word_cased_confidence`)."""
        if self.cased:
            return word_cased_confidence(em, text, self.alphabet)
        return aligned_confidence(em, self.alphabet.encode(text))

    def candidates(self, em: torch.Tensor, free: bool = True) -> list[str]:
        """Distinct candidate texts: the flashlight beam's n-best (and, in lexicon mode
        and when `free`, the unconstrained prefix beam's n-best)."""
        search_em = em if self._fold is None else _folded(em, self._fold)
        texts: list[str] = []
        if self.mode == "lexicon":
            found = self._search.decode(self.decoder, search_em[:, self._columns], self.search_nbest)
        else:
            found = [[self.tokens[i] for i in h.tokens.tolist()] for h in self.decoder(search_em.unsqueeze(0))[0]]
        for toks in found:
            toks = [t for t in toks if t != BLANK_TOKEN]
            texts.append(" ".join("".join(" " if t == SIL else t for t in toks).split()))
        if self.cased:
            texts = [self._cased(em, t) for t in dict.fromkeys(texts)]
        if self.mode == "lexicon" and free:
            texts += [h.text for h in self.free.decode(em)]
        return list(dict.fromkeys(texts))

    def _cased(self, em: torch.Tensor, text: str) -> str:
        """`text` (lower case, from the folded search) with each word in the case the ink
        gives it most likely: lower, Capitalised, UPPER or the user's own spelling, chosen by
        CTC log-likelihood word by word from the left, the words after it still lower."""
        words = text.split(" ")
        for k, w in enumerate(words):
            forms = list(dict.fromkeys([w, w[:1].upper() + w[1:], w.upper(), *self.user_spellings.get(w, [])]))
            if len(forms) == 1:
                continue
            texts = [" ".join(words[:k] + [f] + words[k + 1:]) for f in forms]
            scores = self.ctc_logp(em, texts)
            words[k] = forms[max(range(len(forms)), key=scores.__getitem__)]
        return " ".join(words)

    def rescore(self, em: torch.Tensor, texts: list[str], lm_weight: float | None = None, word_score: float | None = None, oov_logprob: float | None = None) -> list[float]:
        """Total score of each text (higher is better); weights default to the decoder's."""
        ac = self.ctc_logp(em, texts)
        return [a + self.prior(t, lm_weight, word_score, oov_logprob) for a, t in zip(ac, texts)]

    def prior(self, text: str, lm_weight: float | None = None, word_score: float | None = None, oov_logprob: float | None = None) -> float:
        """What the ranking adds to a text's CTC log-likelihood: lm_weight times its word
        LM score plus word_score per word (nothing in free mode)."""
        if self.mode == "free":
            return 0.0
        lw = self.lm_weight if lm_weight is None else lm_weight
        ws = self.word_score if word_score is None else word_score
        oov = self.oov_logprob if oov_logprob is None else oov_logprob
        return lw * self.lm_score(text, oov) + ws * len(text.split())

    def ctc_logp(self, em: torch.Tensor, texts: list[str]) -> list[float]:
        """log p(text | input) under CTC for each text (batched; an empty text is allowed)."""
        return ctc_log_likelihood(em, texts, self.alphabet)

    def lm_score(self, text: str, oov_logprob: float) -> float:
        """Natural-log bigram score of the words of `text` (edge punctuation ignored; a word
        is looked up in lower case when written lower, Capitalised, UPPER or in the user's own
        spelling, and is out of the vocabulary in any other mix of cases). A number (digits
        and signs, "3.50", "2-3+4"; an ordinal, "21st": `NUMBER`), a code ("mp3", "5pm": `CODE`,
        priced a little below a number) or an unknown word
        breaks the chain: the next word is scored without context."""
        total, prev = 0.0, None
        for w in text.split():
            shown = w.strip(EDGE_PUNCT)
            core = shown.lower()
            # a word with a digit inside its letters ("h1jkl", "qr5t") is unknown, not a
            # number, or a letter misread as a digit would beat the letter
            number = NUMBER_LOGPROB if NUMBER.fullmatch(core) else CODE_LOGPROB if CODE.fullmatch(core) else None
            # a personal word is scored as a word even when it looks like a number or a code
            # ("5pm", "b12"), so the person's boost counts; never below the number's price
            personal = core in self.personal
            is_word = bool(core) and (number is None or personal)
            # a word counts as the dictionary's only in a case a word is written in (lower,
            # Capitalised, UPPER, or the user's own spelling): "fOx" from the free search must
            # not borrow the score of "fox", or a shape read at the wrong size wins
            known = is_word and self._plain_case(shown, core)
            lp = (self.lm.logprob(prev, core) if known else None) if is_word else (number or NUMBER_LOGPROB)
            if personal and number is not None:
                lp = max(lp if lp is not None else oov_logprob, number)
            if lp is None:
                lp = oov_logprob * max(1.0, len(core) / self.oov_letters) if self.oov_letters else oov_logprob
            prev = core if known and core in self.lm else None
            total += lp * math.log(10)
        return total

    def known(self, word: str) -> bool:
        """Whether the ranking scores `word` as a word of the lexicon, a personal word, a
        number or a code, not as unknown (edge punctuation aside; marks alone are known)."""
        shown = word.strip(EDGE_PUNCT)
        core = shown.lower()
        if not core or core in self.personal or NUMBER.fullmatch(core) or CODE.fullmatch(core):
            return True
        return core in self.lm and self._plain_case(shown, core)

    def common(self, word: str, floor: float) -> bool:
        """Whether `word` (edge punctuation aside) is a word of the lexicon at least this common
        (log10 unigram probability, lower case) or a personal word: not a number, a code or a
        mark alone. The 60,000 words hold many scraps ("ff", "ck", "ri") no reading should
        be cut into."""
        shown = word.strip(EDGE_PUNCT)
        core = shown.lower()
        if not core.replace("'", "").isalpha():
            return False
        if core in self.personal:
            return True
        p = self.lm.logprob(None, core) if self._plain_case(shown, core) else None
        return p is not None and p >= floor

    def _plain_case(self, shown: str, core: str) -> bool:
        return shown in (core, core[:1].upper() + core[1:], core.upper()) or shown in self.user_spellings.get(core, ())


def _fold_columns(alphabet: Alphabet, search_chars: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """For each search token (blank first): its own column in the model's output, and the
    column of its upper-case letter where it has one (`has_upper`)."""
    own = [0] + [alphabet.encode(c)[0] for c in search_chars]
    upper = [0] + [alphabet.encode(c.upper())[0] if c.upper() != c and c.upper() in alphabet.chars else 0 for c in search_chars]
    return torch.tensor(own), torch.tensor(upper), torch.tensor([u > 0 for u in upper])


def _folded(em: torch.Tensor, fold: tuple[torch.Tensor, torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """Case-folded log-probabilities (T, tokens): a letter's column is log(p(lower) + p(upper))."""
    own, upper, has_upper = fold
    out = em[:, own]
    return torch.where(has_upper, torch.logaddexp(out, em[:, upper]), out).contiguous()


EDGE_PUNCT = ".,;:!?\"'()-/&%$+=@#"  # stripped from a word's ends before it is looked up
BARE_STRIP = ".,;:!?\"'()[]{}"  # what a personal word typed in a sentence may carry ("Scrivox," but "C++" stays)
NUMBER_LOGPROB = -3.0  # numbers, and lone punctuation, are neither words nor out-of-vocabulary
# a number: digits and signs without a letter ("3.50", "2-3+4", "510-874-3861"), an ordinal or a
# decade ("21st", "1990s"); a code: one or two letters and a block of digits, either way round
# ("mp3", "a4", "b12", "5pm", "24h"); a digit inside or after a longer run of letters ("h1jkl",
# "qr5t", "ant8") is a misread letter far more often than either, and is an unknown word
NUMBER = re.compile(r"[^a-z]*\d[^a-z]*|\d+(?:st|nd|rd|th|s|'s)")
CODE = re.compile(r"[a-z]{1,2}\d+|\d+[a-z]{1,2}")
CODE_LOGPROB = NUMBER_LOGPROB - 1.0  # a code is rarer than a number: "200" before "20Q", "908" before "g08"
