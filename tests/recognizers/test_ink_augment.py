"""Training distortions of ink: shapes kept, the way they are drawn varied."""

import numpy as np

from recognizers.features import InkFeatureConfig, ink_features
from recognizers.training.ink_augment import augment_ink, writer_habits


def _word() -> list[np.ndarray]:
    """A long stroke, an i-dot, then another long stroke (x, y, t), 100 units high."""
    t = np.linspace(0, 1, 40)
    a = np.stack([t * 200, 50 + 50 * np.sin(t * 6), t * 400], 1).astype(np.float32)
    dot = np.array([[100, -30, 500], [102, -31, 510]], np.float32)
    b = np.stack([220 + t * 200, 50 + 50 * np.cos(t * 6), 600 + t * 400], 1).astype(np.float32)
    return [a, dot, b]


def test_no_habits_leaves_the_ink_alone() -> None:
    ink = _word()
    out = writer_habits(ink, np.random.default_rng(0), p=0.0)
    assert len(out) == 3 and all(np.array_equal(x, y) for x, y in zip(ink, out))
    assert writer_habits([], np.random.default_rng(0), p=1.0) == []


def test_habits_vary_the_drawing_but_keep_the_shape() -> None:
    ink = _word()
    lo, hi = np.concatenate(ink)[:, :2].min(0), np.concatenate(ink)[:, :2].max(0)
    dot_last = fewer_points = changed_strokes = 0
    for seed in range(60):
        out = writer_habits(ink, np.random.default_rng(seed), p=1.0)
        pts = np.concatenate(out)[:, :2]
        # every point stays on the original box, up to half the coarsest grid step (4 % of the height)
        assert (pts >= lo - 4.01).all() and (pts <= hi + 4.01).all()
        dot_last += bool(np.abs(out[-1][:, :2] - ink[1][:, :2].mean(0)).max() < 5)
        fewer_points += len(pts) < 82
        changed_strokes += len(out) != 3
    # with p = 1 the sampling always thins; the stroke changes are themselves random
    assert fewer_points == 60
    assert 10 < dot_last < 60 and 5 < changed_strokes < 60


def test_augmented_ink_gives_usable_features() -> None:
    cfg = InkFeatureConfig()
    for seed in range(20):
        rng = np.random.default_rng(seed)
        f = ink_features(augment_ink(writer_habits(_word(), rng, p=0.5), rng), cfg)
        assert len(f) > 10 and np.isfinite(f).all()


def test_letters_are_never_moved_as_marks() -> None:
    """A small printed letter (a quarter of the height) keeps its place; only dots and bars travel."""
    a, _, b = _word()
    letter = np.stack([np.linspace(205, 215, 12), np.linspace(60, 90, 12), np.linspace(420, 460, 12)], 1).astype(np.float32)
    for seed in range(40):
        t = np.concatenate(writer_habits([a, letter, b], np.random.default_rng(seed), p=1.0))[:, 2]
        # time stamps travel with the points: the letter (420-460 ms) is still drawn before b (600 ms on)
        assert np.flatnonzero((t >= 420) & (t <= 460))[0] < np.flatnonzero(t >= 600)[0]
    dot = [a, np.array([[100, -30, 500], [102, -31, 510]], np.float32), b]
    assert any(writer_habits(dot, np.random.default_rng(s), p=1.0)[-1][0, 2] == 500 for s in range(10))
