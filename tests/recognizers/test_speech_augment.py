"""Waveform augmentation: shapes, dtypes, determinism, and that each effect does its job."""


import numpy as np
import pytest
from scipy import signal

from recognizers.training import speech_augment as A

SR = A.SAMPLE_RATE


def tone(freq: float, seconds: float = 1.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def speechlike(seconds: float = 2.0, seed: int = 0) -> np.ndarray:
    """Harmonic buzz through two formant resonators, gated into syllables."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    f0 = 120 + 20 * np.sin(2 * np.pi * 1.5 * np.arange(n) / SR)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    buzz = np.sign(np.sin(phase)).astype(np.float64) + 0.05 * rng.standard_normal(n)
    x = np.zeros(n)
    for fc, bw in ((700, 110), (1200, 120)):
        b, a = signal.iirpeak(fc, fc / bw, fs=SR)
        x += signal.lfilter(b, a, buzz)
    gate = (np.sin(2 * np.pi * 3 * np.arange(n) / SR) > -0.3).astype(np.float64)
    x *= gate
    return (0.5 * x / np.abs(x).max()).astype(np.float32)


def dominant_freq(x: np.ndarray) -> float:
    seg = x[len(x) // 8: -len(x) // 8]
    spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
    return float(np.argmax(spec) * SR / len(seg))


def band_energy(x: np.ndarray, lo: float, hi: float) -> float:
    f, p = signal.welch(x, SR, nperseg=1024)
    return float(p[(f >= lo) & (f < hi)].sum())


def test_speed_perturb_changes_length_and_pitch():
    x = tone(400)
    y = A.speed_perturb(x, 1.25)
    assert y.dtype == np.float32
    assert abs(len(y) - len(x) / 1.25) <= 2
    assert dominant_freq(y) == pytest.approx(500, abs=6)
    assert np.array_equal(A.speed_perturb(x, 1.0), x)


@pytest.mark.parametrize("pitch, formant", [(1.25, 1.25), (0.8, 0.8), (1.2, 1.0)])
def test_spectral_warp_moves_pitch_keeps_length(pitch, formant):
    x = tone(440)
    y = A.spectral_warp(x, pitch, formant)
    assert y.dtype == np.float32 and len(y) == len(x)
    assert dominant_freq(y) == pytest.approx(440 * pitch, abs=8)


def test_spectral_warp_formant_only_keeps_pitch_moves_envelope():
    # a steady 125 Hz buzz through two formant resonators
    n = 2 * SR
    buzz = np.sign(np.sin(2 * np.pi * 125 * np.arange(n) / SR))
    x = np.zeros(n)
    for fc, bw in ((700, 110), (1200, 120)):
        b, a = signal.iirpeak(fc, fc / bw, fs=SR)
        x += signal.lfilter(b, a, buzz)
    x = (0.5 * x / np.abs(x).max()).astype(np.float32)
    y = A.spectral_warp(x, 1.0, 1.2)
    assert len(y) == len(x) and np.all(np.isfinite(y))

    def harmonic_share(sig):
        """Share of 100-3000 Hz energy within 10 Hz of a multiple of 125 Hz."""
        seg = sig[SR // 4: -SR // 4]
        f = np.fft.rfftfreq(len(seg), 1 / SR)
        p = np.abs(np.fft.rfft(seg * np.hanning(len(seg)))) ** 2
        band = (f > 100) & (f < 3000)
        near = np.abs(f - 125 * np.round(f / 125)) < 10
        return p[band & near].sum() / p[band].sum()

    assert harmonic_share(x) > 0.95
    assert harmonic_share(y) > 0.8  # pitch (harmonic spacing) unchanged ...
    assert harmonic_share(A.spectral_warp(x, 1.1, 1.2)) < 0.05  # ... unlike a pitch shift
    # the envelope moved up: energy above 1.3 kHz grows relative to below 900 Hz
    ratio = lambda s: band_energy(s, 1300, 2000) / band_energy(s, 400, 900)  # noqa: E731
    assert ratio(y) > 1.3 * ratio(x)


def test_reverberate_with_synthetic_rir():
    rng = np.random.default_rng(0)
    rir = A.synthetic_rir(rng, rt60=0.5, drr_db=3.0)
    assert rir[0] == 1.0 and rir.dtype == np.float32
    # energy decays: last 100 ms much weaker than the first 100 ms after the direct path
    early = np.sum(rir[1:1600] ** 2)
    late = np.sum(rir[-1600:] ** 2)
    assert late < 0.01 * early
    # direct-to-reverberant ratio as requested
    drr = 10 * np.log10(1.0 / np.sum(rir[1:] ** 2))
    assert drr == pytest.approx(3.0, abs=0.01)
    x = np.zeros(SR, np.float32)
    x[100] = 1.0
    y = A.reverberate(x, rir)
    assert len(y) == len(x)
    assert np.allclose(y[100:100 + 2000], rir[:2000], atol=1e-5)


@pytest.mark.parametrize("snr", [0.0, 10.0, 20.0])
def test_add_noise_hits_snr(snr):
    rng = np.random.default_rng(1)
    x = tone(300)
    noise = A.white_noise(rng, len(x))
    y = A.add_noise(x, noise, snr)
    measured = 10 * np.log10(np.mean(x ** 2) / np.mean((y - x) ** 2))
    assert measured == pytest.approx(snr, abs=0.1)


def test_noise_colours():
    rng = np.random.default_rng(2)
    n = 4 * SR
    white, pink, brown = A.white_noise(rng, n), A.pink_noise(rng, n), A.brown_noise(rng, n)
    for z in (white, pink, brown):
        assert z.dtype == np.float32 and np.std(z) == pytest.approx(1.0, rel=0.05)
    tilt = lambda z: band_energy(z, 100, 400) / band_energy(z, 3000, 6000)  # noqa: E731
    assert tilt(white) < tilt(pink) < tilt(brown)
    h = A.hum(rng, n)
    assert dominant_freq(h) in (pytest.approx(50, abs=2), pytest.approx(60, abs=2))


def test_babble_mixes_the_given_voices():
    rng = np.random.default_rng(3)
    others = [tone(f, 0.7) for f in (210, 330, 470)]
    b = A.babble_noise(rng, 2 * SR, others)
    assert len(b) == 2 * SR and np.std(b) == pytest.approx(1.0, rel=1e-3)
    # its energy sits at the voices' frequencies
    assert band_energy(b, 190, 500) > 0.9 * band_energy(b, 0, 8000)


def test_telephone_band_limits():
    rng = np.random.default_rng(4)
    x = A.white_noise(rng, 2 * SR) * 0.1
    y = A.telephone(x, resample_8k=True, mu_law=True)
    assert len(y) == len(x) and y.dtype == np.float32
    inband = band_energy(y, 500, 3000)
    assert band_energy(y, 4200, 8000) < 0.01 * inband
    assert band_energy(y, 0, 150) < 0.05 * inband
    z = A.lowpass(x, 4000)
    assert band_energy(z, 5000, 8000) < 0.01 * band_energy(z, 500, 3500)


def test_apply_gain_and_peak_limit():
    x = tone(300, amp=0.5)
    assert np.max(np.abs(A.apply_gain(x, -6.0))) == pytest.approx(0.5 * 10 ** (-6 / 20), rel=1e-3)
    assert np.max(np.abs(A.apply_gain(x, 12.0))) == pytest.approx(0.99, rel=1e-3)
    assert np.max(np.abs(A.apply_gain(x, 12.0, clip=True))) == pytest.approx(1.0)


def test_augment_contract():
    x = speechlike(1.5)
    others = [speechlike(1.0, seed=s) for s in (1, 2)]
    # strength 0: an unchanged copy
    y0 = A.augment(x, np.random.default_rng(0), others, strength=0.0)
    assert np.array_equal(y0, x) and y0 is not x
    lengths = set()
    changed = 0
    for seed in range(40):
        y = A.augment(x, np.random.default_rng(seed), others, strength=1.0)
        assert y.dtype == np.float32 and y.ndim == 1
        assert np.all(np.isfinite(y)) and np.max(np.abs(y)) <= 1.0
        assert 0.8 * len(x) <= len(y) <= 1.2 * len(x)
        lengths.add(len(y))
        changed += len(y) != len(x) or not np.allclose(y, x)
        # deterministic given the generator's state
        y2 = A.augment(x, np.random.default_rng(seed), others, strength=1.0)
        assert np.array_equal(y, y2)
    assert changed == 40
    assert len(lengths) > 5  # speed perturbation is drawn
    assert A.augment(np.zeros(0, np.float32), np.random.default_rng(0)).shape == (0,)
    with pytest.raises(ValueError):
        A.augment(np.zeros((2, 100), np.float32), np.random.default_rng(0))
