"""Plain-text uploads (a report pasted into Notepad) -> one block per paragraph."""

from __future__ import annotations

from pathlib import Path

from extractors.model import Block, Document
from extractors.normalize import normalize_text

# Text past this is not a school's report; it is a log or a data dump.
MAX_TEXT_BYTES = 20 * 1024**2


def extract_text(path: Path, doc: Document, encoding: str) -> Document:
    with path.open("rb") as fh:
        raw = fh.read(MAX_TEXT_BYTES + 1)
    if len(raw) > MAX_TEXT_BYTES:
        doc.warnings.append(f"only the first {MAX_TEXT_BYTES // 1024**2} MB were read")
        raw = raw[:MAX_TEXT_BYTES]
    text = raw.decode(encoding or "utf-8", errors="replace").lstrip("\ufeff")
    for para in text.replace("\r\n", "\n").split("\n\n"):
        para = normalize_text(para)
        if para:
            doc.blocks.append(Block(text=para, page=1, source="txt"))
    doc.n_pages = 1
    return doc
