"""The network's number type: bfloat16 where the CPU has AMX (faster there), float32 elsewhere,
and a bfloat16 network reads real ink as the float32 one does."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recognizers.recognizer import Recognizer, pick_precision

from .ckptgen import tiny_checkpoint
from .test_ink_lines import place, real_word


@pytest.mark.parametrize("amx", [True, False])
def test_auto_takes_bfloat16_only_on_a_cpu_with_amx(monkeypatch, amx):
    monkeypatch.setattr(torch._C._cpu, "_is_amx_tile_supported", lambda: amx)
    assert pick_precision("cpu") == (torch.bfloat16 if amx else torch.float32)
    assert pick_precision("cuda") == torch.float32  # the GPU path stays as it was
    assert pick_precision("cpu", "float32") == torch.float32
    assert pick_precision("cpu", "bfloat16") == torch.bfloat16


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="precision must be one of"):
        pick_precision("cpu", "int4")


def test_a_bfloat16_network_reads_real_ink_as_float32_does():
    word = real_word()  # "there"
    gap = 1.5 * float(np.ptp(np.concatenate(word)[:, 1]))
    line = word + place(word, dx=float(np.concatenate(word)[:, 0].max()) + gap)
    for decoder in ("greedy", "beam"):
        full = Recognizer.load(device="cpu", decoder=decoder, precision="float32")
        half = Recognizer.load(device="cpu", decoder=decoder, precision="bfloat16")
        assert next(half.model.parameters()).dtype == torch.bfloat16
        assert half.recognize(word).text == full.recognize(word).text == "there"
        assert half.recognize(line).text == full.recognize(line).text == "there there"
    feats = full.features(word)
    a, b = full.log_probs(feats), half.log_probs(feats)
    assert b.dtype == torch.float32  # decoders always get float32
    assert torch.equal(a.argmax(-1), b.argmax(-1))
    assert float((a.exp() - b.exp()).abs().max()) < 0.05  # probabilities within a few hundredths


def test_a_speech_head_runs_in_bfloat16():
    rec = Recognizer(tiny_checkpoint("speech"), device="cpu", decoder="greedy", precision="bfloat16")
    audio = np.random.default_rng(0).normal(0, 0.1, 16000).astype(np.float32)
    lp = rec.log_probs(rec.features(audio))
    assert lp.dtype == torch.float32 and torch.isfinite(lp).all()
    assert isinstance(rec.recognize(audio).text, str)
