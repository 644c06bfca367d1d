"""Page images -> blocks and ruled tables, through the tesseract CLI.

One tesseract process per page, single-threaded (OMP_THREAD_LIMIT=1 is 6-7x faster on these
2-core machines than letting OpenMP spin), reading an uncompressed image from a file in memory
and writing TSV: every word with its box and confidence. Blocks are tesseract's paragraphs;
tables come from the page's ruling lines found in the pixels, with each word put in the cell
holding its centre.

A page's reading can be kept by its pixels (within `extractors.kept.kept`): a page read
before is not read again, whatever file it came in or whatever else in the extractors
changed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

from classifiers.vocabulary import package_versions
from extractors import kept
from extractors.grid import GridTable, Seg, find_tables
from extractors.model import Block, Cell, Table
from extractors.normalize import normalize_cell, normalize_text
from extractors.settings import ExtractSettings
from extractors.slots import tool_slot, with_retries


class OcrUnavailable(Exception):
    """tesseract or its Russian model is missing: a setup problem, reported per file."""


class OcrFailed(Exception):
    """tesseract crashed or ran out of time on a page."""


@dataclass
class Word:
    text: str
    conf: float  # 0..100
    x0: int
    top: int
    x1: int
    bottom: int
    key: tuple[int, int, int]  # (block, paragraph, line) in tesseract's reading order


@dataclass
class OcrPage:
    blocks: list[Block]
    tables: list[Table]
    confidence: float | None  # mean word confidence 0..1, None when no words
    n_words: int = 0
    rotated: int = 0


# A word worth keeping has a letter or digit, or is a dash or quote standing alone ("Март -
# май", "«Мы - команда»"); other lone marks are specks, stamps and remnants of rules.
_HAS_TEXT = re.compile(r"[0-9A-Za-zА-Яа-яЁё№]|^[-–—«»\"„“]+$")


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


class _Crashed(OcrFailed):
    """tesseract exited with an error: worth one more try (it crashes under memory pressure)."""


def _run(
    tool: str,
    image: Image.Image,
    options: list[str],
    timeout: float,
    parallel: int = 0,
    retry: bool = True,
) -> str:
    """`tool IMAGE stdout options...` on one image, in one of `parallel` machine-wide slots
    (0: one per core), tried again with a growing pause when it crashes; a timeout or a
    missing tool is final."""
    with _page_file(image) as (name, fds):
        args = [tool, name, "stdout", *options]

        def once() -> str:
            with tool_slot("tesseract", parallel or os.cpu_count() or 1):
                return _run_once(args, timeout, fds)

        return with_retries(once, _Crashed, delays=(0.5, 2.0) if retry else ())


@contextmanager
def _page_file(image: Image.Image) -> Iterator[tuple[str, tuple[int, ...]]]:
    """The page as a BMP file tesseract opens by name: its name and the descriptors the
    tool must inherit to open it.

    Not stdin: a 200 dpi page (4 MB) sent as PGM through stdin cost tesseract 0.25 s more
    CPU than the same page as a BMP file (0.40 against 0.16 s on a blank page; on written
    pages 1.82 against 1.65), for the very same TSV. Writing the BMP costs us 4 ms; a PNG,
    which tesseract also reads quickly, 75 ms. On Linux the file is a memfd, memory that
    is freed when its last holder exits: a worker killed during OCR (a stopped run, the
    pool's stall watch) used to leave its 3 MB page in the temporary folder for good."""
    if not hasattr(os, "memfd_create"):
        with tempfile.NamedTemporaryFile(prefix="er-ocr-", suffix=".bmp") as page:
            _bmp(image).save(page, format="BMP")
            page.flush()
            yield page.name, ()
        return
    fd = os.memfd_create("er-ocr-page", os.MFD_CLOEXEC)
    try:
        with os.fdopen(fd, "wb", closefd=False) as page:
            _bmp(image).save(page, format="BMP")
        # Opening /dev/fd/N opens the file afresh, from its start, in each try.
        yield f"/dev/fd/{fd}", (fd,)
    finally:
        os.close(fd)


def _run_once(args: list[str], timeout: float, fds: tuple[int, ...] = ()) -> str:
    try:
        proc = subprocess.run(
            args, capture_output=True, timeout=timeout, env=_env(), check=False, pass_fds=fds
        )
    except FileNotFoundError as exc:
        raise OcrUnavailable(
            "tesseract is not installed (run scripts/install-system-deps.sh)"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise OcrFailed(f"OCR took longer than {timeout:.0f} s") from exc
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        message = err[-1] if err else f"exit code {proc.returncode}"
        if "Failed loading language" in proc.stderr.decode("utf-8", "replace"):
            raise OcrUnavailable(f"tesseract language model missing: {message}")
        raise _Crashed(f"tesseract failed: {message}")
    return proc.stdout.decode("utf-8", "replace")


def _bmp(image: Image.Image) -> Image.Image:
    """The image in a mode BMP keeps as it is (grey and black-and-white pages stay so)."""
    return image if image.mode in ("1", "L", "RGB") else image.convert("RGB")


def tesseract_words(
    image: Image.Image, settings: ExtractSettings, timeout: float, dpi: float = 300
) -> list[Word]:
    options = ["-l", settings.ocr_lang, "--psm", "3"]
    # The resolution we know, so tesseract does not guess it from glyph sizes.
    options += ["--dpi", str(round(dpi)), "tsv"]
    tsv = _run(settings.tesseract, image, options, timeout, settings.ocr_max_parallel)
    words: list[Word] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        try:
            conf = float(row["conf"])
            left, top = int(row["left"]), int(row["top"])
            width, height = int(row["width"]), int(row["height"])
            key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        except (KeyError, TypeError, ValueError):
            continue
        words.append(Word(text, conf, left, top, left + width, top + height, key))
    return words


def detect_rotation(image: Image.Image, settings: ExtractSettings, timeout: float) -> int:
    """Degrees to rotate the image clockwise so its text stands upright (0 when unsure)."""
    options = ["--psm", "0", "-l", "osd"]
    try:
        # Orientation detection fails on pages with little text: expected, not retried.
        out = _run(
            settings.tesseract, image, options, timeout, settings.ocr_max_parallel, retry=False
        )
    except OcrFailed:  # too little text to tell
        return 0
    match = re.search(r"Rotate:\s*(\d+)", out)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
    if match and conf and float(conf.group(1)) >= 2.0:
        return int(match.group(1)) % 360
    return 0


def _prepare(
    image: Image.Image, settings: ExtractSettings, dpi: float
) -> tuple[Image.Image, float]:
    """Grey, and no larger than `ocr_max_side_px` (a 48-megapixel photo reads no better)."""
    image = image.convert("L")
    side = max(image.size)
    if side > settings.ocr_max_side_px:
        scale = settings.ocr_max_side_px / side
        image = image.resize((round(image.width * scale), round(image.height * scale)))
        dpi *= scale
    return image, dpi


def skew_angle(image: Image.Image, limit: float = 4.0) -> float:
    """Degrees (counter-clockwise, as PIL rotates) that level a slightly skewed scan.

    The angle whose row profile of dark pixels is sharpest: level text lines and rules put
    their ink into few rows. Searched on a thumbnail, coarse then fine; ~0.05 s a page.
    """
    small = image.convert("L")
    # Box-averaged by a whole factor: 3 ms, where PIL's resampling `thumbnail` took 28.
    factor = -(-max(small.size) // 700)
    if factor > 1:
        small = small.reduce(factor)
    ink = Image.fromarray(((np.asarray(small) < 140) * 255).astype(np.uint8))
    if not np.asarray(ink).any():
        return 0.0

    def sharpness(angle: float) -> float:
        profile = np.asarray(ink.rotate(angle), dtype=np.float32).sum(axis=1)
        return float(np.square(np.diff(profile)).sum())

    coarse = max(np.arange(-limit, limit + 0.25, 0.5), key=lambda a: sharpness(float(a)))
    fine = np.arange(coarse - 0.375, coarse + 0.4, 0.125)
    return round(float(max(fine, key=lambda a: sharpness(float(a)))), 3)


def _deskew(image: Image.Image) -> Image.Image:
    angle = skew_angle(image)
    if abs(angle) < 0.3:  # below what bends a table rule past the snapping tolerance
        return image
    # Bilinear: 54 ms a page against bicubic's 139, and tesseract read the same words from
    # either (bench/ocr.py, README "s9").
    return image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)


# What a page's reading depends on in our code: this module, the table grid, the text's
# clean-up (its dictionary look-ups too) and the blocks' and cells' model.
_PAGE_CODE = ("ocr.py", "grid.py", "normalize.py", "model.py")


@cache
def page_version(tool: str) -> str:
    """A digest of what a page's reading depends on besides its pixels and the settings:
    the OCR code, the libraries it uses, and the tesseract `tool` with its language files."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _PAGE_CODE:
        digest.update((here / name).read_bytes())
    digest.update(package_versions("numpy", "pillow", "pymorphy3", "pymorphy3-dicts-ru").encode())
    digest.update(_tesseract_identity(tool).encode())
    return digest.hexdigest()[:16]


def _tesseract_identity(tool: str) -> str:
    """tesseract's version and its language files (name, size, time): another build or
    another model (tessdata_best for tessdata_fast) reads pages differently."""
    try:
        version = subprocess.run(
            [tool, "--version"], capture_output=True, timeout=30, check=False
        ).stdout.decode("utf-8", "replace")
        langs = subprocess.run(
            [tool, "--list-langs"], capture_output=True, timeout=30, check=False, env=_env()
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"  # no page is read, so none is kept under it
    # The build and the CPU features its arithmetic uses, not the image and network
    # libraries it links (a libcurl update must not send every page to be read again).
    build = [
        line.strip()
        for line in version.splitlines()
        if re.match(r"\s*(tesseract|leptonica|Found (AVX|SSE|FMA|NEON|OpenMP))", line)
    ]
    found = re.search(r'"([^"]+)"', langs)
    files = []
    if found:
        try:
            for entry in sorted(Path(found.group(1)).glob("*.traineddata")):
                stat = entry.stat()
                files.append(f"{entry.name}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            files.append("unlistable")
    return "\n".join([*build, *files])


def page_prefix(settings: ExtractSettings) -> str:
    """The start of every kept page's key for this code, tesseract and `settings`' tool:
    entries under other prefixes belong to other versions (`pipelines.work.prune_cache`)."""
    return f"ocr-{page_version(settings.tesseract)}-"


def _page_key(image: Image.Image, settings: ExtractSettings, dpi: float) -> str:
    digest = hashlib.sha256()
    knobs = (settings.ocr_lang, settings.ocr_min_word_conf, settings.tesseract_max_side_px)
    digest.update(repr((knobs, round(dpi, 3), image.mode, image.size)).encode())
    digest.update(image.tobytes())
    return page_prefix(settings) + digest.hexdigest()


def _on_page(result: OcrPage, page: int) -> OcrPage:
    """A kept reading as read on page `page` (the same picture may be another page now)."""
    return replace(
        result,
        blocks=[b.model_copy(update={"page": page}) for b in result.blocks],
        tables=[
            t.model_copy(
                update={
                    "pages": [page],
                    "cells": [c.model_copy(update={"page": page}) for c in t.cells],
                }
            )
            for t in result.tables
        ],
    )


def ocr_image(
    image: Image.Image, page: int, settings: ExtractSettings, timeout: float, dpi: float = 300
) -> OcrPage:
    """Read one page image: levelled, and retried once turned upright if it reads badly.
    Within `extractors.kept.kept`, a page whose pixels, settings, tesseract and OCR code are
    those of one read before is taken from the store (see `page_version`)."""
    image, dpi = _prepare(image, settings, dpi)
    store = kept.current()
    if store is None:
        return _ocr_prepared(image, page, settings, timeout, dpi)
    key = _page_key(image, settings, dpi)
    earlier = store.get(key)
    if isinstance(earlier, OcrPage):
        return _on_page(earlier, page)
    result = _ocr_prepared(image, page, settings, timeout, dpi)
    store.put(key, result)
    return result


def _ocr_prepared(
    image: Image.Image, page: int, settings: ExtractSettings, timeout: float, dpi: float
) -> OcrPage:
    image = _deskew(image)
    result = _read(image, page, settings, timeout, dpi)
    if result.confidence is None or result.confidence < 0.6 or result.n_words < 10:
        turn = detect_rotation(image, settings, timeout)
        if turn:
            # PIL rotates counter-clockwise.
            retry = _read(image.rotate(-turn, expand=True), page, settings, timeout, dpi)
            if (retry.confidence or 0) > (result.confidence or 0):
                retry.rotated = turn
                return retry
    return result


def _read(
    image: Image.Image, page: int, settings: ExtractSettings, timeout: float, dpi: float
) -> OcrPage:
    dark = np.asarray(image) < 140
    h_runs, v_runs = _rule_runs(dark, dpi)
    # Table rules confuse tesseract's layout analysis (text in narrow cells goes missing);
    # it reads the page with the rules erased, and the rules give the table grid.
    words = _read_scaled(_erase(image, h_runs, v_runs), settings, timeout, dpi)
    kept = [w for w in words if w.conf >= settings.ocr_min_word_conf and _HAS_TEXT.search(w.text)]
    _fix_case(kept)
    confidence = sum(w.conf for w in kept) / len(kept) / 100 if kept else None
    tables = _tables(h_runs, v_runs, kept, page, dpi) if kept else []
    return OcrPage(_blocks(kept, page), tables, confidence, n_words=len(kept))


def _read_scaled(
    image: Image.Image, settings: ExtractSettings, timeout: float, dpi: float
) -> list[Word]:
    """tesseract's words on the image downscaled to `tesseract_max_side_px`, their boxes in
    the image's own pixels."""
    factor = settings.tesseract_max_side_px / max(image.size)
    if factor >= 1:
        return tesseract_words(image, settings, timeout, dpi)
    # Box (area) filter: 26 ms against bicubic's 53 for a 200 dpi page, the same reading (a
    # one-off comparison on bench/ocr.py's seeds 1 and 2: word recall 0.9963/0.9969 against
    # 0.9958/0.9969).
    size = (round(image.width * factor), round(image.height * factor))
    small = image.resize(size, resample=Image.Resampling.BOX)
    words = tesseract_words(small, settings, timeout, dpi * factor)
    for w in words:
        w.x0, w.top = round(w.x0 / factor), round(w.top / factor)
        w.x1, w.bottom = round(w.x1 / factor), round(w.bottom / factor)
    return words


_CAPS = re.compile(r"^[А-ЯЁ]{2,}$")


def _fix_case(words: list[Word]) -> None:
    """Tesseract confuses Cyrillic capitals that differ from small letters only in size
    (О/о, С/с, Ш/ш, К/к): "компетентн ОСТЬ". A word in capitals right after a word ending in
    a small letter, in the same paragraph, is lower-cased when that makes a dictionary word;
    acronyms (ШМО, ВПР, ОГЭ, ПК) are not such words and stay."""
    for prev, word in itertools.pairwise(words):
        if (
            prev.key[:2] == word.key[:2]
            and prev.text[-1:].islower()
            and _CAPS.match(word.text)
            and _plain_word(word.text.lower())
        ):
            word.text = word.text.lower()


def _plain_word(word: str) -> bool:
    """A dictionary word that is not an abbreviation (ПК, МО, РФ are written in capitals)."""
    from extractors.normalize import _known, _morph

    return _known(word) and not any("Abbr" in p.tag for p in _morph().parse(word))


def _lines_text(words: list[Word]) -> str:
    lines: dict[tuple[int, int, int], list[str]] = {}
    for w in words:
        lines.setdefault(w.key, []).append(w.text)
    return "\n".join(" ".join(parts) for parts in lines.values())


def _blocks(words: list[Word], page: int) -> list[Block]:
    paragraphs: dict[tuple[int, int], list[Word]] = {}
    for w in words:
        paragraphs.setdefault(w.key[:2], []).append(w)
    blocks = []
    for group in paragraphs.values():
        text = normalize_text(_lines_text(group))
        if text:
            conf = sum(w.conf for w in group) / len(group) / 100
            blocks.append(Block(text=text, page=page, source="ocr", confidence=round(conf, 3)))
    return blocks


Run = tuple[int, int, int]  # (row, start, end) of dark pixels


def _runs(dark: np.ndarray, min_len: int) -> list[Run]:
    """Every horizontal run of dark pixels at least min_len long."""
    # Most rows hold no rule: the rows that do are found first by ANDing the image with
    # itself shifted (doubling the length each time), and only they are scanned for runs
    # (18 against 85 ms a page, the same runs).
    have, length = dark, 1
    while length * 2 <= min_len:
        have = have[:, length:] & have[:, :-length]
        length *= 2
    if length < min_len:
        rest = min_len - length
        have = have[:, rest:] & have[:, :-rest]
    rows = np.flatnonzero(have.any(axis=1))
    if not rows.size:
        return []
    padded = np.zeros((rows.size, dark.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = dark[rows]
    diff = np.diff(padded, axis=1)
    at, starts = np.nonzero(diff == 1)
    _, ends = np.nonzero(diff == -1)
    keep = ends - starts >= min_len
    return list(
        zip(rows[at[keep]].tolist(), starts[keep].tolist(), ends[keep].tolist(), strict=True)
    )


def _min_rule(dpi: float) -> int:
    # 6 mm: longer than any letter stroke, shorter than the narrowest "№" column.
    return max(20, round(dpi * 6 / 25.4))


def _rule_runs(dark: np.ndarray, dpi: float) -> tuple[list[Run], list[Run]]:
    """Long straight dark runs, horizontal and vertical (for vertical: (col, top, bottom))."""
    return _runs(dark, _min_rule(dpi)), _runs(dark.T, _min_rule(dpi))


def _erase(image: Image.Image, h_runs: list[Run], v_runs: list[Run]) -> Image.Image:
    if not h_runs and not v_runs:
        return image
    pixels = np.array(image)
    height, width = pixels.shape
    for y, x0, x1 in h_runs:
        pixels[max(0, y - 1) : min(height, y + 2), x0:x1] = 255
    for x, y0, y1 in v_runs:
        pixels[y0:y1, max(0, x - 1) : min(width, x + 2)] = 255
    return Image.fromarray(pixels)


def _tables(
    h_runs: list[Run], v_runs: list[Run], words: list[Word], page: int, dpi: float
) -> list[Table]:
    scale = dpi / 72
    segs = [Seg(float(x0), float(y), float(x1), float(y)) for y, x0, x1 in h_runs]
    segs += [Seg(float(x), float(y0), float(x), float(y1)) for x, y0, y1 in v_runs]
    # Scanned rules are thick, slightly skewed and broken: wider tolerances than vectors.
    grids = find_tables(segs, snap=2.5 * scale, join=4 * scale, min_len=_min_rule(dpi))
    return [_fill(g, words, page) for g in grids]


def _fill(grid: GridTable, words: list[Word], page: int) -> Table:
    cells: list[Cell] = []
    inside: dict[int, list[Word]] = {}
    for w in words:
        cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
        for i, g in enumerate(grid.cells):
            if g.x0 <= cx <= g.x1 and g.top <= cy <= g.bottom:
                inside.setdefault(i, []).append(w)
                break
    for i, g in enumerate(grid.cells):
        group = inside.get(i, [])
        conf = round(sum(w.conf for w in group) / len(group) / 100, 3) if group else None
        cells.append(
            Cell(
                row=g.row,
                col=g.col,
                text=normalize_cell(_lines_text(group)),
                row_span=g.row_span,
                col_span=g.col_span,
                page=page,
                confidence=conf,
            )
        )
    return Table(
        index=0, n_rows=grid.n_rows, n_cols=grid.n_cols, cells=cells, pages=[page], source="ocr"
    )
