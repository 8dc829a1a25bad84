"""Recognizer.check_label: does a sample's label fit what the model reads in it? The
enrolment dialog warns with it when a person writes or says another text than the prompt."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from recognizers.recognizer import OTHER_TEXT_NATS, Recognizer, default_model_path

WORD = Path(__file__).resolve().parents[1] / "app" / "fixtures" / "word.json"  # real UNIPEN ink of "there"


def test_real_handwriting_fits_its_own_word_and_not_another():
    rec = Recognizer.load(default_model_path("handwriting"), "handwriting", device="cpu", decoder="beam")
    ink = [np.asarray(s, np.float32) for s in json.loads(WORD.read_text())["strokes"]]
    own = rec.check_label(ink, "there")
    assert not own.another_text and own.excess < OTHER_TEXT_NATS
    assert own.reading == "there"
    for wrong in ("timing", "horse", "There's", "12:30"):
        got = rec.check_label(ink, wrong)
        assert got.another_text, (wrong, got)
        assert got.reading == "there"
    assert rec.check_label(ink, "Théré").excess == 0.0  # characters the model cannot write: not judged
    assert rec.check_label([], "there").excess == 0.0


def test_speech_fits_its_own_sentence_and_not_another(tmp_path):
    pytest.importorskip("ctranslate2", reason="the shipped speech model runs on the Whisper encoder (ctranslate2)")
    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.skip("espeak-ng is not installed (apt install espeak-ng); it renders the test speech")
    wav = tmp_path / "said.wav"
    subprocess.run([exe, "-w", str(wav), "turn left at the next corner"], check=True, capture_output=True)
    from recognizers.audio import load_audio

    rec = Recognizer.load(default_model_path("speech"), "speech", device="cpu")
    audio = load_audio(wav)
    assert not rec.check_label(audio, "Turn left at the next corner.").another_text  # as training normalises it
    assert rec.check_label(audio, "The kitchen door is open.").another_text
