"""Readers of the raw online-handwriting corpora, yielding ink-sample dicts one at a time.

- UNIPEN ``.dat`` (train_r01_v07 and alike): ``.INCLUDE`` resolved, components numbered in
  file order, ``.SEGMENT`` delineations (``0-3``, ``2,5``, ``2:5-3:10``) cut into samples.
- IAM-OnDB: ``lineStrokes/**/FORM-NN.xml`` paired with line NN of the ``CSR:`` section of
  ``ascii/**/FORM.txt``; writer ids from the ``original/`` XML part when it is there.
- InkML (W3C; CROHME, IAMonDo and alike): ``<trace>`` point lists (explicit, ``'`` first and
  ``"`` second differences), labelled by a ``truth`` / ``transcription`` / ``label``
  annotation on the whole ``<ink>`` or, failing that, on each ``<traceGroup>``.

Every sample is ``{"label", "strokes": [[[x, y, t_ms], ...], ...], "writer", "source"}``, y grows
downward as in the corpora. Anything malformed raises CorpusError naming the file and line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from recognizers.training.importers.common import CorpusError, OnError, guard, handle, one_line, read_text_lines

Sample = dict

# ----------------------------------------------------------------------------- UNIPEN

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


# ----------------------------------------------------------------------------- XML helpers


def _parse_xml(path: Path) -> ET.Element:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise CorpusError(f"{path}:{line}: not well-formed XML ({exc.msg if hasattr(exc, 'msg') else exc})") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror or exc})") from None
    for el in root.iter():  # drop namespaces: {http://www.w3.org/2003/InkML}trace -> trace
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.rsplit("}", 1)[1]
    return root


def _line_of(path: Path, needle: str) -> int | None:
    """The line of `needle` in a text file (ElementTree keeps no line numbers)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for i, line in enumerate(fh, 1):
                if needle in line:
                    return i
    except OSError:
        pass
    return None


# ----------------------------------------------------------------------------- IAM-OnDB


def _csr_lines(txt: Path) -> list[tuple[int, str]]:
    """(line number, text) of the CSR: section (the OCR: section when there is no CSR:)."""
    lines = list(read_text_lines(txt))
    for section in ("CSR:", "OCR:"):
        start = next((i for i, (_, ln) in enumerate(lines) if ln.strip() == section), None)
        if start is None:
            continue
        out = []
        for n, ln in lines[start + 1 :]:
            if ln.strip().endswith(":") and ln.strip()[:-1].isalpha() and ln.strip().isupper():
                break  # the next section
            out.append((n, ln))
        while out and not out[0][1].strip():
            out.pop(0)
        while out and not out[-1][1].strip():
            out.pop()
        return out
    raise CorpusError(f"{txt}: no CSR: or OCR: section (not an IAM-OnDB transcription)")


def _iam_writers(src: Path) -> dict[str, str]:
    """Form id (a01-000u) -> writer id, from the original-xml part: original/a01/a01-000/strokesu.xml
    holds <General><Form id="a01-000u" writerID="10058" .../>."""
    out: dict[str, str] = {}
    for d in sorted(p for p in src.iterdir() if p.is_dir() and p.name.startswith("original")):
        for x in sorted(d.rglob("*.xml")):
            try:
                for _, el in ET.iterparse(x, events=("start",)):
                    tag = el.tag.rsplit("}", 1)[-1]
                    if tag == "Form" and el.get("writerID"):
                        suffix = x.stem[len("strokes"):] if x.stem.startswith("strokes") else ""
                        out[f"{x.parent.name}{suffix}"] = el.get("writerID")
                        if el.get("id"):  # <Form id="a01-001z" writerID="10028" ...>
                            out[el.get("id")] = el.get("writerID")
                        break
            except ET.ParseError as exc:
                raise CorpusError(f"{x}:{exc.position[0]}: not well-formed XML") from None
    return out


