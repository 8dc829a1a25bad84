import numpy as np

from recognizers.features import AudioFeatureConfig, InkFeatureConfig, audio_features, ink_features

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
