"""Average the weights of several checkpoints of one model (a "model soup").

    .venv/bin/python scripts/average_checkpoints.py OUT.pt A.pt B.pt [C.pt ...] --name speech25

Fine-tunes of one starting model stay close to it, so the mean of their weights (batch-norm
statistics included) is a model too, and it often reads better than each of them: speech24
and speech25 are such averages (docs/speech.md, *Session 14*). The checkpoints must share the
modality, network, features and alphabet. The average carries no validation figures, step
count or date of its own until measured: the first one's figures are not its figures
(`python -m recognizers.training.run_eval` measures it); the held-out writers or speakers are
kept when all the checkpoints name the same ones. Measure the result before shipping it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from recognizers.checkpoint import Checkpoint, CheckpointError, load_checkpoint, save_checkpoint  # noqa: E402


def average(ckpts: list[Checkpoint]) -> Checkpoint:
    """A checkpoint whose floating-point tensors are the mean of `ckpts`' (integer ones, such
    as batch-norm's step counter, are the first's). Raises ValueError for different models."""
    first = ckpts[0]
    for c in ckpts[1:]:
        same = (c.modality == first.modality and c.model_config == first.model_config
                and c.feature_config == first.feature_config and c.alphabet.chars == first.alphabet.chars
                and c.state_dict.keys() == first.state_dict.keys())
        if not same:
            raise ValueError("only checkpoints of the same model (modality, network, features, alphabet) can be averaged")
    sd = {}
    for k, v in first.state_dict.items():
        if v.is_floating_point():
            sd[k] = (sum(c.state_dict[k].double() for c in ckpts) / len(ckpts)).to(v.dtype)
        else:
            sd[k] = v.clone()
    return Checkpoint(first.modality, first.model_config, first.feature_config, first.alphabet, sd, dict(first.info))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("models", nargs="+")
    ap.add_argument("--name", help="the averaged model's name (default: the output file's stem)")
    args = ap.parse_args()
    if len(args.models) < 2:
        ap.error("give at least two checkpoints to average")
    try:
        ckpts = [load_checkpoint(p) for p in args.models]
        avg = average(ckpts)
        holdouts = {tuple(c.info.get("holdout") or ()) for c in ckpts}
        for key in ("samples_seen", "steps", "val", "history", "holdout", "init_from"):  # the first run's, not this model's
            avg.info.pop(key, None)
        if len(holdouts) == 1 and holdouts != {()}:
            avg.info["holdout"] = list(holdouts.pop())
        avg.info["name"] = args.name or Path(args.out).stem
        avg.info["date"] = time.strftime("%Y-%m-%d %H:%M")
        avg.info["averaged"] = list(args.models)
        save_checkpoint(args.out, avg)
    except (ValueError, CheckpointError, OSError) as exc:
        sys.exit(f"average_checkpoints: {exc}")
    print(f"wrote {args.out}: the mean of {len(args.models)} checkpoints; measure it before use")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
