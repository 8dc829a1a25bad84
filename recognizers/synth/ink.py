"""Synthetic handwriting ink: random words, numbers, dates and phrases written in fonts.

Two kinds of fonts give the ink (see DESIGN.md, "Data you may train on"):

- the Hershey stroke fonts (PyPI ``hershey-fonts``): centre-line fonts already, used as
  they are (the "complex" ones draw thick lines as several parallel passes; the
  passes that double another one are dropped);
- the outline handwriting fonts of Debian's fonts-bwht, fonts-ecolier-court,
  fonts-femkeklaver and fonts-kaushanscript: each glyph is rendered with Pillow at
  about 64 px, thinned to its centre line with scikit-image's ``skeletonize``, and the
  skeleton is traced into ordered pen strokes (a walk over the skeleton graph that
  follows the straightest way through junctions, starting top-left).

Glyph strokes are cached per font in this process, so after the first use of a glyph a
word costs only placement, an affine transform and the timing resample.

Every sample has ``writer = "synth/<font>"`` and ``source = "synth-ink"``. The font
``kaushanscript`` is the held-out validation font: it is excluded unless asked for::

    train = synth_ink_samples(20000, seed=1)
    val = synth_ink_samples(500, seed=2, fonts=["kaushanscript"], exclude_fonts=[])

Coordinates are screen-like (y grows downward) with a capital height of about 35-90
units; t_ms follows a plausible pen speed with pen-up gaps between strokes.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from recognizers.alphabet import HANDWRITING_CHARS
from recognizers.ink import InkSample
from recognizers.synth.text import random_text, word

VALIDATION_FONT = "kaushanscript"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")

# ----------------------------------------------------------------------------- fonts


@dataclass(frozen=True)
class FontSpec:
    name: str
    kind: str  # "hershey" | "outline"
    source: str  # Hershey font name, or an outline font's file name
    package: str  # where it comes from (for messages)
    weight: float = 1.0  # how often it is picked, relative to the others
    cursive: bool = False  # letters join: the pen stays down where one ends at the next
    caps_only: bool = False  # lower case is drawn as (small) capitals: labels are upper-cased
    chars: str = HANDWRITING_CHARS  # the characters it writes as centre lines
    cap_px: int = 46  # capital height when rendering an outline font (text is ~64 px tall)
    threshold: int = 100  # coverage (0-255) that counts as ink
    blur: float = 0.0  # Gaussian blur (px) before thresholding: merges sketchy double lines


_HERSHEY = [
    FontSpec("hershey-scripts", "hershey", "scripts", "hershey-fonts", 1.5, cursive=True),
    FontSpec("hershey-scriptc", "hershey", "scriptc", "hershey-fonts", 1.0, cursive=True),
    FontSpec("hershey-cursive", "hershey", "cursive", "hershey-fonts", 1.5, cursive=True),
    FontSpec("hershey-rowmans", "hershey", "rowmans", "hershey-fonts", 1.0),
    FontSpec("hershey-timesr", "hershey", "timesr", "hershey-fonts", 0.5),
    FontSpec("hershey-timesi", "hershey", "timesi", "hershey-fonts", 0.7),
]
_OUTLINE = [
    FontSpec(f"bwht-{w.lower()}", "outline", f"BecauseWe{w}-Regular.otf", "fonts-bwht", 0.5, caps_only=True)
    for w in ("Build", "Connect", "Create", "Learn", "Mentor", "Organize")
] + [
    FontSpec("ecolier", "outline", "Ecolier-court.ttf", "fonts-ecolier-court", 2.5, cursive=True, threshold=40),
    # femkeklaver: sketchy pencil lower case (blurred so the passes merge into one line);
    # its capitals, digits and most punctuation are hollow outlines, with no centre line
    FontSpec(
        "femkeklaver", "outline", "femkeklaver.ttf", "fonts-femkeklaver", 2.0,
        chars=" abcdefghijklmnopqrstuvwxyz.,;:&@#", cap_px=60, blur=1.0, threshold=50,
    ),
    FontSpec(VALIDATION_FONT, "outline", "KaushanScript-Regular.otf", "fonts-kaushanscript", 2.0, cursive=True),
]
ALL_FONTS = {f.name: f for f in _HERSHEY + _OUTLINE}


@lru_cache(maxsize=None)
def _font_file(file_name: str) -> str | None:
    for d in FONT_DIRS:
        hits = sorted(glob.glob(os.path.join(d, "**", file_name), recursive=True))
        if hits:
            return hits[0]
    return None


@lru_cache(maxsize=1)
def _hershey_available() -> bool:
    try:
        import HersheyFonts  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _outline_tools_available() -> bool:
    try:
        import PIL.ImageFont  # noqa: F401
        import skimage.morphology  # noqa: F401
    except ImportError:
        return False
    return True


def font_available(name: str) -> bool:
    """Whether the font's package (and the tools to thin it) are installed."""
    spec = ALL_FONTS.get(name)
    if spec is None:
        return False
    if spec.kind == "hershey":
        return _hershey_available()
    return _font_file(spec.source) is not None and _outline_tools_available()


