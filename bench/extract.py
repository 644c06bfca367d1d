"""Benchmark of text extraction: our PDF path against pdftotext, and OCR seconds per page.

Run from the repository root (needs scripts/install-system-deps.sh done):

    .venv/bin/python bench/extract.py              # ~1 minute on 2 cores
    .venv/bin/python bench/extract.py --pages 400  # a larger corpus

The corpus is generated afresh in a temporary folder, so the run needs nothing but the tools:

* roadmaps: DOCX with a ruled 5-column table (a stage row merged across, a task cell merged
  down three rows, long activities), rendered to PDF by LibreOffice -- real multi-page tables
  with rows split by page breaks, the case pdfplumber is slowest on;
* documents: protocols and notes of 1-3 pages (reportlab), every third with a small ruled
  table (a list of participants), most of a school's evidence.

The roadmaps alone (every page a table page) are timed too, as the worst case.

On the same files in the same run it times `extractors.extract.extract` (text, blocks, ruled
tables with spans, joined across pages) and `pdftotext` (text only, one process per file, as a
batch would call it), best of five interleaved runs each, and prints pages per second and the
ratio. The tables are checked as it goes: every roadmap must come out as one table holding all
its numbered rows. The ratio is given twice: as each is called per file (pdftotext pays a
process start-up per file, we pay opening and hashing), and without either side's per-file cost
(each timed on a one-page file), which compares the per-page work alone.

OCR: a two-page roadmap scan (300 dpi, image-only PDF) read by tesseract, in seconds per page.
Memory: a 500-page PDF read in a child process, its peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extractors.extract import extract  # noqa: E402
from tests.builders import make_docx, make_pdf, rasterise, render_with_libreoffice  # noqa: E402

HEADER = ["№", "Задача", "Мероприятие", "Сроки", "Ответственные"]


def _roadmap_rows(n: int) -> list[list[str]]:
    rows = [HEADER, ["1", "2", "3", "4", "5"], ["Этап I. Диагностика", "", "", "", ""]]
    for i in range(1, n + 1):
        task = "Повысить предметную компетентность педагогов" if i <= 3 else f"Задача {i}"
        activity = (f"Мероприятие {i}: семинар по формирующему оцениванию для учителей "
                    "начальных классов ") * (1 + i % 3)
        rows.append([str(i), task, activity.strip(), f"До {i % 28 + 1:02d}.05.2022",
                     "Заместитель директора по УВР"])
    return rows


def build_corpus(folder: Path, pages: int) -> tuple[list[Path], dict[Path, int]]:
    """PDFs of at least `pages` pages, mixed as a school's evidence is: a few roadmaps (multi-
    page ruled tables) and many short documents, a third of them with a small table (a list
    of participants); roadmap file -> its number of activity rows."""
    files: list[Path] = []
    roadmaps: dict[Path, int] = {}
    for k in range(4):
        n = 30 + 10 * k
        docx = make_docx(
            folder / f"roadmap_{k}.docx",
            ["Антирисковая программа", "Дорожная карта"],
            [{"rows": _roadmap_rows(n), "merges": [(2, 0, 2, 4), (3, 1, 5, 1)]}],
            style="Table Grid",
        )
        pdf = render_with_libreoffice(docx, "pdf", folder / f"roadmap_{k}.pdf")
        files.append(pdf)
        roadmaps[pdf] = n
    participants = [["№", "ФИО педагога", "Должность", "Подпись"]] + [
        [str(i), f"Иванова Мария Петровна {i}", "учитель начальных классов", ""]
        for i in range(1, 9)
    ]
    k = 0
    while _count_pages(files) < pages:
        paras = [
            f"Пункт {i}. По итогам заседания методического объединения учителей "
            f"принято решение № {k}-{i}: провести диагностику профессиональных дефицитов, "
            "обеспечить участие педагогов в курсах повышения квалификации."
            for i in range(12 + 14 * (k % 4))
        ]
        tables = [{"rows": participants}] if k % 3 == 0 else []
        files.append(make_pdf(folder / f"document_{k}.pdf", ["Протокол", *paras], tables))
        k += 1
    return files, roadmaps


def _table_pages(files: list[Path]) -> int:
    import pypdfium2 as pdfium

    from extractors.pdf_paths import Orientation, page_segments

    total = 0
    for f in files:
        doc = pdfium.PdfDocument(str(f))
        for i in range(len(doc)):
            page = doc[i]
            total += len(page_segments(page, Orientation(0))) >= 4
            page.close()
        doc.close()
    return total


def _count_pages(files: list[Path]) -> int:
    import pypdfium2 as pdfium

    total = 0
    for f in files:
        doc = pdfium.PdfDocument(str(f))
        total += len(doc)
        doc.close()
    return total


def _cpu() -> float:
    """CPU seconds of this process and its finished children (pdftotext runs as a child)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


CPU: dict[int, float] = {}  # id(fn) -> best CPU seconds, filled by _best


def _best(runs: int, *fns) -> list[float]:
    """Best wall time of each function; runs interleaved, so a busy moment on the machine
    (other jobs share its two cores) hits both sides alike. Best CPU time goes to CPU."""
    times: list[list[float]] = [[] for _ in fns]
    cpu: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, out, out_cpu in zip(fns, times, cpu, strict=True):
            started, started_cpu = time.perf_counter(), _cpu()
            fn()
            out.append(time.perf_counter() - started)
            out_cpu.append(_cpu() - started_cpu)
    for fn, c in zip(fns, cpu, strict=True):
        CPU[id(fn)] = min(c)
    return [min(t) for t in times]


