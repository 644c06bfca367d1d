"""Photos and scans (JPEG, PNG, TIFF, BMP, GIF, WebP, HEIC, AVIF) -> Document through OCR.

Phone photos carry their orientation in EXIF; multi-page TIFFs from office scanners are one
page per frame. Decoding is bounded by a pixel limit, so a tiny PNG that claims to be a
gigapixel image is refused before it takes the memory.
"""

from __future__ import annotations

import io
import re
import time
import warnings
from datetime import datetime
from functools import cache
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence

from extractors.continuation import join_continued
from extractors.media import PHONE_NAMES, plausible
from extractors.model import Document, Photo
from extractors.ocr import OcrFailed, ocr_image
from extractors.settings import DEFAULT_SETTINGS, ExtractSettings


class ImageTooLarge(Exception):
    pass


@cache
def _heif() -> None:
    """Teach Pillow HEIC, the format iPhones save photos in (Pillow reads AVIF itself)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _open(source: Path | bytes, settings: ExtractSettings) -> Image.Image:
    _heif()
    # PIL only warns below twice its limit; make any excess an error of our own. Its limit
    # is a global of the process: put back after the opening, where PIL checks it, or a
    # small limit of one reading stayed for every later user of PIL (python-pptx's reading
    # of a picture failed as a "decompression bomb").
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = settings.max_image_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageTooLarge(
                f"the image is larger than {settings.max_image_pixels // 1_000_000} megapixels"
            ) from exc
        finally:
            Image.MAX_IMAGE_PIXELS = previous
    if image.width * image.height > settings.max_image_pixels:
        raise ImageTooLarge(
            f"the image is larger than {settings.max_image_pixels // 1_000_000} megapixels"
        )
    return image


def _dpi(image: Image.Image) -> float:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    # Photos carry 72 or nothing; what matters to line detection is pixels per millimetre,
    # and a phone photo of an A4 page is about 300 dpi's worth.
    return value if 150 <= value <= 1200 else 300.0


def extract_image(
    path: Path,
    doc: Document,
    settings: ExtractSettings | None = None,
    deadline: float | None = None,
) -> Document:
    settings = settings or DEFAULT_SETTINGS
    deadline = deadline or time.monotonic() + settings.max_seconds_per_file
    image = _open(path, settings)
    tables = []
    with image:
        frames = getattr(image, "n_frames", 1)
        doc.n_pages = frames
        limit = min(frames, settings.max_pages, settings.max_ocr_pages)
        if frames > limit:
            doc.warnings.append(f"{frames} pages; only the first {limit} were read")
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            if number > limit:
                break
            if time.monotonic() > deadline:
                doc.warnings.append(f"time limit reached: read {number - 1} of {frames} pages")
                break
            tables += _read_frame(frame, doc, settings, deadline, number)
        doc.tables = join_continued(tables)
        if doc.ocr_pages == list(range(1, frames + 1)) and not doc.text().strip():
            # Every page was read and none has a word: a photo of an event, which schools
            # upload beside their documents; a page OCR could not read, or one left unread,
            # leaves the file's error in place instead.
            doc.photo = Photo(taken=taken(image) or taken_by_name(path.name))
    return doc


# EXIF tags of the moment a picture was taken, best first: DateTimeOriginal and
# DateTimeDigitized (in the Exif IFD), then DateTime (the file's last change, in IFD0).
_EXIF_IFD = 0x8769
_TAKEN_TAGS = ((_EXIF_IFD, 0x9003), (_EXIF_IFD, 0x9004), (None, 0x0132))


# Names phones and messengers give pictures, with the day they were taken or received:
# Android's "IMG_20220324_101532.jpg", Pixel's "PXL_20220324_...", WhatsApp's "WhatsApp
# Image 2022-03-24 at 10.15.32.jpeg" and Telegram's "photo_2022-03-24_10-15-32.jpg" (both
# drop the EXIF), screenshots. Teachers send their photos to the school through these.
_NAMED_DAY = re.compile(
    rf"^(?:{PHONE_NAMES})[ _-]*(?P<y>\d{{4}})-?(?P<m>\d{{2}})-?(?P<d>\d{{2}})(?!\d)", re.I
)


def taken_by_name(name: str) -> datetime | None:
    """The day in a phone's or messenger's name for a picture (see `_NAMED_DAY`), at
    midnight, or None."""
    match = _NAMED_DAY.match(name)
    if match is None:
        return None
    try:
        day = datetime(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    return plausible(day)


def taken(image: Image.Image) -> datetime | None:
    """When the picture was taken, by its EXIF, or None: no EXIF, an empty or malformed
    date, or a camera clock never set."""
    try:
        exif = image.getexif()
    except Exception:  # a damaged EXIF block costs the date, not the picture
        return None
    for ifd, tag in _TAKEN_TAGS:
        try:
            value = (exif.get_ifd(ifd) if ifd is not None else exif).get(tag)
        except Exception:
            continue
        if isinstance(value, bytes):
            value = value.decode("ascii", "replace")
        if not isinstance(value, str):
            continue
        try:
            moment = datetime.strptime(value.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
        except ValueError:
            continue
        if plausible(moment) is not None:
            return moment
    return None


def _read_frame(
    frame: Image.Image, doc: Document, settings: ExtractSettings, deadline: float, number: int
) -> list:
    if not settings.ocr_enabled:
        doc.warnings.append("OCR is off: an image is not read")
        return []
    upright = ImageOps.exif_transpose(frame) or frame
    try:
        result = ocr_image(upright, number, settings, settings.ocr_timeout_s, dpi=_dpi(frame))
    except OcrFailed as exc:
        doc.warnings.append(f"page {number}: {exc}")
        return []
    doc.ocr_pages.append(number)
    doc.blocks += result.blocks
    if result.rotated:
        doc.warnings.append(f"page {number} was read turned by {result.rotated}°")
    return result.tables


def ocr_image_bytes(
    blob: bytes, doc: Document, settings: ExtractSettings, deadline: float, page: int
) -> None:
    """One embedded picture (of a DOCX) as one page; unreadable pictures are skipped."""
    try:
        image = _open(blob, settings)
    except (ImageTooLarge, OSError, ValueError) as exc:
        doc.warnings.append(f"picture {page} not read: {exc}")
        return
    with image:
        # Logos, signatures and bullets are pictures too; a page scan is not that small.
        if image.width * image.height < 250_000 or time.monotonic() > deadline:
            return
        doc.tables += _read_frame(image, doc, settings, deadline, page)
    for i, table in enumerate(doc.tables):
        table.index = i