def font_names() -> list[str]:
    """Every font this machine can write with (the validation font included)."""
    return [n for n in ALL_FONTS if font_available(n)]


# ----------------------------------------------------------------------------- glyphs


@dataclass
class Glyph:
    """One character's pen strokes in units of the font's capital height.

    x runs from the pen position (0) rightwards, y downward with the baseline at 0 and
    the capital height at -1. `late[i]` marks a dot written after the body (i, j).
    """

    strokes: list[np.ndarray]  # (k, 2) float32
    late: list[bool]
    advance: float


def _mark_late(strokes: list[np.ndarray]) -> list[bool]:
    """Small marks above the rest of the glyph (the dots of i and j) are written last."""
    if len(strokes) < 2:
        return [False] * len(strokes)
    late = []
    for i, s in enumerate(strokes):
        ext = s.max(0) - s.min(0)
        others = np.concatenate([o for j, o in enumerate(strokes) if j != i])
        small = max(ext) < 0.3 and (others.max(0) - others.min(0)).max() > 1.5 * max(max(ext), 0.05)
        late.append(bool(small and s[:, 1].max() < others[:, 1].min() + 0.02))
    return late


def _order_strokes(strokes: list[np.ndarray]) -> list[np.ndarray]:
    """Strokes that start top-left first (a t's stem before its bar, a g's bowl before its tail)."""
    return sorted(strokes, key=lambda s: _start_key(s[0]))


def _densify(p: np.ndarray, step: float) -> np.ndarray:
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)
    d = np.concatenate([[0.0], np.cumsum(seg)])
    if d[-1] <= step:
        return p
    t = np.linspace(0, d[-1], int(np.ceil(d[-1] / step)) + 1)
    return np.stack([np.interp(t, d, p[:, 0]), np.interp(t, d, p[:, 1])], 1)


def _dedupe_passes(strokes: list[np.ndarray], tol: float) -> list[np.ndarray]:
    """Drop strokes lying within `tol` of strokes kept before them (parallel passes)."""
    order = sorted(range(len(strokes)), key=lambda i: -float(np.linalg.norm(np.diff(strokes[i], axis=0), axis=1).sum()))
    kept: list[int] = []
    kept_pts: list[np.ndarray] = []
    for i in order:
        dense = _densify(strokes[i], tol / 3)
        if kept_pts:
            ref = np.concatenate(kept_pts)
            d = np.sqrt(((dense[:, None, :] - ref[None, :, :]) ** 2).sum(-1)).min(1)
            if (d <= tol).all():
                continue
        kept.append(i)
        kept_pts.append(_densify(strokes[i], tol / 3))
    return [strokes[i] for i in sorted(kept)]


