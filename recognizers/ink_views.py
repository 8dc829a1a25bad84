"""Distorted copies of ink, read beside the ink itself (test-time augmentation).

A stranger's hand differs from the training writers' most in slant and width. Reading the
ink also slanted both ways, narrower and wider, and keeping the text that all the readings
together find most likely (`recognizers.decoding.views.read_views`) mends letters one
reading gets wrong: on the held-out writers of three contributor folds it cut word CER by
0.2 to 1.9 points (docs/handwriting.md, "Session 8: reading the ink in several views").
"""

from __future__ import annotations

import numpy as np

from recognizers.ink import Ink

# (shear, width) of each copy besides the ink itself: shear moves x by -shear * (y - middle),
# width scales x. The same distortions training draws from (ink_augment), at about its edges.
VIEWS: tuple[tuple[float, float], ...] = ((0.2, 1.0), (-0.2, 1.0), (0.0, 0.8), (0.0, 1.25))


def ink_views(ink: Ink) -> list[Ink]:
    """The ink itself first, then one copy per VIEWS entry (x and y only change; time stays)."""
    strokes = [np.asarray(s, np.float32) for s in ink if len(s)]
    if not strokes:
        return [list(ink) for _ in range(len(VIEWS) + 1)]  # always one per view: callers slice by it
    pts = np.concatenate(strokes)
    mid = (float(pts[:, 1].min()) + float(pts[:, 1].max())) / 2
    out: list[Ink] = [strokes]
    for shear, width in VIEWS:
        copy = []
        for s in strokes:
            c = s.copy()
            c[:, 0] = s[:, 0] * width - shear * (s[:, 1] - mid)
            copy.append(c)
        out.append(copy)
    return out
