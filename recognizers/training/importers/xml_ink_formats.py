"""Readers of the XML online-handwriting corpora, yielding ink-sample dicts one at a time.

- IAM-OnDB: ``lineStrokes/**/FORM-NN.xml`` paired with line NN of the ``CSR:`` section of
  ``ascii/**/FORM.txt``; writer ids from the ``original/`` XML part when it is there.
- InkML (W3C; CROHME, IAMonDo and alike): ``<trace>`` point lists (explicit, ``'`` first and
  ``"`` second differences), labelled by a ``truth`` / ``transcription`` / ``label``
  annotation on the whole ``<ink>`` or, failing that, on each ``<traceGroup>``.

Every sample is ``{"label", "strokes": [[[x, y, t_ms], ...], ...], "writer", "source"}``, y grows
downward as in the corpora. Anything malformed raises CorpusError naming the file and line.
UNIPEN is read by ``unipen_format``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from recognizers.training.importers.common import CorpusError, OnError, guard, handle, one_line, read_text_lines

Sample = dict


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
