"""What a file is, from its bytes: schools upload DOCX named .pdf, scans named .doc, ZIPs named
anything. The extension is never consulted.
"""

from __future__ import annotations

import codecs
import mmap
import zipfile
from pathlib import Path

# Formats the dispatcher reads, and the ones it recognises only to explain a refusal.
READABLE = set("pdf docx docm xlsx odt doc rtf html txt image pptx pptm ppt odp xls ods".split())

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "bmp"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"#!")
# Archives other than ZIP, which schools upload too (RAR most of all): unpacked through
# libarchive (extractors.archive), like ZIPs.
_ARCHIVE_MAGIC = (
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gz"),
    (b"\xfd7zXZ\x00", "xz"),
)
# What `detect` calls them (its detail for "archive"), as messages name them.
ARCHIVE_NAMES = {
    "rar": "RAR",
    "7z": "7-Zip",
    "gz": "gzip",
    "bz2": "bzip2",
    "xz": "xz",
    "tar": "tar",
}
_ODF_TEXT = b"application/vnd.oasis.opendocument.text"
_ODF_PRESENTATION = b"application/vnd.oasis.opendocument.presentation"
_ODF_SPREADSHEET = b"application/vnd.oasis.opendocument.spreadsheet"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


# ISO media files (a box "ftyp" and a brand): iPhones save photos as HEIC, and AVIF is the
# same container with another codec; the rest of the family are videos.
_HEIF_BRANDS = set(b"heic heix hevc hevx heim heis hevm hevs mif1 msf1".split())
_AVIF_BRANDS = {b"avif", b"avis"}


def _image_kind(head: bytes) -> str | None:
    """The picture format a file's first bytes announce, or None."""
    if head[8:12] == b"WEBP" and head.startswith(b"RIFF"):
        return "webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "heif" if brand in _HEIF_BRANDS else "avif" if brand in _AVIF_BRANDS else None
    return next((kind for magic, kind in _IMAGE_MAGIC if head.startswith(magic)), None)


def is_image(path: Path) -> bool:
    """Whether the file is a picture (a photographed or scanned page, read by OCR), from its
    first bytes alone: cheaper than `detect` when that is all one needs to know."""
    with path.open("rb") as fh:
        return _image_kind(fh.read(16)) is not None


