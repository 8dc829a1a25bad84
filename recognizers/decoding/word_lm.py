"""A word bigram language model in ARPA form: estimate, read, score, restrict, write.

KenLM (inside flashlight-text) reads the written file during the beam search; the same model
scores the candidates again in Python when they are rescored, so both see one model.
Log-probabilities are base 10, as in ARPA files.
"""

from __future__ import annotations

import bisect
from array import array
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

SPECIAL = ("<unk>", "<s>", "</s>")


class PackedBigrams(Mapping):
    """(prev, word) -> log10 p, read-only, packed for the shipped model's 178,000 bigrams: a
    sorted array of word-id pairs and one of values, searched by bisection (about 1 µs a
    lookup). The shipped model read this way holds 20.8 MB instead of 32.3 MB (tracemalloc):
    a dict of string pairs costs a tuple, a float and a slot per bigram."""

    def __init__(self, words: list[str], ids: dict[str, int], keys: array, values: array) -> None:
        self._words, self._ids, self._keys, self._values = words, ids, keys, values

    @classmethod
    def build(cls, words: list[str], pairs: Iterable[tuple[str, str, float]]) -> "PackedBigrams":
        """From (prev, word, log10 p) triples, in any order; a word not in `words` is added."""
        import numpy as np

        words = list(words)
        ids = {w: i for i, w in enumerate(words)}
        keys, values = array("q"), array("d")
        pending = []
        for a, b, p in pairs:
            for w in (a, b):
                if w not in ids:
                    ids[w] = len(words)
                    words.append(w)
                    pending.append(w)
            keys.append(ids[a] << 32 | ids[b])
            values.append(p)
        order = np.argsort(np.frombuffer(keys, np.int64), kind="stable")
        sorted_keys, sorted_values = array("q"), array("d")
        sorted_keys.frombytes(np.frombuffer(keys, np.int64)[order].tobytes())
        sorted_values.frombytes(np.frombuffer(values, np.float64)[order].tobytes())
        return cls(words, ids, sorted_keys, sorted_values)

    def _find(self, pair: tuple[str, str]) -> int:
        a, b = self._ids.get(pair[0]), self._ids.get(pair[1])
        if a is None or b is None:
            return -1
        key = a << 32 | b
        i = bisect.bisect_left(self._keys, key)
        return i if i < len(self._keys) and self._keys[i] == key else -1

    def __getitem__(self, pair: tuple[str, str]) -> float:
        i = self._find(pair)
        if i < 0:
            raise KeyError(pair)
        return self._values[i]

    def get(self, pair: tuple[str, str], default: float | None = None) -> float | None:
        i = self._find(pair)
        return default if i < 0 else self._values[i]

    def __contains__(self, pair: object) -> bool:
        return isinstance(pair, tuple) and len(pair) == 2 and self._find(pair) >= 0

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        w = self._words
        return ((w[k >> 32], w[k & 0xFFFFFFFF]) for k in self._keys)

    def items(self) -> Iterator[tuple[tuple[str, str], float]]:  # type: ignore[override]
        return zip(iter(self), self._values)


@dataclass
class WordLM:
    unigram: dict[str, float]  # word -> log10 p(word)
    backoff: dict[str, float] = field(default_factory=dict)  # word -> log10 backoff weight
    # (prev, word) -> log10 p; a model read from a file holds them packed (`PackedBigrams`)
    bigram: Mapping[tuple[str, str], float] = field(default_factory=dict)
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
            # as `_bigram` decides, with the value in hand (a packed lookup costs ~1 µs a pair)
            if b not in self.boost or p >= self.backoff.get(a, 0.0) + self._unigram(b):
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
        """Unigrams and bigrams of an ARPA file (higher orders are not supported); the
        bigrams packed (`PackedBigrams`)."""
        uni: dict[str, float] = {}
        bo: dict[str, float] = {}
        order = 0

        def bigrams(f) -> Iterator[tuple[str, str, float]]:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                if line.startswith("\\"):
                    if line[1:2].isdigit():
                        raise ValueError(f"{path}: only unigram and bigram models are supported")
                    return
                p, pair = line.split("\t")[:2]
                a, b = pair.split(" ")
                yield a, b, float(p)

        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                if line.startswith("\\"):
                    order = int(line[1]) if line[1:2].isdigit() else 0
                    if order == 2:
                        return cls(uni, bo, PackedBigrams.build(list(uni), bigrams(f)))
                    if order > 2:
                        raise ValueError(f"{path}: only unigram and bigram models are supported")
                    continue
                if order == 1:
                    parts = line.split("\t")
                    uni[parts[1]] = float(parts[0])
                    if len(parts) > 2 and float(parts[2]) != 0.0:
                        bo[parts[1]] = float(parts[2])
        return cls(uni, bo, {})


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
