"""Waveform augmentation for speech training (mono float32 numpy at 16 kHz).

One entry point, :func:`augment`, draws a random chain of effects from a numpy
``Generator``; each effect is also a public function for tests and for callers that want
one thing only. Everything works on 1-D ``float32`` arrays of shape ``(samples,)`` at
:data:`SAMPLE_RATE`, and is cheap enough to run on the fly in data loading on a 2-core CPU
(about 1-2 ms per second of audio for a full chain; see docs/speech-data.md).

Effects, in the order :func:`augment` applies them:

1. speed perturbation: resampling (``scipy.signal.resample_poly``), changes tempo and
   pitch together, as in Ko et al. 2015 ("Audio augmentation for speech recognition");
2. pitch and vocal-tract-length change: a phase-vocoder spectral warp that scales the
   harmonics by one factor and the spectral envelope (formants, found by cepstral
   smoothing) by another, at constant duration;
3. reverberation: convolution (``scipy.signal.fftconvolve``) with a synthetic room
   impulse response, direct path + sparse early reflections + exponentially decaying,
   progressively darker noise tail, random RT60 and direct-to-reverberant ratio;
4. additive noise at a random SNR: white, pink, brown, mains hum (50/60 Hz with
   harmonics), or babble mixed from other utterances passed in;
5. band-limiting: telephone band 300-3400 Hz (``scipy.signal`` Butterworth) with an
   optional 8 kHz down/up-sampling round trip and mu-law 8-bit companding, or a plain
   random low-pass (cheap microphones);
6. gain, with a peak limit (occasionally a little hard clipping).

SpecAugment works on features and lives with the feature code, not here.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import fft as sfft
from scipy import signal

from recognizers.audio import SAMPLE_RATE, speed_perturb  # kept in recognizers.audio: the recognizer's speed views use it too

__all__ = [
    "SAMPLE_RATE",
    "augment",
    "speed_perturb",
    "spectral_warp",
    "synthetic_rir",
    "reverberate",
    "white_noise",
    "pink_noise",
    "brown_noise",
    "hum",
    "babble_noise",
    "add_noise",
    "telephone",
    "lowpass",
    "apply_gain",
]


# Phase-vocoder STFT for spectral_warp.
_N_FFT = 512  # samples (32 ms)
_HOP = 128  # samples (8 ms); must divide _N_FFT
_LIFTER = 30  # cepstral coefficients kept for the envelope (1.9 ms quefrency < pitch period)


# --------------------------------------------------------------------------- speed / pitch


@lru_cache(maxsize=1)
def _stft_consts() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    win = signal.get_window("hann", _N_FFT).astype(np.float32)
    bins = np.arange(_N_FFT // 2 + 1)
    expected = ((2.0 * np.pi * _HOP / _N_FFT) * bins).astype(np.float32)  # rad per hop
    lifter = np.zeros(_N_FFT, dtype=np.float32)
    lifter[:_LIFTER] = 1.0
    lifter[-_LIFTER + 1:] = 1.0
    alt = np.where(bins % 2 == 0, 1.0, -1.0).astype(np.float32)
    return win, expected, lifter, alt


def spectral_warp(audio: np.ndarray, pitch: float = 1.0, formant: float = 1.0) -> np.ndarray:
    """Scale pitch by ``pitch`` and formants (vocal tract length) by ``formant``.

    Duration is unchanged. ``pitch == formant`` scales the whole spectrum like a bigger or
    smaller speaker talking at the same speed; ``formant == 1`` moves only the pitch; ``pitch
    == 1`` is a vocal-tract-length change (VTLP-like). Phase-vocoder resynthesis (STFT 512,
    hop 128, Hann), envelope by cepstral smoothing. Input and output: float32 ``(samples,)``.
    """
    n = len(audio)
    if n == 0 or (abs(pitch - 1.0) < 1e-3 and abs(formant - 1.0) < 1e-3):
        return audio.astype(np.float32, copy=True)
    win, expected, lifter, alt = _stft_consts()
    n_bins = _N_FFT // 2 + 1
    pad = _N_FFT
    n_frames = (n + 2 * pad - _N_FFT) // _HOP + 1
    total = (n_frames - 1) * _HOP + _N_FFT
    x = np.zeros(total, dtype=np.float32)
    x[pad:pad + n] = audio
    frames = np.lib.stride_tricks.sliding_window_view(x, _N_FFT)[::_HOP][:n_frames]
    # Zero-phase framing (sign flip of odd bins = frame rotated by half its length): the
    # bins of one sinusoid's main lobe then share its phase, so copying one phase to
    # several target bins stays coherent.
    spec = sfft.rfft(frames * win, axis=1) * alt  # complex64 (frames, bins)
    mag = np.abs(spec)
    phase = np.angle(spec)

    # Instantaneous frequency of each bin, radians per hop.
    dphi = np.diff(phase, axis=0, prepend=phase[:1]) - expected
    dphi = (dphi + np.float32(np.pi)) % np.float32(2.0 * np.pi) - np.float32(np.pi)
    inst = expected + dphi

    target = np.arange(n_bins, dtype=np.float32)
    src = target / pitch  # fractional source bin of each target bin
    valid = src <= n_bins - 1
    src_c = np.clip(src, 0, n_bins - 1)
    lo = np.floor(src_c).astype(np.int64)
    hi = np.minimum(lo + 1, n_bins - 1)
    frac = (src_c - lo).astype(np.float32)
    nearest = np.clip(np.rint(src_c).astype(np.int64), 0, n_bins - 1)

    new_mag = mag[:, lo] * (1 - frac) + mag[:, hi] * frac
    if abs(formant - pitch) > 1e-3:
        # Move the envelope from "scaled by pitch" to "scaled by formant".
        log_mag = np.log(mag + np.float32(1e-5))
        ceps = sfft.irfft(log_mag, n=_N_FFT, axis=1) * lifter
        env = sfft.rfft(ceps, axis=1).real  # log envelope (frames, bins)
        env_p = env[:, lo] * (1 - frac) + env[:, hi] * frac
        src_f = np.clip(target / formant, 0, n_bins - 1)
        lo_f = np.floor(src_f).astype(np.int64)
        hi_f = np.minimum(lo_f + 1, n_bins - 1)
        frac_f = (src_f - lo_f).astype(np.float32)
        env_f = env[:, lo_f] * (1 - frac_f) + env[:, hi_f] * frac_f
        new_mag *= np.exp(np.clip(env_f - env_p, np.float32(-4.0), np.float32(4.0)))
    new_mag[:, ~valid] = 0.0

    new_inst = inst[:, nearest] * np.float32(pitch)
    new_phase = np.cumsum(new_inst, axis=0) + phase[0, nearest] - new_inst[0]
    new_spec = np.empty(new_mag.shape, dtype=np.complex64)
    new_spec.real = new_mag * np.cos(new_phase)
    new_spec.imag = new_mag * np.sin(new_phase)
    new_spec *= alt
    frames_out = sfft.irfft(new_spec, n=_N_FFT, axis=1)
    frames_out *= win

    # Overlap-add, vectorised: each frame spans _N_FFT // _HOP hop-sized blocks.
    k = _N_FFT // _HOP
    blocks = frames_out.reshape(n_frames, k, _HOP)
    out = np.zeros((n_frames + k - 1, _HOP), dtype=np.float32)
    wsq = np.zeros((n_frames + k - 1, _HOP), dtype=np.float32)
    wblocks = (win * win).reshape(k, _HOP)
    for i in range(k):
        out[i:i + n_frames] += blocks[:, i]
        wsq[i:i + n_frames] += wblocks[i]
    out = out.reshape(-1) / np.maximum(wsq.reshape(-1), 1e-3)
    return out[pad:pad + n].astype(np.float32)


# --------------------------------------------------------------------------- reverberation


def synthetic_rir(rng: np.random.Generator, rt60: float, drr_db: float,
                  sr: int = SAMPLE_RATE) -> np.ndarray:
    """A synthetic room impulse response, float32 ``(taps,)`` with a unit direct path.

    ``rt60``: seconds for the tail to decay by 60 dB; ``drr_db``: direct-to-reverberant
    energy ratio in dB. Tail: Gaussian noise under an exponential envelope, low-passed more
    as it decays (air and wall absorption), after a few sparse early reflections.
    """
    length = int(min(max(rt60, 0.05) * 1.1, 1.0) * sr)
    t = np.arange(length, dtype=np.float32) / sr
    env = np.exp(-6.9078 * t / rt60).astype(np.float32)  # 60 dB = e^-6.9078
    tail = rng.standard_normal(length).astype(np.float32) * env
    # Darker later: mix a low-passed copy in with a weight that grows with time.
    b, a = signal.butter(1, 2500 / (sr / 2))
    dark = signal.lfilter(b, a, tail).astype(np.float32)
    w = np.clip(t / max(rt60, 1e-3), 0, 1)
    tail = (1 - w) * tail + w * dark
    onset = int(rng.uniform(0.002, 0.010) * sr)  # gap before the diffuse tail starts
    tail[:onset] = 0.0
    for _ in range(int(rng.integers(2, 7))):  # early reflections
        pos = int(rng.uniform(0.002, 0.05) * sr)
        if pos < length:
            tail[pos] += rng.uniform(-0.7, 0.7) * np.exp(-6.9078 * pos / sr / rt60)
    tail_energy = float(np.sum(tail * tail)) + 1e-12
    tail *= np.sqrt(10.0 ** (-drr_db / 10.0) / tail_energy)
    tail[0] = 1.0
    return tail.astype(np.float32)


def reverberate(audio: np.ndarray, rir: np.ndarray) -> np.ndarray:
    """Convolve with ``rir`` (FFT convolution), keep the input's length, float32."""
    if len(audio) == 0:
        return audio.astype(np.float32, copy=True)
    return signal.fftconvolve(audio, rir, mode="full")[: len(audio)].astype(np.float32)


