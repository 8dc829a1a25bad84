"""Reading audio files: any rate, WAV/FLAC/OGG (Vorbis or Opus), to mono float32 at 16 kHz."""

from __future__ import annotations

import os
from math import gcd

import numpy as np

from .features import SAMPLE_RATE


class AudioFileError(ValueError):
    """An audio file that cannot be read; the message names the file."""


def resample(audio: np.ndarray, orig_rate: int, new_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Band-limited resampling (polyphase), mono float32 in and out."""
    if orig_rate == new_rate:
        return np.asarray(audio, np.float32)
    from scipy.signal import resample_poly

    g = gcd(int(orig_rate), int(new_rate))
    return resample_poly(np.asarray(audio, np.float32), new_rate // g, orig_rate // g).astype(np.float32)


def to_mono(audio: np.ndarray) -> np.ndarray:
    audio = np.asarray(audio, np.float32)
    return audio.mean(axis=1) if audio.ndim == 2 else audio


def load_audio(path: str | os.PathLike, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float32 samples of an audio file at `rate` Hz (soundfile reads it, scipy resamples)."""
    import soundfile as sf

    try:
        data, sr = sf.read(os.fspath(path), dtype="float32", always_2d=False)
    except Exception as exc:  # soundfile raises several types for bad files
        raise AudioFileError(f"cannot read audio file {path}: {exc}") from exc
    return resample(to_mono(data), sr, rate)


def save_audio(path: str | os.PathLike, audio: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """Write mono audio (the format follows the extension: .wav, .flac, .ogg), atomically."""
    import soundfile as sf
    import tempfile

    path = os.fspath(path)
    d = os.path.dirname(path) or "."
    os.makedirs(d, exist_ok=True)
    ext = os.path.splitext(path)[1]
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-", suffix=ext)
    os.close(fd)
    try:
        sf.write(tmp, np.asarray(audio, np.float32), rate)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
