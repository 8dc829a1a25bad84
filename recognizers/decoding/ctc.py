"""Decoders without a language model: greedy (best path) and prefix beam search (n-best), plus the Viterbi alignment that gives any labelling per-letter confidences."""

from __future__ import annotations

import math
import re

import numpy as np
import torch

from recognizers.alphabet import BLANK, Alphabet
from recognizers.decoding.hypothesis import Hypothesis


def greedy_path(log_probs: torch.Tensor) -> tuple[list[int], list[float], float]:
    """Best-path CTC decoding: labels, each label's peak posterior, and the path score."""
    lp = log_probs.detach().float().cpu()
    best, idx = lp.max(dim=-1)
    idx_l = idx.tolist()
    probs = best.exp().tolist()
    labels: list[int] = []
    conf: list[float] = []
    prev = BLANK
    for i, p in zip(idx_l, probs):
        if i != BLANK and i != prev:
            labels.append(i)
            conf.append(p)
        elif i != BLANK and i == prev:
            conf[-1] = max(conf[-1], p)
        prev = i
    return labels, conf, float(best.sum())


def aligned_confidence(log_probs: torch.Tensor, labels: list[int]) -> list[float]:
    """Per-label confidence of a given labelling: the best CTC alignment of `labels` to the
    frames (Viterbi), then each label's peak posterior over the frames aligned to it. Empty
    when no alignment exists (more labels than frames allow)."""
    if not labels:
        return []
    lp = log_probs.detach().float().cpu().numpy()
    T = lp.shape[0]
    ext = np.full(2 * len(labels) + 1, BLANK)
    ext[1::2] = labels
    S = len(ext)
    # a label may be reached from two states back unless it repeats the label before it
    skip = np.zeros(S, dtype=bool)
    skip[3::2] = ext[3::2] != ext[1:-2:2]
    emit = lp[:, ext]  # (T, S)
    delta = np.full(S, -np.inf)
    delta[0] = emit[0, 0]
    if S > 1:
        delta[1] = emit[0, 1]
    back = np.zeros((T, S), dtype=np.int8)  # 0: stay, 1: from s-1, 2: from s-2
    for t in range(1, T):
        stay = delta
        one = np.concatenate(([-np.inf], delta[:-1]))
        two = np.where(skip, np.concatenate(([-np.inf, -np.inf], delta[:-2])), -np.inf)
        cand = np.stack([stay, one, two])
        back[t] = cand.argmax(0)
        delta = cand.max(0) + emit[t]
    end = S - 1 if S == 1 or delta[S - 1] >= delta[S - 2] else S - 2
    if not np.isfinite(delta[end]):
        return []
    conf = [0.0] * len(labels)
    s = end
    for t in range(T - 1, -1, -1):
        if s % 2 == 1:
            conf[s // 2] = max(conf[s // 2], float(np.exp(emit[t, s])))
        s -= int(back[t, s])
    return conf


def word_cased_confidence(log_probs: torch.Tensor, text: str, alphabet: Alphabet) -> list[float]:
    """Per-letter confidence of `text` for a decoder that sets the case a word at a time
    (lower, Capitalised or UPPER): a letter's confidence that it is that letter in either
    case, capped by the word's confidence in its case, the margin of its form's share of the
    CTC likelihood over the likeliest other form's (the share alone never falls below a half
    when two forms tie). Block capitals' "NOW" is then not doubted for a W that could be a w
    (the N and the O say UPPER), while "So" against "so" still is."""
    lp = log_probs.detach().float().cpu()
    folded = lp.clone()
    for c in alphabet.chars:
        if c.islower() and c.upper() != c and c.upper() in alphabet.chars:
            lo, up = alphabet.encode(c)[0], alphabet.encode(c.upper())[0]
            folded[:, lo] = folded[:, up] = torch.logaddexp(lp[:, lo], lp[:, up])
    conf = aligned_confidence(folded, alphabet.encode(text))
    if not conf:
        return conf
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^ \n]+", text)]
    variants: list[str] = []
    owners: list[tuple[int, int, int]] = []  # (span index, first variant, how many)
    for k, (i, j) in enumerate(spans):
        w = text[i:j]
        forms = list(dict.fromkeys([w, w.lower(), w[:1].upper() + w[1:].lower(), w.upper()]))
        if len(forms) > 1:
            owners.append((k, len(variants), len(forms)))
            variants += [text[:i] + f + text[j:] for f in forms]
    if variants:
        ll = torch.tensor(ctc_log_likelihood(lp, variants, alphabet))
        for k, first, n in owners:
            shares = torch.softmax(ll[first:first + n], 0) if torch.isfinite(ll[first]) else torch.zeros(n)
            # over the likeliest other form: ~0 at a tie, and 0 where the language model or
            # the views chose a form the frames alone do not favour
            margin = max(0.0, float(shares[0] - shares[1:].max()))
            i, j = spans[k]
            conf[i:j] = [min(c, margin) for c in conf[i:j]]
    return conf


