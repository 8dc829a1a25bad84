"""One training loop for both modalities: ``train(cfg, callback)``, Qt-free.

The callback receives plain dicts (progress, evaluation, checkpoint, done) and may raise
to cancel; the run then saves its resume state and re-raises. Everything the run writes
goes to ``cfg.out_dir``: ``state.pt`` (resume), ``last.pt`` and ``best.pt`` (models; with
``ema_decay``, the weight average, and ``raw.pt`` the raw weights at the end), and
``loss.jsonl``, the loss of every step up to the saved state (`recognizers.training.loss_log`).
The model a user has active is never written here.

The same function runs under ``torchrun`` (docs/scaling.md): each process takes its share of
every batch, rank 0 alone evaluates and writes, and the result equals a one-process run's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import random
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from recognizers.alphabet import Alphabet
from recognizers.atomic import atomic_write_text
from recognizers.training.saved_state import write_saved_step
from recognizers.checkpoint import Checkpoint, save_checkpoint
from recognizers.decoding.ctc import greedy_path
from recognizers.metrics import ErrorRates, error_rates
from recognizers.model import CTCModel
from recognizers.training import distributed as ddp
from recognizers.training.datasets import FeatureSet, collate, length_batches
from recognizers.training.faults import signals_held
from recognizers.training.loss_log import append_loss_log, start_loss_log, trim_loss_log
from recognizers.training.run_data import build_sets
from recognizers.training.start_model import model_to_train
from recognizers.training.step_data import step_loader

Callback = Callable[[dict], None]


MAX_BAD_STEPS = 20  # steps in a row whose loss is not a number before a run counts as diverged


class TrainingDiverged(ValueError):
    """The loss stayed not-a-number: the run stops, its last saved state and models kept."""


class TrainingCancelled(Exception):
    """Raised by a callback to stop a run; the run keeps its resume state."""


@dataclass
class TrainConfig:
    modality: str = "handwriting"
    out_dir: str = "runs/handwriting"
    data: list[str] = field(default_factory=lambda: ["unipen:word,digit,upper,lower"])
    val_data: list[str] = field(default_factory=list)  # extra validation-only specs
    holdout: list[str] = field(default_factory=list)  # writers/speakers kept for validation
    model: dict = field(default_factory=dict)  # ModelConfig fields
    features: dict = field(default_factory=dict)  # feature config fields
    init_from: str | None = None  # a checkpoint to fine-tune (keeps its config; model "hidden" may widen it)
    refit_features: bool = False  # with init_from: read the data with `features` laid over the base's (same input size)
    replay_data: list[str] = field(default_factory=list)  # base data mixed in while fine-tuning
    replay_fraction: float = 0.5
    batch_frames: int = 6000  # padded frames per batch (the memory and speed knob)
    max_batch: int = 64
    lr: float = 2e-3
    weight_decay: float = 0.01
    warmup_steps: int = 300
    total_steps: int = 20_000
    max_minutes: float | None = None  # stop (resumably) after this much wall time
    eval_every: int = 1000
    checkpoint_every: int = 200
    val_limit: int = 1500  # validation samples used at each evaluation
    grad_clip: float = 5.0
    # > 0: keep an exponential moving average of the weights with this decay per step (e.g.
    # 0.999, about the last 1,000 steps); it is what is evaluated and saved, the raw weights
    # at the end go to raw.pt beside it
    ema_decay: float = 0.0
    augment: bool = True
    augment_strength: float = 1.0  # speech: how often and how hard the waveform effects apply
    ink_habits: float = 0.0  # handwriting: probability of each writer-habit distortion (stroke order, lifts, sampling, grid)
    threads: int = 0  # torch CPU threads; 0 = torch's default
    device: str = "auto"  # under torchrun, auto/cuda mean cuda:LOCAL_RANK
    accum_steps: int = 1  # micro-batches per step and process (gradient accumulation: memory, not maths)
    amp: bool = True  # bf16 autocast on CUDA (the CPU always trains in float32)
    workers: int = 0  # data-loading worker processes per training process (0: load in the training process)
    seed: int = 0
    name: str = ""

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown training options: {', '.join(sorted(unknown))}")
        return cls(**d)


@dataclass
class TrainResult:
    best_path: str
    best: dict
    steps: int
    finished: bool
    model: CTCModel | None = field(default=None, repr=False)  # the trained weights, in memory


@torch.inference_mode()
def evaluate_model(model: CTCModel, data: FeatureSet, alphabet: Alphabet, modality: str, device: str, limit: int | None = None, batch_frames: int = 20000) -> tuple[ErrorRates, list[tuple[str, str]]]:
    """Greedy-decoded error rates of `model` on (up to `limit` of) `data`."""
    model.eval()
    idx = list(range(len(data)))
    if limit and len(idx) > limit:
        idx = random.Random(0).sample(idx, limit)
    lengths = [data.approx_length(i) for i in idx]
    pairs: list[tuple[str, str]] = []
    for batch in length_batches(lengths, batch_frames, 128, None):
        items = [data.get(idx[b], None) for b in batch]
        x, xl, _, _, texts = collate(items)
        lp, ol = model(x.to(device), xl.to(device))
        for b, ref in enumerate(texts):
            labels, _, _ = greedy_path(lp[b, : ol[b]])
            pairs.append((ref, alphabet.decode(labels)))
    return error_rates(pairs, modality), pairs


def _lr_at(step: int, cfg: TrainConfig) -> float:
    """Linear warm-up, then cosine decay to 5 % of the peak."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    p = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.total_steps - cfg.warmup_steps))
    return cfg.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * p)))


