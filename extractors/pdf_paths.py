"""Ruled tables of a PDF page straight from pdfium: the drawn paths give the rules, pdfium's
bounded text extraction gives each cell's text.

pdfplumber does the same through pdfminer at ~20 pages/s; this reads a table page in a few
milliseconds, which is what lets a batch keep pace with pdftotext.
"""

from __future__ import annotations

import ctypes
import itertools
from collections.abc import Callable, Iterator
from typing import ClassVar

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors.grid import GridTable, Seg, find_tables, segments_from_box
from extractors.model import Cell, Table
from extractors.normalize import normalize_cell

# A filled rectangle this thin (points) is a rule; Word and LibreOffice draw borders so.
THIN = 2.5
# Cell text is read from inside the rules, so a glyph touching a border is not pulled into
# the neighbouring cell.
INSET = 1.0

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E,
            e * B + f * D + F)


def _matrix(handle) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(handle, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _objects(page: pdfium.PdfPage) -> Iterator[tuple[object, Matrix, int]]:
    """Every path object with the matrix of the forms around it (identity at depth 0)."""
    raw = page.raw
    get_type, path_kind, form_kind = (
        pdfium_c.FPDFPageObj_GetType, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
    )

    def walk(count: int, get: Callable[[int], object], outer: Matrix, depth: int):
        for i in range(count):
            obj = get(i)
            kind = get_type(obj)
            if kind == path_kind:
                yield obj, outer, depth
            elif kind == form_kind and depth < 8:
                inner = _compose(_matrix(obj), outer)
                n = pdfium_c.FPDFFormObj_CountObjects(obj)
                yield from walk(
                    n, lambda j, o=obj: pdfium_c.FPDFFormObj_GetObject(o, j), inner, depth + 1
                )

    get_object = pdfium_c.FPDFPage_GetObject
    yield from walk(
        pdfium_c.FPDFPage_CountObjects(raw), lambda i: get_object(raw, i), _IDENTITY, 0
    )


def _bounds(obj) -> tuple[float, float, float, float] | None:
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return None
    return left.value, bottom.value, right.value, top.value


def _visible(obj) -> bool:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke)):
        return False
    if stroke.value:
        return True
    if not fill.value:
        return False
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    pdfium_c.FPDFPageObj_GetFillColor(obj, r, g, b, a)
    # A white fill is a background, not a rule.
    return not (r.value > 240 and g.value > 240 and b.value > 240) and a.value > 0


def _subpaths(obj, m: Matrix) -> list[list[tuple[float, float]] | None]:
    """Points of each subpath in page space; None for one with curves."""
    a, b, c, d, e, f = m
    out: list[list[tuple[float, float]] | None] = []
    current: list[tuple[float, float]] | None = None
    x, y = ctypes.c_float(), ctypes.c_float()
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            current = [point]
            out.append(current)
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO and current is not None:
            current.append(point)
            if pdfium_c.FPDFPathSegment_GetClose(seg):
                current.append(current[0])
        else:  # a curve: rounded corners, circles, signatures; not a rule
            if current is not None:
                out[-1] = None
            current = None
    return out


class Orientation:
    """Page space (y up, maybe /Rotate'd) <-> visual space (y down, as a reader sees it)."""

    _VISUAL: ClassVar[dict[int, Callable]] = {
        0: lambda x, y: (x, -y),
        90: lambda x, y: (y, x),
        180: lambda x, y: (-x, y),
        270: lambda x, y: (-y, -x),
    }
    _PAGE: ClassVar[dict[int, Callable]] = {
        0: lambda vx, vy: (vx, -vy),
        90: lambda vx, vy: (vy, vx),
        180: lambda vx, vy: (-vx, vy),
        270: lambda vx, vy: (-vy, -vx),
    }

    def __init__(self, rotation: int) -> None:
        self.rotation = rotation % 360
        self.visual = self._VISUAL[self.rotation]
        self.page = self._PAGE[self.rotation]


