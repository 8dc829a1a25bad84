"""Fixtures for the GUI tests: offscreen Qt, windows that clean up, small stand-in models."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
from pathlib import Path

# a desktop's screen: the offscreen platform's own is 800 x 800, narrower than the window's
# first size (980 x 760), and the window opens no larger than its screen
SCREEN_CONFIG = Path(__file__).resolve().parent / "fixtures" / "screen-1920x1080.json"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREEN_CONFIG}"
os.environ.setdefault("OMP_NUM_THREADS", "1")  # the tests share a small machine

import numpy as np
import pytest

from .helpers import make_standin_model


@pytest.fixture(scope="session")
def standin_models(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("models")
    return {m: make_standin_model(d / f"{m}.pt", m) for m in ("handwriting", "speech")}


@pytest.fixture(scope="session")
def shipped_handwriting_model() -> Path:
    from recognizers.recognizer import default_model_path

    p = default_model_path("handwriting")
    if not p.exists():
        pytest.skip(f"the shipped handwriting model is not there yet ({p}); train it with `python -m recognizers train handwriting`")
    return p


@pytest.fixture(scope="session")
def spoken_audio(tmp_path_factory) -> np.ndarray:
    """'turn left at the next corner' by espeak-ng, 16 kHz mono float32, made here."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.skip("espeak-ng is not installed (apt install espeak-ng); it renders the test speech")
    wav = tmp_path_factory.mktemp("speech") / "corner.wav"
    subprocess.run([exe, "-w", str(wav), "turn left at the next corner"], check=True, capture_output=True)
    from recognizers.audio import load_audio

    return load_audio(wav)


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Build a MainWindow with test settings and samples dir; shut it down afterwards."""
    from PySide6.QtCore import QSettings

    from app.audio_input import FakeBackend
    from app.main_window import MainWindow

    made = []

    def make(handwriting_model=None, speech_model=None, backend=None, wait_models=True, **kwargs):
        settings = QSettings(str(tmp_path / f"settings{len(made)}.ini"), QSettings.Format.IniFormat)
        kwargs.setdefault("data_dir", tmp_path / "userdata")  # never the real user's folder (the text draft lives there)
        win = MainWindow(
            str(handwriting_model) if handwriting_model else str(tmp_path / "absent-handwriting.pt"),
            str(speech_model) if speech_model else str(tmp_path / "absent-speech.pt"),
            device="cpu",
            audio_backend=backend if backend is not None else FakeBackend({}),
            settings=settings,
            samples_dir=tmp_path / "samples",
            **kwargs,
        )
        win.ask_before_close = False  # pytest-qt closes windows before this fixture's teardown: no one would answer
        qtbot.addWidget(win)
        made.append(win)
        win.show()
        qtbot.waitExposed(win)
        if wait_models and not win.models_settled:
            with qtbot.waitSignal(win.modelsSettled, timeout=30_000):
                pass
        return win

    yield make
    for w in made:
        w.shutdown()
    # the recognizer threads are gone: collect here, on the GUI thread, and give the
    # rest of the test session its automatic garbage collection back
    gc.collect()
    gc.enable()


@pytest.fixture
def user_dirs(tmp_path, monkeypatch):
    """The user-data directory of a test (models/, runs/, user-words.txt)."""
    from PySide6.QtCore import QStandardPaths

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    QStandardPaths.setTestModeEnabled(True)
    yield tmp_path / "userdata"
    QStandardPaths.setTestModeEnabled(False)