class _HersheyFont:
    def __init__(self, spec: FontSpec) -> None:
        from HersheyFonts import HersheyFonts

        f = HersheyFonts()
        f.load_default_font(spec.source)
        self.spec = spec
        self.glyphs = f.all_glyphs
        opts = f.render_options
        self.base = float(opts["base_line"])
        self.cap = float(self.base - opts["cap_line"])  # capital height in font units
        self.cache: dict[str, Glyph] = {}

    def glyph(self, ch: str) -> Glyph:
        g = self.cache.get(ch)
        if g is None:
            g = self.cache[ch] = self._make(ch)
        return g

    def _make(self, ch: str) -> Glyph:
        hg = self.glyphs.get(ch)
        if hg is None or not hasattr(hg, "strokes"):
            return Glyph([], [], 0.5)
        strokes = [np.asarray(s, np.float64) for s in hg.strokes if len(s)]
        if len(strokes) > 1:  # complex/duplex glyphs (and the script fonts' digits)
            strokes = _dedupe_passes(strokes, 1.6)
        # consecutive strokes that meet (or, in the script fonts, nearly meet: the
        # retrace up an n's first leg) are one pen movement
        gap = 0.2 * self.cap if self.spec.cursive else 0.05
        merged: list[np.ndarray] = []
        for s in strokes:
            if merged and np.linalg.norm(merged[-1][-1] - s[0]) <= gap:
                merged[-1] = np.concatenate([merged[-1], s[1:] if np.allclose(merged[-1][-1], s[0]) else s])
            else:
                merged.append(s)
        out = []
        for s in merged:
            p = np.empty_like(s)
            p[:, 0] = (s[:, 0] - hg.left_offset) / self.cap
            p[:, 1] = (s[:, 1] - self.base) / self.cap
            if len(p) == 1:
                p = np.concatenate([p, p + [[0.02, 0.02]]])
            out.append(p.astype(np.float32))
        late = _mark_late(out)  # Hershey draws the dot of an i first; hands do it last
        out = [s for s, lt in zip(out, late) if not lt] + [s for s, lt in zip(out, late) if lt]
        return Glyph(out, sorted(late), hg.char_width / self.cap)


class _OutlineFont:
    def __init__(self, spec: FontSpec) -> None:
        from PIL import ImageFont

        path = _font_file(spec.source)
        if path is None:
            raise FileNotFoundError(f"font {spec.name!r} needs the Debian package {spec.package} ({spec.source})")
        self.spec = spec
        probe = ImageFont.truetype(path, 100)
        cap100 = -probe.getbbox("H", anchor="ls")[1]
        self.font = ImageFont.truetype(path, max(8, round(100 * spec.cap_px / cap100)))
        self.cap_px = float(-self.font.getbbox("H", anchor="ls")[1])
        self.cache: dict[str, Glyph] = {}

    def glyph(self, ch: str) -> Glyph:
        g = self.cache.get(ch)
        if g is None:
            g = self.cache[ch] = self._make(ch)
        return g

    def _make(self, ch: str) -> Glyph:
        from PIL import Image, ImageDraw

        advance = self.font.getlength(ch) / self.cap_px
        if not ch.strip():
            return Glyph([], [], advance)
        l, t, r, b = self.font.getbbox(ch, anchor="ls")
        pad = 6
        ox, oy = pad - l, pad - t  # where the pen origin lands in the image
        im = Image.new("L", (r - l + 2 * pad, b - t + 2 * pad), 0)
        ImageDraw.Draw(im).text((ox, oy), ch, font=self.font, fill=255, anchor="ls")
        paths = trace_centre_lines(np.asarray(im), self.spec.threshold, self.spec.blur)
        strokes = []
        for p in paths:
            q = np.empty((len(p), 2), np.float32)
            q[:, 0] = (p[:, 0] - ox) / self.cap_px
            q[:, 1] = (p[:, 1] - oy) / self.cap_px
            strokes.append(q)
        strokes = _order_strokes(strokes)
        late = _mark_late(strokes)
        strokes = [s for s, lt in zip(strokes, late) if not lt] + [s for s, lt in zip(strokes, late) if lt]
        late = sorted(late)
        return Glyph(strokes, late, advance)


