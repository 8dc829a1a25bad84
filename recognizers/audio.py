"""Reading audio files: any rate, WAV/FLAC/OGG (Vorbis or Opus), to mono float32 at 16 kHz."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from fractions import Fraction

import numpy as np

SAMPLE_RATE = 16_000  # Hz: the project's one rate; capture and file reading resample to it


class AudioFileError(ValueError):
    """An audio file that cannot be read; the message names the file (its whole path).
    `reason`, where set, says it for a person who chose the file: its name and why."""

    reason: str = ""


MIN_RATE, MAX_RATE = 1_000, 768_000  # Hz; a file claiming a rate outside is not audio we can use
MAX_RATIO_TERM = 1_000  # bounds the polyphase filter: 44,101 Hz is read as 44,100 Hz, not with 44,101 phases


def resample_ratio(orig_rate: int, new_rate: int) -> tuple[int, int]:
    """(up, down) for resample_poly: the exact ratio when its terms are small, else the
    nearest ratio with terms <= MAX_RATIO_TERM (a pitch error far below what anyone hears)."""
    r = Fraction(int(new_rate), int(orig_rate)).limit_denominator(MAX_RATIO_TERM)
    return r.numerator, r.denominator


def resample(audio: np.ndarray, orig_rate: int, new_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Band-limited resampling (scipy's polyphase resample_poly), mono float32 in and out.

    The project's one resampler: file reading, speed perturbation and synthetic voices use it.
    """
    if orig_rate == new_rate:
        return np.asarray(audio, np.float32)
    from scipy.signal import resample_poly

    up, down = resample_ratio(orig_rate, new_rate)
    return resample_poly(np.asarray(audio, np.float32), up, down).astype(np.float32)


def speed_perturb(audio: np.ndarray, factor: float) -> np.ndarray:
    """Play ``audio`` ``factor`` times faster (tempo and pitch together) by resampling.

    ``factor`` > 1 shortens the audio. It is rounded to a multiple of 1/40.
    Returns float32 of shape ``(round(len(audio) / factor),)`` (within a sample).
    """
    up = 40
    down = int(round(factor * up))
    if down == up or len(audio) == 0:
        return audio.astype(np.float32, copy=True)
    return resample(audio, down, up)  # read as if recorded at `down` Hz, played at `up` Hz


MAX_CHANNELS = 64  # more is not a recording Scrivox can use (and would multiply every block's size)


def _check_path(path: str | os.PathLike) -> None:
    if os.path.isdir(path):
        raise AudioFileError(f"{path} is a folder, not an audio file")
    if not os.path.exists(path):
        raise AudioFileError(f"no such audio file: {path}")


def check_channels(channels: int, path: str | os.PathLike) -> None:
    if not 1 <= channels <= MAX_CHANNELS:
        raise AudioFileError(f"{path}: {channels} channels is not audio Scrivox can read (1-{MAX_CHANNELS})")


def check_rate(rate: int, path: str | os.PathLike) -> None:
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioFileError(f"{path}: a sample rate of {rate} Hz is not audio Scrivox can read ({MIN_RATE}-{MAX_RATE} Hz)")


def clean(audio: np.ndarray, path: str | os.PathLike) -> np.ndarray:
    """Audio with its samples checked: NaN or infinite samples make a file unreadable, and
    samples far beyond full scale mean the file is not audio (or is badly damaged)."""
    if not np.isfinite(audio).all():
        raise AudioFileError(f"{path}: the audio holds NaN or infinite samples")
    if len(audio) and float(np.abs(audio).max()) > 1e3:
        raise AudioFileError(f"{path}: samples up to {float(np.abs(audio).max()):.3g} (full scale is 1.0): not usable audio")
    return audio


def to_mono(audio: np.ndarray) -> np.ndarray:
    audio = np.asarray(audio, np.float32)
    return audio.mean(axis=1) if audio.ndim == 2 else audio


def _unreadable(path: str | os.PathLike, exc: Exception, opened: bool = False) -> AudioFileError:
    """An error for a file soundfile cannot read: the path, and in `reason` plain words for
    the person (the formats that work, libsndfile's own reason without the path it repeats)."""
    why = (getattr(exc, "error_string", None) or str(exc)).strip().rstrip(".")
    try:
        empty = os.path.getsize(path) == 0
    except OSError:
        empty = False
    reason = ("the file is empty (0 bytes)." if empty
              else f"it stops part-way through, damaged or cut short ({why})." if opened
              else f"it is not a WAV, FLAC or OGG recording Scrivox can read ({why}).")
    err = AudioFileError(f"cannot read audio file {os.fspath(path)}: {reason}")
    err.reason = f"{os.path.basename(os.fspath(path))}: {reason}"
    return err


