"""Reader of UNIPEN ``.dat`` corpora (train_r01_v07 and alike), yielding ink-sample dicts one at
a time: ``.INCLUDE`` resolved, components numbered in file order, ``.SEGMENT`` delineations
(``0-3``, ``2,5``, ``2:5-3:10``) cut into samples.

Every sample is ``{"label", "strokes": [[[x, y, t_ms], ...], ...], "writer", "source"}``, y grows
downward as in the corpora. Anything malformed raises CorpusError naming the file and line.
The XML formats (IAM-OnDB, InkML) are read by ``xml_ink_formats``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from recognizers.training.importers.common import CorpusError, OnError, guard, one_line, read_text_lines

Sample = dict

DEFAULT_POINTS_PER_SECOND = 100.0  # UNIPEN's assumption when a file does not say
_KEYWORD = re.compile(r"^\.([A-Z][A-Z0-9_]*)\s*(.*)$")
_SEGMENT = re.compile(r'^(\S+)\s+(\S+)(?:\s+([^"\s]+))?(?:\s+"(.*)")?\s*$', re.S)


def _resolve_include(name: str, including: Path, root: Path, include_dirs: list[Path]) -> Path | None:
    """An ``.INCLUDE`` target: beside the including file, under the corpus root or its
    ``include/`` folder, in an ``include/`` folder above the including file, or in --include-dir."""
    cands = [including.parent / name, root / name, root / "include" / name]
    for a in including.parents:
        cands.append(a / "include" / name)
        if a == root:
            break
    cands += [d / name for d in include_dirs]
    for c in cands:
        if c.is_file():
            return c
    return None


def _unipen_statements(path: Path, root: Path, include_dirs: list[Path], stack: tuple[Path, ...] = ()):
    """(file, line, KEYWORD, argument text, [(line, data line)...]) for every statement,
    descending into .INCLUDE files in place."""
    if path.resolve() in stack:
        raise CorpusError(f"{path}: .INCLUDE cycle ({' -> '.join(str(p) for p in stack + (path,))})")
    stack = stack + (path.resolve(),)
    cur: list | None = None
    for lineno, line in read_text_lines(path):
        m = _KEYWORD.match(line)
        if m:
            if cur is not None:
                yield from _emit(cur, root, include_dirs, stack)
            cur = [path, lineno, m.group(1), m.group(2).strip(), []]
        elif line.strip():
            if cur is None:
                raise CorpusError(f"{path}:{lineno}: data before any .KEYWORD (not a UNIPEN file?)")
            cur[4].append((lineno, line))
    if cur is not None:
        yield from _emit(cur, root, include_dirs, stack)


def _emit(st: list, root: Path, include_dirs: list[Path], stack):
    path, lineno, kw, arg, body = st
    if kw == "INCLUDE":
        target = _resolve_include(arg.split()[0] if arg else "", path, root, include_dirs) if arg else None
        if target is None:
            raise CorpusError(f"{path}:{lineno}: .INCLUDE {arg}: no such file (looked beside it, in {root}, in include/ folders; add --include-dir)")
        yield from _unipen_statements(target, root, include_dirs, stack)
    else:
        yield path, lineno, kw, arg, body


def _parse_points(path: Path, body: list[tuple[int, str]], ncols: int) -> np.ndarray:
    rows = []
    for lineno, line in body:
        parts = line.split()
        try:
            vals = [float(v) for v in parts]
        except ValueError:
            raise CorpusError(f"{path}:{lineno}: a pen sample must be numbers, got {line.strip()[:60]!r}") from None
        if len(vals) < 2:
            raise CorpusError(f"{path}:{lineno}: a pen sample needs at least x and y, got {line.strip()[:60]!r}")
        if ncols and len(vals) < ncols:
            raise CorpusError(f"{path}:{lineno}: {len(vals)} values where .COORD declares {ncols}")
        rows.append(vals[: max(ncols, 2)] if ncols else vals[:2])
    if not rows:
        return np.zeros((0, 2), np.float64)
    width = min(len(r) for r in rows)
    arr = np.array([r[:width] for r in rows], np.float64)
    if not np.isfinite(arr).all():
        raise CorpusError(f"{path}:{body[0][0]}: a non-finite pen coordinate")
    return arr


def _delineation(text: str) -> list[tuple[int, int | None, int, int | None]]:
    """``0-3,5,2:5-3:10`` -> [(first component, first point or None, last component, last point or None)]."""
    out = []
    for part in text.split(","):
        if not part:
            continue
        a, dash, b = part.partition("-")

        def one(s: str) -> tuple[int, int | None]:
            c, colon, p = s.partition(":")
            return int(c), (int(p) if colon else None)

        c0, p0 = one(a)
        c1, p1 = one(b) if dash else (c0, p0)
        if c1 < c0:
            raise ValueError(f"range {part} runs backwards")
        out.append((c0, p0, c1, p1))
    if not out:
        raise ValueError("empty delineation")
    return out


def iter_unipen(src: str | Path, levels: set[str] | None = None, include_dirs: list[Path] | None = None, on_error: OnError = None) -> Iterator[Sample]:
    """Ink samples from UNIPEN ``.dat`` files: SRC is a file, or a folder (its ``data/``
    subfolder when it has one, so the ``include/`` files are read only through .INCLUDE).
    `levels` keeps only those segment levels (WORD, CHARACTER, TEXT, ...); BAD-quality
    segments are left out."""
    src = Path(src)
    if not src.exists():
        raise CorpusError(f"{src}: no such file or folder")
    root = src if src.is_dir() else src.parent
    if src.is_dir():
        base = src / "data" if (src / "data").is_dir() else src
        files = sorted(p for p in base.rglob("*") if p.suffix.lower() == ".dat" and p.is_file())
        if not files:
            raise CorpusError(f"{src}: no UNIPEN .dat files")
    else:
        files = [src]
    levels = {lv.upper() for lv in levels} if levels else None
    for f in files:
        yield from guard(_unipen_file(f, root, levels, include_dirs or []), on_error)


def _contributor(f: Path, root: Path) -> str:
    parts = f.relative_to(root).parts if f.is_relative_to(root) else f.parts
    if "data" in parts:
        i = parts.index("data")
        if len(parts) > i + 3:  # data/<category>/<contributor>/.../file.dat
            return parts[i + 2]
    return f.parent.name


def _unipen_file(f: Path, root: Path, levels: set[str] | None, include_dirs: list[Path]) -> Iterator[Sample]:
    comps: list[np.ndarray | None] = []  # pen-down strokes (N, 3); None for a pen-up component with points
    cols: list[str] = ["X", "Y"]
    pps = DEFAULT_POINTS_PER_SECOND
    writer = None
    clock = 0.0  # ms, the running time when the corpus gives none
    gap = None
    contributor = _contributor(f, root)
    rel = f.relative_to(root).as_posix() if f.is_relative_to(root) else f.name
    for path, lineno, kw, arg, body in _unipen_statements(f, root, include_dirs):
        if kw == "COORD":
            cols = arg.upper().split() or ["X", "Y"]
            if cols[:2] != ["X", "Y"]:
                raise CorpusError(f"{path}:{lineno}: .COORD {arg}: expected X Y first")
        elif kw == "POINTS_PER_SECOND":
            try:
                pps = float(arg.split()[0])
                if not pps > 0:
                    raise ValueError
            except (ValueError, IndexError):
                raise CorpusError(f"{path}:{lineno}: .POINTS_PER_SECOND {arg!r} is not a positive number") from None
        elif kw == "WRITER_ID":
            writer = arg.split()[0] if arg else None
        elif kw == "DT":
            try:
                gap = float(arg.split()[0])
            except (ValueError, IndexError):
                raise CorpusError(f"{path}:{lineno}: .DT {arg!r} is not a number") from None
        elif kw in ("PEN_DOWN", "PEN_UP"):
            pts = _parse_points(path, body, len(cols))
            if kw == "PEN_UP":
                if len(pts):
                    comps.append(None)  # a pen-up trajectory counts as a component
                continue
            if len(pts) == 0:
                raise CorpusError(f"{path}:{lineno}: .PEN_DOWN with no points")
            if "T" in cols and pts.shape[1] > cols.index("T"):
                t = pts[:, cols.index("T")]
            else:
                start = clock + (gap if gap is not None else 1000.0 / pps) if comps else 0.0
                t = start + np.arange(len(pts)) * 1000.0 / pps
            clock, gap = float(t[-1]), None
            comps.append(np.stack([pts[:, 0], pts[:, 1], t], 1).astype(np.float32))
        elif kw == "SEGMENT":
            text = " ".join([arg] + [ln for _, ln in body])
            m = _SEGMENT.match(text)
            if not m:
                raise CorpusError(f"{path}:{lineno}: .SEGMENT {text[:60]!r}: expected LEVEL DELINEATION [QUALITY \"LABEL\"]")
            level, delin, quality, label = m.group(1).upper(), m.group(2), (m.group(3) or "?").upper(), m.group(4)
            if label is None or (levels and level not in levels) or quality == "BAD":
                continue
            try:
                ranges = _delineation(delin)
            except ValueError as exc:
                raise CorpusError(f"{path}:{lineno}: .SEGMENT delineation {delin!r}: {exc}") from None
            strokes = []
            for c0, p0, c1, p1 in ranges:
                if c1 >= len(comps):
                    raise CorpusError(f"{path}:{lineno}: .SEGMENT {delin} names component {c1}, but only {len(comps)} came before it")
                for c in range(c0, c1 + 1):
                    s = comps[c]
                    if s is None:
                        continue
                    a = p0 if (c == c0 and p0 is not None) else 0
                    b = p1 + 1 if (c == c1 and p1 is not None) else len(s)
                    if a >= len(s) or b > len(s) or a >= b:
                        raise CorpusError(f"{path}:{lineno}: .SEGMENT {delin}: points {a}-{b - 1} are outside component {c} ({len(s)} points)")
                    strokes.append(s[a:b].tolist())
            label = one_line(label)
            if not strokes or not label:
                continue
            yield {"label": label, "strokes": strokes, "writer": f"{contributor}/{writer}" if writer else contributor,
                   "source": f"unipen:{level.lower()}:{rel}"}
