"""Small real files for tests: DOCX through python-docx, PDF through reportlab."""

from __future__ import annotations

from pathlib import Path

import docx
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
]


def _font() -> str:
    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        candidates = list(FONT_CANDIDATES)
        try:
            import matplotlib

            candidates.append(Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSans.ttf")
        except ImportError:
            pass
        path = next(p for p in candidates if p.exists())
        pdfmetrics.registerFont(TTFont("DejaVu", str(path)))
    return "DejaVu"


def make_docx(path: Path, paragraphs: list[str], tables: list[dict] | None = None) -> Path:
    """tables: {"rows": [[...]], "merges": [(r0, c0, r1, c1), ...]} merged by Word's rules."""
    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    for spec in tables or []:
        rows = spec["rows"]
        table = d.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
        for r0, c0, r1, c1 in spec.get("merges", []):
            keep = table.cell(r0, c0).text
            merged = table.cell(r0, c0).merge(table.cell(r1, c1))
            merged.text = keep
    d.save(str(path))
    return path


def make_pdf(
    path: Path,
    paragraphs: list[str],
    tables: list[dict] | None = None,
    wide: bool = False,
) -> Path:
    """tables: {"rows": [[...]], "spans": [(c0, r0, c1, r1)], "repeat": 1} (reportlab order)."""
    font = _font()
    style = ParagraphStyle("p", fontName=font, fontSize=10, leading=12)
    cell_style = ParagraphStyle("c", fontName=font, fontSize=8, leading=10)
    story: list = [Paragraph(t, style) for t in paragraphs]
    for spec in tables or []:
        data = [[Paragraph(t, cell_style) for t in row] for row in spec["rows"]]
        # No splitInRow: reportlab 5 then draws the repeated header above the split row's
        # first part and no rule under it, which no real writer does.
        table = Table(data, repeatRows=spec.get("repeat", 1))
        commands = [("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "TOP")]
        commands += [("SPAN", (c0, r0), (c1, r1)) for c0, r0, c1, r1 in spec.get("spans", [])]
        table.setStyle(TableStyle(commands))
        story += [Spacer(1, 8), table]
    size = landscape(A4) if wide else A4
    SimpleDocTemplate(str(path), pagesize=size, invariant=1).build(story)
    return path
