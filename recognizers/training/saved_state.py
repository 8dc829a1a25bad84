"""Where a run's saved state stands, readable without torch: ``state.json`` beside ``state.pt``.

The app offers an interrupted run by the step it can go on from. It learns that step from the
training process's "checkpoint" events, but a run stopped because the app itself died (a
crash, kill -9) saves its state as it stops with no one left to read the event: the app's own
record then named the step of an earlier save, or 0. The training loop writes this file right
after each state it saves, so the step offered is the step a resume goes on from.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from recognizers.atomic import atomic_write_text

SAVED_STEP = "state.json"  # {"step", "train_time"} of the state saved last


def write_saved_step(out_dir: str | os.PathLike, step: int, train_time: float) -> None:
    atomic_write_text(Path(out_dir) / SAVED_STEP, json.dumps({"step": int(step), "train_time": float(train_time)}) + "\n")


def read_saved_step(out_dir: str | os.PathLike) -> dict | None:
    """{"step", "train_time"} of the state saved last, or None where there is none, or it is
    unreadable (a run from before this file, a damaged disk)."""
    try:
        d = json.loads((Path(out_dir) / SAVED_STEP).read_text(encoding="utf-8"))
        return {"step": int(d["step"]), "train_time": float(d.get("train_time", 0.0))}
    except (OSError, ValueError, TypeError, KeyError):
        return None
