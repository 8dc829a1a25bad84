"""What every corpus importer shares: the error type, the streaming writer, the report."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


class CorpusError(ValueError):
    """A corpus file that cannot be imported; the message names the file (and line)."""


OnError = Callable[["CorpusError"], None] | None  # given: a bad file or line is reported to it and skipped


def handle(exc: "CorpusError", on_error: OnError) -> None:
    if on_error is None:
        raise exc
    on_error(exc)


def guard(gen: Iterator, on_error: OnError) -> Iterator:
    """Yield from `gen`; with `on_error`, a CorpusError ends only this file's items."""
    try:
        yield from gen
    except CorpusError as exc:
        handle(exc, on_error)


@dataclass
class ImportReport:
    out: str
    written: int = 0
    skipped: list[str] = field(default_factory=list)  # "file:line: why" of what --skip-bad left out
    notes: list[str] = field(default_factory=list)  # things the user should know (no writer ids, ...)


class JsonlWriter:
    """Writes one JSON object a line to ``path`` (gzip for ``.gz``) through a temporary file
    renamed into place on success, so an interrupted import never leaves a half corpus that
    looks whole. Streams: nothing is held in memory."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        name = self.path.name
        if not (name.endswith(".jsonl") or name.endswith(".jsonl.gz")):
            raise CorpusError(f"{self.path}: the output must be a .jsonl or .jsonl.gz file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.path.with_name(f".{name}.importing")
        self.count = 0
        self._fh = None

    def __enter__(self) -> "JsonlWriter":
        if self.path.name.endswith(".gz"):
            self._fh = gzip.open(self.tmp, "wt", encoding="utf-8", compresslevel=6)
        else:
            self._fh = open(self.tmp, "w", encoding="utf-8")
        return self

    def write(self, obj: dict) -> None:
        self._fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.count += 1

    def __exit__(self, exc_type, exc, tb) -> None:
        self._fh.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            try:
                self.tmp.unlink()
            except OSError:
                pass


def one_line(text: str) -> str:
    """A transcript on one line with single spaces."""
    return " ".join(text.split())


def read_text_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line without its newline) of a UTF-8 text file, with a clear error if it is not."""
    try:
        fh = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with fh:
        lineno = 0
        while True:
            try:
                line = fh.readline()
            except UnicodeDecodeError as exc:
                raise CorpusError(f"{path}:{lineno + 1}: not UTF-8 text ({exc.reason})") from exc
            if not line:
                return
            lineno += 1
            yield lineno, line.rstrip("\r\n")
