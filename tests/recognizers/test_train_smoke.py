import json

from recognizers.ink import write_ink_jsonl
from recognizers.training.presets import PRESETS
from recognizers.training.loop import TrainConfig, train

from .inkgen import make_samples


def test_tiny_training_run_lowers_the_loss_and_resumes(tmp_path):
    write_ink_jsonl(tmp_path / "train.jsonl", make_samples(300, seed=1, writer="a"))
    write_ink_jsonl(tmp_path / "val.jsonl", make_samples(40, seed=2, writer="b"))
    cfg = TrainConfig.from_dict(
        {**PRESETS["tiny-handwriting"], "data": [f"ink:{tmp_path}/train.jsonl"], "val_data": [f"ink:{tmp_path}/val.jsonl"], "out_dir": str(tmp_path / "run"), "total_steps": 150}
    )
    events = []
    result = train(cfg, events.append)
    losses = [e["loss"] for e in events if e["kind"] == "progress"]
    assert len(losses) == 150
    first, last = sum(losses[:10]) / 10, sum(losses[-10:]) / 10
    assert last < 0.5 * first, (first, last)
    assert (tmp_path / "run" / "best.pt").exists() and (tmp_path / "run" / "state.pt").exists()
    assert result.steps == 150 and 0.0 <= result.best["cer"]
    # resuming a finished run with more steps continues from step 80, not from 0
    cfg.total_steps = 160
    events2 = []
    train(cfg, events2.append, resume=True)
    steps = [e["step"] for e in events2 if e["kind"] == "progress"]
    assert steps[0] == 151 and steps[-1] == 160
    assert json.loads((tmp_path / "run" / "history.json").read_text())[-1]["step"] == 160


def test_cancel_by_raising_keeps_resume_state(tmp_path):
    write_ink_jsonl(tmp_path / "train.jsonl", make_samples(100, seed=3))
    cfg = TrainConfig.from_dict({**PRESETS["tiny-handwriting"], "data": [f"ink:{tmp_path}/train.jsonl"], "out_dir": str(tmp_path / "run")})

    class Stop(Exception):
        pass

    def cb(ev):
        if ev["kind"] == "progress" and ev["step"] == 5:
            raise Stop

    try:
        train(cfg, cb)
    except Stop:
        pass
    import torch

    assert torch.load(tmp_path / "run" / "state.pt", weights_only=True)["step"] == 5


def test_weight_average_is_what_is_saved_and_resumes(tmp_path):
    """With ema_decay, best.pt and last.pt hold the moving average of the weights (batch-norm
    statistics included), raw.pt the weights it averaged, and a resumed run carries the
    average on instead of restarting it from the raw weights."""
    import torch

    from recognizers.checkpoint import load_checkpoint

    write_ink_jsonl(tmp_path / "train.jsonl", make_samples(120, seed=4, writer="a"))
    write_ink_jsonl(tmp_path / "val.jsonl", make_samples(20, seed=5, writer="b"))
    spec = {**PRESETS["tiny-handwriting"], "data": [f"ink:{tmp_path}/train.jsonl"], "val_data": [f"ink:{tmp_path}/val.jsonl"],
            "out_dir": str(tmp_path / "run"), "total_steps": 30, "eval_every": 30, "ema_decay": 0.9}
    result = train(TrainConfig.from_dict(spec))
    run = tmp_path / "run"
    avg, raw, last = (load_checkpoint(run / f) for f in ("best.pt", "raw.pt", "last.pt"))
    assert set(avg.state_dict) == set(raw.state_dict)
    moved = [k for k in raw.state_dict if raw.state_dict[k].is_floating_point() and not torch.equal(avg.state_dict[k], raw.state_dict[k])]
    assert any("running_mean" in k for k in moved) and any("lstm" in k for k in moved)
    assert all(torch.equal(last.state_dict[k], avg.state_dict[k]) for k in avg.state_dict)
    assert all(torch.equal(v, result.model.state_dict()[k]) for k, v in avg.state_dict.items())

    state = torch.load(run / "state.pt", weights_only=True)
    train(TrainConfig.from_dict({**spec, "total_steps": 31}), resume=True)
    after = load_checkpoint(run / "last.pt").state_dict
    raw_now = torch.load(run / "state.pt", weights_only=True)["model"]
    k = next(k for k in moved if "lstm" in k)
    # one more step: the average moved a tenth of the way to the new raw weights, from where it was
    assert torch.allclose(after[k], 0.9 * state["ema"][f"module.{k}"] + 0.1 * raw_now[k], atol=1e-6)
