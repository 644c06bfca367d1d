"""Small real files for tests: DOCX through python-docx, PDF through reportlab."""

from __future__ import annotations

import shutil
from pathlib import Path, PureWindowsPath
from urllib.parse import unquote

import docx
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def linked(sheet_dir: Path, target: str) -> Path:
    """Where a workbook's relative link (openpyxl's `hyperlink.target`) leads from the
    workbook's folder, as Excel follows it: its escapes (%20...) decoded, backslashes as
    separators. Not resolved, so a test can check the link is relative."""
    relative = Path(*PureWindowsPath(unquote(target)).parts)
    assert not relative.is_absolute(), target
    return sheet_dir / relative


def files_under(root: Path) -> list[str]:
    """The files below `root`, as sorted paths relative to it."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def copy_sample(target: Path, names: list[str] | None = None) -> Path:
    """A region of the sample's schools (all, or those named) that a test may change."""
    for folder in sorted(SAMPLE.iterdir()):
        if folder.is_dir() and (names is None or folder.name in names):
            shutil.copytree(folder, target / folder.name)
    return target


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


def make_docx(
    path: Path,
    paragraphs: list[str],
    tables: list[dict] | None = None,
    style: str | None = None,
) -> Path:
    """tables: {"rows": [[...]], "merges": [(r0, c0, r1, c1), ...]} merged by Word's rules.

    style="Table Grid" draws the borders real roadmaps have (python-docx's default table has
    none), which a PDF rendering needs to show a ruled table.
    """
    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    for spec in tables or []:
        rows = spec["rows"]
        table = d.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        if style:
            table.style = style
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
        commands = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        commands += [("SPAN", (c0, r0), (c1, r1)) for c0, r0, c1, r1 in spec.get("spans", [])]
        table.setStyle(TableStyle(commands))
        story += [Spacer(1, 8), table]
    size = landscape(A4) if wide else A4
    SimpleDocTemplate(str(path), pagesize=size, invariant=1).build(story)
    return path


def rasterise(pdf: Path, out: Path, dpi: int = 200, pages: list[int] | None = None) -> Path:
    """A scan of a PDF: its pages as pixels only (no text layer), saved by `out`'s suffix.

    .pdf gives an image-only PDF (what an office scanner sends), .tif a multi-page TIFF,
    .png/.jpg the first page (a photo of one page).
    """
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        numbers = pages if pages is not None else list(range(len(doc)))
        images = [doc[i].render(scale=dpi / 72).to_pil().convert("L") for i in numbers]
    finally:
        doc.close()
    suffix = out.suffix.lower()
    if suffix in (".pdf", ".tif", ".tiff"):
        images[0].save(out, save_all=True, append_images=images[1:], resolution=dpi, dpi=(dpi, dpi))
    else:
        images[0].save(out, dpi=(dpi, dpi))
    return out


def render_with_libreoffice(source: Path, target: str, out: Path) -> Path:
    """`source` (DOCX...) converted by LibreOffice to `target` ("pdf", "odt", "rtf", "doc")."""
    import shutil

    from extractors.detect import detect
    from extractors.office import converted

    fmt, _ = detect(source)
    if fmt == "docx" and target == "doc":
        # LibreOffice 7.4 writes python-docx tables to DOC as plain paragraphs (its own ODT
        # goes to DOC intact), so a DOC is made the way an old office suite would: from ODT.
        odt = out.with_suffix(".via.odt")
        render_with_libreoffice(source, "odt", odt)
        render_with_libreoffice(odt, "doc", out)
        odt.unlink()
        return out
    with converted(source, fmt, target) as result:
        shutil.copyfile(result, out)
    return out


def make_xlsx(
    path: Path,
    title: str,
    rows: list[list[object]],
    merges: list[tuple[int, int, int, int]] | None = None,
) -> Path:
    """A sheet with a title line above the table; merges are (r0, c0, r1, c1) of the table."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ДК"
    sheet.cell(row=1, column=1, value=title)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in ("", None):
                sheet.cell(row=r + 3, column=c + 1, value=value)
    for r0, c0, r1, c1 in merges or []:
        sheet.merge_cells(start_row=r0 + 3, start_column=c0 + 1, end_row=r1 + 3, end_column=c1 + 1)
    book.save(str(path))
    return path


def make_encrypted_pdf(path: Path, text: str, password: str = "secret") -> Path:
    """A PDF that opens only with a password, as some schools' scanners save them."""
    from reportlab.lib import pdfencrypt

    font = _font()
    style = ParagraphStyle("p", fontName=font, fontSize=10, leading=12)
    encrypt = pdfencrypt.StandardEncryption(password, ownerPassword=password + "!")
    SimpleDocTemplate(str(path), pagesize=A4, encrypt=encrypt).build([Paragraph(text, style)])
    return path


