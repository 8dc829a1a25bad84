"""Training under torchrun: a 2-process gloo run of a tiny model, and the properties that make
it equal to one process (the batch plan, resume position, per-sample augmentation seeds)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import torch

from recognizers.checkpoint import load_checkpoint
from recognizers.ink import write_ink_jsonl
from recognizers.training.loop import TrainConfig, train
from recognizers.training.presets import PRESETS

from .inkgen import make_samples

ROOT = Path(__file__).resolve().parents[2]


def tiny_cfg(tmp_path: Path, name: str, **over) -> TrainConfig:
    if not (tmp_path / "train.jsonl").exists():
        write_ink_jsonl(tmp_path / "train.jsonl", make_samples(48, seed=1, writer="a"))
        write_ink_jsonl(tmp_path / "val.jsonl", make_samples(8, seed=2, writer="b"))
    d = {**PRESETS["tiny-handwriting"], "data": [f"ink:{tmp_path}/train.jsonl"], "val_data": [f"ink:{tmp_path}/val.jsonl"],
         "out_dir": str(tmp_path / name), "total_steps": 6, "warmup_steps": 2, "eval_every": 1000, "checkpoint_every": 3,
         "batch_frames": 2000, "max_batch": 16, "val_limit": 8, "threads": 1, "device": "cpu"}
    return TrainConfig.from_dict({**d, **over})


def params(model) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().clone() for k, v in model.named_parameters()}


def json_events(out: str) -> list[dict]:
    """The events on the workers' shared stdout. Each is written in one piece, but the other
    rank's gloo library writes its own lines ("[Gloo] Rank 1 is connected to 1 peer ranks...")
    in pieces, which may sit on an event's line: each event is read where it starts."""
    dec, events = json.JSONDecoder(), []
    for ln in out.splitlines():
        at = ln.find('{"kind"')
        while at >= 0:
            ev, end = dec.raw_decode(ln, at)
            events.append(ev)
            at = ln.find('{"kind"', end)
    return events


def test_two_gloo_processes_end_identical_and_equal_one_process(tmp_path):
    cfg = tiny_cfg(tmp_path, "ddp")
    (tmp_path / "cfg.json").write_text(json.dumps(cfg.__dict__))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    for attempt in range(2):
        shutil.rmtree(tmp_path / "ddp", ignore_errors=True)  # a fresh run each time
        proc = subprocess.run(
            [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
             str(ROOT / "tests" / "recognizers" / "ddp_worker.py"), str(tmp_path / "cfg.json"), str(tmp_path)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
        # once in some dozen runs on this shared machine a gloo worker aborted (SIGABRT,
        # "exitcode : -6") after connecting: a crash of the transport, not of the training code
        # (which fails with a Python error, exit code 1). That alone earns one more try.
        if proc.returncode == 0 or "exitcode  : -6" not in proc.stderr:
            break
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    r0, r1 = torch.load(tmp_path / "rank0.pt"), torch.load(tmp_path / "rank1.pt")
    assert r0.keys() == r1.keys() and all(torch.equal(r0[k], r1[k]) for k in r0)  # identical replicas
    # rank 0 alone reports and writes; the checkpoint loads and holds the trained weights
    events = json_events(proc.stdout)
    assert [e["kind"] for e in events].count("done") == 1
    assert any("data-parallel over 2 processes (gloo)" in e.get("message", "") for e in events)
    ckpt = load_checkpoint(tmp_path / "ddp" / "last.pt")
    assert all(torch.equal(ckpt.state_dict[k], r0[k]) for k in r0)
    assert torch.load(tmp_path / "ddp" / "state.pt", weights_only=True)["step"] == 6
    # two processes sample exactly as one process taking the same two micro-batches per step
    one = train(tiny_cfg(tmp_path, "one", accum_steps=2))
    p1 = params(one.model)
    worst = max(float((p1[k] - r0[k]).abs().max()) for k in r0)
    assert worst < 1e-4, worst


def test_resume_continues_exactly_where_it_stopped(tmp_path, monkeypatch):
    straight = params(train(tiny_cfg(tmp_path, "straight")).model)

    class Stop(Exception):
        pass

    def stop_at_4(ev):  # 48 samples make 3 batches an epoch: step 4 is inside the second epoch
        if ev["kind"] == "progress" and ev["step"] == 4:
            raise Stop

    cfg = tiny_cfg(tmp_path, "stopped")
    try:
        train(cfg, stop_at_4)
    except Stop:
        pass
    st = torch.load(tmp_path / "stopped" / "state.pt", weights_only=True)
    assert (st["step"], st["epoch"], st["pos"]) == (4, 1, 1)
    # the step saved as the run stopped is readable without torch, and it is the step offered
    # even where the app's record never heard of it (the app was gone: a crash, kill -9)
    from recognizers.training.saved_state import read_saved_step
    from recognizers.workspace.runs import RunPlan

    assert read_saved_step(tmp_path / "stopped")["step"] == 4
    stale = RunPlan(modality="handwriting", preset="tiny", run_dir=str(tmp_path / "stopped"), config={}, status="running", steps_done=0)
    assert stale.saved_step == 4
    monkeypatch.setenv("TORCHELASTIC_RESTART_COUNT", "1")  # an elastic restart resumes by itself
    resumed = params(train(cfg).model)
    assert all(torch.equal(straight[k], resumed[k]) for k in straight)


def test_workers_and_accumulation_change_speed_not_results(tmp_path):
    base = params(train(tiny_cfg(tmp_path, "base", augment=True)).model)
    loaded = params(train(tiny_cfg(tmp_path, "workers", augment=True, workers=2)).model)
    assert all(torch.equal(base[k], loaded[k]) for k in base)  # augmentation seeded per sample
    accum = params(train(tiny_cfg(tmp_path, "accum", accum_steps=3)).model)
    plain = params(train(tiny_cfg(tmp_path, "plain")).model)
    # the same samples and loss scale; only BatchNorm's batch statistics see smaller batches
    assert max(float((accum[k] - plain[k]).abs().max()) for k in plain) < 0.05