_FONTS: dict[str, _HersheyFont | _OutlineFont] = {}


def _font(name: str) -> _HersheyFont | _OutlineFont:
    f = _FONTS.get(name)
    if f is None:
        spec = ALL_FONTS[name]
        f = _FONTS[name] = _HersheyFont(spec) if spec.kind == "hershey" else _OutlineFont(spec)
    return f


# ----------------------------------------------------------------------------- skeleton tracing

_OFFSETS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def trace_centre_lines(coverage: np.ndarray, threshold: int = 100, blur: float = 0.0) -> list[np.ndarray]:
    """Pen strokes along the centre lines of a rendered glyph (an 8-bit coverage image).

    The ink is thinned with ``skeletonize``; the skeleton becomes a graph (junction
    pixels merged into nodes, short spurs pruned) and is walked from its top-left free
    ends, keeping the straightest way through junctions. Returns (k, 2) arrays of x, y
    in pixels, smoothed and thinned out to about one point per 2 px.
    """
    from scipy import ndimage
    from skimage.morphology import skeletonize

    img = coverage.astype(np.float32)
    if blur > 0:
        img = ndimage.gaussian_filter(img, blur)
    mask = img > threshold
    if not mask.any():
        return []
    width = 2.0 * float(np.median(ndimage.distance_transform_edt(mask)[skeletonize(mask)]))
    skel = skeletonize(mask)
    nodes, edges = _skeleton_graph(skel)
    nodes, edges = _simplify_graph(nodes, edges, spur=max(3.0, 0.6 * width), bridge=max(4.0, 1.3 * width))
    paths = _walk(nodes, edges)
    if len(paths) > 1:  # a scrap left between crossings, not a dot of its own
        allpts = [p for p, _c in paths]
        keep = []
        for i, (p, c) in enumerate(paths):
            if _path_len(p) < 0.5 * width:
                others = np.concatenate([q for j, q in enumerate(allpts) if j != i])
                if np.sqrt(((p[:, None, :] - others[None]) ** 2).sum(-1)).min() <= 1.5:
                    continue
            keep.append((p, c))
        paths = keep
    return [_smooth(p, closed) for p, closed in paths]


