"""Figures before and after a training run, on the run's own validation data.

Run by the settings panel in a separate process once training has finished (Qt-free)::

    python -m recognizers score-run --config RUN/config.json --model BEFORE.pt --model RUN/best.pt --json RUN/figures.json

(`python -m recognizers.training.run_eval` takes the same arguments, but reads no ``synth-ink``
data: its generator lives in a layer above training, which the command line imports first.)

The validation set is built exactly as the training run builds it (the ``val_data`` specs,
plus the samples of ``data`` whose writer or speaker is in ``holdout``), and every model is
scored with the same function and limit as the run's own evaluations (greedy decoding,
``recognizers.training.loop.evaluate_model``), each model through its own feature configuration
and alphabet. Writes ``{"models": {path: {"n", "cer", "wer", "exact"} or {"error": ...}}}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from recognizers.modality import Modality

if TYPE_CHECKING:
    from recognizers.training.loop import TrainConfig


def validation_items(cfg: TrainConfig) -> list:
    """The run's validation samples (ink samples or speech items)."""
    from recognizers.training.datasets import (
        in_holdout,
        load_ink_spec,
        load_speech_spec,
    )

    def load(spec: str) -> list:
        if spec.startswith("encoded:"):  # cached encoder frames (the speech recipe's sets)
            from recognizers.training.encoded import load_encoded_spec

            return load_encoded_spec(spec)
        return (load_ink_spec if cfg.modality == Modality.HANDWRITING else load_speech_spec)(spec)

    key = (lambda s: s.writer) if cfg.modality == Modality.HANDWRITING else (lambda it: it.speaker)
    items = []
    if cfg.holdout:
        items += [s for spec in cfg.data for s in load(spec) if in_holdout(key(s), cfg.holdout)]
    items += [s for spec in cfg.val_data for s in load(spec)]
    return items


def evaluate_models(config: dict, models: list[str], device: str = "cpu") -> dict[str, dict]:
    import torch

    from recognizers.checkpoint import load_checkpoint
    from recognizers.devices import pick_device
    from recognizers.training.datasets import InkSet, SpeechSet
    from recognizers.training.encoded import EncodedSet, check_cache_encoder
    from recognizers.training.loop import TrainConfig, evaluate_model

    torch.set_num_threads(1)
    cfg = TrainConfig.from_dict(config)
    device = pick_device(device)
    items = validation_items(cfg)
    encoded = [spec for spec in cfg.data + cfg.val_data if spec.startswith("encoded:")]
    out: dict[str, dict] = {}
    for path in models:
        try:
            ck = load_checkpoint(path)
            if ck.modality != cfg.modality:
                raise ValueError(f"a {ck.modality} model, not {cfg.modality}")
            if encoded:
                # frames of one encoder: a model on another front end cannot read them
                for spec in encoded:
                    check_cache_encoder(spec, getattr(ck.feature_config, "frontend", "logmel"), getattr(ck.feature_config, "encoder_sha256", ""))
                data = EncodedSet(list(items), ck.alphabet, mask=False)
            elif cfg.modality == Modality.HANDWRITING:
                data = InkSet(list(items), ck.feature_config, ck.alphabet)
            else:
                data = SpeechSet(list(items), ck.feature_config, ck.alphabet, spec_augment=False)
            if len(data) == 0:
                raise ValueError("no validation sample this model can read")
            rates, _ = evaluate_model(ck.build_model(device), data, ck.alphabet, cfg.modality, device, cfg.val_limit)
            out[path] = rates.as_dict()
        except Exception as exc:
            out[path] = {"error": f"{exc.__class__.__name__}: {exc}"}
    return out


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", required=True, help="the run's config.json (TrainConfig fields)")
    p.add_argument("--model", action="append", required=True, help="a model file (repeatable)")
    p.add_argument("--json", help="write the figures here too")
    p.add_argument("--device", default="cpu")


def score_run(args: argparse.Namespace) -> int:
    """Score the models, print the figures as one JSON line (and write them to --json)."""
    config = json.loads(Path(args.config).read_text(encoding="utf-8"))
    result = {"models": evaluate_models(config, args.model, args.device)}
    text = json.dumps(result)
    if args.json:
        from recognizers.atomic import atomic_write_text

        atomic_write_text(Path(args.json), text + "\n")
    print(text, flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m recognizers.training.run_eval", description="Score models on a training run's validation data.")
    add_arguments(p)
    return score_run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
