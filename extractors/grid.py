"""Ruled tables from line segments: the geometry shared by PDF vector paths and lines found in
scanned images.

Coordinates are "visual": x grows to the right, y grows downwards. A table is a connected set
of horizontal and vertical rules; its grid is every distinct rule position, and a cell is a
group of grid slots with no rule between them, so merged cells come out as one cell with its
row and column span.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Seg:
    """A horizontal (y0 == y1) or vertical (x0 == x1) rule, x0 <= x1 and y0 <= y1."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return self.y1 - self.y0 <= self.x1 - self.x0


@dataclass
class GridCell:
    row: int
    col: int
    row_span: int
    col_span: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class GridTable:
    n_rows: int
    n_cols: int
    cells: list[GridCell] = field(default_factory=list)
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0


def segments_from_box(x0: float, y0: float, x1: float, y1: float, thin: float) -> list[Seg]:
    """A drawn rectangle as rules: a thin one is a single line (how Word and LibreOffice
    draw borders), a larger one contributes its four sides."""
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    w, h = x1 - x0, y1 - y0
    if w <= thin and h <= thin:
        return []
    if h <= thin:
        y = (y0 + y1) / 2
        return [Seg(x0, y, x1, y)]
    if w <= thin:
        x = (x0 + x1) / 2
        return [Seg(x, y0, x, y1)]
    return [Seg(x0, y0, x1, y0), Seg(x0, y1, x1, y1), Seg(x0, y0, x0, y1), Seg(x1, y0, x1, y1)]


def _snap(values: list[float], tol: float) -> dict[float, float]:
    """Each value -> the mean of its cluster (values closer than tol chain together)."""
    out: dict[float, float] = {}
    ordered = sorted(set(values))
    cluster: list[float] = []
    for v in [*ordered, float("inf")]:
        if cluster and v - cluster[-1] > tol:
            mean = sum(cluster) / len(cluster)
            out.update(dict.fromkeys(cluster, mean))
            cluster = []
        cluster.append(v)
    return out


def _join(segs: list[Seg], horizontal: bool, tol: float) -> list[Seg]:
    """Collinear pieces that touch or overlap become one rule (borders are drawn per cell)."""
    key = (lambda s: (s.y0, s.x0)) if horizontal else (lambda s: (s.x0, s.y0))
    joined: list[Seg] = []
    for s in sorted(segs, key=key):
        last = joined[-1] if joined else None
        if horizontal and last is not None and last.y0 == s.y0 and s.x0 <= last.x1 + tol:
            last.x1 = max(last.x1, s.x1)
        elif not horizontal and last is not None and last.x0 == s.x0 and s.y0 <= last.y1 + tol:
            last.y1 = max(last.y1, s.y1)
        else:
            joined.append(Seg(s.x0, s.y0, s.x1, s.y1))
    return joined


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def find_tables(
    segs: list[Seg], snap: float = 2.0, join: float = 3.0, min_len: float = 3.0
) -> list[GridTable]:
    """Tables from rules; units are the caller's (points for PDF, pixels for scans), and
    tolerances are given in those units."""
    hs = [s for s in segs if s.horizontal and s.x1 - s.x0 >= min_len]
    vs = [s for s in segs if not s.horizontal and s.y1 - s.y0 >= min_len]
    if len(hs) < 2 or len(vs) < 2:
        return []
    ymap = _snap([s.y0 for s in hs], snap)
    xmap = _snap([s.x0 for s in vs], snap)
    for s in hs:
        s.y0 = s.y1 = ymap[s.y0]
    for s in vs:
        s.x0 = s.x1 = xmap[s.x0]
    hs, vs = _join(hs, True, join), _join(vs, False, join)
    groups = _connected(hs, vs, snap)
    tables = [t for hv in groups if (t := _grid(*hv, snap)) is not None]
    tables.sort(key=lambda t: (round(t.top), t.x0))
    return tables


def _connected(hs: list[Seg], vs: list[Seg], tol: float) -> list[tuple[list[Seg], list[Seg]]]:
    n = len(hs)
    union = _Union(n + len(vs))
    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.x0 - tol <= v.x0 <= h.x1 + tol and v.y0 - tol <= h.y0 <= v.y1 + tol:
                union.union(i, n + j)
    groups: dict[int, tuple[list[Seg], list[Seg]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(union.find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(union.find(n + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 1]


def _positions(values: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _grid(hs: list[Seg], vs: list[Seg], tol: float) -> GridTable | None:
    xs = _positions([v.x0 for v in vs], tol)
    ys = _positions([h.y0 for h in hs], tol)
    # Tables drawn without outer side (or top/bottom) borders still have them where the
    # rules end.
    left, right = min(h.x0 for h in hs), max(h.x1 for h in hs)
    top, bottom = min(v.y0 for v in vs), max(v.y1 for v in vs)
    if xs[0] - left > 2 * tol:
        xs.insert(0, left)
    if right - xs[-1] > 2 * tol:
        xs.append(right)
    if ys[0] - top > 2 * tol:
        ys.insert(0, top)
    if bottom - ys[-1] > 2 * tol:
        ys.append(bottom)
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 2:
        return None

    def wall_v(c: int, ymid: float) -> bool:  # a rule at xs[c] across row height ymid
        return any(abs(v.x0 - xs[c]) <= tol and v.y0 - tol <= ymid <= v.y1 + tol for v in vs)

    def wall_h(r: int, xmid: float) -> bool:
        return any(abs(h.y0 - ys[r]) <= tol and h.x0 - tol <= xmid <= h.x1 + tol for h in hs)

    union = _Union(n_rows * n_cols)
    for r in range(n_rows):
        ymid = (ys[r] + ys[r + 1]) / 2
        for c in range(1, n_cols):
            if not wall_v(c, ymid):
                union.union(r * n_cols + c - 1, r * n_cols + c)
    for c in range(n_cols):
        xmid = (xs[c] + xs[c + 1]) / 2
        for r in range(1, n_rows):
            if not wall_h(r, xmid):
                union.union((r - 1) * n_cols + c, r * n_cols + c)
    extent: dict[int, list[int]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            box = extent.setdefault(union.find(r * n_cols + c), [r, c, r, c])
            box[2], box[3] = max(box[2], r), max(box[3], c)
    cells = [
        GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])
        for r0, c0, r1, c1 in extent.values()
    ]
    cells.sort(key=lambda g: (g.row, g.col))
    if len(cells) < 2:
        return None
    return GridTable(n_rows, n_cols, cells, xs[0], ys[0], xs[-1], ys[-1])
