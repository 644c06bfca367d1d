"""PowerPoint presentations (PPTX, PPTM, PPSX, POTX) -> Document with python-pptx.

Schools upload the slides of their seminars and councils as evidence ("products"): each slide
is a page, its text boxes blocks in reading order (top to bottom, then left to right), its
tables tables with merged cells as spans, its speaker notes blocks of that page. A slide that
is a picture with next to no text (a signed order photographed and put on a slide) is read by
OCR. SmartArt diagrams (schemes of stages and directions of work, common on such slides)
are read from their data part, a block per diagram. The container is checked first
(extractors.safezip); macros are never run, only noted. Charts are not read.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.package import Package
from pptx.parts.presentation import PresentationPart
from pptx.shapes.base import BaseShape
from pptx.slide import Slide

from extractors.diagrams import scheme_texts
from extractors.model import Block, Cell, Document, Table
from extractors.normalize import normalize_cell, normalize_text
from extractors.safezip import MACROS_NOTE, check_container, has_vba_project
from extractors.settings import DEFAULT_SETTINGS, ExtractSettings

# A picture worth OCR covers this share of its slide at least: logos and photos in a corner
# are not pages.
_PAGE_SHARE = 0.3


class NotAPresentation(ValueError):
    """The package's main part is not a PowerPoint presentation."""


def extract_pptx(
    path: Path,
    doc: Document,
    settings: ExtractSettings | None = None,
    deadline: float | None = None,
    source: str = "pptx",
) -> Document:
    settings = settings or DEFAULT_SETTINGS
    deadline = deadline or time.monotonic() + settings.max_seconds_per_file
    names = check_container(path, settings)
    if has_vba_project(names):
        doc.warnings.append(MACROS_NOTE)
    # Through the package, not pptx.Presentation(): that refuses slide shows (PPSX) and
    # templates, which hold the same slides under another content type.
    main = Package.open(str(path)).main_document_part
    if not isinstance(main, PresentationPart):
        raise NotAPresentation(f"the main part is {main.content_type}")
    presentation = main.presentation
    area = (presentation.slide_width or 0) * (presentation.slide_height or 0)
    slides = list(presentation.slides)
    doc.n_pages = len(slides)
    if len(slides) > settings.max_pages:
        doc.warnings.append(f"{len(slides)} slides; only the first {settings.max_pages} were read")
    for number, slide in enumerate(slides[: settings.max_pages], start=1):
        if time.monotonic() > deadline:
            doc.warnings.append(f"time limit reached: read {number - 1} of {len(slides)} slides")
            break
        _slide(slide, number, doc, source)
        if settings.ocr_enabled and _slide_chars(doc, number) < settings.min_text_chars_per_page:
            _ocr_pictures(slide, number, area, doc, settings, deadline)
    for i, table in enumerate(doc.tables):
        table.index = i
    return doc


def _slide(slide: Slide, number: int, doc: Document, source: str) -> None:
    last = ""  # the text just before a table: its caption
    for shape in _reading_order(slide.shapes):
        if shape.has_text_frame:
            text = normalize_text(shape.text_frame.text.replace("\v", "\n")).strip()
            if text:
                doc.blocks.append(Block(text=text, page=number, source=source))
                last = text
        elif shape.has_table:
            doc.tables.append(_table(shape.table, number, source, caption=last))
        elif text := "\n".join(scheme_texts(shape._element, slide.part.rels)):
            doc.blocks.append(Block(text=text, page=number, source=source))
            last = text
    if slide.has_notes_slide:
        frame = slide.notes_slide.notes_text_frame
        notes = normalize_text(frame.text.replace("\v", "\n")).strip() if frame else ""
        if notes:
            doc.blocks.append(Block(text=notes, page=number, source=source))


def _reading_order(shapes: Iterable[BaseShape]) -> Iterator[BaseShape]:
    """Shapes top to bottom, then left to right, groups opened where they stand: the order
    in the file is the order they were drawn in, not read in."""
    placed = []
    for shape in shapes:
        top, left = shape.top or 0, shape.left or 0
        placed.append((top, left, len(placed), shape))
    for _, _, _, shape in sorted(placed, key=lambda p: p[:3]):
        if _kind(shape) == MSO_SHAPE_TYPE.GROUP:
            yield from _reading_order(shape.shapes)
        else:
            yield shape


def _kind(shape: BaseShape) -> MSO_SHAPE_TYPE | None:
    try:
        return shape.shape_type
    except NotImplementedError:  # a shape python-pptx does not know: not a group or picture
        return None


def _table(table, number: int, source: str, caption: str) -> Table:
    cells = []
    n_rows, n_cols = len(table.rows), len(table.columns)
    for r in range(n_rows):
        for c in range(n_cols):
            cell = table.cell(r, c)
            if cell.is_spanned:  # covered by a merged cell placed at its origin
                continue
            merged = cell.is_merge_origin
            cells.append(
                Cell(
                    row=r,
                    col=c,
                    text=normalize_cell(cell.text.replace("\v", "\n")),
                    row_span=cell.span_height if merged else 1,
                    col_span=cell.span_width if merged else 1,
                    page=number,
                )
            )
    return Table(
        index=0,
        n_rows=n_rows,
        n_cols=n_cols,
        cells=cells,
        pages=[number],
        source=source,
        caption=caption,
    )


def _slide_chars(doc: Document, number: int) -> int:
    text = [b.text for b in doc.blocks if b.page == number]
    text += [c.text for t in doc.tables if t.pages == [number] for c in t.cells]
    return sum(ch.isalnum() for part in text for ch in part)


def _ocr_pictures(
    slide: Slide,
    number: int,
    area: int,
    doc: Document,
    settings: ExtractSettings,
    deadline: float,
) -> None:
    """A slide that is a picture of a page: its text is in the picture."""
    from extractors.images import ocr_image_bytes

    for shape in _reading_order(slide.shapes):
        if _kind(shape) != MSO_SHAPE_TYPE.PICTURE:
            continue
        if area and (shape.width or 0) * (shape.height or 0) < _PAGE_SHARE * area:
            continue
        if len(doc.ocr_pages) >= settings.max_ocr_pages:
            doc.warnings.append(f"slide {number}: over the OCR page limit, its picture not read")
            return
        try:
            blob = shape.image.blob
        except (KeyError, ValueError):  # a picture linked from outside the file: not in it
            continue
        ocr_image_bytes(blob, doc, settings, deadline, page=number)
