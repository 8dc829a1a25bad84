"""Speech manifests: one JSON object a line, ``{"audio": path, "text": ..., "speaker": ...}``.

The one reader of manifests in the project. It streams (a manifest may hold millions of
lines), makes audio paths absolute, and either stops at the first bad line with its number
(evaluation: a bad manifest is a mistake to fix) or, when ``tolerant``, skips bad lines and
lists them (training data specs and the user's sample store, whose last line a crash may have
torn, and caches written by crash-prone jobs): one torn line never costs the samples after it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_LINE_CHARS = 1 << 20  # a manifest entry is a path and a sentence; longer is not a manifest


class ManifestError(ValueError):
    """A manifest that cannot be read; the message names the file and line."""


@dataclass
class SpeechItem:
    audio_path: str  # absolute
    text: str
    speaker: str | None = None


@dataclass
class ManifestReport:
    """Lines a tolerant read skipped, for the caller to report."""

    skipped: list[str] = field(default_factory=list)


def iter_manifest_entries(path: str | os.PathLike, tolerant: bool = False, report: ManifestReport | None = None) -> Iterator[dict]:
    """Each entry as a dict with ``audio`` made absolute; raises ManifestError on a bad line unless tolerant."""
    path = Path(path)
    if path.is_dir():
        raise ManifestError(f"{path} is a folder, not a manifest file")
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise ManifestError(f"cannot read manifest {path}: {exc.strerror or exc}") from exc
    with fh:
        lineno = 0
        while True:
            try:
                raw = fh.readline(MAX_LINE_CHARS + 1)
            except OSError as exc:
                raise ManifestError(f"cannot read manifest {path}: {exc.strerror or exc}") from exc
            if not raw:
                break
            lineno += 1
            problem = None
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = ""
                problem = f"not UTF-8 text ({exc.reason})"
            if len(raw) > MAX_LINE_CHARS:
                problem = f"line longer than {MAX_LINE_CHARS} bytes"
                while raw and not raw.endswith(b"\n"):  # skip the rest of the monster line
                    raw = fh.readline(MAX_LINE_CHARS)
            elif problem:
                pass
            elif not line.strip():
                continue
            else:
                try:
                    obj = json.loads(line)
                except (ValueError, RecursionError) as exc:
                    problem = f"not JSON ({exc.__class__.__name__})"
                else:
                    problem = _entry_problem(obj)
            if problem:
                if not tolerant:
                    raise ManifestError(f"{path}:{lineno}: {problem}")
                if report is not None:
                    report.skipped.append(f"{path}:{lineno}: {problem}")
                continue
            obj["audio"] = str(path.parent / obj["audio"])
            yield obj


def _entry_problem(obj: object) -> str | None:
    if not isinstance(obj, dict):
        return f"an entry must be a JSON object, not {type(obj).__name__}"
    if not isinstance(obj.get("audio"), str) or not obj["audio"]:
        return 'missing "audio" path (a string)'
    if not isinstance(obj.get("text"), str):
        return '"text" must be a string'
    if obj.get("speaker") is not None and not isinstance(obj["speaker"], str):
        return '"speaker" must be a string'
    return None


def iter_manifest(path: str | os.PathLike, tolerant: bool = False, report: ManifestReport | None = None) -> Iterator[SpeechItem]:
    for obj in iter_manifest_entries(path, tolerant, report):
        yield SpeechItem(obj["audio"], obj["text"], obj.get("speaker"))


def read_manifest(path: str | os.PathLike, tolerant: bool = False, report: ManifestReport | None = None) -> list[SpeechItem]:
    """All entries of a manifest (see iter_manifest_entries for the error rules)."""
    return list(iter_manifest(path, tolerant, report))

