"""One training loop for both modalities: ``train(cfg, callback)``, Qt-free.

The callback receives plain dicts (progress, evaluation, checkpoint, done) and may raise
to cancel; the run then saves its resume state and re-raises. Everything the run writes
goes to ``cfg.out_dir``: ``state.pt`` (resume), ``last.pt`` and ``best.pt`` (models).
The model a user has active is never written here.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from recognizers.alphabet import Alphabet
from recognizers.checkpoint import Checkpoint, feature_config_for, load_checkpoint, save_checkpoint
from recognizers.training.datasets import (
    FeatureSet,
    InkSet,
    SpeechSet,
    collate,
    in_holdout,
    length_batches,
    load_ink_spec,
    load_speech_spec,
)
from recognizers.decoding.ctc import greedy_path
from recognizers.metrics import ErrorRates, error_rates
from recognizers.model import CTCModel, ModelConfig

Callback = Callable[[dict], None]


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
    init_from: str | None = None  # a checkpoint to fine-tune (keeps its config)
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
    augment: bool = True
    augment_strength: float = 1.0  # speech: how often and how hard the waveform effects apply
    threads: int = 0  # torch CPU threads; 0 = torch's default
    device: str = "auto"
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


def _default_model(modality: str, input_dim: int, num_classes: int, frontend: str = "logmel") -> ModelConfig:
    if modality == "handwriting":
        return ModelConfig(input_dim, num_classes, conv_channels=96, conv_kernel=5, conv_strides=(2,), hidden=160, layers=3, dropout=0.15)
    if frontend != "logmel":
        # a head on pretrained encoder frames (50 a second): one convolution that halves the
        # rate to 25 a second (still above the ~15 letters a second of fast speech) and halves
        # the LSTM's cost, which is what bounds training on a shared CPU; then 2 x 192 BiLSTM
        return ModelConfig(input_dim, num_classes, conv_channels=256, conv_kernel=5, conv_strides=(2,), hidden=192, layers=2, dropout=0.2)
    return ModelConfig(input_dim, num_classes, conv_channels=192, conv_kernel=5, conv_strides=(2, 2), hidden=192, layers=3, dropout=0.2)


def build_sets(cfg: TrainConfig, alphabet: Alphabet, fcfg) -> tuple[FeatureSet, FeatureSet]:
    if cfg.modality == "handwriting":
        samples = [s for spec in cfg.data for s in load_ink_spec(spec)]
        train = [s for s in samples if not in_holdout(s.writer, cfg.holdout)]
        val = [s for s in samples if in_holdout(s.writer, cfg.holdout)]
        val += [s for spec in cfg.val_data for s in load_ink_spec(spec)]
        if cfg.replay_data:
            base = [s for spec in cfg.replay_data for s in load_ink_spec(spec) if not in_holdout(s.writer, cfg.holdout)]
            train += _replay(base, len(train), cfg)
        return InkSet(train, fcfg, alphabet), InkSet(val, fcfg, alphabet)
    if any(spec.startswith("encoded:") for spec in cfg.data + cfg.val_data):
        return _encoded_sets(cfg, alphabet, fcfg)
    items = [it for spec in cfg.data for it in load_speech_spec(spec)]
    train = [it for it in items if not in_holdout(it.speaker, cfg.holdout)]
    val = [it for it in items if in_holdout(it.speaker, cfg.holdout)]
    val += [it for spec in cfg.val_data for it in load_speech_spec(spec)]
    if cfg.replay_data:
        base = [it for spec in cfg.replay_data for it in load_speech_spec(spec) if not in_holdout(it.speaker, cfg.holdout)]
        train += _replay(base, len(train), cfg)
    return (SpeechSet(train, fcfg, alphabet, augment_strength=cfg.augment_strength),
            SpeechSet(val, fcfg, alphabet, spec_augment=False))


def _encoded_sets(cfg: TrainConfig, alphabet: Alphabet, fcfg) -> tuple[FeatureSet, FeatureSet]:
    """Sets of cached encoder frames (``encoded:DIR`` specs), checked against the encoder."""
    from recognizers.training.encoded import EncodedSet, check_cache_encoder, load_encoded_spec

    if getattr(fcfg, "frontend", "logmel") == "logmel":
        raise ValueError("encoded: data needs an encoder front end (features.frontend)")
    for spec in cfg.data + cfg.val_data + cfg.replay_data:
        if not spec.startswith("encoded:"):
            raise ValueError(f"{spec!r}: with encoded: data every spec must be encoded: (mixing needs one kind of set)")
        check_cache_encoder(spec, fcfg.frontend, fcfg.encoder_sha256)
    items = [it for spec in cfg.data for it in load_encoded_spec(spec)]
    train = [it for it in items if not in_holdout(it.speaker, cfg.holdout)]
    val = [it for it in items if in_holdout(it.speaker, cfg.holdout)]
    val += [it for spec in cfg.val_data for it in load_encoded_spec(spec)]
    if cfg.replay_data:
        base = [it for spec in cfg.replay_data for it in load_encoded_spec(spec) if not in_holdout(it.speaker, cfg.holdout)]
        train += _replay(base, len(train), cfg)
    return EncodedSet(train, alphabet, mask=cfg.augment), EncodedSet(val, alphabet, mask=False)


def _replay(base: list, n_new: int, cfg: TrainConfig) -> list:
    """Base samples mixed into a fine-tuning set so the model keeps what it knew."""
    if not base:
        return []
    k = int(round(n_new * cfg.replay_fraction / max(1e-6, 1 - cfg.replay_fraction)))
    rng = random.Random(cfg.seed)
    return rng.sample(base, min(k, len(base)))


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
    callback = callback or (lambda ev: None)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    device = "cuda" if cfg.device == "auto" and torch.cuda.is_available() else ("cpu" if cfg.device == "auto" else cfg.device)
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    state_path = out / "state.pt"
    rng = np.random.default_rng(cfg.seed)
    torch.manual_seed(cfg.seed)

    base: Checkpoint | None = load_checkpoint(cfg.init_from) if cfg.init_from else None
    if base is not None:
        if base.modality != cfg.modality:
            raise ValueError(f"{cfg.init_from} is a {base.modality} model, not {cfg.modality}")
        alphabet, fcfg, mcfg = base.alphabet, base.feature_config, base.model_config
    else:
        alphabet = Alphabet.handwriting() if cfg.modality == "handwriting" else Alphabet.speech()
        fcfg = feature_config_for(cfg.modality, cfg.features)
        if getattr(fcfg, "frontend", "logmel") != "logmel":
            from recognizers.checkpoint import check_encoder
            from recognizers.encoder import get_encoder

            fcfg.encoder_sha256 = fcfg.encoder_sha256 or get_encoder(fcfg.frontend).sha256  # pin the installed encoder
            check_encoder(fcfg, "this training run")
        mcfg = _default_model(cfg.modality, fcfg.dim, len(alphabet), getattr(fcfg, "frontend", "logmel"))
        if cfg.model:
            mcfg = ModelConfig.from_dict({**mcfg.to_dict(), **cfg.model})

    callback({"kind": "status", "message": "loading data"})
    train_set, val_set = build_sets(cfg, alphabet, fcfg)
    if len(train_set) == 0:
        raise ValueError("no training samples (check the data specs and the alphabet)")
    callback({"kind": "status", "message": f"{len(train_set)} training and {len(val_set)} validation samples"})

    model = CTCModel(mcfg).to(device)
    if base is not None:
        model.load_state_dict(base.state_dict)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    step, best, samples_seen, train_time = 0, {"cer": float("inf")}, 0, 0.0
    history: list[dict] = []
    if resume and state_path.exists():
        st = torch.load(state_path, map_location=device, weights_only=True)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["optimizer"])
        step, best, samples_seen, train_time = st["step"], st["best"], st["samples_seen"], st["train_time"]
        history = json.loads(st.get("history", "[]"))
        rng = np.random.default_rng([cfg.seed, step])
        callback({"kind": "status", "message": f"resumed at step {step}"})

    def make_ckpt(metrics: dict) -> Checkpoint:
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
        return Checkpoint(cfg.modality, mcfg, fcfg, alphabet, {k: v.detach().cpu() for k, v in model.state_dict().items()}, info)

    def save_state() -> None:
        buf = {
            "model": model.state_dict(),
            "optimizer": opt.state_dict(),
            "step": step,
            "best": best,
            "samples_seen": samples_seen,
            "train_time": train_time,
            "history": json.dumps(history),
        }
        import io

        from recognizers.atomic import atomic_write_bytes

        b = io.BytesIO()
        torch.save(buf, b)
        atomic_write_bytes(state_path, b.getvalue())
        save_checkpoint(out / "last.pt", make_ckpt(history[-1]["val"] if history else {}))

    def run_eval() -> dict:
        rates, _ = evaluate_model(model, val_set, alphabet, cfg.modality, device, cfg.val_limit)
        model.train()
        return rates.as_dict()

    use_amp = device.startswith("cuda")
    started = time.time()
    session_samples, session_time = 0, 0.0
    lengths = [train_set.approx_length(i) for i in range(len(train_set))]
    model.train()
    finished = False
    try:
        while step < cfg.total_steps:
            for batch in length_batches(lengths, cfg.batch_frames, cfg.max_batch, rng):
                if step >= cfg.total_steps:
                    break
                t0 = time.perf_counter()
                x, xl, y, yl, _ = collate([train_set.get(i, rng if cfg.augment else None) for i in batch])
                for g in opt.param_groups:
                    g["lr"] = _lr_at(step, cfg)
                with torch.autocast("cuda", dtype=torch.bfloat16, enabled=use_amp):
                    lp, ol = model(x.to(device), xl.to(device))
                loss = ctc(lp.float().transpose(0, 1), y.to(device), ol, yl.to(device))
                opt.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
                opt.step()
                step += 1
                samples_seen += len(batch)
                dt = time.perf_counter() - t0
                train_time += dt
                session_samples += len(batch)
                session_time += dt
                elapsed = time.time() - started
                eta = (cfg.total_steps - step) * train_time / max(step, 1)
                if cfg.max_minutes:
                    eta = min(eta, cfg.max_minutes * 60 - elapsed)
                callback({"kind": "progress", "step": step, "total": cfg.total_steps, "loss": loss.item(), "lr": _lr_at(step, cfg), "samples_per_s": session_samples / max(session_time, 1e-9), "eta_s": max(eta, 0.0)})
                if step % cfg.eval_every == 0 or step == cfg.total_steps:
                    m = run_eval()
                    history.append({"step": step, "loss": loss.item(), "val": m})
                    improved = m["cer"] < best.get("cer", float("inf"))
                    if improved:
                        best = {**m, "step": step}
                        save_checkpoint(out / "best.pt", make_ckpt(m))
                    callback({"kind": "eval", "step": step, "val": m, "best": best, "improved": improved})
                if step % cfg.checkpoint_every == 0:
                    save_state()
                    callback({"kind": "checkpoint", "step": step})
                if cfg.max_minutes and time.time() - started > cfg.max_minutes * 60:
                    raise TimeoutError
        finished = True
    except TimeoutError:
        pass
    except BaseException:
        save_state()
        raise
    if not history or history[-1]["step"] != step:
        m = run_eval()
        history.append({"step": step, "val": m})
        if m["cer"] < best.get("cer", float("inf")):
            best = {**m, "step": step}
            save_checkpoint(out / "best.pt", make_ckpt(m))
    save_state()
    (out / "history.json").write_text(json.dumps(history, indent=1))
    result = TrainResult(str(out / "best.pt"), best, step, finished)
    callback({"kind": "done", "best": best, "steps": step, "finished": finished, "best_path": result.best_path, "samples_per_s": session_samples / max(session_time, 1e-9)})
    return result
