"""Synthetic handwriting ink: random words, numbers, dates and phrases written in fonts.

Two kinds of fonts give the ink (see DESIGN.md, "Data you may train on"):

- the Hershey stroke fonts (PyPI ``hershey-fonts``): centre-line fonts already, used as
  they are (the "complex" ones draw thick lines as several parallel passes; the
  passes that double another one are dropped);
- the outline handwriting fonts of Debian's fonts-bwht, fonts-ecolier-court,
  fonts-femkeklaver, fonts-kaushanscript and (a check only, since session 9)
  fonts-dancingscript: each glyph is rendered with Pillow at
  about 64 px, thinned to its centre line with scikit-image's ``skeletonize``, and the
  skeleton is traced into ordered pen strokes (a walk over the skeleton graph that
  follows the straightest way through junctions, starting top-left).

The font list, which fonts are installed and which are held out live in
``recognizers/synth/fonts.py``. Glyph strokes are cached per font in this process, so
after the first use of a glyph a word costs only placement, an affine transform and the
timing resample.

Every sample has ``writer = "synth/<font>"`` and ``source = "synth-ink"``. The fonts
``kaushanscript`` (the validation font of training runs) and ``dancingscript`` (a second
measure of unseen styles) are held out: they are excluded unless asked for::

    train = synth_ink_samples(20000, seed=1)
    val = synth_ink_samples(500, seed=2, fonts=["kaushanscript"], exclude_fonts=[])

Coordinates are screen-like (y grows downward) with a capital height of about 35-90
units; t_ms follows a plausible pen speed with pen-up gaps between strokes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from recognizers.ink import InkSample
from recognizers.synth.centrelines import start_key, trace_centre_lines
from recognizers.synth.fonts import ALL_FONTS, HELD_OUT_FONTS, FontSpec, font_available, font_file, font_names
from recognizers.synth.text import random_text, word

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
    return sorted(strokes, key=lambda s: start_key(s[0]))


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

        path = font_file(spec.source)
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


def synth_ink_samples(n: int, seed: int = 0, fonts: list[str] | None = None, exclude_fonts: list[str] = HELD_OUT_FONTS) -> list[InkSample]:
    """`n` synthetic handwritten samples, the same for the same arguments.

    `fonts` names the fonts to write with (default: every installed one); those in
    `exclude_fonts` (default: the held-out fonts) are left out. Raises ValueError when
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
