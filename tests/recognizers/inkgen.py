"""Tiny, deterministic ink for tests: three glyphs written side by side as words."""

from __future__ import annotations

import numpy as np

from recognizers.ink import InkSample


def glyph(ch: str, x0: float, rng: np.random.Generator) -> list[np.ndarray]:
    t = np.linspace(0, 1, 24)
    if ch == "o":
        pts = np.stack([x0 + 0.4 + 0.4 * np.cos(2 * np.pi * t), 0.6 + 0.4 * np.sin(2 * np.pi * t)], 1)
    elif ch == "l":
        pts = np.stack([x0 + 0.4 + 0 * t, -0.4 + 1.4 * t], 1)
    elif ch == "v":
        pts = np.stack([x0 + 0.8 * t, np.where(t < 0.5, 0.2 + 1.6 * t, 1.8 - 1.6 * t)], 1)
    else:
        raise ValueError(ch)
    pts = pts + rng.normal(0, 0.01, pts.shape)
    return [np.concatenate([pts * 50, (np.arange(len(pts)) * 10.0)[:, None]], 1).astype(np.float32)]


def word_ink(word: str, rng: np.random.Generator) -> list[np.ndarray]:
    strokes: list[np.ndarray] = []
    for i, ch in enumerate(word):
        strokes += glyph(ch, i * 1.1, rng)
    return strokes


def make_samples(n: int, seed: int = 0, writer: str = "w1") -> list[InkSample]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        word = "".join(rng.choice(list("olv"), size=int(rng.integers(1, 4))))
        out.append(InkSample(word, word_ink(word, rng), writer=writer, source="test"))
    return out
