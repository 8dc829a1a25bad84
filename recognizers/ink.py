"""Ink samples: the data type, and readers and writers of every sample format.

Ink is a list of strokes, each an ``(N, 3)`` float array of ``x, y, t_ms`` in screen
convention (y grows downward), at any scale. On disk a sample is one JSON object
``{"label", "strokes", "writer"?, "source"?}``: a ``.json`` file, a directory of them,
or one line of a ``.jsonl`` / ``.jsonl.gz`` file.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from recognizers.atomic import atomic_write_bytes

import numpy as np

Stroke = np.ndarray  # (N, 3) float32: x, y, t_ms
Ink = list[Stroke]


class SampleFormatError(ValueError):
    """A sample file that cannot be read; the message names the file and the line."""


@dataclass
class InkSample:
    label: str
    strokes: Ink
    writer: str | None = None
    source: str | None = None
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        obj: dict = {"label": self.label, "strokes": [s.tolist() for s in self.strokes]}
        if self.writer is not None:
            obj["writer"] = self.writer
        if self.source is not None:
            obj["source"] = self.source
        return obj


def as_stroke(points: Iterable) -> Stroke:
    """One stroke as an (N, 3) float32 array; accepts x, y pairs (t is then 0)."""
    arr = np.asarray(points, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] not in (2, 3):
        raise ValueError(f"a stroke must be a non-empty list of [x, y, t_ms] points, got shape {arr.shape}")
    if arr.shape[1] == 2:
        arr = np.concatenate([arr, np.zeros((len(arr), 1), np.float32)], axis=1)
    if not np.isfinite(arr).all():
        raise ValueError("a stroke holds a non-finite coordinate")
    return arr


def sample_from_json(obj: dict) -> InkSample:
    if not isinstance(obj, dict) or "strokes" not in obj:
        raise ValueError('an ink sample must be an object with "strokes"')
    strokes = [as_stroke(s) for s in obj["strokes"] if len(s) > 0]
    extra = {k: v for k, v in obj.items() if k not in ("label", "strokes", "writer", "source")}
    return InkSample(str(obj.get("label", "")), strokes, obj.get("writer"), obj.get("source"), extra)


def _open_text(path: Path, mode: str):
    if path.name.endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def read_ink_samples(path: str | os.PathLike) -> Iterator[InkSample]:
    """Yield every ink sample in a ``.json`` file, a directory of them, or a ``.jsonl(.gz)``."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix == ".json" or p.name.endswith((".jsonl", ".jsonl.gz")))
        for f in files:
            yield from read_ink_samples(f)
        return
    if not path.exists():
        raise FileNotFoundError(f"no such ink file or directory: {path}")
    if path.name.endswith((".jsonl", ".jsonl.gz")):
        try:
            with _open_text(path, "r") as fh:
                for lineno, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        yield sample_from_json(json.loads(line))
                    except (ValueError, TypeError) as exc:
                        raise SampleFormatError(f"{path}:{lineno}: {exc}") from exc
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise SampleFormatError(f"{path}: unreadable ({exc})") from exc
        return
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SampleFormatError(f"{path}: not valid JSON ({exc})") from exc
    try:
        if isinstance(obj, list):
            for o in obj:
                yield sample_from_json(o)
        else:
            yield sample_from_json(obj)
    except (ValueError, TypeError) as exc:
        raise SampleFormatError(f"{path}: {exc}") from exc


def write_ink_json(path: str | os.PathLike, sample: InkSample) -> None:
    """Write one sample as a single ``.json`` file, atomically."""
    atomic_write_bytes(path, json.dumps(sample.to_json()).encode("utf-8"))


def write_ink_jsonl(path: str | os.PathLike, samples: Iterable[InkSample]) -> None:
    """Write samples one per line (gzip when the name ends in ``.gz``), atomically."""
    path = Path(path)
    buf = io.StringIO()
    for s in samples:
        buf.write(json.dumps(s.to_json()) + "\n")
    data = buf.getvalue().encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    atomic_write_bytes(path, data)


def append_ink_jsonl(path: str | os.PathLike, sample: InkSample) -> None:
    """Append one sample as a line of a plain ``.jsonl`` file (the user's sample store)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(sample.to_json()) + "\n"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
