"""What keeping pages' OCR and LibreOffice conversions saves (`extractors.kept.kept`, s22).

    .venv/bin/python bench/kept.py [--schools 20] [--scan-every 3] [--pages 6] [--docs 8] [--json]

Three cases, read in this process one file at a time, as a worker reads them, with what is
kept in a folder as the review keeps it (`pipelines.work.FileCache`):

1. **An update of the extractors' code.** Every file of `bench/scale.py`'s region of
   `--schools` schools (a photographed scan in every `--scan-every`-th school) is read three
   times: first into an empty cache (the first run), then twice as the next run after an
   update of the extractors reads them all again: with the pages the first read kept (now),
   and without them (before s22: a file's extraction is kept under the extractors' code, so
   every page of every scan was read again).
2. **A scan uploaded again with a page added.** A scanned PDF of `--pages` pages (first
   pages of the region's PDFs, rendered at 200 dpi, pixels only) is read, then the same scan
   with one page more, with the first upload's pages kept and without.
3. **Old Word files after an update of the extractors.** `--docs` of the region's DOCX
   saved as DOC by LibreOffice (as an old office suite writes them) are read three times as
   in case 1: with the conversions kept, and without (before s22).

Prints, for each read, wall and CPU seconds (tesseract's and LibreOffice's included), how
many page images tesseract read words from and how many times LibreOffice ran.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import extractors.ocr as ocr  # noqa: E402
import extractors.office as office  # noqa: E402
from bench.scale import _is_arp, make_region  # noqa: E402
from extractors.extract import extract  # noqa: E402
from extractors.kept import kept  # noqa: E402
from pipelines.work import FileCache  # noqa: E402

_reads = [0]
_conversions = [0]
_real_words = ocr.tesseract_words
_real_run = office._run


def _counting_words(*args, **kwargs):
    _reads[0] += 1
    return _real_words(*args, **kwargs)


def _counting_run(*args, **kwargs):
    _conversions[0] += 1
    return _real_run(*args, **kwargs)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed_read(files: list[tuple[Path, Path]], store: FileCache | None) -> dict:
    """Read `files` ((file, its school)) within `kept(store)`."""
    _reads[0] = _conversions[0] = 0
    wall, cpu = time.perf_counter(), _cpu()
    with kept(store):
        docs = [extract(path, root=school) for path, school in files]
    return {
        "s": round(time.perf_counter() - wall, 2),
        "cpu_s": round(_cpu() - cpu, 2),
        "pages_read_by_tesseract": _reads[0],
        "libreoffice_runs": _conversions[0],
        "pages_ocr": sum(len(d.ocr_pages) for d in docs),
        "texts": [[b.text for b in d.blocks] for d in docs],
    }


def scan_pdf(pdfs: list[Path], out: Path, dpi: int = 200) -> Path:
    """An image-only PDF of the first pages of `pdfs`, as an office scanner sends it."""
    import pypdfium2 as pdfium

    images = []
    for path in pdfs:
        doc = pdfium.PdfDocument(str(path))
        try:
            images.append(doc[0].render(scale=dpi / 72).to_pil().convert("L"))
        finally:
            doc.close()
    images[0].save(out, save_all=True, append_images=images[1:], resolution=dpi)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schools", type=int, default=20)
    ap.add_argument("--scan-every", type=int, default=3)
    ap.add_argument("--pages", type=int, default=6, help="pages of the scan uploaded again")
    ap.add_argument("--docs", type=int, default=8, help="DOC files read after an update")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    ocr.tesseract_words = _counting_words
    office._run = _counting_run
    with tempfile.TemporaryDirectory(prefix="evidence-bench-pages-") as tmp:
        work = Path(tmp)
        region, scans = make_region(args.schools, work, args.seed, args.scan_every)
        files = [
            (path, school)
            for school in sorted(p for p in region.iterdir() if p.is_dir())
            for path in sorted(p for p in school.iterdir() if p.is_file())
        ]
        pages = FileCache(work / "cache")
        first = timed_read(files, pages)
        kept = timed_read(files, pages)
        before = timed_read(files, None)
        assert kept["texts"] == before["texts"], "pages from the cache read otherwise"

        pdfs = [p for p, _ in files if p.suffix == ".pdf" and not _is_arp(p)]
        pdfs = pdfs[: args.pages + 1]
        school = work / "scan"
        school.mkdir()
        upload = school / "Протокол скан.pdf"
        scan_pdf(pdfs[:-1], upload)
        scan_cache = FileCache(work / "scan-cache")
        scan_first = timed_read([(upload, school)], scan_cache)
        scan_pdf(pdfs, upload)
        added_kept = timed_read([(upload, school)], scan_cache)
        added_before = timed_read([(upload, school)], None)
        assert added_kept["texts"] == added_before["texts"], "pages from the cache read otherwise"

        words = work / "doc"
        words.mkdir()
        docx = [p for p, _ in files if p.suffix == ".docx" and not _is_arp(p)][: args.docs]
        for n, path in enumerate(docx):
            with office.converted(path, "docx", "doc") as made:
                shutil.copyfile(made, words / f"Документ {n}.doc")
        olds = [(p, words) for p in sorted(words.iterdir())]
        doc_cache = FileCache(work / "doc-cache")
        doc_first = timed_read(olds, doc_cache)
        doc_kept = timed_read(olds, doc_cache)
        doc_before = timed_read(olds, None)
        assert doc_kept["texts"] == doc_before["texts"], "kept conversions read otherwise"

    result = {
        "schools": args.schools,
        "files": len(files),
        "scans": scans,
        "update": {"first": first, "pages_kept": kept, "before_s22": before},
        "scan_pages": args.pages,
        "page_added": {"first": scan_first, "pages_kept": added_kept, "before_s22": added_before},
        "docs": len(olds),
        "doc_update": {"first": doc_first, "kept": doc_kept, "before_s22": doc_before},
    }
    for case in ("update", "page_added", "doc_update"):
        for run in result[case].values():
            run.pop("texts")
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{len(files)} files of {args.schools} schools, {scans} photographed scans")
    for case, title in (
        ("update", "every file read again after an update of the extractors"),
        ("page_added", f"a {args.pages}-page scan uploaded again with a page added"),
        ("doc_update", f"{len(olds)} DOC files read again after an update of the extractors"),
    ):
        print(title)
        for name, run in result[case].items():
            print(
                f"  {name:<11} {run['s']:7.2f} s  {run['cpu_s']:7.2f} CPU-s  "
                f"tesseract read {run['pages_read_by_tesseract']} of {run['pages_ocr']} pages, "
                f"LibreOffice ran {run['libreoffice_runs']} times"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
