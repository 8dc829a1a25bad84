"""What a model file says of itself (name, date, figures), for the model list.

Qt-free; torch is imported only when a checkpoint is read. `recognizers.workspace.registry`
shows these summaries and caches them in registry.json.
"""

from __future__ import annotations

import os
from pathlib import Path

from recognizers.modality import Modality
from recognizers.workspace.registry_file import RegistryError


def checkpoint_summary(path: str | os.PathLike) -> dict:
    """Name, date, validation figures and steps from a checkpoint's own info (loads torch).

    A missing, damaged or foreign file raises RegistryError, with the reason."""
    from recognizers.checkpoint import CheckpointError, load_checkpoint

    try:
        ck = load_checkpoint(path)
    except CheckpointError as exc:
        raise RegistryError(str(exc)) from exc
    try:
        return _summary_of(ck.modality, ck.info or {}, Path(path))
    except (TypeError, ValueError, AttributeError) as exc:  # info written by hand or another tool
        raise RegistryError(f"{path}: its description (info) is not readable ({exc.__class__.__name__}: {exc})") from exc


def _summary_of(modality: str, info: dict, path: Path) -> dict:
    val = info.get("val") or {}
    figures = {k: float(val[k]) for k in ("cer", "wer", "exact") if k in val}
    if figures and "n" in val:
        figures["n"] = int(val["n"])
    holdout = [str(h) for h in info.get("holdout") or []]
    who = "writers" if modality == Modality.HANDWRITING else "speakers"
    # the training run's own check: every kind of sample of those writers or speakers, read
    # once without the word list; the app's reading (beam, views) and the docs' per-task
    # figures are better, so say which it is
    n = f"{figures['n']} " if "n" in figures else ""
    on = "" if not figures else (f"{n}samples of held-out {who} {', '.join(holdout)}, read greedily during training" if holdout else "its validation data")
    return {
        "modality": modality,
        "name": str(info.get("name") or path.stem),
        "date": str(info.get("date") or ""),
        "figures": figures,
        "figures_on": on,
        "steps": info.get("steps"),
        "base": str(info.get("init_from") or ""),
    }
