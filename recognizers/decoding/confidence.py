"""Confidence of recognized words and candidates: plain Python, so the GUI can use it
without loading torch."""

from __future__ import annotations

import math

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

