"""Issue 14: a saved device that no longer works (cuda:3, a GPU gone, a typo) falls back to
the CPU and says so, instead of leaving the recognizer unloaded."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recognizers.cli import main
from recognizers.recognizer import Recognizer, usable_device

from .ckptgen import tiny_checkpoint, write_tiny


@pytest.mark.parametrize("name", ["cuda:3", "cuda:99", "bogus", "mps", ""])
def test_a_device_that_does_not_work_falls_back_to_the_cpu(name):
    if name.startswith("cuda") and torch.cuda.device_count() > int(name.split(":")[1]):
        pytest.skip("this machine has that many GPUs")
    device, note = usable_device(name)
    assert device == "cpu" and note
    rec = Recognizer(tiny_checkpoint("speech"), device=name, decoder="greedy")
    assert rec.device == "cpu" and rec.device_note == note
    assert "using the CPU" in rec.describe()
    rec.recognize(np.zeros(8000, np.float32))


def test_cpu_and_auto_have_no_note():
    assert usable_device("cpu") == ("cpu", "")
    assert usable_device("auto")[1] == ""


def test_cli_says_so(tmp_path, capsys):
    import soundfile as sf

    model = write_tiny(tmp_path / "sp.pt", "speech")
    sf.write(tmp_path / "a.wav", np.zeros(16_000, np.float32), 16_000)
    assert main(["transcribe", "speech", str(tmp_path / "a.wav"), "--model", str(model), "--device", "cuda:7"]) == 0
    assert "note: cuda:7 is not available here; using the CPU" in capsys.readouterr().err
