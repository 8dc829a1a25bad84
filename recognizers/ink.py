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
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from recognizers.atomic import append_line, atomic_write_bytes

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
    with np.errstate(over="ignore", invalid="ignore"):  # out-of-range values become inf: refused below
        arr = np.asarray(points, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] not in (2, 3):
        raise ValueError(f"a stroke must be a non-empty list of [x, y, t_ms] points, got shape {arr.shape}")
    if arr.shape[1] == 2:
        arr = np.concatenate([arr, np.zeros((len(arr), 1), np.float32)], axis=1)
    if not np.isfinite(arr).all():
        raise ValueError("a stroke holds a non-finite coordinate (or one beyond 3.4e38)")
    return arr


def sample_from_json(obj: dict) -> InkSample:
    if not isinstance(obj, dict) or "strokes" not in obj:
        raise ValueError('an ink sample must be an object with "strokes"')
    if not isinstance(obj["strokes"], list):
        raise ValueError('"strokes" must be a list of strokes')
    label = obj.get("label", "")
    if not isinstance(label, str):
        raise ValueError(f'"label" must be a string, not {type(label).__name__}')
    for key in ("writer", "source"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise ValueError(f'"{key}" must be a string')
    strokes = []
    for s in obj["strokes"]:
        if not isinstance(s, list):
            raise ValueError("a stroke must be a list of [x, y, t_ms] points")
        if s:
            strokes.append(as_stroke(s))
    extra = {k: v for k, v in obj.items() if k not in ("label", "strokes", "writer", "source")}
    return InkSample(label, strokes, obj.get("writer"), obj.get("source"), extra)


MAX_LINE_CHARS = 32 << 20  # one ink sample a line; a longer line is not a sample (and would fill memory)
MAX_JSON_BYTES = 256 << 20  # the same for a whole .json file


@dataclass
class ReadReport:
    """Bad lines a tolerant read skipped ("file:line: problem"), for the caller to report."""

    skipped: list[str] = field(default_factory=list)


def _open_text(path: Path, mode: str):
    if path.name.endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def _parse_sample(text: str) -> InkSample:
    try:
        obj = json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    return sample_from_json(obj)


def read_ink_samples(path: str | os.PathLike, tolerant: bool = False, report: ReadReport | None = None) -> Iterator[InkSample]:
    """Yield every ink sample in a ``.json`` file, a directory of them, or a ``.jsonl(.gz)``.

    Streams: a ``.jsonl(.gz)`` is read a line at a time (at most MAX_LINE_CHARS of it), so
    a caller that stops early reads no further. A bad sample raises SampleFormatError naming
    the file and line; when `tolerant` (the user's own sample store, whose last line a crash
    may have torn), bad lines are skipped and listed in `report` instead.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix == ".json" or p.name.endswith((".jsonl", ".jsonl.gz")))
        for f in files:
            yield from read_ink_samples(f, tolerant, report)
        return
    if not path.exists():
        raise FileNotFoundError(f"no such ink file or directory: {path}")

    def bad(where: str, problem: str) -> None:
        if not tolerant:
            raise SampleFormatError(f"{where}: {problem}")
        if report is not None:
            report.skipped.append(f"{where}: {problem}")

    if path.name.endswith((".jsonl", ".jsonl.gz")):
        try:
            with _open_text(path, "r") as fh:
                lineno = 0
                while True:
                    line = fh.readline(MAX_LINE_CHARS + 1)
                    if not line:
                        break
                    lineno += 1
                    if len(line) > MAX_LINE_CHARS:
                        bad(f"{path}:{lineno}", f"line longer than {MAX_LINE_CHARS} characters")
                        while line and not line.endswith("\n"):  # skip the rest of the monster line
                            line = fh.readline(MAX_LINE_CHARS)
                        continue
                    if not line.strip():
                        continue
                    try:
                        sample = _parse_sample(line)
                    except (ValueError, TypeError) as exc:
                        bad(f"{path}:{lineno}", str(exc))
                        continue
                    yield sample
        except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
            raise SampleFormatError(f"{path}: unreadable ({exc})") from exc
        return
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise SampleFormatError(f"{path}: larger than {MAX_JSON_BYTES >> 20} MB, not an ink sample file")
        obj = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise SampleFormatError(f"{path}: not valid JSON (nested too deeply)") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise SampleFormatError(f"{path}: not valid JSON ({exc})") from exc
    except OSError as exc:
        raise SampleFormatError(f"{path}: unreadable ({exc.strerror or exc})") from exc
    for i, o in enumerate(obj if isinstance(obj, list) else [obj]):
        try:
            sample = sample_from_json(o)
        except (ValueError, TypeError) as exc:
            bad(f"{path}[{i}]" if isinstance(obj, list) else str(path), str(exc))
            continue
        yield sample


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
    """Append one sample as a line of a plain ``.jsonl`` file (the user's sample store),
    whole or not at all (see recognizers.atomic.append_line)."""
    append_line(path, json.dumps(sample.to_json()))