def check_tables(files: list[Path], roadmaps: dict[Path, int]) -> tuple[int, int]:
    ok = 0
    for path, n in roadmaps.items():
        doc = extract(path)
        tables = [t for t in doc.tables if t.n_cols == 5]
        numbers = [r[0] for r in tables[0].row_texts()[3:] if r[0]] if len(tables) == 1 else []
        stage = [c for t in tables for c in t.cells if c.text.startswith("Этап I")]
        if numbers == [str(i) for i in range(1, n + 1)] and stage and stage[0].col_span == 5:
            ok += 1
        else:
            print(f"  table wrong in {path.name}: {len(tables)} tables, rows {numbers[:5]}...")
    return ok, len(roadmaps)


def bench_ocr(folder: Path, source: Path) -> tuple[float, int, float]:
    scan = rasterise(source, folder / "scan.pdf", dpi=300, pages=[0, 1])
    started = time.perf_counter()
    doc = extract(scan)
    seconds = time.perf_counter() - started
    conf = [b.confidence for b in doc.blocks if b.confidence is not None]
    return seconds / max(len(doc.ocr_pages), 1), len(doc.ocr_pages), sum(conf) / len(conf)


def bench_memory(folder: Path, text_pdf: Path, table_pdf: Path) -> dict:
    import pypdfium2 as pdfium

    big = pdfium.PdfDocument.new()
    srcs = [pdfium.PdfDocument(str(p)) for p in (text_pdf, table_pdf)]
    while len(big) < 500:
        src = srcs[1] if len(big) % 10 == 9 else srcs[0]
        big.import_pages(src, pages=[len(big) % len(src)])
    big.save(str(folder / "big.pdf"))
    big.close()
    for s in srcs:
        s.close()
    script = (
        "import json, resource, sys, time\n"
        "from extractors.extract import extract\n"
        "t = time.perf_counter(); doc = extract(sys.argv[1])\n"
        "print(json.dumps({'pages': doc.n_pages, 'seconds': time.perf_counter() - t,\n"
        "  'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(folder / "big.pdf")],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=240, help="corpus size in pages (>= 200)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-ocr", action="store_true")
    args = parser.parse_args()
    pdftotext = shutil.which("pdftotext")
    if not pdftotext or not shutil.which("soffice"):
        print("needs pdftotext and soffice: run scripts/install-system-deps.sh")
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        folder = Path(tmp)
        print("building the corpus ...")
        files, roadmaps = build_corpus(folder, max(args.pages, 200))
        pages = _count_pages(files)
        table_pages = _table_pages(files)
        print(f"corpus: {len(files)} PDFs, {pages} pages ({table_pages} with ruled tables)")
        extract(files[-1])  # warm-up: imports, the morphology dictionary

        ok, total = check_tables(files, roadmaps)
        print(f"tables right: {ok} of {total} roadmaps (one table each, every row, spans)")

        one_page = make_pdf(folder / "one.pdf", ["Приказ"])
        run_ours = lambda: [extract(f) for f in files]  # noqa: E731
        run_theirs = lambda: [  # noqa: E731
            subprocess.run([pdftotext, str(f), "-"], capture_output=True, check=True)
            for f in files
        ]
        ours, theirs, startup, ours_startup = _best(
            args.runs,
            run_ours,
            run_theirs,
            lambda: subprocess.run([pdftotext, str(one_page), "-"], capture_output=True,
                                   check=True),
            lambda: extract(one_page),
        )
        cpu_ours, cpu_theirs = CPU[id(run_ours)], CPU[id(run_theirs)]
        # Per-page throughput without each side's fixed cost per file (measured on a one-page
        # file): process start-up for pdftotext, opening and hashing for us.
        theirs_core = max(theirs - startup * len(files), 1e-9)
        ours_core = max(ours - ours_startup * len(files), 1e-9)

        table_files = list(roadmaps)
        table_only = _count_pages(table_files)
        ours_t, theirs_t = _best(
            args.runs,
            lambda: [extract(f) for f in table_files],
            lambda: [subprocess.run([pdftotext, str(f), "-"], capture_output=True, check=True)
                     for f in table_files],
        )
        print(f"roadmaps only ({table_only} table pages): ours {table_only / ours_t:.0f} "
              f"pages/s, pdftotext per file {table_only / theirs_t:.0f} pages/s, "
              f"ratio {theirs_t / ours_t:.2f}x")

        if not args.skip_ocr:
            per_page, n, conf = bench_ocr(folder, next(iter(roadmaps)))
            print(f"OCR (tesseract, rus, 300 dpi, OMP_THREAD_LIMIT=1): {per_page:.2f} s/page "
                  f"over {n} pages, mean confidence {conf:.2f}")
        mem = bench_memory(folder, files[-1], next(iter(roadmaps)))
        print(f"500-page PDF: {mem['seconds']:.1f} s, peak RSS {mem['rss_mb']:.0f} MB")

        print(f"ours (text + tables): {pages / ours:8.0f} pages/s  ({ours:.2f} s)")
        print(f"pdftotext, per file:  {pages / theirs:8.0f} pages/s  ({theirs:.2f} s)")
        print(f"without per-file cost: ours ({ours_startup * 1000:.1f} ms/file) "
              f"{pages / ours_core:.0f} pages/s, pdftotext ({startup * 1000:.1f} ms/file) "
              f"{pages / theirs_core:.0f} pages/s")
        print(f"CPU time: ours {pages / cpu_ours:.0f} pages/s, pdftotext {pages / cpu_theirs:.0f} "
              f"pages/s (ratio {cpu_theirs / cpu_ours:.2f}x; start-up included)")
        print(f"ratio ours / pdftotext per file:  {theirs / ours:.2f}x")
        print(f"ratio ours / pdftotext without per-file cost: {theirs_core / ours_core:.2f}x")
    return 0 if ok == total else 1


if __name__ == "__main__":
    sys.exit(main())
