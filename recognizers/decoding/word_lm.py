"""A word bigram language model in ARPA form: estimate, read, score, restrict, write.

KenLM (inside flashlight-text) reads the written file during the beam search; the same model
scores the candidates again in Python when they are rescored, so both see one model.
Log-probabilities are base 10, as in ARPA files.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

SPECIAL = ("<unk>", "<s>", "</s>")


@dataclass
class WordLM:
    unigram: dict[str, float]  # word -> log10 p(word)
    backoff: dict[str, float] = field(default_factory=dict)  # word -> log10 backoff weight
    bigram: dict[tuple[str, str], float] = field(default_factory=dict)  # (prev, word) -> log10 p
    # word -> a raised unigram log10 p (a user's words), laid over the tables above so that a
    # boost does not copy them: each recognizer with personal words held a copy (~12 MB)
    boost: dict[str, float] = field(default_factory=dict)

    def __contains__(self, word: str) -> bool:
        return word in self.unigram or word in self.boost

    def _unigram(self, word: str) -> float | None:
        p, b = self.unigram.get(word), self.boost.get(word)
        return p if b is None else b if p is None else max(p, b)

    def logprob(self, prev: str | None, word: str) -> float | None:
        """log10 p(word | prev); `prev` None means no context. None when `word` is unknown."""
        uni = self._unigram(word)
        if uni is None:
            return None
        if prev is not None:
            bg = self._bigram(prev, word, uni)
            return bg if bg is not None else self.backoff.get(prev, 0.0) + uni
        return uni

    def _bigram(self, prev: str, word: str, uni: float) -> float | None:
        """The listed bigram, unless it is below what a boosted word gets by backing off
        (it would undo the boost)."""
        bg = self.bigram.get((prev, word))
        if bg is not None and word in self.boost and bg < self.backoff.get(prev, 0.0) + uni:
            return None
        return bg

    def restricted(self, words: Iterable[str], extra: dict[str, float] | None = None) -> "WordLM":
        """The model over `words` (plus the special tokens); `extra` words get these
        unigram log-probabilities where that is higher than what they had (a boost).
        When no word is dropped the result shares this model's tables (itself when nothing
        is boosted either; treat the result as read-only)."""
        keep = set(words) | set(SPECIAL)
        extra = {**{w: p for w, p in self.boost.items() if w in keep},
                 **{w: max(p, self.boost.get(w, p)) for w, p in (extra or {}).items()}}
        if not extra and not any(w not in SPECIAL for w in keep):
            raise ValueError("a word model needs at least one word")
        if keep.issuperset(self.unigram):  # nothing to drop: the same tables, shared (all 60,000 words)
            return self if extra == self.boost else WordLM(self.unigram, self.backoff, self.bigram, extra)
        uni = {w: p for w, p in self.unigram.items() if w in keep}
        for w, p in extra.items():
            uni[w] = max(uni.get(w, -99.0), p)
        if not any(w not in SPECIAL for w in uni):
            raise ValueError("a word model needs at least one word")
        bo = {w: b for w, b in self.backoff.items() if w in uni}
        # a listed bigram below what the boosted word gets by backing off would undo the boost
        bi = {k: p for k, p in self.bigram.items() if k[0] in uni and k[1] in uni
              and not (k[1] in extra and p < bo.get(k[0], 0.0) + uni[k[1]])}
        return WordLM(uni, bo, bi)

    # ---- ARPA

    def _bigrams(self) -> Iterator[tuple[tuple[str, str], float]]:
        """The listed bigrams as the model uses them (those a boost overrides left out)."""
        if not self.boost:
            yield from self.bigram.items()
            return
        for (a, b), p in self.bigram.items():
            if self._bigram(a, b, self._unigram(b)) is not None:
                yield (a, b), p

    def iter_arpa(self) -> Iterator[str]:
        """The model as ARPA text, line by line (a generator, so writing the file never holds
        it all in memory). KenLM insists on a bigram section: a model without bigrams gets one
        that says no more than the unigrams do."""
        words = list(self.unigram) + [w for w in self.boost if w not in self.unigram]
        n_bigrams = sum(1 for _ in self._bigrams()) if self.boost else len(self.bigram)
        bigrams = self._bigrams
        if not n_bigrams:
            common = max((w for w in words if w not in SPECIAL), key=self._unigram)
            n_bigrams, bigrams = 1, lambda: iter([(("<s>", common), self._unigram(common))])
        yield from ("\\data\\", f"ngram 1={len(words)}", f"ngram 2={n_bigrams}", "", "\\1-grams:")
        yield from (f"{self._unigram(w):.4f}\t{w}\t{self.backoff.get(w, 0.0):.4f}" for w in words)
        yield from ("", "\\2-grams:")
        yield from (f"{p:.4f}\t{a} {b}" for (a, b), p in bigrams())
        yield from ("", "\\end\\")

    def arpa_lines(self) -> list[str]:
        return list(self.iter_arpa())

    def write_arpa(self, path: str | Path) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(line + "\n" for line in self.iter_arpa())

    @classmethod
    def read_arpa(cls, path: str | Path) -> "WordLM":
        """Unigrams and bigrams of an ARPA file (higher orders are not supported)."""
        uni: dict[str, float] = {}
        bo: dict[str, float] = {}
        bi: dict[tuple[str, str], float] = {}
        words: dict[str, str] = {}
        order = 0
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                if line.startswith("\\"):
                    order = int(line[1]) if line[1:2].isdigit() else 0
                    continue
                if order == 0:
                    continue
                parts = line.split("\t")
                if order == 1:
                    words[parts[1]] = parts[1]
                    uni[parts[1]] = float(parts[0])
                    if len(parts) > 2 and float(parts[2]) != 0.0:
                        bo[parts[1]] = float(parts[2])
                elif order == 2:
                    a, b = parts[1].split(" ")
                    # the unigram's own string objects, not two new ones per bigram (~15 MB)
                    bi[(words.get(a, a), words.get(b, b))] = float(parts[0])
                else:
                    raise ValueError(f"{path}: only unigram and bigram models are supported")
        return cls(uni, bo, bi)


def estimate_bigrams(unigram_p: dict[str, float], sentences: Iterable[list[str]],
                     min_count: int = 2) -> WordLM:
    """A bigram model whose unigrams are given (`unigram_p`: word -> probability, summing
    to about 1) and whose bigrams are counted in `sentences` (lists of words).

    Interpolated absolute discounting: p(w|v) = max(c(v,w) - D, 0) / c(v) + D N(v) / c(v)
    p(w), with D = n1 / (n1 + 2 n2) from the count-of-counts and N(v) the number of words
    seen after v. Only bigrams seen `min_count` times or more are listed; the rest fall
    back to the unigrams through v's backoff weight, which keeps every p(.|v) summing to 1.
    Bigrams are counted only between words in the vocabulary (an unknown word breaks the
    chain), and not from the sentence start: a lone word, such as a handwritten one, is
    scored by its unigram probability alone. The sentence end costs nothing.
    """
    import math

    counts: Counter[tuple[str, str]] = Counter()
    for words in sentences:
        for a, b in zip(words, words[1:]):
            if a in unigram_p and b in unigram_p:
                counts[(a, b)] += 1
    n1 = sum(1 for c in counts.values() if c == 1)
    n2 = sum(1 for c in counts.values() if c == 2)
    discount = min(max(n1 / (n1 + 2 * n2), 0.1), 0.9) if n1 + n2 else 0.5
    ctx_total: Counter[str] = Counter()
    ctx_types: Counter[str] = Counter()
    for (a, _), c in counts.items():
        ctx_total[a] += c
        ctx_types[a] += 1
    bigram: dict[tuple[str, str], float] = {}
    kept_p: Counter[str] = Counter()  # per context: sum of listed p(w|v)
    kept_uni: Counter[str] = Counter()  # per context: sum of p(w) over the listed w
    for (a, b), c in counts.items():
        if c < min_count:
            continue
        p = (c - discount) / ctx_total[a] + discount * ctx_types[a] / ctx_total[a] * unigram_p[b]
        bigram[(a, b)] = math.log10(p)
        kept_p[a] += p
        kept_uni[a] += unigram_p[b]
    backoff = {a: math.log10(max(1.0 - kept_p[a], 1e-12) / max(1.0 - kept_uni[a], 1e-12)) for a in kept_p}
    # The end of a text is not scored (</s> has probability 1), as in the Python rescoring;
    # without these entries KenLM would add the last word's backoff weight at the end.
    for a in backoff:
        bigram[(a, "</s>")] = 0.0
    uni = {"<unk>": -99.0, "<s>": -99.0, "</s>": 0.0}
    uni.update({w: math.log10(p) for w, p in unigram_p.items()})
    return WordLM(uni, backoff, bigram)