def detect(path: Path) -> tuple[str, str]:
    """(format, detail): format is a READABLE name or empty, zip, archive (detail: rar, 7z,
    tar, gz, bz2, xz), video (never read: see `extractors.media`), executable, encrypted,
    unsupported, unknown; detail names the sub-kind (jpeg, xls, ods...) for messages."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        return "empty", ""
    # Before the PDF test, which looks for a PDF's header anywhere in the first kilobyte: a
    # ZIP that stores its first file unpacked (a PDF) has that header there too, and was
    # read as that one PDF, the rest of the archive unseen.
    if head.startswith(b"PK"):
        return _zip_kind(path)
    # The same for the other archives: a RAR or tar that stores a PDF first has its header
    # in the first kilobyte.
    for magic, kind in _ARCHIVE_MAGIC:
        if head.startswith(magic):
            return "archive", kind
    if head[257:262] == b"ustar":
        return "archive", "tar"
    if head.lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf", ""
    if head.startswith(_OLE):
        return _ole_kind(path)
    if head.lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"{\\rtf"):
        return "rtf", ""
    if (kind := _image_kind(head)) is not None:
        return "image", kind
    if head[4:8] == b"ftyp":  # an ISO media file that is no picture: MP4, MOV, 3GP
        return "video", ""
    if head.startswith(_EXECUTABLE_MAGIC):
        return "executable", ""
    # "BZh" alone starts some texts too: the level digit and the first block's magic must follow.
    if head.startswith(b"BZh") and head[3:4].isdigit() and head[4:10] == b"1AY&SY":
        return "archive", "bz2"
    return _text_kind(head)


def _zip_kind(path: Path) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return "unknown", "damaged zip"
    if "word/document.xml" in names:
        return ("docm" if "word/vbaProject.bin" in names else "docx"), ""
    if "xl/workbook.xml" in names:
        return "xlsx", ""
    if mimetype.startswith(_ODF_TEXT):
        return "odt", ""
    if mimetype.startswith(_ODF_PRESENTATION):
        return "odp", ""
    if mimetype.startswith(_ODF_SPREADSHEET):
        return "ods", ""
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return "unsupported", mimetype.decode("ascii", "replace").rsplit(".", 1)[-1]
    if "ppt/presentation.xml" in names:
        return ("pptm" if "ppt/vbaProject.bin" in names else "pptx"), ""
    return "zip", ""


def _ole_kind(path: Path) -> tuple[str, str]:
    """Old Office files are OLE2 storages; the stream names in the directory say which."""
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(_utf16("EncryptedPackage")) >= 0:
            return "encrypted", "office"
        if data.find(_utf16("WordDocument")) >= 0:
            return "doc", ""
        if data.find(_utf16("Workbook")) >= 0 or data.find(_utf16("Book")) >= 0:
            return "xls", ""
        if data.find(_utf16("PowerPoint Document")) >= 0:
            return "ppt", ""
    return "unsupported", "ole"


# Byte-order marks of the texts Windows writes as "Unicode" (Notepad's old default for
# Cyrillic, PowerShell's `>`): without this, their zero bytes made them "not a document".
_TEXT_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# One-byte Cyrillic code pages, Windows' first: any byte sequence decodes in each, so the
# one that reads as Russian (most letters lower-case Cyrillic) is chosen. KOI8-R read as
# Windows-1251 comes out upper-case ("рТЙЛБЪ" for "Приказ"), DOS's 866 as signs.
_ONE_BYTE_CYRILLIC = ("cp1251", "koi8_r", "cp866")


def _text_kind(head: bytes) -> tuple[str, str]:
    # A UTF-16 or UTF-32 text is all zero bytes and tags of zeros: told by its mark alone.
    if not head.startswith(tuple(bom for bom, _ in _TEXT_BOMS)):
        low = head[:1024].lower()
        if b"<html" in low or b"<!doctype html" in low:
            return "html", ""
        if b"\x00" in head:
            return "unknown", ""
    encoding = text_encoding(head)
    return ("txt", encoding) if encoding else ("unknown", "")


def text_encoding(head: bytes) -> str | None:
    """The encoding a text's first bytes read in, or None when they read as no text: its
    byte-order mark's, else UTF-8, else the one-byte Cyrillic code page in which it reads
    as most lower-case Russian letters."""
    for bom, encoding in _TEXT_BOMS:
        if head.startswith(bom):
            text = _decoded(head, encoding)
            return encoding if text is not None and _printable(text) else None
    text = _decoded(head, "utf-8")
    if text is not None and _printable(text):
        return "utf-8"
    readings = [(e, t) for e in _ONE_BYTE_CYRILLIC if (t := _decoded(head, e)) is not None]
    readings = [(e, t) for e, t in readings if _printable(t)]
    if not readings:
        return None
    # max() keeps the first of equals: Windows-1251 when the text has no Russian letters.
    encoding, _ = max(readings, key=lambda r: sum("а" <= ch <= "я" or ch == "ё" for ch in r[1]))
    return encoding


def _decoded(head: bytes, encoding: str) -> str | None:
    try:
        # Incremental: the 4 KB sample may end inside a character's bytes.
        return codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        return None


def _printable(text: str) -> bool:
    return sum(ch.isprintable() or ch in "\r\n\t" for ch in text) >= 0.95 * len(text)


def has_ole_macros(path: Path) -> bool:
    """A DOC with a VBA project keeps it in the Macros (or _VBA_PROJECT) storage."""
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(_utf16("Macros")) >= 0 or data.find(_utf16("_VBA_PROJECT")) >= 0
