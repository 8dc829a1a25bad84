"""Random, label-preserving distortions of ink for training: how one hand differs from the next."""

from __future__ import annotations

import numpy as np

from recognizers.features import ink_scale
from recognizers.ink import Ink


def augment_ink(ink: Ink, rng: np.random.Generator, strength: float = 1.0) -> Ink:
    """Scale, slant, rotate, shift strokes and elastically bend the ink. Returns new strokes.

    Amounts are relative to the ink's height, so they mean the same at any resolution.
    There is no per-point jitter: on densely sampled ink it would add path length, and
    so resampled points, that the real writer never drew.
    """
    strokes = [np.asarray(s, np.float32) for s in ink if len(s)]
    if not strokes:
        return []
    pts = np.concatenate(strokes)[:, :2]
    lo, hi = pts.min(0), pts.max(0)
    centre = (lo + hi) / 2
    size = ink_scale(pts)

    sx = np.exp(rng.normal(0, 0.12 * strength))  # narrower or wider hand
    sy = np.exp(rng.normal(0, 0.06 * strength))
    shear = np.tan(rng.normal(0, 0.18 * strength))  # slant
    rot = rng.normal(0, 0.06 * strength)  # baseline tilt, radians
    c, s = np.cos(rot), np.sin(rot)
    m = np.array([[c, -s], [s, c]]) @ np.array([[sx, shear * sy], [0, sy]])
    # elastic bend: a smooth random displacement field of a few low-frequency waves
    k = rng.normal(0, 1, size=(2, 2)) * 0.03 * strength
    ph = rng.uniform(0, 2 * np.pi, size=(2, 2))
    freq = rng.uniform(1.0, 3.0, size=(2,))
    shift = 0.02 * strength  # each stroke lands a little off where it was

    out = []
    for st in strokes:
        p = (st[:, :2] - centre) / size
        p = p @ m.T
        p[:, 0] += k[0, 0] * np.sin(freq[0] * p[:, 1] * np.pi + ph[0, 0]) + k[0, 1] * np.sin(freq[1] * p[:, 0] + ph[0, 1])
        p[:, 1] += k[1, 0] * np.sin(freq[0] * p[:, 0] + ph[1, 0]) + k[1, 1] * np.sin(freq[1] * p[:, 1] * np.pi + ph[1, 1])
        p += rng.normal(0, shift, size=(1, 2))
        q = st.copy()
        q[:, :2] = p * size + centre
        out.append(q)
    return out


def writer_habits(ink: Ink, rng: np.random.Generator, p: float = 0.3) -> Ink:
    """How the same word is *drawn* differently, each with probability `p` (the swap p/2, when
    no mark moved): i-dots and t-bars written at the end (or one stroke moved a place
    earlier), a stroke lifted in the middle, two very close strokes joined in one pen-down, a
    slow tablet or a mouse (fewer points), and a coarse tablet grid. The shapes stay, up to
    the grid and the joining segments; the stroke sequence the model reads changes.
    Moved strokes keep their time stamps, so `use_time` features would see time run back.
    """
    strokes = [np.asarray(s, np.float32) for s in ink if len(s)]
    if len(strokes) == 0:
        return []
    size = ink_scale(np.concatenate(strokes))

    def is_mark(s: np.ndarray) -> bool:
        """A dot, or a flat bar: not a letter (printed letters are 0.15-0.35 of the height)."""
        w, h = np.ptp(s[:, :2], axis=0)
        return bool(max(w, h) < 0.12 * size or (h < 0.08 * size and w < 0.5 * size))

    if len(strokes) > 1 and rng.random() < p:  # delayed strokes: dots and bars written last
        short = [i for i, s in enumerate(strokes[:-1]) if is_mark(s)]
        moved = [i for i in short if rng.random() < 0.7]
        if moved:
            strokes = [s for i, s in enumerate(strokes) if i not in moved] + [strokes[i] for i in moved]
    elif len(strokes) > 2 and rng.random() < p / 2:  # or one stroke moved a place earlier
        i = int(rng.integers(1, len(strokes)))
        strokes[i - 1], strokes[i] = strokes[i], strokes[i - 1]
    if rng.random() < p:  # pen lifted inside a long stroke
        out = []
        for s in strokes:
            if len(s) >= 12 and rng.random() < 0.3:
                k = int(rng.integers(4, len(s) - 4))
                out += [s[:k], s[k:]]
            else:
                out.append(s)
        strokes = out
    if len(strokes) > 1 and rng.random() < p:  # cursive: the pen stays down across a small gap
        out = [strokes[0]]
        for s in strokes[1:]:
            gap = float(np.linalg.norm(s[0, :2] - out[-1][-1, :2]))
            if gap < 0.15 * size and rng.random() < 0.5:  # within a word: spaces are wider
                out[-1] = np.concatenate([out[-1], s])
            else:
                out.append(s)
        strokes = out
    if rng.random() < p:  # fewer points: a slow tablet or a mouse (the ends kept)
        k = int(rng.integers(2, 5))
        strokes = [s if len(s) <= 2 else np.concatenate([s[:-1:k], s[-1:]]) for s in strokes]
    if rng.random() < p:  # a coarse tablet: coordinates snap to a grid
        q = size * rng.uniform(0.01, 0.04)
        strokes = [np.concatenate([np.round(s[:, :2] / q) * q, s[:, 2:]], axis=1).astype(np.float32) for s in strokes]
    return strokes