# --------------------------------------------------------------------------- noise


def white_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unit-variance white Gaussian noise, float32 ``(n,)``."""
    return rng.standard_normal(n).astype(np.float32)


# Paul Kellet's economy 1/f filter (about +-0.5 dB from 10 Hz to Nyquist at 44.1 kHz).
_PINK_B = np.array([0.049922035, -0.095993537, 0.050612699, -0.004408786])
_PINK_A = np.array([1.0, -2.494956002, 2.017265875, -0.522189400])


def pink_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """1/f (pink) noise, unit variance, float32 ``(n,)``."""
    x = signal.lfilter(_PINK_B, _PINK_A, rng.standard_normal(n + 2000))[2000:]
    return (x / (np.std(x) + 1e-12)).astype(np.float32)


def brown_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """1/f^2 (brown, leaky-integrated) noise, unit variance, float32 ``(n,)``."""
    x = signal.lfilter([1.0], [1.0, -0.995], rng.standard_normal(n + 2000))[2000:]
    x = x - np.mean(x)
    return (x / (np.std(x) + 1e-12)).astype(np.float32)


def hum(rng: np.random.Generator, n: int, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Mains hum: 50 or 60 Hz with random decaying odd/even harmonics, unit variance."""
    f0 = 50.0 if rng.random() < 0.5 else 60.0
    f0 *= rng.uniform(0.995, 1.005)
    t = np.arange(n, dtype=np.float64) / sr
    x = np.zeros(n, dtype=np.float64)
    for h in range(1, int(rng.integers(2, 9))):
        x += rng.uniform(0.2, 1.0) / h * np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 2 * np.pi))
    x = x.astype(np.float32)
    return x / (np.std(x) + 1e-12)


