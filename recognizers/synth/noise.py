"""Non-speech audio for training the recognizer to say nothing: silence, room noise,
breathing, keyboard clicks and music, synthesised with numpy (mono float32, 16 kHz).

Used with an empty transcript, and as padding around utterances, so that push-to-talk
silence or a keyboard never turns into words.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, lfilter, sosfilt

SR = 16_000  # Hz

KINDS = ("silence", "room", "breath", "keys", "music", "hum")


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    # Paul Kellet's economy 1/f filter over white noise
    b, a = [0.049922035, -0.095993537, 0.050612699, -0.004408786], [1, -2.494956002, 2.017265875, -0.522189400]
    return lfilter(b, a, rng.standard_normal(n)).astype(np.float32)


def _level(x: np.ndarray, db: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(x**2))) + 1e-12
    return (x * (10 ** (db / 20) / rms)).astype(np.float32)


def silence(n: int, rng: np.random.Generator) -> np.ndarray:
    """Digital silence, or the faint hiss of an idle microphone."""
    if rng.random() < 0.5:
        return np.zeros(n, np.float32)
    return _level(rng.standard_normal(n).astype(np.float32), rng.uniform(-90, -60))


def room(n: int, rng: np.random.Generator) -> np.ndarray:
    """Pink/brown room noise, sometimes with a fan's hum."""
    x = _pink(n, rng)
    if rng.random() < 0.4:
        x = np.cumsum(rng.standard_normal(n)).astype(np.float32)
        x -= lfilter([1], [1, -0.995], x).astype(np.float32)  # brown noise, DC removed
    x = _level(x, rng.uniform(-60, -30))
    if rng.random() < 0.3:
        x += hum(n, rng) * 0.5
    return x


def hum(n: int, rng: np.random.Generator) -> np.ndarray:
    """Mains hum (50 or 60 Hz and harmonics)."""
    t = np.arange(n) / SR
    f0 = 50.0 if rng.random() < 0.5 else 60.0
    x = sum(rng.uniform(0.2, 1.0) / k * np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 6.3)) for k in range(1, 6))
    return _level(np.asarray(x, np.float32), rng.uniform(-55, -30))


def breath(n: int, rng: np.random.Generator) -> np.ndarray:
    """Breathing: band-passed noise swelling in and out, a breath every 2-4 s."""
    sos = butter(2, [rng.uniform(300, 800), rng.uniform(2000, 5000)], btype="band", fs=SR, output="sos")
    x = sosfilt(sos, rng.standard_normal(n)).astype(np.float32)
    env = np.zeros(n, np.float32)
    t = int(rng.uniform(0, 1.0) * SR)
    while t < n:
        length = int(rng.uniform(0.4, 1.2) * SR)
        seg = np.sin(np.linspace(0, np.pi, length)) ** 2
        env[t : t + length] = seg[: max(0, min(length, n - t))]
        t += length + int(rng.uniform(0.8, 2.5) * SR)
    return _level(x * env, rng.uniform(-45, -25)) + room(n, rng) * 0.3


def keys(n: int, rng: np.random.Generator) -> np.ndarray:
    """Keyboard or mouse clicks: short decaying bursts every 60-400 ms."""
    x = np.zeros(n, np.float32)
    t = int(rng.uniform(0, 0.3) * SR)
    while t < n:
        length = int(rng.uniform(0.005, 0.03) * SR)
        click = rng.standard_normal(length) * np.exp(-np.arange(length) / (length / rng.uniform(3, 8)))
        sos = butter(2, rng.uniform(800, 4000), btype="high", fs=SR, output="sos")
        click = sosfilt(sos, click) * rng.uniform(0.2, 1.0)
        x[t : t + length] += click[: max(0, min(length, n - t))].astype(np.float32)
        t += int(rng.uniform(0.06, 0.4) * SR) * (4 if rng.random() < 0.1 else 1)
    return _level(x, rng.uniform(-40, -15)) + room(n, rng) * 0.3


def music(n: int, rng: np.random.Generator) -> np.ndarray:
    """Instrumental music: chords of harmonic tones with attacks and decays, sometimes drums."""
    t = np.arange(n) / SR
    x = np.zeros(n, np.float32)
    beat = rng.uniform(0.25, 0.7)
    pos = 0.0
    while pos * SR < n:
        root = 110.0 * 2 ** (rng.integers(0, 24) / 12)
        dur = beat * int(rng.integers(1, 5))
        a, b = int(pos * SR), min(n, int((pos + dur) * SR))
        env = np.exp(-np.arange(b - a) / (SR * rng.uniform(0.2, 1.5)))
        for step in (0, 4 if rng.random() < 0.6 else 3, 7):
            f = root * 2 ** (step / 12)
            for k in range(1, 5):
                x[a:b] += (env * np.sin(2 * np.pi * f * k * t[a:b]) * rng.uniform(0.1, 1.0) / k).astype(np.float32)
        pos += dur
    if rng.random() < 0.5:
        pos = 0.0
        while pos * SR < n:
            a = int(pos * SR)
            length = min(int(0.15 * SR), n - a)
            x[a : a + length] += (rng.standard_normal(length) * np.exp(-np.arange(length) / 400) * 2).astype(np.float32)
            pos += beat
    return _level(x, rng.uniform(-35, -15))


GENERATORS = {"silence": silence, "room": room, "breath": breath, "keys": keys, "music": music, "hum": hum}


def non_speech(kind: str, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """`seconds` of one kind of non-speech audio, peak-limited to 0.99."""
    x = GENERATORS[kind](int(seconds * SR), rng)
    peak = float(np.abs(x).max()) if len(x) else 0.0
    return x * (0.99 / peak) if peak > 0.99 else x


def pad_with(audio: np.ndarray, rng: np.random.Generator, max_s: float = 1.0) -> np.ndarray:
    """Audio with 0-`max_s` seconds of silence or quiet noise added before and after."""
    kind = str(rng.choice(["silence", "room", "breath", "keys"], p=[0.5, 0.3, 0.1, 0.1]))
    before, after = (non_speech(kind, float(rng.uniform(0.05, max_s)), rng) for _ in range(2))
    if kind != "silence":  # keep the noise well under the speech
        scale = 10 ** (rng.uniform(-25, -10) / 20) * (float(np.sqrt(np.mean(audio**2))) + 1e-6) / (float(np.sqrt(np.mean(np.concatenate([before, after]) ** 2))) + 1e-9)
        before, after = before * min(scale, 1.0), after * min(scale, 1.0)
        bed = non_speech(kind, len(audio) / SR + 0.01, rng)[: len(audio)]
        audio = audio + np.pad(bed, (0, len(audio) - len(bed))) * min(scale, 1.0)
    return np.concatenate([before, audio, after]).astype(np.float32)