def page_segments(page: pdfium.PdfPage, orient: Orientation) -> list[Seg]:
    segs: list[Seg] = []
    for obj, outer, depth in _objects(page):
        if not _visible(obj):
            continue
        if depth == 0:
            # Most rules are thin paths; their page-space bounds are the rule, one call
            # instead of walking every segment.
            box = _bounds(obj)
            if box is not None and min(box[2] - box[0], box[3] - box[1]) <= THIN:
                (x0, y0), (x1, y1) = orient.visual(box[0], box[1]), orient.visual(box[2], box[3])
                segs += segments_from_box(x0, y0, x1, y1, THIN)
                continue
        for pts in _subpaths(obj, _compose(_matrix(obj), outer)):
            if not pts or len(pts) < 2:
                continue
            vis = [orient.visual(px, py) for px, py in pts]
            xs = {round(p[0], 1) for p in vis}
            ys = {round(p[1], 1) for p in vis}
            if len(vis) in (4, 5) and len(xs) <= 2 and len(ys) <= 2:
                segs += segments_from_box(min(xs), min(ys), max(xs), max(ys), THIN)
                continue
            for (x0, y0), (x1, y1) in itertools.pairwise(vis):
                if abs(y1 - y0) < 0.5 and abs(x1 - x0) >= 0.5:
                    segs.append(Seg(min(x0, x1), y0, max(x0, x1), y0))
                elif abs(x1 - x0) < 0.5 and abs(y1 - y0) >= 0.5:
                    segs.append(Seg(x0, min(y0, y1), x0, max(y0, y1)))
    return segs


def looks_drawn(page: pdfium.PdfPage, min_image_share: float = 0.25) -> bool:
    """Whether a page without usable text shows something OCR could read: a picture over a
    good part of it (a scan, a photo) or many paths (text converted to outlines). A page with
    neither is blank or a short text, and OCR would find no more there."""
    raw = page.raw
    width, height = page.get_size()
    area = max(width * height, 1.0)
    images = paths = 0.0
    for i in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            box = _bounds(obj)
            if box is not None:
                images += (box[2] - box[0]) * (box[3] - box[1])
        elif kind in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_SHADING):
            paths += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            return True  # content wrapped in a form: render it and let OCR judge
        if images >= min_image_share * area or paths >= 200:
            return True
    return False


def page_tables(
    page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, page_number: int
) -> list[Table]:
    orient = Orientation(page.get_rotation())
    segs = page_segments(page, orient)
    if len(segs) < 4:
        return []
    return [_fill(g, textpage, orient, page_number) for g in find_tables(segs)]


def _fill(
    grid: GridTable, textpage: pdfium.PdfTextPage, orient: Orientation, page_number: int
) -> Table:
    cells = []
    # One buffer for the page (no cell holds more than the page's characters) and one pdfium
    # call per cell: pypdfium2's get_text_bounded calls twice, to size and to fill.
    size = pdfium_c.FPDFText_CountChars(textpage) + 1
    buffer = (ctypes.c_ushort * size)()
    for g in grid.cells:
        xa, ya = orient.page(g.x0 + INSET, g.top + INSET)
        xb, yb = orient.page(g.x1 - INSET, g.bottom - INSET)
        n = pdfium_c.FPDFText_GetBoundedText(
            textpage, min(xa, xb), max(ya, yb), max(xa, xb), min(ya, yb), buffer, size
        )
        text = ctypes.string_at(buffer, max(n, 0) * 2).decode("utf-16-le", "ignore")
        text = text.replace("\x00", "")
        cells.append(
            Cell(
                row=g.row,
                col=g.col,
                text=normalize_cell(text),
                row_span=g.row_span,
                col_span=g.col_span,
                page=page_number,
            )
        )
    return Table(
        index=0,
        n_rows=grid.n_rows,
        n_cols=grid.n_cols,
        cells=cells,
        pages=[page_number],
        source="text_layer",
    )
