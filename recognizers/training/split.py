"""Speaker- or writer-disjoint train/validation splits (``python -m recognizers split``).

Validating on samples from people the model trained on flatters it; an imported corpus is
split so that every speaker (or writer, or UNIPEN contributor) falls wholly on one side.
Whole groups, in an order shuffled by `seed`, go to validation until it holds at least
`val_fraction` of the samples (and not much more: see _pick_val_groups). Two streaming
passes: one counts, one writes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from recognizers.atomic import atomic_write_text
from recognizers.modality import Modality
from recognizers.training.importers.common import CorpusError, JsonlWriter

BY = ("speaker", "writer", "contributor")


@dataclass
class SplitReport:
    kind: str  # "ink" or "speech"
    by: str
    train: int = 0
    val: int = 0
    val_groups: list[str] = field(default_factory=list)
    train_groups: int = 0
    ungrouped: int = 0  # samples with no speaker/writer id, kept in training
    files: dict = field(default_factory=dict)


def detect_kind(src: Path) -> str:
    """'ink' or 'speech' from the file itself."""
    if src.is_dir() or src.name.endswith((".json", ".jsonl.gz")):
        return "ink"
    if not src.is_file():
        raise FileNotFoundError(f"no such file or folder: {src}")
    with open(src, encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                raise CorpusError(f"{src}:{lineno}: not JSON") from None
            if isinstance(obj, dict) and "strokes" in obj:
                return "ink"
            if isinstance(obj, dict) and "audio" in obj:
                return "speech"
            raise CorpusError(f"{src}:{lineno}: neither an ink sample (\"strokes\") nor a manifest entry (\"audio\")")
    raise CorpusError(f"{src}: empty")


def _records(src: Path, kind: str, by: str):
    """(group or None, JSON object to write) for every sample, streamed."""
    if kind == "ink":
        from recognizers.ink import read_ink_samples

        for s in read_ink_samples(src):
            g = s.writer or None
            if g and by == "contributor":
                g = g.split("/")[0]
            yield g, {**s.extra, **s.to_json()}
    else:
        from recognizers.manifest import iter_manifest_entries

        for obj in iter_manifest_entries(src):
            yield obj.get("speaker") or None, obj


def _pick_val_groups(order: list[str], counts: dict[str, int], target: float) -> tuple[set[str], int]:
    """Groups, taken in `order`, until validation holds at least `target` samples without
    overshooting more than it must: a group that would overshoot is passed over at first,
    then the smallest group that reaches the target closes the gap. One group always stays
    in training."""
    val, n = set(), 0
    for g in order:
        if len(val) == len(counts) - 1:
            break
        if n + counts[g] <= target:
            val.add(g)
            n += counts[g]
    while n < target and len(val) < len(counts) - 1:
        rest = [g for g in order if g not in val]
        reach = [g for g in rest if n + counts[g] >= target]
        g = min(reach, key=lambda k: counts[k]) if reach else max(rest, key=lambda k: counts[k])
        val.add(g)
        n += counts[g]
    return val, n


def split_corpus(src: str | os.PathLike, out_dir: str | os.PathLike, by: str | None = None,
                 val_fraction: float = 0.1, seed: int = 0) -> SplitReport:
    """Write ``train`` and ``val`` files (and ``split.json``) to `out_dir`, disjoint by `by`."""
    src, out_dir = Path(src), Path(out_dir)
    kind = detect_kind(src)
    by = by or ("writer" if kind == "ink" else "speaker")
    if by not in BY:
        raise ValueError(f"--by must be one of {', '.join(BY)}, not {by!r}")
    if (kind == "ink") != (by in ("writer", "contributor")):
        raise ValueError(f"{src} is {'ink' if kind == 'ink' else 'a speech manifest'}: split it by {'writer or contributor' if kind == 'ink' else 'speaker'}, not {by}")
    if not 0 < val_fraction < 1:
        raise ValueError(f"--val-fraction must be between 0 and 1, not {val_fraction}")
    counts: dict[str, int] = {}
    ungrouped = 0
    for g, _ in _records(src, kind, by):
        if g is None:
            ungrouped += 1
        else:
            counts[g] = counts.get(g, 0) + 1
    if len(counts) < 2:
        raise ValueError(f"{src}: {len(counts)} distinct {by}{'s' if len(counts) != 1 else ''}: a {by}-disjoint split needs at least two")
    total = sum(counts.values()) + ungrouped
    order = sorted(counts)
    np.random.default_rng(seed).shuffle(order)
    val_groups, n_val = _pick_val_groups(order, counts, val_fraction * total)
    ext = ".jsonl.gz" if (kind == "ink" and src.name.endswith(".gz")) else ".jsonl"
    out_dir.mkdir(parents=True, exist_ok=True)
    report = SplitReport(kind, by, val_groups=sorted(val_groups), train_groups=len(counts) - len(val_groups), ungrouped=ungrouped)
    paths = {"train": out_dir / f"train{ext}", "val": out_dir / f"val{ext}"}
    base = out_dir.resolve()
    with JsonlWriter(paths["train"]) as tw, JsonlWriter(paths["val"]) as vw:
        for g, obj in _records(src, kind, by):
            if kind == Modality.SPEECH:
                try:
                    obj["audio"] = Path(os.path.relpath(obj["audio"], base)).as_posix()
                except ValueError:
                    pass
            (vw if g in val_groups else tw).write(obj)
    report.train, report.val = tw.count, vw.count
    report.files = {k: str(v) for k, v in paths.items()}
    atomic_write_text(out_dir / "split.json", json.dumps({
        "source": str(src), "kind": kind, "by": by, "val_fraction": val_fraction, "seed": seed,
        "train": report.train, "val": report.val, "train_groups": report.train_groups,
        "ungrouped_in_train": ungrouped, "val_groups": report.val_groups}, indent=1) + "\n")
    return report
