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
