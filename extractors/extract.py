"""One entry point: any uploaded file -> Document, never an exception."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from extractors.model import Document, ExtractionError


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_format(path: Path) -> str:
    """Format from the content: schools upload files under wrong extensions."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        return "empty"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            return "unknown"
        if "word/document.xml" in names:
            return "docx"
        return "zip"
    return "unknown"


def extract(path: Path | str, root: Path | None = None) -> Document:
    """Read a file into the document model; failures become error records on the document."""
    path = Path(path)
    shown = str(path.relative_to(root)) if root else path.name
    try:
        sha = sha256_of(path)
        fmt = detect_format(path)
    except OSError as exc:
        return _failed(shown, "", "unknown", "read", f"cannot read the file: {exc.strerror}")
    doc = Document(path=shown, sha256=sha, format=fmt)
    if fmt == "empty":
        return _fail(doc, "detect", "the file is empty (0 bytes)")
    if fmt in ("unknown", "zip"):
        return _fail(doc, "detect", "not a PDF or DOCX file by its content; cannot read it")
    try:
        if fmt == "pdf":
            from extractors.pdf import extract_pdf

            extract_pdf(path, doc)
        else:
            from extractors.docx import extract_docx

            extract_docx(path, doc)
    except Exception as exc:  # any parser failure is the file's fault, not the batch's
        doc.blocks.clear()
        doc.tables.clear()
        reason = f"the {fmt.upper()} file is damaged or unreadable ({_why(exc)})"
        return _fail(doc, "extract", reason)
    if not doc.blocks and not doc.tables:
        return _fail(doc, "extract", "no readable text in the file")
    return doc


def _why(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def _fail(doc: Document, stage: str, reason: str) -> Document:
    doc.errors.append(ExtractionError(file=doc.path, stage=stage, reason=reason))
    return doc


def _failed(shown: str, sha: str, fmt: str, stage: str, reason: str) -> Document:
    return _fail(Document(path=shown, sha256=sha, format=fmt), stage, reason)
