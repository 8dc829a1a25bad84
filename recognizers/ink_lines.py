"""Ink layout before recognition: stray points that belong to no writing, and lines.

Both work on raw ink (a list of ``(N, 3)`` strokes of x, y, t_ms, y down, any scale) and
measure everything in the writing's own size, `reference_height`: the median height of the
taller half of the strokes (letters and words, not the dots, commas and dashes among them).

- `drop_outliers`: a speck (a stroke no bigger than a dot) that lies far from all writing,
  and a lone point that jumps far out of its stroke and back (a digitizer glitch), are
  removed, so one glitch cannot stretch the box that normalisation divides by. Dots,
  commas and accents near the writing stay. Features call it, so training and live
  recognition agree.
- `split_lines`: the strokes grouped into lines, top to bottom. Neighbouring strokes whose
  vertical extents overlap are chained (so a slanted or drifting baseline is followed piece
  by piece), pieces of one line far apart horizontally are joined when their ends sit at
  the same height, and the small marks (i dots, accents, periods, commas) go to the line
  they belong to, preferring the line below a mark that sits between two lines.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SPECK_SIZE = 0.3  # a stroke no larger than this (in reference heights) is a speck or a dot
SPECK_FAR = 2.0  # a speck further than this from all writing (reference heights) is dropped
SPIKE_JUMP = 2.0  # a point this far out of its stroke and back (reference heights) is a glitch
MARK_HEIGHT = 0.4  # strokes lower than this (reference heights) are marks (dots, bars, commas), not letters
CHAIN_GAP = 3.0  # neighbouring strokes chain into a line across at most this horizontal gap
MIN_OVERLAP = 0.3  # ... when their vertical extents overlap by this fraction of the smaller one
MAX_CENTRE_SHIFT = 0.7  # ... and their middles differ by less than this (reference heights)
JOIN_SHIFT = 0.5  # pieces far apart join when their facing ends differ by less than this in height
SOLO_WIDTH = 2.0  # a line of one or two strokes must be at least this wide (reference heights)
SOLO_COVER = 0.5  # ... and its strokes must cover this fraction of that width (two i dots far apart do not)
SOLO_PIECE = 1.0  # ... unless one of them is this wide (reference heights): a word written in two strokes
MIN_SPLIT_STROKES = 3  # ink of fewer letter-sized strokes is never split ("=" is not two lines) ...
WORD_STROKE_PATH = 2.0  # ... unless each is a word written in one stroke: its pen path this many times its larger side
TICK_WIDTH = 0.5  # a "line" of strokes all narrower than this (reference heights) ...
TICK_HEIGHT = 0.8  # ... and lower than this, covering less than SOLO_COVER of its span, is i dots or ticks
TICK_GAP = 0.5  # ... when their bottoms are within this of the body of the line below (reference heights)
TOUCH = 0.1  # a stroke that starts or ends this close to another (reference heights) is joined to it ...
PIECE_WIDTH = 1.5  # ... when it is no wider than this (reference heights): a letter's piece, not a word
LINE_PITCH = 0.8  # lines one above the other: their middles at least this far apart (reference heights)
LINE_X_OVERLAP = 0.3  # ... and overlapping horizontally by this fraction of the narrower one
WORD_GAP = 1.0  # a horizontal gap wider than this (reference heights) separates two words of a line
SPACED_LETTERS = 1.5  # pieces of a line this narrow (median, reference heights) are letters written apart
SPACED_GAP = 2.5  # ... and then a word gap is also this many times their median gap
SPACED_MAX = 3.0  # ... or at least this wide (reference heights)
# where a reading is digits alone (`digit_groups`): a gap this wide (reference heights) parts two
# numbers, since the widest inside any of UNIPEN's 665 numbers is 1.41 (99 % are under 1.09);
# and three or more digits each this far from the next are a row of digits ("1 2 3 4"), since
# no number of three or more pieces there keeps them all 0.9 apart (one keeps 0.81)
DIGIT_ROW_GAP = 1.5
DIGIT_ROW_MIN = 0.9


def _boxes(strokes: Sequence[np.ndarray]) -> np.ndarray:
    """(S, 5): x0, x1, y0, y1, median y of each (non-empty) stroke, all at once."""
    lens = np.fromiter((len(s) for s in strokes), np.int64, len(strokes))
    pts = np.concatenate([np.asarray(s)[:, :2] for s in strokes]).astype(np.float64)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    out = np.empty((len(strokes), 5), np.float64)
    out[:, 0] = np.minimum.reduceat(pts[:, 0], starts)
    out[:, 1] = np.maximum.reduceat(pts[:, 0], starts)
    out[:, 2] = np.minimum.reduceat(pts[:, 1], starts)
    out[:, 3] = np.maximum.reduceat(pts[:, 1], starts)
    ys = pts[np.lexsort((pts[:, 1], np.repeat(np.arange(len(strokes)), lens))), 1]  # y sorted within each stroke
    out[:, 4] = (ys[starts + (lens - 1) // 2] + ys[starts + lens // 2]) / 2
    return out


def reference_height(strokes: Sequence[np.ndarray]) -> float:
    """The size of the writing: the median height of the taller half of the strokes, floored
    at 1/8 of the widest stroke (flat ink such as a dash has almost no height)."""
    strokes = [s for s in strokes if len(s)]
    if not strokes:
        return 1.0
    return _height_of(_boxes(strokes))


def _height_of(b: np.ndarray) -> float:
    heights = np.sort(b[:, 3] - b[:, 2])
    top = heights[len(heights) // 2 :]
    h = float(top[(len(top) - 1) // 2] + top[len(top) // 2]) / 2  # their median (np.median is slow on tiny arrays)
    return max(h, float((b[:, 1] - b[:, 0]).max()) / 8, 1e-6)


def _box_gap(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two boxes (0 when they touch or overlap)."""
    dx = max(a[0] - b[1], b[0] - a[1], 0.0)
    dy = max(a[2] - b[3], b[2] - a[3], 0.0)
    return float(np.hypot(dx, dy))


