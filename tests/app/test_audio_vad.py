"""Capture-side pieces without Qt: the streaming resampler, the VAD and the segmenter."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from app.audio_input import FakeInput, StreamingResampler
from recognizers.vad import EnergyVAD, UtteranceSegmenter, level_db

RATE = 16_000


def tone(seconds: float, freq: float = 220.0, amp: float = 0.3, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def quiet(seconds: float, rate: int = RATE, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(int(seconds * rate)) * 1e-3).astype(np.float32)


@pytest.mark.parametrize("rate", [48_000, 44_100, 22_050, 8_000])
def test_resampler_is_seamless_and_keeps_the_signal(rate):
    x = tone(1.0, 440.0, rate=rate)
    whole = StreamingResampler(rate)(x)
    r = StreamingResampler(rate)
    pieces = np.concatenate([r(x[i : i + 317]) for i in range(0, len(x), 317)])
    assert abs(len(pieces) - RATE) <= 2
    np.testing.assert_allclose(pieces, whole[: len(pieces)], atol=1e-5)  # chunking changes nothing
    ref = tone(1.0, 440.0)
    lag = int(np.argmax([np.dot(pieces[k : k + 8000], ref[2000:10000]) for k in range(1990, 2030)])) + 1990 - 2000
    corr = np.corrcoef(pieces[2000 + lag : 10000 + lag], ref[2000:10000])[0, 1]
    assert corr > 0.99  # a 440 Hz tone survives, only delayed by the filter


def test_resampler_removes_what_16k_cannot_hold():
    x = tone(1.0, 12_000.0, rate=48_000)  # above the 8 kHz Nyquist frequency of 16 kHz
    y = StreamingResampler(48_000)(x)
    assert level_db(y[1000:]) < level_db(x) - 30


def test_vad_tracks_the_noise_floor():
    vad = EnergyVAD()
    decisions = [vad.is_speech(level_db(quiet(0.02, seed=i))) for i in range(50)]
    assert not any(decisions)
    assert vad.is_speech(level_db(tone(0.02)))


def test_segmenter_finds_two_utterances_with_partials():
    audio = np.concatenate([quiet(0.5), tone(1.2), quiet(1.0, seed=1), tone(0.8, 330.0), quiet(1.0, seed=2)])
    seg = UtteranceSegmenter(partial_every_ms=400)
    events = []
    for i in range(0, len(audio), 320):
        events += seg.feed(audio[i : i + 320])
    kinds = [e.kind for e in events]
    assert kinds.count("start") == 2 and kinds.count("end") == 2
    ends = [e for e in events if e.kind == "end"]
    # first utterance: 1.2 s of tone, plus the pre-roll before and a short tail after
    assert 1.2 <= len(ends[0].audio) / RATE <= 1.2 + 0.3 + 0.3
    assert 0.8 <= len(ends[1].audio) / RATE <= 0.8 + 0.3 + 0.3
    assert ends[0].reason == "silence"
    # partials come every 400 ms of the utterance, each with the audio so far
    first = kinds.index("end")
    partials = [e for e in events[:first] if e.kind == "partial"]
    assert len(partials) >= 2
    assert all(len(b.audio) > len(a.audio) for a, b in zip(partials, partials[1:]))
    assert np.array_equal(partials[0].audio, ends[0].audio[: len(partials[0].audio)])
    assert ends[0].start_pos <= int(0.5 * RATE) <= ends[0].start_pos + len(ends[0].audio)
    assert ends[1].start_pos <= int(2.7 * RATE) <= ends[1].start_pos + len(ends[1].audio)


def test_push_to_talk_ignores_pauses_until_released():
    seg = UtteranceSegmenter()
    assert [e.kind for e in seg.begin()] == ["start"]
    audio = np.concatenate([tone(0.5), quiet(1.5), tone(0.5)])  # a long pause while the key is held
    events = []
    for i in range(0, len(audio), 320):
        events += seg.feed(audio[i : i + 320])
    assert "end" not in [e.kind for e in events]
    (end,) = seg.finish("released")
    assert end.kind == "end" and end.reason == "released"
    assert len(end.audio) == len(audio)


def test_fake_input_feeds_a_file_in_real_time(tmp_path):
    import soundfile as sf

    path = tmp_path / "t.wav"
    sf.write(path, tone(0.5, rate=22_050), 22_050)
    got: list[np.ndarray] = []
    done = threading.Event()
    inp = FakeInput(path, speed=1.0, on_finished=done.set)
    import time

    t0 = time.perf_counter()
    inp.start(got.append)
    assert done.wait(5)
    elapsed = time.perf_counter() - t0
    inp.stop()
    assert 0.4 <= elapsed <= 1.5  # about as long as the recording lasts
    assert abs(sum(len(c) for c in got) - 8000) <= 2  # resampled to 16 kHz
