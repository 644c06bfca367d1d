"""PDF -> Document, choosing per page between the text layer and OCR.

pypdfium2 reads every page's text (about 40x faster than pdfplumber) and its drawn paths, from
which the ruled tables are built (extractors.pdf_paths). A page whose text layer is missing or
unreadable (a scan, a broken font encoding) is rendered and read by tesseract instead, and its
blocks say so, with OCR confidence. pdfplumber stays as a reference table engine.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pypdfium2 as pdfium

from extractors.continuation import join_continued
from extractors.model import Block, Cell, Document, Photo, Table
from extractors.normalize import normalize_cell, normalize_text
from extractors.ocr import OcrFailed, OcrUnavailable, ocr_image
from extractors.pdf_paths import Orientation, looks_drawn, page_segments, page_tables
from extractors.settings import DEFAULT_SETTINGS, ExtractSettings


class EncryptedPdf(Exception):
    """The PDF needs a password to open."""


# A ruled table needs at least a few drawn rules; pages with fewer are plain text.
MIN_SEGMENTS_FOR_TABLE = 4


_ALNUM = re.compile(r"[^\W_]")
# Private-use, unassigned-looking and control characters: what a font without a usable
# ToUnicode map yields instead of letters.
_GARBAGE = re.compile("[\ue000-\uf8ff\ufffd\x00-\x08\x0b\x0c\x0e-\x1f]")
_SPACE = re.compile(r"\s")


def usable_text(text: str, settings: ExtractSettings) -> bool:
    """Enough readable characters to trust the text layer over OCR.

    A broken font encoding yields private-use or control characters (or nothing but
    spaces); such a layer is no better than none.
    """
    needed = settings.min_text_chars_per_page
    if needed and not any(i + 1 >= needed for i, _ in enumerate(_ALNUM.finditer(text))):
        return False
    if not _GARBAGE.search(text):
        return True
    garbage = len(_GARBAGE.findall(text))
    shown = len(text) - len(_SPACE.findall(text))
    return shown - garbage >= settings.min_readable_share * shown


def open_pdf(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedPdf("the PDF is password-protected; it cannot be opened") from exc
        raise


def extract_pdf(
    path: Path,
    doc: Document,
    settings: ExtractSettings | None = None,
    deadline: float | None = None,
) -> Document:
    settings = settings or DEFAULT_SETTINGS
    deadline = deadline or time.monotonic() + settings.max_seconds_per_file
    pdf = open_pdf(path)
    tables: list[Table] = []
    plumber_pages: list[int] = []
    try:
        n_pages = len(pdf)
        doc.n_pages = n_pages
        limit = min(n_pages, settings.max_pages)
        if n_pages > limit:
            doc.warnings.append(f"{n_pages} pages; only the first {limit} were read")
        reader = _OcrBudget(settings, doc)
        for i in range(limit):
            if time.monotonic() > deadline:
                doc.warnings.append(
                    f"time limit of {settings.max_seconds_per_file:g} s reached: "
                    f"read {i} of {n_pages} pages"
                )
                break
            page = pdf[i]
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range()
                if usable_text(text, settings):
                    doc.blocks += [
                        Block(text=p, page=i + 1, source="text_layer") for p in _paragraphs(text)
                    ]
                    if settings.table_engine == "pdfium":
                        tables += page_tables(page, textpage, i + 1)
                    elif (
                        len(page_segments(page, Orientation(page.get_rotation())))
                        >= MIN_SEGMENTS_FOR_TABLE
                    ):
                        plumber_pages.append(i)
                elif looks_drawn(page):
                    tables += reader.read(page, i + 1)
                elif text.strip():
                    # A short page (a cover, "Приложение 1") with a text layer: as it is.
                    doc.blocks += [
                        Block(text=p, page=i + 1, source="text_layer") for p in _paragraphs(text)
                    ]
            finally:
                textpage.close()
                page.close()
        reader.report()
    finally:
        pdf.close()
    if plumber_pages:
        tables += _plumber_tables(path, plumber_pages)
        tables.sort(key=lambda t: t.pages[0])
    doc.tables = join_continued(tables)
    if doc.ocr_pages == list(range(1, n_pages + 1)) and not doc.text().strip():
        # Every page a picture and OCR found no word on any: the photos of an event saved as
        # a PDF ("Фотоотчёт.pdf"), as `extract_image` takes a picture with no text. A PDF
        # keeps no date of its pictures' taking.
        doc.photo = Photo()
    return doc


class _OcrBudget:
    """OCR of the pages without a text layer, within the per-file page budget."""

    def __init__(self, settings: ExtractSettings, doc: Document) -> None:
        self.settings, self.doc = settings, doc
        self.skipped: list[int] = []
        self.failed: list[str] = []
        self.unavailable = ""

    def read(self, page: pdfium.PdfPage, number: int) -> list[Table]:
        s = self.settings
        if not s.ocr_enabled or len(self.doc.ocr_pages) >= s.max_ocr_pages or self.unavailable:
            self.skipped.append(number)
            return []
        image = page.render(scale=s.ocr_dpi / 72, may_draw_forms=True).to_pil()
        try:
            result = ocr_image(image, number, s, s.ocr_timeout_s, dpi=s.ocr_dpi)
        except OcrUnavailable as exc:
            self.unavailable = str(exc)
            self.failed.append("unavailable")
            self.skipped.append(number)
            return []
        except OcrFailed as exc:
            self.doc.warnings.append(f"page {number}: {exc}")
            self.failed.append(str(exc))
            return []
        finally:
            image.close()
        self.doc.ocr_pages.append(number)
        self.doc.blocks += result.blocks
        if result.rotated:
            self.doc.warnings.append(f"page {number} was read turned by {result.rotated}°")
        return result.tables

    def report(self) -> None:
        if not self.skipped:
            return
        why = "OCR is off" if not self.settings.ocr_enabled else "over the OCR page limit"
        if self.unavailable:
            why = f"OCR is unavailable: {self.unavailable}"
            self.doc.setup_problems.append(self.unavailable)
        self.doc.warnings.append(
            f"{len(self.skipped)} page(s) without a text layer not read ({why}): "
            f"{_ranges(self.skipped)}"
        )


def _ranges(numbers: list[int]) -> str:
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def _paragraphs(text: str) -> list[str]:
    text = normalize_text(text)
    return [p for p in text.split("\n") if p.strip()]


# --- the reference engine ------------------------------------------------------------------


def _plumber_tables(path: Path, page_numbers: list[int]) -> list[Table]:
    import pdfplumber

    found: list[Table] = []
    with pdfplumber.open(str(path), pages=[p + 1 for p in page_numbers]) as pdf:
        for page in pdf.pages:
            for t in page.find_tables():
                table = _plumber_table(t, page.page_number)
                if table.n_rows and table.n_cols > 1:
                    table.pages = [page.page_number]
                    found.append(table)
            page.close()
    return found


def _plumber_table(t, page_number: int) -> Table:
    """Cells with spans from pdfplumber's cell boxes.

    pdfplumber aligns rows to the distinct left edges and tops of all cells and leaves None
    under merged cells, so a box that reaches past k edges spans k columns (or rows).
    """
    boxes = list(t.cells)
    xs = sorted({round(b[0], 1) for b in boxes})
    ys = sorted({round(b[1], 1) for b in boxes})
    texts = t.extract()
    cells: list[Cell] = []
    for r, row in enumerate(t.rows):
        for c, box in enumerate(row.cells):
            if box is None:
                continue
            x0, top, x1, bottom = box
            col_span = sum(1 for x in xs if x0 - 0.5 <= x < x1 - 0.5) or 1
            row_span = sum(1 for y in ys if top - 0.5 <= y < bottom - 0.5) or 1
            text = texts[r][c] if r < len(texts) and c < len(texts[r]) else ""
            cells.append(
                Cell(
                    row=r,
                    col=c,
                    text=normalize_cell(text),
                    row_span=row_span,
                    col_span=col_span,
                    page=page_number,
                )
            )
    return Table(
        index=0, n_rows=len(t.rows), n_cols=len(xs), cells=cells, source="text_layer"
    )
