"""The synthetic ink generator: labels, stroke shapes, timing, held-out font, determinism."""

import numpy as np
import pytest

from recognizers.alphabet import HANDWRITING_CHARS
from recognizers.features import InkFeatureConfig, ink_features
from recognizers.synth.fonts import ALL_FONTS, HELD_OUT_FONTS, VALIDATION_FONT, font_available, training_font_names
from recognizers.synth.ink import synth_ink_samples


def _training_fonts() -> list[str]:
    names = training_font_names()
    if not names:
        pytest.skip("no synthetic-ink training font installed (hershey-fonts, or a Debian font package that scripts/setup.sh lists)")
    return names


@pytest.fixture(scope="module")
def samples():
    _training_fonts()
    return synth_ink_samples(60, seed=3)


def _check_sample(s) -> None:
    assert s.label and s.label == s.label.strip()
    assert all(c in HANDWRITING_CHARS for c in s.label), s.label
    assert s.source == "synth-ink" and s.writer.startswith("synth/")
    assert s.strokes
    prev_end = -np.inf
    for st in s.strokes:
        assert isinstance(st, np.ndarray) and st.dtype == np.float32
        assert st.ndim == 2 and st.shape[1] == 3 and len(st) >= 1
        assert np.isfinite(st).all()
        assert (np.diff(st[:, 2]) > 0).all(), "t_ms must increase along a stroke"
        assert st[0, 2] > prev_end, "a stroke starts after the previous one ends"
        prev_end = st[-1, 2]
    height = np.ptp(np.concatenate(s.strokes)[:, 1])
    assert height < 400  # letters of about 30-100 units


def test_samples_have_valid_labels_strokes_and_timing(samples):
    assert len(samples) == 60
    for s in samples:
        _check_sample(s)
    assert len({s.label for s in samples}) > 40
    assert sum(" " not in s.label for s in samples) > 25  # mostly single words
    heights = [np.ptp(np.concatenate(s.strokes)[:, 1]) for s in samples]
    assert 25 < np.median(heights) < 200


def test_held_out_fonts_are_left_out_by_default(samples):
    assert VALIDATION_FONT in HELD_OUT_FONTS and "dancingscript" in HELD_OUT_FONTS
    used = {s.writer.split("/", 1)[1] for s in samples + synth_ink_samples(200, seed=11)}
    assert not used & set(HELD_OUT_FONTS)
    assert len(used) >= min(10, len(_training_fonts()))  # the draw spreads over the training fonts


def test_only_the_fonts_design_md_allows_are_trained_on():
    # DESIGN.md, "Data you may train on": the Hershey fonts and four Debian font packages;
    # every other font package is for independent checks only
    allowed = {"hershey-fonts", "fonts-bwht", "fonts-ecolier-court", "fonts-femkeklaver", "fonts-kaushanscript"}
    trained = {f.package for name, f in ALL_FONTS.items() if name not in HELD_OUT_FONTS}
    assert trained <= allowed


def test_validation_font_on_request():
    if not font_available(VALIDATION_FONT):
        pytest.skip(f"{ALL_FONTS[VALIDATION_FONT].package} is not installed")
    val = synth_ink_samples(6, seed=5, fonts=[VALIDATION_FONT], exclude_fonts=[])
    assert [s.writer for s in val] == [f"synth/{VALIDATION_FONT}"] * 6
    for s in val:
        _check_sample(s)
    with pytest.raises(ValueError):
        synth_ink_samples(2, fonts=[VALIDATION_FONT])  # excluded by default: nothing left


def test_same_seed_same_samples():
    _training_fonts()
    a, b = synth_ink_samples(8, seed=42), synth_ink_samples(8, seed=42)
    assert [s.label for s in a] == [s.label for s in b]
    assert [s.writer for s in a] == [s.writer for s in b]
    for x, y in zip(a, b):
        assert len(x.strokes) == len(y.strokes)
        assert all(np.array_equal(p, q) for p, q in zip(x.strokes, y.strokes))
    c = synth_ink_samples(8, seed=43)
    assert [s.label for s in c] != [s.label for s in a]


def test_feature_length_per_character_is_plausible(samples):
    cfg = InkFeatureConfig()
    per_char = [len(ink_features(s.strokes, cfg)) / len(s.label) for s in samples]
    assert 3 <= float(np.mean(per_char)) <= 40, per_char


@pytest.mark.parametrize("font", sorted(ALL_FONTS))
def test_every_font_writes(font):
    if not font_available(font):
        pytest.skip(f"{ALL_FONTS[font].package} is not installed")
    out = synth_ink_samples(2, seed=1, fonts=[font], exclude_fonts=[])
    for s in out:
        assert s.writer == f"synth/{font}"
        _check_sample(s)
        if ALL_FONTS[font].caps_only:
            assert s.label == s.label.upper()


def test_unknown_font_is_an_error():
    with pytest.raises(ValueError):
        synth_ink_samples(1, fonts=["no-such-font"], exclude_fonts=[])
