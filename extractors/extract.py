"""One entry point: any uploaded file -> Document, never an exception.

The format comes from the content (extractors.detect), limits from ExtractSettings. Whatever
goes wrong becomes an ExtractionError on the document (file, stage, reason in an operator's
words) or, when part of the file was read, a warning on a partial document. A document with
no usable text carries an error, so the flow reports it and does not count it as evidence;
but a picture whose every page OCR read without finding a word is a photo (`Document.photo`),
the supplement to documents schools upload from their events.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from functools import lru_cache
from pathlib import Path

from extractors.detect import ARCHIVE_NAMES, detect
from extractors.model import Document, ExtractionError, Photo
from extractors.names import readable
from extractors.settings import DEFAULT_SETTINGS, ExtractSettings
from extractors.unpack import FIRST_PIECE, is_later_piece

_UNPACKED = "archives are expanded into folders before extraction (extractors.archive)"
# Why a recognised but unread file is refused, by detect()'s kind.
_REFUSED = {
    "zip": f"a ZIP archive, not a PDF or DOCX document: {_UNPACKED}",
    "executable": "an executable program, not a document; it was not opened",
    "unknown": "not a PDF or DOCX file by its content (nor DOC, RTF, ODT, XLSX, a "
    "presentation or an image); cannot read it",
}
# A picture with no text is kept as a photo (`Document.photo`); said on the sheet, since a
# scan too faint for OCR looks the same to the reader.
_PHOTO_NOTE = (
    "no text on the picture: taken for a photo (a supplement to documents); if it is a "
    "scanned page, it could not be read: upload a sharper scan"
)
_VIDEO_NOTE = (
    "a video, not watched: taken for a photo of the event (a supplement to documents); a "
    "document filmed on it is not read: upload that document, or a scan of it"
)


def refusal(path: Path, root: Path | None = None) -> str | None:
    """Why an entry of a school's folder (`root`) is not read, or None for a file to read.

    A school's folder holds its uploads; a symbolic link there is not one. One leading out of
    the folder would put whatever it points at (the server's own files) into the review and
    on the expert's sheet; one to a folder may loop back on itself; one to nothing has
    nothing to read. A named pipe would make the reading wait for a writer for ever. A link
    to a file inside the folder is read as that file. One `lstat` for an ordinary file."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return None  # gone since it was listed: the reading says so
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISLNK(mode):
        try:
            mode = path.stat().st_mode
        except OSError:
            return "a symbolic link that leads nowhere (to a missing file, or round in a loop)"
        if stat.S_ISDIR(mode):
            return "a symbolic link to a folder: the files in it are not read"
        if root is not None and not path.resolve().is_relative_to(root.resolve()):
            return (
                "a symbolic link to a file outside the school's folder: not read, only the "
                "school's own files are"
            )
        if stat.S_ISREG(mode):
            return None
    return "not a regular file (a named pipe, a socket or a device): not read"


def file_stamp(path: Path) -> tuple[int, int, int, int]:
    """What the file system says of a file without reading it: size, modification and
    status-change times, inode. The status-change time too: a rewrite that keeps the size and
    puts the modification time back (`cp -p`) still moves it, and no program can set it back
    (git's index relies on the same), so while the stamp is unchanged so is the content."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def sha256_of(path: Path) -> str:
    # A review hashes each file for its school's resume key, its cache key and its record;
    # keyed by the file's stamp, the file is read for hashing once per process. The absolute
    # path, not the resolved one: resolving costs a system call per folder of the path (a
    # fifth of a re-run's key checks), and the stamp (inode included) already tells files
    # apart, through any symbolic link.
    return _sha256(os.path.abspath(path), file_stamp(path))


@lru_cache(maxsize=100_000)
def _sha256(path: str, _stamp: tuple[int, int, int, int]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_format(path: Path) -> str:
    """Format from the content: schools upload files under wrong extensions."""
    fmt, _ = detect(path)
    return fmt


def extract(
    path: Path | str, root: Path | None = None, settings: ExtractSettings | None = None
) -> Document:
    """Read a file into the document model; failures become error records on the document."""
    settings = settings or DEFAULT_SETTINGS
    path = Path(path)
    shown, codec = _shown(path, root)
    refused = refusal(path, root)
    if refused is not None:
        return _failed(shown, "", "unknown", "detect", refused)
    try:
        size = path.stat().st_size
        sha = sha256_of(path)
        fmt, detail = detect(path)
    except OSError as exc:
        return _failed(shown, "", "unknown", "read", f"cannot read the file: {exc.strerror}")
    doc = Document(path=shown, sha256=sha, format=fmt)
    if codec is not None:
        doc.warnings.append(
            f"the file's name is not UTF-8: shown as read in {codec}; the sheet's link to it "
            "does not open it, renaming the file does"
        )
    if fmt == "empty":
        return _fail(doc, "detect", "the file is empty (0 bytes)")
    if fmt in ("unknown", "archive") and is_later_piece(path):
        # The review joins an archive's pieces before extraction (`prepare_input`), so a
        # piece that gets here has no first piece beside it.
        first = path.with_suffix(FIRST_PIECE).name
        return _fail(
            doc,
            "detect",
            "a piece of an archive cut into pieces (7-Zip's \"split to volumes\"); its first "
            f"piece, {first}, is not beside it, so the pieces cannot be joined: upload every "
            "piece",
        )
    if fmt == "unknown" and detail == "damaged zip":
        return _fail(doc, "extract", "a damaged ZIP-based file (a truncated DOCX or XLSX?)")
    if fmt in _REFUSED:
        return _fail(doc, "detect", _REFUSED[fmt])
    if fmt == "archive":
        name = ARCHIVE_NAMES.get(detail, detail)
        return _fail(doc, "detect", f"a {name} archive, not a document: {_UNPACKED}")
    if fmt == "encrypted":
        return _fail(doc, "open", "the Office file is password-protected; it cannot be opened")
    if fmt == "video":
        # Schools film their seminars and lessons ("видеозаписи" are some activities' very
        # result): shown with the event, as a photo, never read.
        from extractors.images import taken_by_name
        from extractors.media import recorded

        doc.photo = Photo(taken=recorded(path) or taken_by_name(path.name), video=True)
        doc.warnings.append(_VIDEO_NOTE)
        return doc
    if fmt == "unsupported":
        reason = f"a {detail.upper()} file, which is not read"
        return _fail(doc, "detect", reason)
    if size > settings.max_bytes:
        return _fail(
            doc,
            "limits",
            f"the file is {size // 1024**2} MB, over the limit of "
            f"{settings.max_bytes // 1024**2} MB",
        )
    deadline = time.monotonic() + settings.max_seconds_per_file
    try:
        _read(path, doc, fmt, detail, settings, deadline)
    except Exception as exc:  # any parser failure is the file's fault, not the batch's
        doc.blocks.clear()
        doc.tables.clear()
        stage, reason = _explain(exc, fmt)
        if _is_setup_problem(exc):
            doc.setup_problems.append(reason)
        return _fail(doc, stage, reason)
    if doc.photo is not None:
        doc.warnings.append(_PHOTO_NOTE)
        return doc
    if not any(b.text for b in doc.blocks) and not any(c.text for t in doc.tables for c in t.cells):
        doc.blocks.clear()
        doc.tables.clear()
        reason = "no readable text in the file"
        if doc.warnings:
            reason += f" ({doc.warnings[-1]})"
        return _fail(doc, "extract", reason)
    return doc


def _read(
    path: Path, doc: Document, fmt: str, detail: str, settings: ExtractSettings, deadline: float
) -> None:
    # Imports are per format: a batch of PDFs never loads LibreOffice or openpyxl glue.
    if fmt == "pdf":
        from extractors.pdf import extract_pdf

        extract_pdf(path, doc, settings, deadline)
    elif fmt in ("docx", "docm"):
        from extractors.docx import extract_docx

        extract_docx(path, doc, settings)
    elif fmt in ("pptx", "pptm"):
        from extractors.pptx import extract_pptx

        extract_pptx(path, doc, settings, deadline)
    elif fmt in ("doc", "rtf", "odt", "html", "ppt", "odp", "xls", "ods"):
        from extractors.office import extract_office

        extract_office(path, doc, fmt, settings, deadline)
    elif fmt == "xlsx":
        from extractors.xlsx import extract_xlsx

        extract_xlsx(path, doc, settings)
    elif fmt == "image":
        from extractors.images import extract_image

        extract_image(path, doc, settings, deadline)
    elif fmt == "txt":
        from extractors.plaintext import extract_text

        extract_text(path, doc, detail)
    else:  # pragma: no cover - detect() returns only the kinds handled above
        raise ValueError(f"no reader for {fmt}")


def _explain(exc: Exception, fmt: str) -> tuple[str, str]:
    """(stage, reason) for a reader's failure."""
    from extractors.ocr import OcrFailed, OcrUnavailable
    from extractors.office import ConversionFailed
    from extractors.pdf import EncryptedPdf
    from extractors.safezip import UnsafeContainer

    if isinstance(exc, EncryptedPdf):
        return "open", str(exc)
    if isinstance(exc, UnsafeContainer):
        return "security", f"the {fmt.upper()} file is refused: {exc}"
    if isinstance(exc, ConversionFailed):
        return "convert", str(exc)
    if isinstance(exc, OcrUnavailable | OcrFailed):
        return "ocr", str(exc)
    if isinstance(exc, MemoryError):
        return "limits", f"the {fmt.upper()} file is too large to read in memory"
    return "extract", f"the {fmt.upper()} file is damaged or unreadable ({_why(exc)})"


def _is_setup_problem(exc: Exception) -> bool:
    """A tool missing on this machine, rather than a file it could not read."""
    from extractors.ocr import OcrUnavailable
    from extractors.office import ConverterUnavailable

    return isinstance(exc, OcrUnavailable | ConverterUnavailable)


def _why(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def _fail(doc: Document, stage: str, reason: str) -> Document:
    doc.errors.append(ExtractionError(file=doc.path, stage=stage, reason=reason))
    return doc


def unreadable(path: Path, root: Path | None, stage: str, reason: str) -> Document:
    """The document of a file that could not be read for a reason found outside `extract`
    (the process reading it died): only its error record, as `extract` gives a corrupt
    file."""
    shown, _ = _shown(path, root)
    try:
        sha, fmt = sha256_of(path), detect(path)[0]
    except OSError:
        sha, fmt = "", "unknown"
    return _failed(shown, sha, fmt, stage, reason)


def _shown(path: Path, root: Path | None) -> tuple[str, str | None]:
    """How the document names its file (its path in the school's folder), as valid text;
    and the codec a name that was not UTF-8 was read with (`extractors.names.readable`)."""
    return readable(path.relative_to(root) if root else path.name)


def _failed(shown: str, sha: str, fmt: str, stage: str, reason: str) -> Document:
    return _fail(Document(path=shown, sha256=sha, format=fmt), stage, reason)