def _skeleton_graph(skel: np.ndarray) -> tuple[dict[int, np.ndarray], list[list]]:
    """Nodes (free ends, junctions, dots) and edges [u, v, pixel path (k, 2) as x, y]."""
    sk = np.pad(skel.astype(bool), 1)
    ys, xs = np.nonzero(sk)
    n = len(ys)
    idx = np.full(sk.shape, -1, np.int64)
    idx[ys, xs] = np.arange(n)
    nbrs: list[list[int]] = [[] for _ in range(n)]
    for dy, dx in _OFFSETS:
        j = idx[ys + dy, xs + dx]
        ok = j >= 0
        if dy and dx:  # a diagonal step that a shared 4-neighbour already covers makes a triangle
            ok &= ~(sk[ys + dy, xs] | sk[ys, xs + dx])
        for i in np.nonzero(ok)[0]:
            nbrs[i].append(int(j[i]))
    deg = np.array([len(a) for a in nbrs])
    xy = np.stack([xs - 1, ys - 1], 1).astype(np.float64)

    node_of = np.full(n, -1, np.int64)
    nodes: dict[int, np.ndarray] = {}
    nid = 0
    for p in range(n):
        if deg[p] == 2 or node_of[p] >= 0:
            continue
        # a node: a free end, a dot, or a cluster of touching junction pixels
        members, stack = [p], [p]
        node_of[p] = nid
        while stack and deg[p] >= 3:
            q = stack.pop()
            for r in nbrs[q]:
                if deg[r] >= 3 and node_of[r] < 0:
                    node_of[r] = nid
                    members.append(r)
                    stack.append(r)
        nodes[nid] = xy[members].mean(0)
        nid += 1

    edges: list[list] = []
    seen: set[tuple[int, int]] = set()
    on_edge = np.zeros(n, bool)
    for p in range(n):
        if node_of[p] < 0:
            continue
        on_edge[p] = True
        for q in nbrs[p]:
            if node_of[q] == node_of[p] or (p, q) in seen:
                continue
            path, prev, cur = [p], p, q
            while node_of[cur] < 0:
                path.append(cur)
                on_edge[cur] = True
                nxt = [r for r in nbrs[cur] if r != prev]
                prev, cur = cur, nxt[0]
            path.append(cur)
            seen.add((cur, prev))
            edges.append([int(node_of[p]), int(node_of[cur]), xy[path]])
        if deg[p] == 0:
            edges.append([int(node_of[p]), int(node_of[p]), xy[[p]]])
    # rings with no node at all (an o, a 0): cut open at their top
    for p in range(n):
        if on_edge[p]:
            continue
        path, prev, cur = [p], -1, p
        on_edge[p] = True
        while True:
            nxt = [r for r in nbrs[cur] if r != prev and (r == p or not on_edge[r])]
            if not nxt:
                break
            nxt.sort(key=lambda r: r == p)  # go round before closing
            prev, cur = cur, nxt[0]
            if cur == p:
                break
            path.append(cur)
            on_edge[cur] = True
        pts = xy[path]
        top = int(np.argmin(pts[:, 1] * 1000 - pts[:, 0]))
        pts = np.roll(pts, -top, axis=0)
        pts = np.concatenate([pts, pts[:1]])
        nodes[nid] = pts[0]
        edges.append([nid, nid, pts])
        nid += 1
    return nodes, edges


def _path_len(p: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(p, axis=0), axis=1).sum()) if len(p) > 1 else 0.0


def _simplify_graph(nodes: dict[int, np.ndarray], edges: list[list], spur: float, bridge: float):
    """Clean the skeleton graph of thinning artefacts.

    Where strokes cross or touch, thinning leaves a knot of junctions a pixel or two
    apart (and tiny rings between them): junctions joined by an edge shorter than
    `bridge` become one node, and rings shorter than 2 * `bridge` go. Free-end spurs
    into a junction shorter than `spur` (the bumps of a thick stroke's end) are cut.
    """
    for _ in range(4 * len(edges) + 4):
        deg: dict[int, int] = {k: 0 for k in nodes}
        for u, v, _p in edges:
            deg[u] += 1
            deg[v] += 1
        changed = False
        for i, (u, v, p) in enumerate(edges):
            n = _path_len(p)
            if u != v and deg[u] >= 3 and deg[v] >= 3 and n < bridge:
                nodes[u] = (nodes[u] * deg[u] + nodes[v] * deg[v]) / (deg[u] + deg[v])
                edges.pop(i)
                for e in edges:
                    if e[0] == v:
                        e[0] = u
                    if e[1] == v:
                        e[1] = u
                del nodes[v]
                changed = True
                break
            if u == v and deg[u] > 2 and n < 2 * bridge:
                edges.pop(i)
                changed = True
                break
            if u != v and min(deg[u], deg[v]) == 1 and max(deg[u], deg[v]) >= 3 and n < spur:
                edges.pop(i)
                changed = True
                break
        if not changed:
            break
    return nodes, edges


def _direction(p: np.ndarray, reach: float = 6.0) -> np.ndarray:
    """Unit direction of the first `reach` px of a path."""
    d = np.linalg.norm(p - p[0], axis=1)
    k = int(np.searchsorted(d, reach))
    v = p[min(k, len(p) - 1)] - p[0]
    n = np.linalg.norm(v)
    return v / n if n > 0 else np.zeros(2)


def _start_key(p: np.ndarray) -> float:
    """Pens start strokes top-left: the smaller, the likelier a stroke starts here."""
    return float(p[0] + 1.2 * p[1])