def _iam_strokes(xml: Path) -> list[list[list[float]]]:
    root = _parse_xml(xml)
    strokes, t0 = [], None
    for k, st in enumerate(root.iter("Stroke")):
        pts = []
        for p in st.iter("Point"):
            try:
                x, y = float(p.get("x")), float(p.get("y"))
                t = float(p.get("time")) if p.get("time") is not None else None
            except (TypeError, ValueError):
                raise CorpusError(f"{xml}:{_line_of(xml, '<Point')}: a <Point> needs numeric x, y (and time) attributes (stroke {k})") from None
            if t is not None:
                t0 = t if t0 is None else t0
                t = (t - t0) * 1000.0  # seconds -> ms from the line's first point
            pts.append([x, y, t])
        if pts:
            strokes.append(pts)
    if not strokes:
        raise CorpusError(f"{xml}: no <Stroke> with <Point>s")
    n = 0
    for s in strokes:  # points without a time: 10 ms apart, 100 ms between strokes
        for p in s:
            if p[2] is None:
                p[2] = n * 10.0
            n += 1
        n += 10
    return strokes


def iter_iam_ondb(src: str | Path, on_error: OnError = None) -> Iterator[Sample]:
    """Text lines of IAM-OnDB: SRC holds ``ascii/`` and ``lineStrokes/`` (and optionally ``original/``)."""
    src = Path(src)
    ascii_dir, strokes_dir = src / "ascii", src / "lineStrokes"
    for d, part in ((ascii_dir, "ascii-all"), (strokes_dir, "lineStrokes-all")):
        if not d.is_dir():
            raise CorpusError(f"{src}: no {d.name}/ folder (IAM-OnDB's {part} part, unpacked here)")
    writers = _iam_writers(src)
    for txt in sorted(ascii_dir.rglob("*.txt")):
        form = txt.stem
        rel = txt.parent.relative_to(ascii_dir)
        writer = writers.get(form)
        try:
            lines = _csr_lines(txt)
        except CorpusError as exc:
            handle(exc, on_error)
            continue
        for k, (lineno, text) in enumerate(lines, 1):
            try:
                xml = strokes_dir / rel / f"{form}-{k:02d}.xml"
                if not xml.is_file():
                    raise CorpusError(f"{txt}:{lineno}: line {k} has no stroke file {xml}")
                label = one_line(text)
                if not label:
                    raise CorpusError(f"{txt}:{lineno}: empty transcription line")
                sample = {"label": label, "strokes": _iam_strokes(xml), "writer": writer or f"form:{form}",
                          "source": f"iam-ondb:{form}-{k:02d}"}
            except CorpusError as exc:
                handle(exc, on_error)
                continue
            yield sample


# ----------------------------------------------------------------------------- InkML

_LABEL_TYPES = ("truth", "transcription", "label")
_WRITER_TYPES = ("writer", "writerid", "writer_id", "author")
_NUMBER = re.compile(r"([!'\"]?)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")


def _xml_id(el: ET.Element) -> str | None:
    return el.get("id") or el.get("{http://www.w3.org/XML/1998/namespace}id")


def _annotations(el: ET.Element) -> dict[str, str]:
    return {(a.get("type") or "").lower(): (a.text or "").strip() for a in el if a.tag == "annotation"}


def _channels(root: ET.Element) -> tuple[list[str], float]:
    """Channel names of the (first) traceFormat, and the factor that turns its T into ms."""
    tf = next(root.iter("traceFormat"), None)
    if tf is None:
        return ["X", "Y"], 1.0
    names, t_scale = [], 1.0
    for ch in tf.iter("channel"):
        names.append((ch.get("name") or "").upper())
        if names[-1] == "T" and (ch.get("units") or "").lower() in ("s", "sec", "second", "seconds"):
            t_scale = 1000.0
    return names or ["X", "Y"], t_scale


