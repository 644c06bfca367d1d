"""OCR on phone photos of paper copies: how well it reads, and where a page's time goes.

    .venv/bin/python bench/ocr.py [--pages 20] [--seed 0] [--repeats 2] [--dpi 200]
                                  [--tesseract-max-side PX] [--json]

The pages: the sample generator's schools (numbers 6 and up, never the bundled sample), the
first page of each of their text-layer PDFs (damaged ones skipped), made into a photo the way
`bench/scale.py` makes its scans (`scale._scan`: 200 dpi unless `--dpi`, grey, turned by up
to 1.5 degrees, JPEG quality 80). Each photo is read by `extractors.extract.extract`, as
the review reads it (`--tesseract-max-side` sets `tesseract_max_side_px` for comparisons).

The truth is the PDF's own text layer of that page (pypdfium2). Words: lower-case runs of
letters and digits of two or more characters. Printed:

- word recall: the share of the page's words (counted with repeats) that the OCR found;
  word precision: the share of the OCR's words that are on the page;
- CER: character edit distance between the OCR text and the page's text, both lower-case
  with spaces collapsed, over the page's length (reading order counts here: a table read
  row by row where the layer has it cell by cell adds to it, so the word figures say more);
- seconds a page (wall, one page at a time), of which tesseract's own CPU seconds (its
  processes, `RUSAGE_CHILDREN`) and ours (this process's CPU: levelling, rule finding,
  parsing). Best of `--repeats` passes over all pages, since this machine's speed changes
  by tens of percent from minute to minute: tesseract's CPU per page says how fast the
  machine was when the rest was measured.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.settings import ExtractSettings

ROOT = Path(__file__).resolve().parents[1]
_WORD = re.compile(r"[0-9a-zа-яё]{2,}")


def words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.lower().replace("ё", "е")))


def flat(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def make_pages(work: Path, n_pages: int, seed: int, dpi: int = 200) -> list[tuple[Path, str]]:
    """(photo, truth text) for the first page of up to `n_pages` generated text PDFs."""
    import pypdfium2 as pdfium

    from bench.scale import _scan
    from data.generate_sample import generate

    generate(work / "schools", work / "truth", n_schools=max(2, n_pages // 3), seed=seed, start=6)
    rng = random.Random(seed)
    pages: list[tuple[Path, str]] = []
    for pdf in sorted((work / "schools").rglob("*.pdf")):
        try:
            doc = pdfium.PdfDocument(str(pdf))
            truth = doc[0].get_textpage().get_text_range()
            doc.close()
        except (pdfium.PdfiumError, IndexError):  # the generator damages some on purpose
            continue
        if len(words(truth)) < 20:  # nothing much to read (a photo page, a stub)
            continue
        copy = work / "photos" / f"{len(pages):03d}.pdf"
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(pdf, copy)
        photo = _scan(copy, rng, dpi)
        if photo is not None:
            pages.append((photo, truth))
        if len(pages) == n_pages:
            break
    return pages


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def timed_extract(photos: list[Path], settings: ExtractSettings | None = None) -> tuple[list, dict]:
    """Each photo read by `extract`, one at a time, and the seconds a page: wall, tesseract's
    CPU (its processes) and ours (this process's). One page is read first and not counted:
    what loads on first use is in a worker before its first school (`pipelines/warm.py`)."""
    from extractors.extract import extract

    extract(photos[0], settings=settings)
    docs = []
    wall = tess = ours = 0.0
    for photo in photos:
        t0, c0, s0 = time.perf_counter(), _cpu(resource.RUSAGE_CHILDREN), _cpu(resource.RUSAGE_SELF)
        docs.append(extract(photo, settings=settings))
        wall += time.perf_counter() - t0
        tess += _cpu(resource.RUSAGE_CHILDREN) - c0
        ours += _cpu(resource.RUSAGE_SELF) - s0
    n = sum(d.n_pages for d in docs) or 1
    return docs, {
        "s_per_page": round(wall / n, 3),
        "tesseract_cpu_s_per_page": round(tess / n, 3),
        "our_cpu_s_per_page": round(ours / n, 3),
    }


def read_pages(pages: list[tuple[Path, str]], settings: ExtractSettings | None = None) -> dict:
    from rapidfuzz.distance import Levenshtein

    docs, times = timed_extract([photo for photo, _ in pages], settings)
    found = truth_n = read_n = 0
    edits = chars = 0
    for doc, (_, truth) in zip(docs, pages, strict=True):
        # The blocks alone: like the text layer they hold the whole page, table cells too
        # (`Document.text` adds the tables' rows once more).
        text = "\n".join(b.text for b in doc.blocks)
        want, got = words(truth), words(text)
        found += sum((want & got).values())
        truth_n += sum(want.values())
        read_n += sum(got.values())
        edits += Levenshtein.distance(flat(text), flat(truth))
        chars += len(flat(truth))
    return {
        "word_recall": round(found / truth_n, 4),
        "word_precision": round(found / max(read_n, 1), 4),
        "cer": round(edits / chars, 4),
        **times,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--dpi", type=int, default=200, help="resolution of the photos")
    ap.add_argument(
        "--tesseract-max-side",
        type=int,
        default=None,
        help="ExtractSettings.tesseract_max_side_px (default: the setting's own default)",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="evidence-ocr-") as tmp:
        from extractors.settings import ExtractSettings

        pages = make_pages(Path(tmp), args.pages, args.seed, args.dpi)
        settings = ExtractSettings()
        if args.tesseract_max_side:
            settings = ExtractSettings(tesseract_max_side_px=args.tesseract_max_side)
        runs = [read_pages(pages, settings) for _ in range(args.repeats)]
    best = min(runs, key=lambda r: r["s_per_page"])
    # The reading is the same every pass; the times are the fastest pass's.
    row = {
        "pages": len(pages),
        "seed": args.seed,
        "dpi": args.dpi,
        "tesseract_max_side_px": settings.tesseract_max_side_px,
        **best,
    }
    if args.json:
        print(json.dumps(row))
    else:
        for key, value in row.items():
            print(f"{key:>26} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