def rewrite_zip(
    source: Path,
    out: Path,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
) -> Path:
    """A copy of an Office container with some parts replaced or added (hostile variants)."""
    import zipfile

    replace = replace or {}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = replace.get(info.filename, src.read(info))
            dst.writestr(info.filename, data)
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out


def add_zip_bomb(source: Path, out: Path, inflated: int = 1024**3) -> Path:
    """A copy of `source` with one part of zeros that inflates to `inflated` bytes (~1 MB
    on disk for 1 GiB)."""
    import shutil
    import zipfile

    shutil.copyfile(source, out)
    chunk = bytes(1 << 20)
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("word/media/image1.bin", "w", force_zip64=True) as part,
    ):
        for _ in range(inflated // len(chunk)):
            part.write(chunk)
    return out


def make_macro_odt(path: Path, marker: Path, text: str) -> Path:
    """An ODT whose Basic macro, bound to the document's load event, would write `marker`."""
    import zipfile

    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
        'xmlns:xlink="http://www.w3.org/1999/xlink"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} '
        'office:version="1.2"><office:scripts><office:event-listeners>'
        '<script:event-listener script:language="ooo:script" script:event-name="dom:load" '
        'xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;'
        'location=document"/></office:event-listeners></office:scripts>'
        f"<office:body><office:text><text:p>{text}</text:p></office:text></office:body>"
        "</office:document-content>"
    )
    module = (
        '<?xml version="1.0" encoding="UTF-8"?><script:module '
        'xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
        f'script:language="StarBasic">Sub Main\nOpen "{marker}" For Output As #1\n'
        'Print #1, "ran"\nClose #1\nEnd Sub\n</script:module>'
    )
    library = (
        '<?xml version="1.0" encoding="UTF-8"?><library:library '
        'xmlns:library="http://openoffice.org/2000/library" library:name="Standard" '
        'library:readonly="false" library:passwordprotected="false">'
        '<library:element library:name="Module1"/></library:library>'
    )
    libraries = (
        '<?xml version="1.0" encoding="UTF-8"?><library:libraries '
        'xmlns:library="http://openoffice.org/2000/library" '
        'xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<library:library library:name="Standard" library:link="false"/></library:libraries>'
    )
    entries = [
        "content.xml",
        "Basic/script-lc.xml",
        "Basic/Standard/script-lb.xml",
        "Basic/Standard/Module1.xml",
    ]
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        + "".join(
            f'<manifest:file-entry manifest:full-path="{e}" manifest:media-type="text/xml"/>'
            for e in entries
        )
        + "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        for name, data in zip(
            [*entries, "META-INF/manifest.xml"],
            [content, libraries, library, module, manifest],
            strict=True,
        ):
            zf.writestr(name, data, zipfile.ZIP_DEFLATED)
    return path


def mark_doc_with_macros(source: Path, out: Path) -> Path:
    """A copy of a LibreOffice-written DOC whose OLE directory has a "Macros" storage entry,
    the way Word stores a VBA project (the CompObj entry renamed: same slot, no VBA code)."""
    data = bytearray(source.read_bytes())
    # Directory entries are 128 bytes, in 512-byte sectors after the 512-byte header; the
    # UTF-16 name comes first and its byte length (with the terminating zero) at offset 64.
    entry = data.find("\x01CompObj".encode("utf-16-le"))
    assert entry >= 512 and (entry - 512) % 128 == 0, "no CompObj directory entry"
    name = "Macros".encode("utf-16-le") + b"\x00\x00"
    data[entry : entry + 64] = name.ljust(64, b"\x00")
    data[entry + 64 : entry + 66] = len(name).to_bytes(2, "little")
    out.write_bytes(bytes(data))
    return out


def diagram_data(nodes: list[str]) -> bytes:
    """A SmartArt diagram's data part with `nodes` as its text nodes, in order, between a
    document point and a transition point without text, as Office writes them."""
    points = [
        '<dgm:pt modelId="{0}" type="doc"><dgm:prSet/><dgm:spPr/><dgm:t><a:bodyPr/><a:p>'
        "<a:endParaRPr/></a:p></dgm:t></dgm:pt>",
        '<dgm:pt modelId="{1}" type="sibTrans"><dgm:prSet/><dgm:spPr/><dgm:t><a:bodyPr/>'
        "<a:p><a:endParaRPr/></a:p></dgm:t></dgm:pt>",
    ]
    for n, node in enumerate(nodes, start=2):
        runs = "".join(f"<a:r><a:t>{word} </a:t></a:r>" for word in node.split())
        points.append(
            f'<dgm:pt modelId="{{{n}}}"><dgm:prSet/><dgm:spPr/><dgm:t><a:bodyPr/><a:p>{runs}'
            "</a:p></dgm:t></dgm:pt>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<dgm:dataModel xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><dgm:ptLst>'
        + "".join(points)
        + "</dgm:ptLst><dgm:cxnLst/><dgm:bg/><dgm:whole/></dgm:dataModel>"
    ).encode("utf-8")
