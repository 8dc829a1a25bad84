import numpy as np

import pytest

from recognizers.checkpoint import check_settings
from recognizers.features import AudioFeatureConfig, InkFeatureConfig, audio_features, core_frame, ink_features, normalize_ink

from .inkgen import word_ink


def transform(ink, scale, dx, dy):
    return [np.concatenate([s[:, :2] * scale + [dx, dy], s[:, 2:]], 1).astype(np.float32) for s in ink]


def test_ink_features_ignore_translation_and_scale():
    cfg = InkFeatureConfig()
    ink = word_ink("olv", np.random.default_rng(1))
    ref = ink_features(ink, cfg)
    assert ref.shape[1] == cfg.dim and 10 < len(ref) < 200
    for scale, dx, dy in [(0.01, 5, 7), (37.0, -1e4, 3e3), (1.0, 123.4, -56.7)]:
        np.testing.assert_allclose(ink_features(transform(ink, scale, dx, dy), cfg), ref, atol=1e-3)


def test_core_norm_ignores_translation_scale_and_sampling_rate():
    cfg = InkFeatureConfig(norm="core")
    ink = word_ink("olvo", np.random.default_rng(3))
    ref = ink_features(ink, cfg)
    assert 10 < len(ref) < 300
    for scale, dx, dy in [(0.01, 5, 7), (37.0, -1e4, 3e3)]:
        np.testing.assert_allclose(ink_features(transform(ink, scale, dx, dy), cfg), ref, atol=1e-3)
    # a device sampling twice as often (a point between every two) draws the same body
    dense = [np.concatenate([np.stack([s[:-1], (s[:-1] + s[1:]) / 2], 1).reshape(-1, 3), s[-1:]]) for s in ink]
    assert len(dense[0]) == 2 * len(ink[0]) - 1
    mid, size = core_frame(ink)
    mid2, size2 = core_frame(dense)
    assert abs(mid2 - mid) < 0.02 * size and abs(size2 / size - 1) < 0.03


def test_core_norm_follows_the_body_not_an_ascender():
    # "ooool" is 1.75 times as tall as "ooooo" (the l rises above the o's); the body is the same
    rng = np.random.default_rng(4)
    low, tall = word_ink("ooooo", rng), word_ink("ooool", rng)
    box = [normalize_ink(x, norm="box")[1] for x in (low, tall)]
    core = [normalize_ink(x, norm="core")[1] for x in (low, tall)]
    assert box[1] / box[0] > 1.6
    assert core[1] / core[0] < 1.25
    # the o's sit in the same place relative to the middle either way
    o_low = normalize_ink(low, norm="core")[0][0][:, 1]
    o_tall = normalize_ink(tall, norm="core")[0][0][:, 1] * core[1] / core[0]
    assert abs(o_low.mean() - o_tall.mean()) < 0.15


def test_core_norm_keeps_the_floors_for_dots_and_dashes():
    dot = [np.array([[3, 4, 0]], np.float32)]
    assert core_frame(dot) is None
    assert ink_features(dot, InkFeatureConfig(norm="core")).shape == (1, 4)
    dash = [np.array([[0, 0, 0], [5000, 0.001, 100]], np.float32)]
    assert len(ink_features(dash, InkFeatureConfig(norm="core"))) == len(ink_features(dash, InkFeatureConfig()))


def test_core_norm_of_long_straight_strokes_stays_near_the_box():
    # an "L" three times as wide as tall, densely sampled: its segment heights hardly spread
    t = np.linspace(0, 1, 200)[:, None]
    down = np.hstack([0 * t, 100 * t, t])
    across = np.hstack([300 * t, 100 + 0 * t, 1 + t])
    ell = [np.vstack([down, across]).astype(np.float32)]
    _, box = normalize_ink(ell, norm="box")
    _, core = normalize_ink(ell, norm="core")
    assert core >= 0.25 * box
    assert len(ink_features(ell, InkFeatureConfig(norm="core"))) <= 4 * len(ink_features(ell, InkFeatureConfig()))


def test_an_unknown_normalisation_is_refused():
    with pytest.raises(ValueError, match="unknown ink normalisation"):
        ink_features(word_ink("o", np.random.default_rng(0)), InkFeatureConfig(norm="height"))
    with pytest.raises(ValueError, match="norm='height'"):
        check_settings("handwriting", {}, {"norm": "height"})
    check_settings("handwriting", {}, {"norm": "core"})
    check_settings("handwriting", {}, {})  # checkpoints from before the setting read as "box"


def test_pen_up_bit_marks_new_strokes():
    ink = word_ink("oll", np.random.default_rng(2))
    f = ink_features(ink, InkFeatureConfig())
    assert f[:, 3].sum() == len(ink) - 1


def test_flat_ink_stays_short():
    # a long dash with no height: the width floors the scale, so the sequence stays bounded
    dash = [np.array([[0, 0, 0], [5000, 0.001, 100]], np.float32)]
    f = ink_features(dash, InkFeatureConfig())
    assert 1 <= len(f) <= 1 / InkFeatureConfig().min_scale_ratio / InkFeatureConfig().step + 2  # 16 widths / 0.15: 108
    long_line = [np.stack([np.linspace(0, 1e6, 5000), np.sin(np.arange(5000)), np.arange(5000)], 1).astype(np.float32)]
    assert len(ink_features(long_line, InkFeatureConfig())) <= InkFeatureConfig().max_points


def test_empty_ink_gives_no_frames():
    assert ink_features([], InkFeatureConfig()).shape == (0, 4)


def test_audio_features_rate_and_bins():
    cfg = AudioFeatureConfig()
    t = np.arange(16000) / 16000
    sound = (np.sin(2 * np.pi * 440 * t) + 0.3 * np.random.default_rng(0).normal(size=len(t))).astype(np.float32)
    f = audio_features(0.1 * sound, cfg)
    assert f.shape[1] == 80 and 99 <= len(f) <= 102  # 10 ms hop
    # a louder copy of the same sound gives the same features (per-utterance normalisation)
    np.testing.assert_allclose(audio_features(0.8 * sound, cfg), f, atol=1e-3)
    assert audio_features(np.zeros(10, np.float32), cfg).shape == (0, 80)
