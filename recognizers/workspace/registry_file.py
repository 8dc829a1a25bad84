"""The shape of registry.json, and what of a damaged or hand-edited one can still be used.

Qt-free and torch-free; `recognizers.workspace.registry.ModelRegistry` reads and writes the
file and calls `validated` on what it read (see that module's docstring for the layout).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from recognizers.modality import MODALITIES

FORMAT = "scrivox-models-1"
BUILTIN_ID = "shipped"


class RegistryError(ValueError):
    """An operation the registry refuses (unknown model, deleting the shipped one, ...)."""


def usable_figures(f: object) -> dict:
    """The figures that are usable numbers (rates and counts), as a new dict."""
    if not isinstance(f, dict):
        return {}
    return {k: v for k, v in f.items() if isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")}


def empty_registry() -> dict:
    """A registry with no models of the user's: the shipped ones active."""
    return {
        "format": FORMAT,
        "active": {m: BUILTIN_ID for m in MODALITIES},
        "previous": {m: None for m in MODALITIES},
        "models": {m: {} for m in MODALITIES},
        "builtin": {},
    }


def validated(data: dict, inside: Callable[[str], bool]) -> tuple[dict, list[str]]:
    """`data` reduced to the registry's shape, and a list of what had to be dropped.
    `inside(file)` says whether a model's file lies inside the registry's folder."""
    out, problems = empty_registry(), []
    models = data.get("models")
    if not isinstance(models, dict):
        problems.append('"models" is not a table')
        models = {}
    for m in MODALITIES:
        recs = models.get(m, {})
        if not isinstance(recs, dict):
            problems.append(f"the {m} models are not a table")
            continue
        for mid, rec in recs.items():
            why = record_problem(m, mid, rec, inside)
            if why:
                problems.append(f"{m} model {mid!r}: {why}")
                continue
            out["models"][m][mid] = rec
    for key in ("active", "previous"):
        table = data.get(key)
        if table is None:
            continue
        if not isinstance(table, dict):
            problems.append(f'"{key}" is not a table')
            continue
        for m in MODALITIES:
            v = table.get(m)
            if v is None:
                continue
            if not isinstance(v, str) or (v != BUILTIN_ID and v not in out["models"][m]):
                problems.append(f"the {key} {m} model {v!r} is not in the list")
                continue
            out[key][m] = v
    builtin = data.get("builtin")
    if isinstance(builtin, dict):
        out["builtin"] = {m: v for m, v in builtin.items() if m in MODALITIES and isinstance(v, dict) and usable_figures(v.get("figures")) == v.get("figures", {})}
    elif builtin is not None:
        problems.append('"builtin" is not a table')
    return out, problems


def record_problem(modality: str, mid: object, rec: object, inside: Callable[[str], bool]) -> str | None:
    """Why one model record cannot be used, or None when it can."""
    if not isinstance(rec, dict):
        return f"an entry must be a table, not {type(rec).__name__}"
    if not isinstance(mid, str) or not mid or mid == BUILTIN_ID:
        return "not a valid id"
    f = rec.get("file", f"{modality}/{mid}.pt")
    if not isinstance(f, str) or not f.endswith(".pt"):
        return '"file" must be the name of a .pt file'
    if os.path.isabs(f) or not inside(f):
        return f'its file "{f}" lies outside the models folder'
    for k in ("name", "origin", "date", "figures_on", "base", "added"):
        if rec.get(k) is not None and not isinstance(rec[k], str):
            return f'"{k}" must be text'
    if rec.get("steps") is not None and (not isinstance(rec["steps"], int) or isinstance(rec["steps"], bool)):
        return '"steps" must be a whole number'
    if rec.get("figures") is not None and usable_figures(rec["figures"]) != rec["figures"]:
        return '"figures" must be a table of numbers'
    return None