def _walk(nodes: dict[int, np.ndarray], edges: list[list]) -> list[tuple[np.ndarray, bool]]:
    """Cover every edge once with as few, as smooth pen strokes as a greedy walk finds."""
    inc: dict[int, list[int]] = {k: [] for k in nodes}
    for i, (u, v, _p) in enumerate(edges):
        inc[u].append(i)
        if v != u:
            inc[v].append(i)
    unused = set(range(len(edges)))

    def free_degree(u: int) -> int:
        return sum((2 if edges[e][0] == edges[e][1] else 1) for e in inc[u] if e in unused)

    def key(u: int) -> float:
        return _start_key(nodes[u])

    out = []
    while unused:
        live = sorted({u for e in unused for u in edges[e][:2]})
        odd = [u for u in live if free_degree(u) % 2 == 1]
        cur = min(odd or live, key=key)
        pts = [nodes[cur][None, :]]
        heading = None
        while True:
            opts = [e for e in inc[cur] if e in unused]
            if not opts:
                break
            best, best_score, best_path = None, -9.0, None
            for e in opts:
                u, v, p = edges[e]
                cands = [p] if u == v or u == cur else []
                if v == cur and u != v:
                    cands = [p[::-1]]
                if u == v == cur and len(p) > 2:
                    cands = [p, p[::-1]]
                for c in cands:
                    d = _direction(c)
                    if heading is not None:
                        score = float(d @ heading)
                    else:  # a fresh start: go right or down rather than back up-left
                        score = float(d @ np.array([0.6, 0.8]))
                    if u == v and heading is None and len(c) > 2:
                        # a ring from its top goes round anticlockwise, as most hands write an o
                        area = float(np.sum(c[:-1, 0] * c[1:, 1] - c[1:, 0] * c[:-1, 1]))
                        score = 1.0 if area < 0 else -1.0
                    if score > best_score:
                        best, best_score, best_path = e, score, c
            unused.discard(best)
            pts.append(best_path)
            u, v, _p = edges[best]
            cur = v if u == cur else u
            tail = best_path[-min(len(best_path), 7):]
            h = tail[-1] - tail[0]
            heading = h / np.linalg.norm(h) if np.linalg.norm(h) > 0 else heading
        path = np.concatenate(pts)
        keep = np.concatenate([[True], np.any(np.diff(path, axis=0) != 0, axis=1)])
        path = path[keep]
        closed = len(path) > 3 and np.allclose(path[0], path[-1])
        if not closed and _start_key(path[-1]) < _start_key(path[0]) - 4.0:
            path = path[::-1]  # a later stroke that began at its far end (the tail of a g)
        out.append((path, closed))
    return out


def _smooth(p: np.ndarray, closed: bool, win: int = 5, every: int = 2) -> np.ndarray:
    """Round off the pixel staircase and keep about one point per `every` px."""
    if len(p) < 3:
        if len(p) == 1:
            p = np.concatenate([p, p + [[0.5, 0.7]]])
        return p
    k = np.ones(win) / win
    h = win // 2
    if closed:
        body = p[:-1]
        ext = np.concatenate([body[-h:], body, body[:h]])
        s = np.stack([np.convolve(ext[:, i], k, mode="valid") for i in range(2)], 1)
        s = np.concatenate([s, s[:1]])
    else:
        ext = np.concatenate([np.repeat(p[:1], h, 0), p, np.repeat(p[-1:], h, 0)])
        s = np.stack([np.convolve(ext[:, i], k, mode="valid") for i in range(2)], 1)
        s[0], s[-1] = p[0], p[-1]
    idx = np.unique(np.concatenate([np.arange(0, len(s), every), [len(s) - 1]]))
    return s[idx]


def _text_for(spec: FontSpec, rng: np.random.Generator) -> str:
    for _ in range(12):
        text = random_text(rng)
        if spec.caps_only:
            text = text.upper()
        if len(text) <= 40 and all(c in spec.chars for c in text) and text.strip():
            return text
    w = word(rng)
    return w.upper() if spec.caps_only else w


