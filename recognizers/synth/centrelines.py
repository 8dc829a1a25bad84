"""Centre lines of rendered glyphs: an outline font's letter, thinned to a skeleton, walked
into pen strokes in a plausible writing order (synthetic ink from handwriting fonts)."""

from __future__ import annotations

import numpy as np

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


def start_key(p: np.ndarray) -> float:
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
        return start_key(nodes[u])

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
        if not closed and start_key(path[-1]) < start_key(path[0]) - 4.0:
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
