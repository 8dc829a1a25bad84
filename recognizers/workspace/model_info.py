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
    kinds = _sample_kinds(info.get("train_data") or [])
    doc = "docs/handwriting.md" if modality == Modality.HANDWRITING else "docs/speech.md"
    better = "word list, several views, field hint" if modality == Modality.HANDWRITING else "word list and language model"
    tail = f" read once and greedily in training (the app reads better: {better}; per-task figures in {doc})"
    on = "" if not figures else (
        f"held-out {who} {', '.join(holdout)}: {n}samples{kinds}{tail}" if holdout
        else f"{n}samples of its validation data{tail}" if n else "its validation data")
    return {
        "modality": modality,
        "name": str(info.get("name") or path.stem),
        "date": str(info.get("date") or ""),
        "figures": figures,
        "figures_on": on,
        "steps": info.get("steps"),
        "base": str(info.get("init_from") or ""),
    }


KIND_NAMES = {"word": "words", "digit": "digits", "upper": "capitals", "lower": "small letters", "text": "text lines"}


def _sample_kinds(specs: list) -> str:
    """" (words, digits, ...)" from a run's data specs (unipen:word,digit,... and composed lines)."""
    kinds: list[str] = []
    for spec in specs:
        name, _, arg = str(spec).partition(":")
        if name == "unipen":
            kinds += [KIND_NAMES.get(k, k) for k in arg.split(",") if k]
        elif name.startswith("unipen-lines"):
            kinds.append("composed lines")
    return f" ({', '.join(dict.fromkeys(kinds))})" if kinds else ""
