"""Confidence of recognized words and candidates: plain Python, so the GUI can use it
without loading torch."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rapidfuzz.distance import Levenshtein

if TYPE_CHECKING:
    from recognizers.decoding.hypothesis import Hypothesis

DOUBT_BELOW = 0.5  # a word whose confidence is below this is shown as doubtful


def word_confidence(text: str, char_confidence: list[float]) -> list[tuple[str, float]]:
    """(word, confidence) for each space- or newline-separated word of `text`: the lowest confidence of
    its characters, since one doubtful letter makes the whole word doubtful. Empty when
    the confidences do not match the text character for character."""
    if len(char_confidence) != len(text):
        return []
    out: list[tuple[str, float]] = []
    start = None
    for i, ch in enumerate(text + " "):
        if ch not in " \n" and start is None:
            start = i
        elif ch in " \n" and start is not None:
            out.append((text[start:i], float(min(char_confidence[start:i]))))
            start = None
    return out


def nbest_shares(scores: list[float]) -> list[float]:
    """Each candidate's share of the n-best's total probability (scores are log-domain)."""
    if not scores:
        return []
    top = max(scores)
    if not math.isfinite(top):  # no candidate has a finite score: nothing to tell them apart
        return [1.0 / len(scores)] * len(scores)
    w = [math.exp(s - top) for s in scores]
    total = sum(w)
    return [x / total for x in w]


SHARE_FLOOR = True  # see `share_floor`
SURE_SHARE = 0.95  # ... when its share is at least this (the beam is sure of the reading)


def share_floor(hyps: list) -> list:
    """The best hypothesis's letters are at least as sure as its share of the n-best (the
    lexicon beam's ranking, CTC and word model together): a word the word list made right
    over a doubtful letter ("aguin" read, "again" chosen, 4 nats ahead) is not doubtful,
    while a close call between readings still is. In place; returns `hyps`."""
    if SHARE_FLOOR and len(hyps) > 1 and hyps[0].char_confidence:
        share = nbest_shares([h.score for h in hyps])[0]
        if share >= SURE_SHARE:
            hyps[0].char_confidence = [max(c, share) for c in hyps[0].char_confidence]
    return hyps



# The rescored n-best's scores flattened before they are shared out: at their own scale the
# best reading takes nearly all of the share and every word of it looks certain (chosen on
# half of Cathy's held-out sentences, docs/decoding.md, *Session 32*)
NBEST_TEMPERATURE = 0.25


def word_posteriors(best: str, texts: list[str], scores: list[float], temperature: float = NBEST_TEMPERATURE) -> list[float]:
    """For each word of `best`: the share of the candidates (`texts`, scored `scores`, scaled
    by `temperature`) that hold the same word at its place, the words of each aligned to
    `best`'s by edit distance. A word every likely reading agrees on is near 1; one the
    readings dispute ("there" / "their" / "the air") gets only its readings' share."""
    words = best.split()
    post = [0.0] * len(words)
    shares = nbest_shares([s * temperature for s in scores])
    for text, share in zip(texts, shares):
        for op in Levenshtein.opcodes(words, text.split()):
            if op.tag == "equal":
                for j in range(op.src_start, op.src_end):
                    post[j] += share
    return post


def cap_by_posteriors(hyp: Hypothesis, texts: list[str], scores: list[float]) -> Hypothesis:
    """Each letter of `hyp` (the best reading) no surer than its word's posterior among the
    candidates (`word_posteriors`): a word the n-best dispute is doubtful even where the
    network's letters are sure of it. In place; returns `hyp`. Letters and words must match."""
    words = hyp.text.split()
    if not words or len(hyp.char_confidence) != len(hyp.text) or not texts:
        return hyp
    post = iter(word_posteriors(hyp.text, texts, scores))
    conf, inside, p = list(hyp.char_confidence), False, 1.0
    for i, ch in enumerate(hyp.text):
        if ch.isspace():
            inside = False
            continue
        if not inside:
            inside, p = True, next(post)
        conf[i] = min(conf[i], p)
    hyp.char_confidence = conf
    return hyp
