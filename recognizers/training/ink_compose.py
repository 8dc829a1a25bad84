"""Lines and pages composed from single written words: the training and test ink for reading
whole lines (`join_ink`, `compose_lines`) and several lines (`stack_lines`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recognizers.features import ink_scale
from recognizers.ink import InkSample


def join_ink(samples: Sequence[InkSample], rng: np.random.Generator | None = None, varied: bool = False) -> InkSample:
    """One line from word samples of one writer: each word scaled to the first one's
    height, centred on one baseline and set after the previous with a word-sized gap.

    `varied` (with `rng`) writes it as people do on a long line: gaps from a quarter to 1.3
    heights, a baseline that wanders from word to word, and the whole line tilted a little."""
    strokes: list[np.ndarray] = []
    labels: list[str] = []
    x = 0.0
    ref_h = None
    varied = varied and rng is not None
    base, tilt = 0.0, (float(rng.uniform(-0.04, 0.04)) if varied else 0.0)
    for w in samples:
        pts = np.concatenate(w.strokes)
        lo, hi = pts[:, :2].min(0), pts[:, :2].max(0)
        h = ink_scale(pts)
        ref_h = ref_h or h
        mid = float(np.median(pts[:, 1]))  # the body of the letters, not the ascenders and descenders
        k = ref_h / h if w.label.isalpha() and len(w.label) > 2 else 1.0  # keep dots and digits their own size
        if varied:
            gap = ref_h * float(rng.uniform(0.25, 1.3))
            base += float(rng.normal(0.0, 0.08)) * ref_h
        else:
            gap = ref_h * (0.4 + (0.4 * rng.random() if rng is not None else 0.2))
        for st in w.strokes:
            st = st.copy()
            st[:, 0] = (st[:, 0] - lo[0]) * k + x
            st[:, 1] = (st[:, 1] - mid) * k + base - tilt * st[:, 0]
            strokes.append(st)
        x += float(hi[0] - lo[0]) * k + gap
        labels.append(w.label)
    t = 0.0
    for st in strokes:  # one clock for the line
        st[:, 2] = st[:, 2] - st[0, 2] + t
        t = float(st[-1, 2]) + 150.0
    return InkSample(" ".join(labels), strokes, samples[0].writer, "composed-line")


def stack_lines(lines: Sequence[InkSample], rng: np.random.Generator) -> InkSample:
    """Several lines of ink (e.g. from `join_ink`) written one below the other, as on a page:
    each scaled to the first one's size, a line pitch of 1.7 to 2.4 of that size apart, with
    its own small left indent and baseline tilt. The label joins the lines' labels with "\n"."""
    strokes: list[np.ndarray] = []
    y = 0.0
    ref = None
    t = 0.0
    for ln in lines:
        pts = np.concatenate(ln.strokes)
        h = ink_scale(pts)
        ref = ref or h
        k = ref / h
        lo = pts[:, :2].min(0)
        mid = float(np.median(pts[:, 1]))
        tilt = float(rng.uniform(-0.03, 0.03))
        dx = ref * float(rng.uniform(0.0, 0.6))
        for st in ln.strokes:
            st = st.copy()
            x = (st[:, 0] - lo[0]) * k
            st[:, 0] = x + dx
            st[:, 1] = (st[:, 1] - mid) * k + y - tilt * x
            st[:, 2] = st[:, 2] - st[0, 2] + t
            t = float(st[-1, 2]) + 150.0
            strokes.append(st)
        y += ref * float(rng.uniform(1.7, 2.4))
    return InkSample("\n".join(ln.label for ln in lines), strokes, lines[0].writer, "composed-lines")


def compose_lines(words: list[InkSample], n: int, rng: np.random.Generator, max_chars: int = 50, varied: bool = False) -> list[InkSample]:
    """`n` lines of 2-7 words, each line from words of a single writer."""
    by_writer: dict[str, list[InkSample]] = {}
    for w in words:
        if w.strokes and w.label.strip():
            by_writer.setdefault(w.writer or "", []).append(w)
    writers = [k for k, v in by_writer.items() if len(v) >= 4]
    out = []
    for _ in range(n):
        pool = by_writer[writers[int(rng.integers(len(writers)))]]
        picks, chars = [], 0
        for j in rng.integers(0, len(pool), int(rng.integers(2, 8))):
            if chars + len(pool[j].label) + 1 > max_chars:
                break
            picks.append(pool[j])
            chars += len(pool[j].label) + 1
        if len(picks) >= 2:
            out.append(join_ink(picks, rng, varied))
    return out