# ----------------------------------------------------------------------------- writing


@dataclass
class _Style:
    cap: float  # capital height in output units
    size_jitter: float
    base_jitter: float
    spacing: float  # multiplies advances
    tracking: float  # added after each letter, cap heights
    word_gap: float
    slant: float  # shear: x += slant * height above the baseline
    rotation: float
    aspect: float
    speed: float  # cap heights per second
    rate: float  # samples per second
    dot_late_word: bool
    offset: np.ndarray = field(default_factory=lambda: np.zeros(2))


def _style(spec: FontSpec, rng: np.random.Generator) -> _Style:
    cursive = spec.cursive
    return _Style(
        cap=float(np.exp(rng.uniform(np.log(35), np.log(90)))),
        size_jitter=float(rng.uniform(0.0, 0.06)),
        base_jitter=float(rng.uniform(0.0, 0.02 if cursive else 0.045)),
        spacing=float(rng.uniform(0.95, 1.08) if cursive else rng.uniform(0.9, 1.25)),
        tracking=float(rng.normal(0.0, 0.01) if cursive else rng.normal(0.04, 0.05)),
        word_gap=float(rng.uniform(0.15, 0.6)),
        slant=float(rng.normal(0.08, 0.15)),
        rotation=float(rng.normal(0.0, 0.04)),
        aspect=float(np.exp(rng.normal(0.0, 0.1))),
        speed=float(rng.uniform(5.0, 12.0)),
        rate=float(rng.uniform(60.0, 200.0)),
        dot_late_word=bool(rng.random() < 0.5),
        offset=np.array([rng.uniform(10, 200), rng.uniform(40, 200)]),
    )


def _layout(text: str, font, spec: FontSpec, st: _Style, rng: np.random.Generator) -> list[np.ndarray]:
    """Glyph strokes placed letter by letter, in capital-height units (before the style's affine)."""
    join = 0.12 if spec.cursive else 0.0
    strokes: list[np.ndarray] = []
    pending: list[np.ndarray] = []  # i and j dots written at the end of the word
    x = 0.0
    prev_joinable = False
    for ch in text:
        g = font.glyph(ch)
        if not g.strokes:  # a space
            strokes += pending
            pending = []
            x += g.advance * st.spacing + st.word_gap
            prev_joinable = False
            continue
        s = float(np.exp(rng.normal(0, st.size_jitter))) if st.size_jitter > 0 else 1.0
        off = np.array([x + rng.normal(0, 0.01), rng.normal(0, st.base_jitter)], np.float32)
        first = True
        for stroke, late in zip(g.strokes, g.late):
            p = stroke * s + off
            if late:
                (pending if st.dot_late_word and spec.cursive else strokes).append(p)
                continue
            if first and prev_joinable and strokes and np.linalg.norm(strokes[-1][-1] - p[0]) < join:
                strokes[-1] = np.concatenate([strokes[-1], p])
            else:
                strokes.append(p)
            first = False
        prev_joinable = spec.cursive and (not g.late[-1] or st.dot_late_word)  # deferred dots don't break the line
        x += g.advance * s * st.spacing * (1 + rng.normal(0, 0.03)) + st.tracking
    return strokes + pending