def babble_noise(rng: np.random.Generator, n: int, others: list[np.ndarray]) -> np.ndarray:
    """Babble: 2-6 of ``others`` (float32 16 kHz utterances) looped from random offsets,
    each at a random level, summed; unit variance, float32 ``(n,)``."""
    out = np.zeros(n, dtype=np.float32)
    usable = [o for o in others if len(o) > 0]
    if not usable:
        return white_noise(rng, n)
    for _ in range(int(rng.integers(2, 7))):
        src = usable[int(rng.integers(len(usable)))]
        src = src / (np.std(src) + 1e-8)
        reps = int(np.ceil((n + len(src)) / len(src)))
        start = int(rng.integers(len(src)))
        track = np.tile(src, reps)[start:start + n] if reps > 1 else src[start:start + n]
        out[: len(track)] += rng.uniform(0.3, 1.0) * track
    return out / (np.std(out) + 1e-12)


def add_noise(audio: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """Add ``noise`` (same length) scaled to ``snr_db`` relative to the audio's power.

    The speech power is measured over its louder half of 20 ms frames, so that long
    silences do not inflate the noise level.
    """
    n = len(audio)
    if n == 0:
        return audio.astype(np.float32, copy=True)
    frame = 320
    m = n // frame
    if m >= 2:
        p = np.mean(audio[: m * frame].reshape(m, frame) ** 2, axis=1)
        p_sig = float(np.mean(np.sort(p)[m // 2:]))
    else:
        p_sig = float(np.mean(audio ** 2))
    p_noise = float(np.mean(noise[:n] ** 2)) + 1e-12
    scale = np.sqrt(p_sig / (p_noise * 10.0 ** (snr_db / 10.0)))
    return (audio + scale * noise[:n]).astype(np.float32)


# --------------------------------------------------------------------------- band-limiting


@lru_cache(maxsize=8)
def _telephone_sos(low: float, high: float) -> np.ndarray:
    return signal.butter(4, [low, high], btype="bandpass", fs=SAMPLE_RATE, output="sos")


@lru_cache(maxsize=64)
def _lowpass_sos(cutoff: int) -> np.ndarray:
    return signal.butter(6, cutoff, btype="lowpass", fs=SAMPLE_RATE, output="sos")


def _mu_law(x: np.ndarray, mu: float = 255.0) -> np.ndarray:
    """Mu-law compand, quantise to 8 bits, expand (G.711-like)."""
    peak = float(np.max(np.abs(x))) + 1e-9
    y = np.sign(x) * np.log1p(mu * np.abs(x / peak)) / np.log1p(mu)
    y = np.round(y * 127.0) / 127.0
    return (np.sign(y) * np.expm1(np.abs(y) * np.log1p(mu)) / mu * peak).astype(np.float32)


def telephone(audio: np.ndarray, resample_8k: bool = True, mu_law: bool = False,
              low: float = 300.0, high: float = 3400.0) -> np.ndarray:
    """Telephone quality: band-pass ``low``-``high`` Hz (4th-order Butterworth), optionally
    a round trip through 8 kHz and 8-bit mu-law. Same length, float32."""
    if len(audio) == 0:
        return audio.astype(np.float32, copy=True)
    y = signal.sosfilt(_telephone_sos(low, high), audio)
    if resample_8k:
        y = signal.resample_poly(signal.resample_poly(y, 1, 2), 2, 1)[: len(audio)]
    if mu_law:
        y = _mu_law(y)
    out = np.zeros(len(audio), dtype=np.float32)
    out[: len(y)] = y
    return out


def lowpass(audio: np.ndarray, cutoff_hz: float) -> np.ndarray:
    """Low-pass at ``cutoff_hz`` (6th-order Butterworth, rounded to 100 Hz), float32."""
    if len(audio) == 0:
        return audio.astype(np.float32, copy=True)
    cutoff = int(round(cutoff_hz / 100.0) * 100)
    return signal.sosfilt(_lowpass_sos(cutoff), audio).astype(np.float32)


def apply_gain(audio: np.ndarray, gain_db: float, clip: bool = False) -> np.ndarray:
    """Scale by ``gain_db``; then, if the peak exceeds 1, hard-clip (``clip``) or
    scale down to a 0.99 peak. float32."""
    y = audio * np.float32(10.0 ** (gain_db / 20.0))
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    if peak > 1.0:
        y = np.clip(y, -1.0, 1.0) if clip else y * np.float32(0.99 / peak)
    return y.astype(np.float32)


# --------------------------------------------------------------------------- the chain


def augment(audio: np.ndarray, rng: np.random.Generator,
            babble: list[np.ndarray] | None = None, strength: float = 1.0) -> np.ndarray:
    """Randomly augment one utterance.

    ``audio``: float32 ``(samples,)`` at 16 kHz. ``babble``: other utterances (same
    format) to mix into babble noise; without them babble is not drawn. ``strength``
    in [0, 1] (values above 1 are allowed) scales both how often each effect is applied and
    how far it goes; 0 returns an unchanged copy. Returns float32 ``(samples',)``, where
    the length changes only through speed perturbation. Deterministic given ``rng``'s state.
    """
    x = np.asarray(audio, dtype=np.float32)
    if x.ndim != 1:
        raise ValueError(f"expected mono audio of shape (samples,), got {x.shape}")
    x = np.nan_to_num(x)
    s = float(max(strength, 0.0))
    if s == 0.0 or len(x) == 0:
        return x.copy()

    def chance(p: float) -> bool:
        return bool(rng.random() < min(1.0, p * s))

    if chance(0.6):
        x = speed_perturb(x, float(rng.uniform(1 - 0.15 * s, 1 + 0.15 * s)))
    if chance(0.5):
        pitch = float(2.0 ** (rng.uniform(-4, 4) * s / 12.0))  # +-4 semitones
        mode = rng.random()
        if mode < 0.4:  # whole spectrum: a larger or smaller talker
            formant = pitch
        elif mode < 0.7:  # pitch only
            formant = 1.0
        else:  # independent vocal tract length
            formant = float(rng.uniform(1 - 0.12 * s, 1 + 0.12 * s))
        x = spectral_warp(x, pitch, formant)
    if chance(0.4):
        rt60 = float(rng.uniform(0.15, 0.15 + 0.75 * s))
        drr = float(rng.uniform(12 - 12 * s, 15))
        x = reverberate(x, synthetic_rir(rng, rt60, drr))
    if chance(0.6):
        kinds = ["white", "pink", "brown", "hum"] + (["babble"] * 3 if babble else [])
        kind = kinds[int(rng.integers(len(kinds)))]
        n = len(x)
        if kind == "white":
            noise = white_noise(rng, n)
        elif kind == "pink":
            noise = pink_noise(rng, n)
        elif kind == "brown":
            noise = brown_noise(rng, n)
        elif kind == "hum":
            noise = hum(rng, n)
        else:
            noise = babble_noise(rng, n, babble or [])
        lo = 30.0 - 25.0 * s  # strength 1: SNR 5..35 dB
        snr = float(rng.uniform(lo, 35.0))
        if kind == "hum":
            snr += 5.0  # narrow-band: annoying at a higher SNR already
        x = add_noise(x, noise, snr)
    r = rng.random()
    if r < 0.12 * s:
        x = telephone(x, resample_8k=bool(rng.random() < 0.7), mu_law=bool(rng.random() < 0.4))
    elif r < 0.27 * s:
        x = lowpass(x, float(rng.uniform(3500, 7500)))
    gain = float(rng.uniform(-20 * s, 6 * s))
    x = apply_gain(x, gain, clip=bool(rng.random() < 0.05 * s))
    return x
