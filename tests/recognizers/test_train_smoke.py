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