def train(cfg: TrainConfig, callback: Callback | None = None, resume: bool = False) -> TrainResult:
    """Train (or fine-tune) a model as `cfg` says; resumable from ``out_dir/state.pt``."""
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    if cfg.accum_steps < 1 or cfg.workers < 0:
        raise ValueError("accum_steps must be at least 1 and workers at least 0")
    dist_info, device = ddp.setup(cfg.device)  # one process, or this rank of a torchrun group
    main = dist_info.is_main
    callback = (callback or (lambda ev: None)) if main else (lambda ev: None)  # rank 0 alone reports
    # an elastic restart (torchrun --max-restarts) continues from the last checkpoint
    resume = resume or int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0") or 0) > 0
    out = Path(cfg.out_dir)
    if main:
        out.mkdir(parents=True, exist_ok=True)
    state_path = out / "state.pt"
    torch.manual_seed(cfg.seed)

    base, alphabet, fcfg, mcfg = model_to_train(cfg)

    callback({"kind": "status", "message": "loading data"})
    train_set, val_set = build_sets(cfg, alphabet, fcfg)
    if len(train_set) == 0:
        raise ValueError("no training samples (check the data specs and the alphabet)")
    callback({"kind": "status", "message": f"{len(train_set)} training and {len(val_set)} validation samples"})

    model = CTCModel(mcfg).to(device)
    if base is not None:
        model.load_state_dict(base.state_dict)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    ema = None
    if cfg.ema_decay > 0:
        from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

        # batch-norm statistics are averaged with the weights (use_buffers)
        ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(cfg.ema_decay), use_buffers=True)
    step, best, samples_seen, train_time = 0, {"cer": float("inf")}, 0, 0.0
    epoch, pos = 0, 0  # where in the batch plan the run is
    history: list[dict] = []
    unlogged: list[tuple[int, float]] = []  # (step, loss) since the last saved state
    st = torch.load(state_path, map_location="cpu", weights_only=True) if (resume and main and state_path.exists()) else None
    st = ddp.broadcast_object(st, dist_info)  # only rank 0 need see the file
    features_json = json.dumps(dataclasses.asdict(fcfg), sort_keys=True)  # saved with the state, checked on resume
    if st is None and main:
        start_loss_log(out)
    if st is not None:
        saved = st.get("features")  # states saved before session 8 do not say
        if saved is not None and json.loads(saved) != json.loads(features_json):
            raise ValueError(f"--resume: the state in {out} was trained with other features ({saved}) than this "
                             f"configuration asks for; resume with that configuration, or start again in another --out")
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["optimizer"])
        if ema is not None and "ema" in st:
            ema.load_state_dict(st["ema"])
        elif ema is not None:  # the run had no average: it starts from the weights as they are now
            ema.module.load_state_dict(model.state_dict())
            callback({"kind": "status", "message": "the weight average starts at the resumed step"})
        elif "ema" in st:
            callback({"kind": "status", "message": "the saved weight average is dropped (ema_decay is 0): the raw weights go on"})
        step, best, samples_seen, train_time = st["step"], st["best"], st["samples_seen"], st["train_time"]
        epoch, pos = int(st.get("epoch", 0)), int(st.get("pos", 0))
        history = json.loads(st.get("history", "[]"))
        if main:
            trim_loss_log(out, step)
        callback({"kind": "status", "message": f"resumed at step {step}"})
        for h in history:  # the evaluations before the stop, for a plot that starts afresh
            if isinstance(h, dict) and "val" in h and "step" in h:
                callback({"kind": "eval", "step": h["step"], "val": h["val"], "best": best, "improved": False, "replayed": True})
    net = model
    if dist_info.enabled:
        from torch.nn.parallel import DistributedDataParallel

        if device.startswith("cuda"):  # batch statistics over the whole batch, as in one process
            model = nn.SyncBatchNorm.convert_sync_batchnorm(model)

        net = DistributedDataParallel(model, device_ids=[torch.device(device).index] if device.startswith("cuda") else None)
        callback({"kind": "status", "message": f"data-parallel over {dist_info.world} processes ({'NCCL' if device.startswith('cuda') else 'gloo'})"})

    def make_ckpt(metrics: dict, weights: nn.Module | None = None) -> Checkpoint:
        info = {
            "name": cfg.name or f"{cfg.modality}-{time.strftime('%Y%m%d-%H%M')}",
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "steps": step,
            "samples_seen": samples_seen,
            "train_data": cfg.data,
            "holdout": cfg.holdout,
            "val": metrics,
            "init_from": cfg.init_from,
        }
        if base is not None and "widened_from" in base.info:
            info["widened_from"] = base.info["widened_from"]
        weights = weights or (ema.module if ema is not None else model)
        return Checkpoint(cfg.modality, mcfg, fcfg, alphabet, {k: v.detach().cpu() for k, v in weights.state_dict().items()}, info)

    def save_state() -> None:
        if not main:
            return
        buf = {
            "model": model.state_dict(),
            "optimizer": opt.state_dict(),
            "step": step,
            "best": best,
            "samples_seen": samples_seen,
            "train_time": train_time,
            "epoch": epoch,
            "pos": pos,
            "history": json.dumps(history),
            "features": features_json,
        }
        if ema is not None:
            buf["ema"] = ema.state_dict()
        import io

        from recognizers.atomic import atomic_write_bytes

        with signals_held():  # the save a cancel is for is never cut short by a second signal
            b = io.BytesIO()
            torch.save(buf, b)
            atomic_write_bytes(state_path, b.getvalue())
            write_saved_step(out, step, train_time)  # the step the app offers a resume from
            save_checkpoint(out / "last.pt", make_ckpt(history[-1]["val"] if history else {}))
            append_loss_log(out, unlogged)  # after the state: the log never holds a step the state does not
            unlogged.clear()

    def run_eval() -> dict:
        rates, _ = evaluate_model(ema.module if ema is not None else model, val_set, alphabet, cfg.modality, device, cfg.val_limit)
        model.train()
        return rates.as_dict()

    use_amp = device.startswith("cuda") and cfg.amp
    started = time.time()
    session_samples, session_time = 0, 0.0
    lengths = [train_set.approx_length(i) for i in range(len(train_set))]
    model.train()
    finished = False
    bad_steps = 0  # steps in a row whose loss or gradient was not a number
    try:
        while step < cfg.total_steps:
            # the plan depends on the seed and the epoch alone: every rank computes the same one,
            # and a resumed run picks it up at the batch where it stopped
            plan = length_batches(lengths, cfg.batch_frames, cfg.max_batch, np.random.default_rng([cfg.seed, epoch]))
            loader = step_loader(train_set, plan[pos:], dist_info, cfg, epoch)
            for batch, parts in loader:
                if step >= cfg.total_steps:
                    break
                t0 = time.perf_counter()
                for g in opt.param_groups:
                    g["lr"] = _lr_at(step, cfg)
                with signals_held():  # a stop signal arrives as the step ends, never inside it (faults.signals_held)
                    opt.zero_grad(set_to_none=True)
                    # each sample's loss over its target length, summed and divided by the *global*
                    # batch size; DDP averages over the ranks, so the rank count is multiplied back
                    scale = dist_info.world / len(batch)
                    weight = 1.0
                    if not parts:  # fewer samples than ranks: take part with a zero-weight sample
                        parts, weight = [collate([train_set.get(batch[0], None)])[:4]], 0.0
                    local_sum = 0.0
                    for j, (x, xl, y, yl) in enumerate(parts):
                        sync = nullcontext() if (not dist_info.enabled or j == len(parts) - 1) else net.no_sync()
                        with sync:
                            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=use_amp):
                                lp, ol = net(x.to(device, non_blocking=True), xl.to(device))
                            per = F.ctc_loss(lp.float().transpose(0, 1), y.to(device), ol, yl.to(device), blank=0, reduction="none", zero_infinity=True)
                            part_sum = (per / yl.to(device).clamp(min=1)).sum() * weight
                            (part_sum * scale).backward()
                        local_sum += float(part_sum.detach())
                    timed_out = bool(cfg.max_minutes) and time.time() - started > cfg.max_minutes * 60
                    loss_sum, stop_votes = ddp.all_sum([local_sum, float(timed_out)], dist_info, device)
                    loss_value = loss_sum / len(batch)
                    grad_norm = float(nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip))
                    if not (math.isfinite(loss_value) and math.isfinite(grad_norm)):
                        # a step that is not a number must never reach the weights (nor the state a
                        # resume reads): skip it; a run that keeps producing them has diverged
                        opt.zero_grad(set_to_none=True)
                        bad_steps += 1
                        pos += 1
                        if bad_steps >= MAX_BAD_STEPS:
                            raise TrainingDiverged(f"training diverged: the loss was not a number for {bad_steps} steps in a row at step {step}; "
                                                   f"the run's saved state and models are from before (try a lower learning rate)")
                        continue
                    bad_steps = 0
                    opt.step()
                    if ema is not None:
                        ema.update_parameters(model)
                    step += 1
                    pos += 1
                    samples_seen += len(batch)
                dt = time.perf_counter() - t0
                train_time += dt
                session_samples += len(batch)
                session_time += dt
                elapsed = time.time() - started
                eta = (cfg.total_steps - step) * train_time / max(step, 1)
                if cfg.max_minutes:
                    eta = min(eta, cfg.max_minutes * 60 - elapsed)
                if main:  # rank 0 alone saves, so it alone logs
                    unlogged.append((step, loss_value))
                callback({"kind": "progress", "step": step, "total": cfg.total_steps, "loss": loss_value, "lr": _lr_at(step, cfg), "samples_per_s": session_samples / max(session_time, 1e-9), "eta_s": max(eta, 0.0)})
                if main and (step % cfg.eval_every == 0 or step == cfg.total_steps):
                    m = run_eval()
                    history.append({"step": step, "loss": loss_value, "val": m})
                    improved = m["cer"] < best.get("cer", float("inf"))
                    if improved:
                        best = {**m, "step": step}
                        save_checkpoint(out / "best.pt", make_ckpt(m))
                    callback({"kind": "eval", "step": step, "val": m, "best": best, "improved": improved})
                if step % cfg.checkpoint_every == 0:
                    save_state()
                    callback({"kind": "checkpoint", "step": step})
                if stop_votes > 0:  # any rank past max_minutes: all stop at this same step
                    raise TimeoutError
            else:
                epoch, pos = epoch + 1, 0
        finished = True
    except TimeoutError:
        pass
    except TrainingDiverged:
        raise  # the state saved last is the good one: keep it
    except BaseException:
        save_state()
        # where a resume goes on from (the app shows it); `on_stop`: saved because the run is
        # stopping (a cancel, a failure, even before its first step), not as it went on, so the
        # app never takes it for progress (it removes older runs only on a periodic checkpoint)
        with contextlib.suppress(BaseException):
            callback({"kind": "checkpoint", "step": step, "on_stop": True})
        raise
    if main and (not history or history[-1]["step"] != step):
        m = run_eval()
        history.append({"step": step, "val": m})
        if m["cer"] < best.get("cer", float("inf")):
            best = {**m, "step": step}
            save_checkpoint(out / "best.pt", make_ckpt(m))
    save_state()
    if main:
        atomic_write_text(out / "history.json", json.dumps(history, indent=1))
        if ema is not None:  # the weights the average was taken over, to compare with it
            raw, _ = evaluate_model(model, val_set, alphabet, cfg.modality, device, cfg.val_limit)
            save_checkpoint(out / "raw.pt", make_ckpt(raw.as_dict(), model))
    ddp.check_in_sync(model, dist_info)
    ddp.teardown(dist_info)
    result = TrainResult(str(out / "best.pt"), best, step, finished, ema.module if ema is not None else model)
    callback({"kind": "done", "best": best, "steps": step, "finished": finished, "best_path": result.best_path, "samples_per_s": session_samples / max(session_time, 1e-9), "processes": dist_info.world})
    return result
