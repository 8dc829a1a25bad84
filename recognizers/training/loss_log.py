"""A run's loss log, ``loss.jsonl`` in its folder: the loss of every step up to its saved state,
so a resumed run's plot shows the whole run (app/training_panel.py reads it back).

Written by the training loop's main process only. The log is never worth a failed run: a disk
error leaves a plot with a gap (or, after a resume that could not trim it, a step shown twice).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from recognizers.atomic import atomic_write_text

LOSS_LOG = "loss.jsonl"  # one {"step", "loss"} a line, appended with each saved state


def _lines(points: Iterable[tuple[int, float]]) -> str:
    return "".join(json.dumps({"step": s, "loss": v}) + "\n" for s, v in points)


def read_loss_log(out_dir: str | os.PathLike, upto: int | None = None) -> list[tuple[int, float]]:
    """(step, loss) of every step a run logged (up to step `upto`), in order; a torn or damaged
    line (a crash while appending) is skipped, and a run that logged nothing has []."""
    points: list[tuple[int, float]] = []
    try:
        with open(Path(out_dir) / LOSS_LOG, encoding="utf-8") as fh:
            for line in fh:
                try:
                    ev = json.loads(line)
                    step, loss = int(ev["step"]), float(ev["loss"])
                except (ValueError, TypeError, KeyError, RecursionError):
                    continue
                if upto is None or step <= upto:
                    points.append((step, loss))
    except OSError:
        return []
    return points


def start_loss_log(out_dir: str | os.PathLike) -> None:
    """A fresh run in a used folder: not another run's losses."""
    with contextlib.suppress(OSError):
        (Path(out_dir) / LOSS_LOG).unlink(missing_ok=True)


def trim_loss_log(out_dir: str | os.PathLike, step: int) -> None:
    """A resume at `step`: the steps after it are made again, so their losses go."""
    with contextlib.suppress(OSError):
        atomic_write_text(Path(out_dir) / LOSS_LOG, _lines(read_loss_log(out_dir, step)))


def append_loss_log(out_dir: str | os.PathLike, points: Iterable[tuple[int, float]]) -> None:
    """The steps since the last saved state; call after the state is written, so the log never
    holds a step the state does not."""
    with contextlib.suppress(OSError):
        with open(Path(out_dir) / LOSS_LOG, "a", encoding="utf-8") as fh:
            fh.write(_lines((s, float(f"{v:.6g}")) for s, v in points))
