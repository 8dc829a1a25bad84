"""Growing a trained model's LSTMs keeps its outputs, and the new units learn."""

import dataclasses

import pytest
import torch

from recognizers.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from recognizers.ink import write_ink_jsonl
from recognizers.model import CTCModel
from recognizers.training.loop import TrainConfig, train
from recognizers.training.presets import PRESETS
from recognizers.training.widen import widen_checkpoint

from .ckptgen import tiny_checkpoint
from .inkgen import make_samples


def _trained_like(layers: int) -> Checkpoint:
    """A small checkpoint with random (not default) weights in every tensor and batch-norm statistic."""
    c = tiny_checkpoint("handwriting")
    c = dataclasses.replace(c, model_config=dataclasses.replace(c.model_config, layers=layers, hidden=6))
    torch.manual_seed(3)
    sd = {}
    for k, v in CTCModel(c.model_config).state_dict().items():
        if not v.is_floating_point():
            sd[k] = v  # batch-norm's step count
        elif "running_var" in k:
            sd[k] = torch.rand_like(v) + 0.5  # a variance is positive
        else:
            sd[k] = torch.randn_like(v) * 0.5
    return dataclasses.replace(c, state_dict=sd)


@pytest.mark.parametrize("layers", [1, 3])
def test_widened_model_reads_exactly_as_before(layers):
    base = _trained_like(layers)
    wide = widen_checkpoint(base, 11, seed=1)
    assert wide.model_config.hidden == 11 and base.model_config.hidden == 6
    x = torch.randn(3, 40, base.model_config.input_dim)
    lengths = torch.tensor([40, 31, 9])
    with torch.no_grad():
        a, la = base.build_model()(x, lengths)
        b, lb = wide.build_model()(x, lengths)
    assert torch.equal(la, lb)
    assert torch.allclose(a, b, atol=1e-6), (a - b).abs().max()
    # the new units are not idle: they carry activity the head can learn to use
    m = wide.build_model()
    h = m.front(x.transpose(1, 2)).transpose(1, 2)
    for lstm in m.lstms:
        h = lstm(h, m.output_lengths(lengths))
    assert h[..., 6:11].abs().mean() > 1e-3 and h[..., 17:].abs().mean() > 1e-3


def test_widening_refuses_to_narrow():
    with pytest.raises(ValueError, match="narrow"):
        widen_checkpoint(_trained_like(1), 4)


def test_a_run_with_a_larger_hidden_size_grows_its_base_and_trains_the_new_units(tmp_path):
    base = _trained_like(2)
    save_checkpoint(tmp_path / "base.pt", base)
    write_ink_jsonl(tmp_path / "train.jsonl", make_samples(60, seed=1, writer="a"))
    cfg = TrainConfig.from_dict({**PRESETS["tiny-handwriting"], "data": [f"ink:{tmp_path}/train.jsonl"],
                                 "out_dir": str(tmp_path / "run"), "init_from": str(tmp_path / "base.pt"),
                                 "model": {"hidden": 10}, "total_steps": 6, "eval_every": 6})
    train(cfg)
    out = load_checkpoint(tmp_path / "run" / "last.pt")
    assert out.model_config.hidden == 10 and out.info["widened_from"]["hidden"] == 6
    head = out.state_dict["head.weight"]
    assert head[:, 6:10].abs().sum() > 0 and head[:, 16:].abs().sum() > 0  # started at zero
    # the resumed run rebuilds the wide model from its own state
    train(TrainConfig.from_dict({**cfg.__dict__, "total_steps": 8}), resume=True)
    assert load_checkpoint(tmp_path / "run" / "last.pt").model_config.hidden == 10
