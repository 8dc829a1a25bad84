"""Issue 14: a long recording transcribes with flat memory (the long-audio path streams)."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest
import soundfile as sf

from recognizers.recognizer import Recognizer

from .ckptgen import write_tiny


def _write_long_wav(path, minutes: float, rate: int = 16_000, seed: int = 0) -> None:
    """Speech-like bursts (1-4 s of syllable-modulated noise) between short pauses."""
    rng = np.random.default_rng(seed)
    total = int(minutes * 60 * rate)
    with sf.SoundFile(str(path), "w", rate, 1, subtype="PCM_16") as f:
        done = 0
        while done < total:
            n = int(rng.uniform(1, 4) * rate)
            t = np.arange(n) / rate
            burst = rng.normal(0, 0.2, n) * 0.5 * (1 - np.cos(2 * np.pi * 4 * t)) * np.hanning(n)
            pause = rng.normal(0, 0.002, int(rng.uniform(0.3, 1.5) * rate))
            block = np.concatenate([burst, pause]).astype(np.float32)[: total - done]
            f.write(block)
            done += len(block)


def _peak_bytes(rec: Recognizer, path) -> tuple[int, int, float]:
    tracemalloc.start()
    t0 = time.perf_counter()
    n = sum(1 for _ in rec.transcribe_long(path))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, n, time.perf_counter() - t0


@pytest.mark.slow
def test_transcribe_long_memory_does_not_grow_with_length(tmp_path):
    rec = Recognizer.load(write_tiny(tmp_path / "sp.pt", "speech"), "speech", device="cpu", decoder="greedy")
    _write_long_wav(tmp_path / "short.wav", 2)
    _write_long_wav(tmp_path / "long.wav", 8, seed=1)
    short_peak, short_n, _ = _peak_bytes(rec, tmp_path / "short.wav")
    long_peak, long_n, _ = _peak_bytes(rec, tmp_path / "long.wav")
    assert long_n > 3 * short_n  # it did read the whole of both files, in pieces
    # four times the audio, about the same peak (reading whole would be 4x: 30 MB of samples)
    assert long_peak / short_peak < 1.3, (short_peak, long_peak)
    assert long_peak < 40 << 20