def _trace_points(text: str, nch: int) -> list[list[float]]:
    """InkML trace text -> rows of channel values, decoding ' (first) and " (second) differences."""
    mode = ["!"] * nch
    prev = [0.0] * nch
    vel = [0.0] * nch
    rows = []
    for point in text.split(","):
        toks = _NUMBER.findall(point)
        if not toks:
            if point.strip():
                raise ValueError(f"not a point: {point.strip()[:40]!r}")
            continue
        row = []
        for c, (pfx, num) in enumerate(toks[:nch]):
            if pfx:
                mode[c] = pfx
            v = float(num)
            if mode[c] == "!":
                val = v
                vel[c] = val - prev[c] if rows else 0.0
            elif mode[c] == "'":
                vel[c] = v
                val = prev[c] + v
            else:
                vel[c] += v
                val = prev[c] + vel[c]
            prev[c] = val
            row.append(val)
        if len(row) < 2:
            raise ValueError(f"a point needs x and y: {point.strip()[:40]!r}")
        rows.append(row)
    return rows


def _inkml_file(path: Path) -> Iterator[Sample]:
    root = _parse_xml(path)
    if root.tag != "ink":
        raise CorpusError(f"{path}:1: the root element is <{root.tag}>, not <ink> (not InkML)")
    names, t_scale = _channels(root)
    ix, iy = (names.index("X"), names.index("Y")) if "X" in names and "Y" in names else (0, 1)
    it = names.index("T") if "T" in names else None
    traces: dict[str, list] = {}
    order: list[str] = []
    n = 0
    for k, tr in enumerate(root.iter("trace")):
        tid = _xml_id(tr) or f"#{k}"
        try:
            rows = _trace_points(tr.text or "", len(names))
        except ValueError as exc:
            needle = f'id="{_xml_id(tr)}"' if _xml_id(tr) else "<trace"
            raise CorpusError(f"{path}:{_line_of(path, needle)}: trace {tid}: {exc}") from None
        if not rows:
            continue
        pts = []
        for r in rows:
            if it is not None and it < len(r):
                t = r[it] * t_scale
            else:
                t = n * 10.0  # no time channel: 10 ms a point, 100 ms between traces
            n += 1
            pts.append([r[ix], r[iy], t])
        n += 10
        traces[tid] = pts
        order.append(tid)
    ann = _annotations(root)
    writer = next((ann[t] for t in _WRITER_TYPES if ann.get(t)), None)
    label = next((ann[t] for t in _LABEL_TYPES if ann.get(t)), None)
    if label:
        if not order:
            raise CorpusError(f"{path}: labelled {label[:40]!r} but holds no trace")
        yield {"label": one_line(label), "strokes": [traces[t] for t in order], "writer": writer, "source": f"inkml:{path.name}"}
        return
    found = 0
    for g in root.iter("traceGroup"):
        gann = _annotations(g)
        glabel = next((gann[t] for t in _LABEL_TYPES if gann.get(t)), None)
        if not glabel:
            continue
        # direct children only: CROHME wraps its symbol groups in one labelled "Segmentation"
        refs = [v.get("traceDataRef", "").lstrip("#") for v in g.findall("traceView")]
        missing = [r for r in refs if r not in traces]
        if missing:
            raise CorpusError(f"{path}:{_line_of(path, missing[0])}: traceView refers to trace {missing[0]!r}, which is not in the file")
        if refs:
            found += 1
            yield {"label": one_line(glabel), "strokes": [traces[r] for r in refs], "writer": writer,
                   "source": f"inkml:{path.name}#{_xml_id(g) or found}"}
    if not found:
        raise CorpusError(f"{path}: no annotation of type {'/'.join(_LABEL_TYPES)} on the <ink> or on any <traceGroup>")


def iter_inkml(src: str | Path, on_error: OnError = None) -> Iterator[Sample]:
    """Ink samples from an ``.inkml`` file or a folder of them."""
    src = Path(src)
    if src.is_dir():
        files = sorted(p for p in src.rglob("*") if p.suffix.lower() == ".inkml" and p.is_file())
        if not files:
            raise CorpusError(f"{src}: no .inkml files")
    elif src.is_file():
        files = [src]
    else:
        raise CorpusError(f"{src}: no such file or folder")
    for f in files:
        yield from guard(_inkml_file(f), on_error)
