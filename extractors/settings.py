"""Limits and knobs of extraction, with defaults sized for a federal batch on a 2-core machine.

Every limit turns a hostile or broken upload into an error record or a partial document with a
warning instead of a stalled batch or an exhausted machine.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ExtractSettings(BaseModel):
    # Input size: a 300-dpi scan of 100 pages is about 100 MB; more is not a school's upload.
    max_bytes: int = Field(default=300 * 1024**2, gt=0)
    # Pages read from one PDF (and frames from one TIFF); the rest is reported as skipped.
    max_pages: int = Field(default=500, gt=0)
    # Wall-clock budget for one file, checked between pages: a file over it keeps the pages
    # read so far, with a warning. A page once started is bounded by ocr_timeout_s, a
    # conversion by convert_timeout_s.
    max_seconds_per_file: float = Field(default=600.0, gt=0)

    # Containers (DOCX, XLSX, ODT, ZIP): checked from the ZIP directory before any parser
    # inflates a byte. The declared sizes bound what zipfile will inflate (it stops at the
    # declared size and fails on a mismatch), so checking them is enough.
    max_inflated_bytes: int = Field(default=256 * 1024**2, gt=0)
    max_members: int = Field(default=5_000, gt=0)
    # A member that inflates this many times its compressed size is a bomb, once it is big.
    max_compression_ratio: float = Field(default=100.0, gt=1)
    ratio_check_min_bytes: int = Field(default=8 * 1024**2, gt=0)

    # A PDF page "has a usable text layer" when it yields at least this many letters or
    # digits; below that it is rendered and read by OCR if it shows a picture over a quarter
    # of it or text drawn as outlines (a blank or one-word page is kept as it is).
    min_text_chars_per_page: int = Field(default=20, ge=0)
    # Share of text-layer characters that must be readable (not private-use or control
    # characters from a broken font encoding) for the layer to count.
    min_readable_share: float = Field(default=0.7, ge=0, le=1)

    # OCR through the tesseract CLI.
    ocr_enabled: bool = True
    # "rus+eng" reads Latin words better and is ~10% slower.
    ocr_lang: str = "rus"
    ocr_dpi: int = Field(default=300, ge=72, le=600)
    ocr_timeout_s: float = Field(default=90.0, gt=0)
    # Pages OCR'd per file; a 500-page scan would take 12-20 minutes at 1.4-2.3 s/page.
    max_ocr_pages: int = Field(default=60, ge=0)
    # Words below this confidence (0..100) are noise on photos and stamps, not text.
    ocr_min_word_conf: float = Field(default=30.0, ge=0, le=100)
    # Pixels per image before decoding is refused (a decompression bomb in a PNG/TIFF).
    max_image_pixels: int = Field(default=120_000_000, gt=0)
    # Tesseract processes at once on this machine, across all the review's worker processes
    # (extractors.slots); 0: one per core, as each is single-threaded.
    ocr_max_parallel: int = Field(default=0, ge=0)
    # The longer side of a page image worked on (levelled, table rules found); phone photos
    # are downscaled to it.
    ocr_max_side_px: int = Field(default=4200, gt=500)
    # The longer side of the image tesseract reads, once the rules are found and erased at
    # full size (a rule thinned by downscaling is lost to the grid). Tesseract's time grows
    # with the pixels, and its reading did not suffer on generated pages it was not tuned
    # on (`bench/ocr.py --pages 16 --seed 1|2 [--dpi 300] [--tesseract-max-side 4200]`):
    # 2,000 against 4,200 read 0.9963-0.9969 against 0.9937-0.9942 of the words of 200 dpi
    # photos for 14-19% less of tesseract's CPU, and 0.9979 against 0.9969 of 300 dpi
    # photos for 40% less.
    tesseract_max_side_px: int = Field(default=2000, gt=500)

    # LibreOffice conversion of DOC, RTF, ODT.
    convert_timeout_s: float = Field(default=120.0, gt=0)
    # LibreOffice processes at once on this machine (each takes ~200-300 MB and a core).
    convert_max_parallel: int = Field(default=1, ge=1)
    soffice: str = "soffice"
    tesseract: str = "tesseract"

    # PDF tables: "pdfium" finds ruled tables from the drawn paths (fast); "pdfplumber" is
    # the reference implementation, ~40x slower, kept for cross-checks.
    table_engine: str = Field(default="pdfium", pattern="^(pdfium|pdfplumber)$")

    # Region archives (expand_archive): whole-export limits, larger than a single file's.
    archive_max_members: int = Field(default=100_000, gt=0)
    archive_max_inflated_bytes: int = Field(default=20 * 1024**3, gt=0)
    archive_max_depth: int = Field(default=3, ge=0)


DEFAULT_SETTINGS = ExtractSettings()
