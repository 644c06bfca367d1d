"""SmartArt diagrams: their text, from the diagram data part the document only points at.

Schools draw schemes (stages of a programme, directions of work, who answers to whom) as
SmartArt in slides and Word documents. The slide or paragraph holds a frame with a link to
a data part (`r:dm`), which neither python-pptx nor python-docx opens: without this the
scheme's words were not read at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from extractors.normalize import normalize_text

_DIAGRAM_URI = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DGM = f"{{{_DIAGRAM_URI}}}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# The container was checked for entities (extractors.safezip); nothing is fetched or resolved.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def scheme_texts(element, rels: Mapping[str, Any]) -> list[str]:
    """The text of each SmartArt scheme framed in `element` (a slide's shape, a Word
    paragraph), whose part's relationships by id are `rels` (python-pptx's and python-docx's
    `part.rels` alike). A link to nothing or outside the file gives no text."""
    texts = []
    for rid in _links(element):
        rel = rels.get(rid)
        try:
            blob = rel.target_part.blob if rel is not None else b""
        except ValueError:  # an external target: nothing in the file to read
            continue
        if text := _text(blob):
            texts.append(text)
    return texts


def _links(element) -> list[str]:
    """The relationship ids of the diagram data parts framed in `element` (a slide's shape,
    a Word paragraph), in document order; a fallback copy of a drawing is not counted."""
    links = []
    for data in element.iter(f"{_A}graphicData"):
        if data.get("uri") != _DIAGRAM_URI:
            continue
        if any(a.tag == _FALLBACK for a in data.iterancestors()):
            continue
        rels = data.find(f"{_DGM}relIds")
        rid = rels.get(f"{_R}dm") if rels is not None else None
        if rid:
            links.append(rid)
    return links


def _text(blob: bytes) -> str:
    """A diagram data part's text, a line per node in the diagram's own order; "" when the
    part is no XML."""
    if not blob:
        return ""
    try:
        root = etree.fromstring(blob, _PARSER)
    except etree.XMLSyntaxError:
        return ""
    lines = []
    for point in root.iter(f"{_DGM}pt"):
        body = point.find(f"{_DGM}t")
        if body is None:
            continue
        for paragraph in body.iter(f"{_A}p"):
            line = "".join(t.text or "" for t in paragraph.iter(f"{_A}t")).strip()
            if line:
                lines.append(line)
    return normalize_text("\n".join(lines)).strip()