_BYTES = {"PCM_U8": 1, "PCM_S8": 1, "PCM_16": 2, "PCM_24": 3, "PCM_32": 4, "FLOAT": 4, "DOUBLE": 8, "ULAW": 1, "ALAW": 1}  # per sample
_SHOULD_BE = re.compile(r"^data\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)


def cut_short_note(path: str | os.PathLike) -> str:
    """A sentence for a person when a WAV file holds less audio than its header says (a copy
    or a recording that stopped part-way), or none at all; "" otherwise. libsndfile reads such
    a file up to where it ends without an error, and says so only in its log ("data : N
    (should be M)"). A FLAC cut short fails to decode instead (AudioFileError); an Ogg file's
    length is not stated in a header, so its cut cannot be told."""
    import soundfile as sf

    try:
        info = sf.info(os.fspath(path))
    except Exception:  # unreadable files get their own error from the reader
        return ""
    if info.frames == 0:  # a header alone: "holds 0.0 s; the part that is there was read" misled a tester
        return f"{os.path.basename(os.fspath(path))} holds no audio: the file is only a header, with no recording after it."
    m = _SHOULD_BE.search(info.extra_info or "")
    frame_bytes = max(1, info.channels) * _BYTES.get(info.subtype, 2)
    if not m or int(m.group(2)) >= int(m.group(1)) or not info.samplerate:
        return ""
    said, held = int(m.group(1)) / frame_bytes / info.samplerate, info.frames / info.samplerate
    return (f"{os.path.basename(os.fspath(path))} is cut short: its header promises {said:.1f} s of audio "
            f"but the file holds {held:.1f} s; the part that is there was read.")


def load_audio(path: str | os.PathLike, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float32 samples of an audio file at `rate` Hz (soundfile reads it, scipy resamples)."""
    import soundfile as sf

    _check_path(path)
    try:
        info = sf.info(os.fspath(path))
        check_rate(info.samplerate, path)
        check_channels(info.channels, path)
        data, sr = sf.read(os.fspath(path), dtype="float32", always_2d=False)
    except AudioFileError:
        raise
    except Exception as exc:  # soundfile raises several types for bad files
        raise _unreadable(path, exc) from exc
    return resample(clean(to_mono(data), path), sr, rate)


def iter_audio_blocks(path: str | os.PathLike, block_s: float = 30.0, rate: int = SAMPLE_RATE) -> Iterator[np.ndarray]:
    """A file's audio as mono float32 blocks at `rate`, read and resampled block by block,
    so memory does not grow with the file's length.

    Each block is resampled with some input on either side and then cropped, so the joined
    blocks equal resampling the whole file at once (up to float rounding)."""
    import soundfile as sf

    _check_path(path)
    try:
        f = sf.SoundFile(os.fspath(path))
    except Exception as exc:
        raise _unreadable(path, exc) from exc
    with f:
        sr = f.samplerate
        check_rate(sr, path)
        check_channels(f.channels, path)
        up, down = resample_ratio(sr, rate)
        step = max(1, int(block_s * sr) // down) * down  # input samples per block, a multiple of `down`
        ctx = (max(1, sr // 20) // down + 1) * down  # >= 50 ms of context, a multiple of `down`
        prev = np.zeros(0, np.float32)  # the context before the current block
        cur = _read(f, step, path)
        while len(cur):
            nxt = _read(f, step, path)
            window = np.concatenate([prev, cur, nxt[:ctx]])
            out = resample(window, down, up) if (up, down) != (1, 1) else window
            start = len(prev) * up // down
            yield out[start : start + -(-len(cur) * up // down)]
            prev, cur = cur[-ctx:], nxt


def _read(f, n: int, path: str | os.PathLike) -> np.ndarray:
    try:
        data = f.read(n, dtype="float32", always_2d=False)
    except Exception as exc:
        raise _unreadable(path, exc, opened=True) from exc
    return clean(to_mono(data), path)