def _despike(s: np.ndarray, jump: float) -> np.ndarray:
    """A stroke without points that jump more than `jump` away and come straight back
    (or start or end it with such a jump, far from where the rest of the stroke is)."""
    if len(s) < 3:
        return s
    xy = s[:, :2].astype(np.float64)
    seg = np.linalg.norm(np.diff(xy, axis=0), axis=1)
    if seg.max() <= jump:
        return s  # nothing jumps far: the usual case, and a quick one
    keep = np.ones(len(s), bool)
    typical = float(np.median(seg))
    a, b = seg[:-1], seg[1:]  # the jumps into and out of each inner point
    back = np.linalg.norm(xy[2:] - xy[:-2], axis=1)
    keep[1:-1] = ~((a > jump) & (b > jump) & (back < 0.25 * np.minimum(a, b)))
    if len(s) >= 4:
        for i, j in ((0, 0), (len(s) - 1, len(seg) - 1)):
            if seg[j] > 1.5 * jump and seg[j] > 10 * typical:
                keep[i] = False
    return s if keep.all() else s[keep]


def drop_outliers(strokes: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The ink without specks far from all writing and without glitch points; ink that is
    only specks (a lone dot, an ellipsis) is returned as it is. Strokes keep their order."""
    strokes = [np.asarray(s) for s in strokes if len(s)]
    if not strokes:
        return []
    b = _boxes(strokes)
    h = _height_of(b)
    despiked = [_despike(s, SPIKE_JUMP * h) for s in strokes]
    if any(d is not s for d, s in zip(despiked, strokes)):
        strokes, b = despiked, _boxes(despiked)
    if len(strokes) < 2:
        return strokes
    size = np.maximum(b[:, 1] - b[:, 0], b[:, 3] - b[:, 2])
    speck = size <= SPECK_SIZE * h
    if speck.all() or not speck.any():
        return strokes
    anchored = ~speck
    changed = True
    while changed:  # a speck near writing (or near a speck near writing: "...") belongs to it
        changed = False
        for i in np.flatnonzero(~anchored):
            if any(_box_gap(b[i], b[j]) <= SPECK_FAR * h for j in np.flatnonzero(anchored)):
                anchored[i] = changed = True
    return [s for s, a in zip(strokes, anchored) if a]


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Vertical overlap of two boxes as a fraction of the lower one's height."""
    inter = min(a[3], b[3]) - max(a[2], b[2])
    return inter / max(min(a[3] - a[2], b[3] - b[2]), 1e-9)


def _separated(lines: list[list[int]], strokes: Sequence[np.ndarray], b: np.ndarray, h: float) -> list[list[int]]:
    """Groups ordered top to bottom, neighbours merged until each lies clearly below the one
    above: the bodies (middle half of the points) apart, the middles a line pitch apart, and
    the two overlapping horizontally (a line below, not a mark beside or above a word), and
    the upper one not a row of ticks sitting on the lower one (`_dots_of`)."""

    def stats(g: list[int]) -> tuple[float, float, float, float, float]:
        y = np.concatenate([np.asarray(strokes[i])[:, 1] for i in g]).astype(np.float64)
        q25, q50, q75 = np.percentile(y, [25, 50, 75])
        return float(q25), float(q50), float(q75), float(b[g, 0].min()), float(b[g, 1].max())

    lines = sorted(lines, key=lambda g: stats(g)[1])
    k = 0
    while k < len(lines) - 1:
        a, c = stats(lines[k]), stats(lines[k + 1])
        x_overlap = (min(a[4], c[4]) - max(a[3], c[3])) / max(min(a[4] - a[3], c[4] - c[3]), 1e-9)
        if a[2] < c[0] and c[1] - a[1] >= LINE_PITCH * h and x_overlap >= LINE_X_OVERLAP and not _dots_of(lines[k], c[0], b, h) and not _hanging(*sorted((lines[k], lines[k + 1]), key=len), strokes, b, h):
            k += 1
            continue
        lines[k] = lines[k] + lines.pop(k + 1)
        lines = sorted(lines, key=lambda g: stats(g)[1])
        k = 0
    return lines


def _ticks(b: np.ndarray, h: float) -> bool:
    """Whether strokes (their boxes `b`) are a row of ticks: each narrow and short, far apart
    (i dots written as short dashes)."""
    widths, heights = b[:, 1] - b[:, 0], b[:, 3] - b[:, 2]
    span = float(b[:, 1].max() - b[:, 0].min())
    return bool((widths < TICK_WIDTH * h).all() and (heights < TICK_HEIGHT * h).all() and widths.sum() < SOLO_COVER * span)


def _dots_of(upper: list[int], lower_top: float, b: np.ndarray, h: float) -> bool:
    """Whether a group that looks like a line is a row of ticks just above the body of the
    line below (its top quartile `lower_top`): i dots written as dashes, quotes."""
    return _ticks(b[upper], h) and lower_top - float(np.median(b[upper, 3])) < TICK_GAP * h


def _hanging(small: list[int], other: list[int], strokes: Sequence[np.ndarray], b: np.ndarray, h: float) -> bool:
    """Whether most strokes of `small`, none wider than a letter, start or end on a stroke of
    `other`: pieces of its letters (an ascender's loop or a descender's tail that a thinned outline or a pen-up cut
    off where it joins the letter), not a line of their own. Lines written close together
    touch where one line's tail crosses the other's letters, not at most of one's stroke ends."""
    if (b[small, 1] - b[small, 0]).max() > PIECE_WIDTH * h:
        return False  # a word's worth of ink is a line's, whatever its tail touches
    touching = 0
    for i in small:
        ends = np.asarray(strokes[i])[[0, -1], :2].astype(np.float64)
        for j in other:  # only strokes whose boxes come within reach
            if b[j, 0] - b[i, 1] > TOUCH * h or b[i, 0] - b[j, 1] > TOUCH * h or b[j, 2] - b[i, 3] > TOUCH * h or b[i, 2] - b[j, 3] > TOUCH * h:
                continue
            pj = np.asarray(strokes[j])[:, :2].astype(np.float64)
            if float(((ends[:, None, :] - pj[None, :, :]) ** 2).sum(-1).min()) <= (TOUCH * h) ** 2:
                touching += 1
                break
    return 2 * touching > len(small)


def _solo_line(b: np.ndarray, h: float) -> bool:
    """Whether one or two strokes (their boxes `b`) on their own make a line: wide, and either
    more ink than gap or holding a stroke as wide as a short word."""
    span, widths = float(b[:, 1].max() - b[:, 0].min()), b[:, 1] - b[:, 0]
    return span >= SOLO_WIDTH * h and (float(widths.sum()) >= SOLO_COVER * span or float(widths.max()) >= SOLO_PIECE * h)


def _word_stroke(stroke: np.ndarray) -> bool:
    """A stroke that goes up and down along its length, as a word written without lifting the
    pen does (its path 3-4 times its width), not a bar or a dash (about once)."""
    xy = np.asarray(stroke, np.float64)[:, :2]
    side = float((xy.max(0) - xy.min(0)).max())
    return side > 0 and float(np.linalg.norm(np.diff(xy, axis=0), axis=1).sum()) >= WORD_STROKE_PATH * side


def split_lines(strokes: Sequence[np.ndarray]) -> list[list[int]]:
    """Indices of the strokes of each line, lines top to bottom, strokes in their order.
    One line (all the strokes) when the ink is not several lines."""
    n = len(strokes)
    idx = [i for i in range(n) if len(strokes[i])]
    if len(idx) < 2:
        return [list(range(n))]
    b = np.zeros((n, 5))
    b[idx] = _boxes([strokes[i] for i in idx])
    h = _height_of(b[idx])
    if b[idx, 3].max() - b[idx, 2].min() < 1.5 * h:
        return [list(range(n))]  # not tall enough for two lines (most words: a quick answer)
    height = b[:, 3] - b[:, 2]
    main = [i for i in idx if height[i] >= MARK_HEIGHT * h]  # flat strokes (dashes, t bars) are marks too
    if len(main) < 2:
        return [list(range(n))]

    parent = {i: i for i in main}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    # 1. chain neighbours whose vertical extents overlap
    for a, i in enumerate(main):
        for j in main[a + 1 :]:
            gap = max(b[i, 0], b[j, 0]) - min(b[i, 1], b[j, 1])
            if gap <= CHAIN_GAP * h and _overlap(b[i], b[j]) >= MIN_OVERLAP and abs(b[i, 4] - b[j, 4]) <= MAX_CENTRE_SHIFT * h:
                union(i, j)

    # 2. pieces of one line far apart: join when their facing ends sit at the same height
    def groups() -> list[list[int]]:
        g: dict[int, list[int]] = {}
        for i in main:
            g.setdefault(find(i), []).append(i)
        return list(g.values())

    merged = True
    while merged:
        merged = False
        gs = groups()
        for a in range(len(gs)):
            for c in range(len(gs)):
                if a == c:
                    continue
                left, right = gs[a], gs[c]
                if max(b[left, 1]) > min(b[right, 0]) + h:
                    continue  # `left` is not to the left of `right`
                end = sorted(left, key=lambda i: b[i, 1])[-3:]
                start = sorted(right, key=lambda i: b[i, 0])[:3]
                if abs(np.median(b[end, 4]) - np.median(b[start, 4])) <= JOIN_SHIFT * h:
                    union(left[0], right[0])
                    merged = True
                    break
            if merged:
                break
    # a "line" of a stroke or two, narrow (an apostrophe, a ring, a question mark, a capital
    # whose bar went astray) or sparse (two tall i dots, two commas far apart) is marks of a real line
    lines = [g for g in groups() if len(g) >= 3 or _solo_line(b[g], h)]
    # two cursive words, one on each line, are two lines; the two bars of "=" are not
    few = sum(len(g) for g in lines) < MIN_SPLIT_STROKES and not all(_word_stroke(strokes[i]) for g in lines for i in g)
    if len(lines) < 2 or few:
        return [list(range(n))]
    for i in main:
        if not any(i in g for g in lines):
            del parent[i]
    lines = _separated(lines, strokes, b, h)
    if len(lines) == 1:
        return [list(range(n))]

    # 3. marks (dots, accents, commas) to the line they sit on or just above
    members = [list(g) for g in lines]
    for m in (i for i in idx if i not in parent):
        mx, my = (b[m, 0] + b[m, 1]) / 2, (b[m, 2] + b[m, 3]) / 2
        best, best_cost = 0, float("inf")
        for k, g in enumerate(lines):
            xd = np.maximum(np.maximum(b[g, 0] - mx, mx - b[g, 1]), 0.0)
            near = [g[t] for t in np.flatnonzero(xd <= xd.min() + h)]
            y0, y1 = b[near, 2].min(), b[near, 3].max()
            yc = float(np.median(b[near, 4]))
            band = max(y0 - my, my - y1, 0.0)
            shift = (yc - my) * 0.5 if my < yc else (my - yc)  # a mark above the middle: dots and accents
            cost = band + 0.25 * shift + 0.5 * float(xd.min())
            if cost < best_cost:
                best, best_cost = k, cost
        members[best].append(m)
    members += [[i for i in range(n) if not len(strokes[i])]] if len(idx) < n else []
    order = sorted(range(len(lines)), key=lambda k: float(np.median(b[lines[k], 4])))
    out = [sorted(members[k]) for k in order]
    if len(members) > len(lines) and members[-1]:
        out[-1] = sorted(out[-1] + members[-1])  # empty strokes ride along with the last line
    return out


def marks_host(strokes: Sequence[np.ndarray], lines: list[list[int]], k: int) -> int | None:
    """The line that line `k` (read as marks alone) belongs to: its nearest neighbour, when
    that has at least twice its strokes and spans its width (within one writing height); None
    for a row of symbols written as a line of its own."""
    idx = [i for g in lines for i in g if len(strokes[i])]
    b = np.zeros((len(strokes), 5))
    b[idx] = _boxes([strokes[i] for i in idx])
    h = reference_height([strokes[i] for i in idx])

    def box(g: list[int]) -> tuple[float, float, float]:  # x from, x to, the middle of its points
        g = [i for i in g if len(strokes[i])]
        if not g:
            return 0.0, 0.0, 0.0
        return float(b[g, 0].min()), float(b[g, 1].max()), float(np.median(np.concatenate([np.asarray(strokes[i])[:, 1] for i in g])))

    neighbours = [i for i in (k - 1, k + 1) if 0 <= i < len(lines)]
    if not neighbours:
        return None
    x0, x1, mid = box(lines[k])
    j = min(neighbours, key=lambda i: abs(box(lines[i])[2] - mid))
    jx0, jx1, _ = box(lines[j])
    return j if 2 * len(lines[k]) <= len(lines[j]) and x0 >= jx0 - h and x1 <= jx1 + h else None


def split_words(strokes: Sequence[np.ndarray], gap: float | None = None, spaced: bool = True) -> list[list[int]]:
    """Indices of the strokes of each word of one line, left to right: strokes chained by
    their horizontal extents, a new word wherever the chain leaves a gap wider than `gap`
    reference heights (WORD_GAP by default). Where the pieces between gaps are letter-sized
    (letters printed apart), a gap must also be SPACED_GAP times their median gap, or
    SPACED_MAX heights wide, so "p r e s s u r e" stays one word (not with `spaced=False`:
    digits written apart are separate numbers, which only a reading can tell). A piece of marks alone (a
    period, a comma, a quote) joins the word on its left (the first word's, when it comes
    first), so marks never stand as words. One group (all the strokes) when nothing is that
    far apart."""
    gap = WORD_GAP if gap is None else gap
    n = len(strokes)
    idx = [i for i in range(n) if len(strokes[i])]
    if len(idx) < 2:
        return [list(range(n))]
    b = _boxes([strokes[i] for i in idx])
    h = _height_of(b)
    size = np.maximum(b[:, 1] - b[:, 0], b[:, 3] - b[:, 2])
    order = np.argsort(b[:, 0], kind="stable")
    runs: list[list[int]] = []  # positions in idx, chained where extents touch or overlap
    gaps: list[float] = []  # the gap before each run after the first
    end = -np.inf
    for k in order:
        if not runs or b[k, 0] > end:
            if runs:
                gaps.append(float(b[k, 0] - end))
            runs.append([])
        runs[-1].append(int(k))
        end = max(end, b[k, 1])
    def marks(group: list[int]) -> bool:  # a period, a comma, a quote: no letter among them
        return all(size[k] < MARK_HEIGHT * h for k in group)

    cut = gap * h
    letters = [r for r in runs if not marks(r)]
    if spaced and len(letters) >= 3 and gaps:
        widths = [b[r, 1].max() - b[r, 0].min() for r in letters]
        if np.median(widths) < SPACED_LETTERS * h:
            # letters written apart ("l o w"): a word gap must also stand out from their
            # spacing; but short words evenly far apart ("I'll be back") are pieces this narrow
            # too, so a gap of SPACED_MAX always counts
            cut = max(cut, min(SPACED_GAP * float(np.median(gaps)), SPACED_MAX * h))
    pieces: list[list[int]] = [runs[0]]
    for g, r in zip(gaps, runs[1:]):
        if g > cut:
            pieces.append([])
        pieces[-1] += r
    if len(pieces) == 1:
        return [list(range(n))]
    words: list[list[int]] = []
    for p in pieces:
        if words and marks(p):
            words[-1] += p  # marks alone: the previous word's
        elif words and marks(words[-1]):
            words[-1] += p  # marks first in the line: the word after them
        else:
            words.append(p)
    out = [sorted(idx[k] for k in w) for w in words]
    if len(idx) < n:  # empty strokes ride along with the last word
        out[-1] = sorted(out[-1] + [i for i in range(n) if not len(strokes[i])])
    return out


def digit_groups(strokes: Sequence[np.ndarray]) -> list[list[int]]:
    """Indices of the strokes of each number, for ink read as digits alone: a piece each
    where all of them, three or more, stand DIGIT_ROW_MIN or more from the next ("1 2 3 4",
    however much wider one gap is); else cut at gaps of DIGIT_ROW_GAP ("555 1234"). One group
    when neither holds: a number. The recognizer's `word_gap` does not enter: these are
    numbers' own gaps."""
    each = split_words(strokes, 0.0, spaced=False)  # every piece whose extent touches no other
    if len(each) >= 3 and len(split_words(strokes, DIGIT_ROW_MIN, spaced=False)) == len(each):
        return each
    return split_words(strokes, DIGIT_ROW_GAP, spaced=False)