def _timed(p: np.ndarray, t0: float, speed: float, dt: float, curve_slow: float, ramp_len: float) -> np.ndarray:
    """Sample a stroke in time: the pen speeds up from rest, slows in curves, stops at the end."""
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)
    keep = np.concatenate([[True], seg > 1e-6])
    p, L = p[keep], float(seg.sum())
    if len(p) < 2 or L < 1e-3:
        q = p[:1].repeat(2, 0)
        q[1] += 0.3
        return np.concatenate([q, [[t0], [t0 + dt]]], 1).astype(np.float32)
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    v = np.diff(p, axis=0) / seg[:, None]
    turn = np.zeros(len(p))
    if len(p) > 2:
        turn[1:-1] = np.arccos(np.clip((v[1:] * v[:-1]).sum(1), -1, 1)) / np.maximum(np.minimum(seg[1:], seg[:-1]), 1e-3)
        turn = np.convolve(turn, np.ones(3) / 3, mode="same")
    ramp = np.clip(np.minimum(s, L - s) / max(ramp_len, 1e-3), 0.25, 1.0)
    vel = speed * ramp / (1.0 + curve_slow * turn)
    t = t0 + np.concatenate([[0.0], np.cumsum(seg * 2 / (vel[1:] + vel[:-1]))])
    n = max(int((t[-1] - t0) / dt), 1)
    ts = np.concatenate([t0 + dt * np.arange(n), [t[-1]]])
    ts = ts[np.concatenate([np.diff(ts) > 0.5, [True]])]
    if len(ts) < 2:
        ts = np.array([t0, t0 + dt])
    return np.stack([np.interp(ts, t, p[:, 0]), np.interp(ts, t, p[:, 1]), ts], 1).astype(np.float32)


def write_text(text: str, font_name: str, rng: np.random.Generator) -> list[np.ndarray]:
    """Ink for `text` in one font, with a random hand's style: (N, 3) x, y, t_ms strokes."""
    spec = ALL_FONTS[font_name]
    font = _font(font_name)
    st = _style(spec, rng)
    placed = _layout(text, font, spec, st, rng)
    c, s = np.cos(st.rotation), np.sin(st.rotation)
    m = (np.array([[c, -s], [s, c]]) @ np.array([[st.aspect, -st.slant], [0.0, 1.0]]) * st.cap).astype(np.float32)
    speed = st.speed * st.cap / 1000.0  # units per ms
    dt = 1000.0 / st.rate
    out: list[np.ndarray] = []
    t = float(rng.uniform(0, 50))
    last = None
    for p in placed:
        q = p @ m.T + st.offset
        if last is not None:
            gap = float(np.linalg.norm(q[0] - last)) / (1.5 * speed)
            t += gap + float(rng.uniform(40, 160))
        stroke = _timed(q, t, speed, dt, curve_slow=0.08 * st.cap, ramp_len=0.12 * st.cap)
        out.append(stroke)
        t = float(stroke[-1, 2])
        last = stroke[-1, :2]
    return out


def synth_ink_samples(n: int, seed: int = 0, fonts: list[str] | None = None, exclude_fonts: list[str] = (VALIDATION_FONT,)) -> list[InkSample]:
    """`n` synthetic handwritten samples, the same for the same arguments.

    `fonts` names the fonts to write with (default: every installed one); those in
    `exclude_fonts` (default: the validation font) are left out. Raises ValueError when
    no font is left or a named font is unknown or not installed.
    """
    names = list(fonts) if fonts is not None else font_names()
    unknown = [f for f in names if f not in ALL_FONTS]
    if unknown:
        raise ValueError(f"unknown synthetic ink fonts {unknown}; known: {sorted(ALL_FONTS)}")
    missing = [f for f in names if not font_available(f)]
    if missing:
        raise ValueError(f"fonts not installed: {', '.join(f'{m} ({ALL_FONTS[m].package})' for m in missing)}")
    names = [f for f in names if f not in set(exclude_fonts)]
    if not names:
        raise ValueError("no synthetic ink font left to write with")
    weights = np.array([ALL_FONTS[f].weight for f in names])
    weights = weights / weights.sum()
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        name = names[int(rng.choice(len(names), p=weights))]
        spec = ALL_FONTS[name]
        text = _text_for(spec, rng)
        strokes = write_text(text, name, rng)
        out.append(InkSample(text, strokes, writer=f"synth/{name}", source="synth-ink"))
    return out


def _register() -> None:
    from recognizers.training.datasets import INK_GENERATORS

    INK_GENERATORS["synth-ink"] = lambda arg: synth_ink_samples(int(arg))


_register()