def ctc_log_likelihood(log_probs: torch.Tensor, texts: list[str], alphabet: Alphabet) -> list[float]:
    """log p(text | frames) under CTC for each text, in one batched call (an empty text is
    allowed; a text too long for the frames scores -inf)."""
    if not texts:
        return []
    em = log_probs.detach().float().cpu()
    targets = [alphabet.encode(t) for t in texts]
    T = em.shape[0]
    nll = torch.nn.functional.ctc_loss(
        em.unsqueeze(1).expand(T, len(texts), em.shape[1]),
        torch.tensor([i for t in targets for i in t], dtype=torch.long),
        torch.full((len(texts),), T, dtype=torch.long),
        torch.tensor([len(t) for t in targets], dtype=torch.long),
        blank=BLANK,
        reduction="none",
        zero_infinity=False,
    )
    return [-float(x) for x in nll]


class GreedyDecoder:
    """Best-path decoding: the most likely label per frame, repeats merged, blanks dropped."""

    def __init__(self, alphabet: Alphabet) -> None:
        self.alphabet = alphabet

    def decode(self, log_probs: torch.Tensor) -> list[Hypothesis]:
        labels, conf, score = greedy_path(log_probs)
        return [Hypothesis(self.alphabet.decode(labels), score, conf)]


class PrefixBeamDecoder:
    """CTC prefix beam search without a language model, for n-best candidates.

    Only the few most likely labels of each frame are expanded, which keeps it to a
    millisecond or two for a handwritten word. The lexicon and language-model beam
    search lives in lexicon.py.
    """

    def __init__(self, alphabet: Alphabet, beam: int = 8, nbest: int = 5, top_k: int = 6) -> None:
        self.alphabet, self.beam, self.nbest, self.top_k = alphabet, beam, nbest, top_k

    def decode(self, log_probs: torch.Tensor) -> list[Hypothesis]:
        lp = log_probs.detach().float().cpu()
        greedy_labels, greedy_conf, _ = greedy_path(log_probs)
        k = min(self.top_k, lp.shape[1])
        top_v, top_i = lp.topk(k, dim=-1)
        top_v, top_i = top_v.tolist(), top_i.tolist()
        # beams: prefix -> [log p ending in blank, log p ending in non-blank]
        beams: dict[tuple[int, ...], list[float]] = {(): [0.0, NEG_INF]}
        for t in range(len(top_v)):
            nxt: dict[tuple[int, ...], list[float]] = {}
            for prefix, (pb, pnb) in beams.items():
                total = _logadd(pb, pnb)
                for p, c in zip(top_v[t], top_i[t]):
                    if c == BLANK:
                        _add(nxt, prefix, total + p, NEG_INF)
                    elif prefix and prefix[-1] == c:
                        _add(nxt, prefix, NEG_INF, pnb + p)  # a repeat collapses
                        _add(nxt, prefix + (c,), NEG_INF, pb + p)  # a blank-separated double
                    else:
                        _add(nxt, prefix + (c,), NEG_INF, total + p)
            beams = dict(sorted(nxt.items(), key=lambda kv: -_logadd(*kv[1]))[: self.beam])
        ranked = sorted(beams.items(), key=lambda kv: -_logadd(*kv[1]))[: self.nbest]
        out = []
        for k, (prefix, (pb, pnb)) in enumerate(ranked):
            # confidences for the best only: that is what is shown, and each costs an alignment
            conf = [] if k else greedy_conf if list(prefix) == greedy_labels else aligned_confidence(lp, list(prefix))
            out.append(Hypothesis(self.alphabet.decode(list(prefix)), _logadd(pb, pnb), conf))
        return out


NEG_INF = float("-inf")


def _logadd(a: float, b: float) -> float:
    if a == NEG_INF:
        return b
    if b == NEG_INF:
        return a
    m = max(a, b)
    return m + math.log1p(math.exp(-abs(a - b)))


def _add(beams: dict, prefix: tuple[int, ...], pb: float, pnb: float) -> None:
    cur = beams.get(prefix)
    if cur is None:
        beams[prefix] = [pb, pnb]
    else:
        cur[0], cur[1] = _logadd(cur[0], pb), _logadd(cur[1], pnb)
