"""Write author F's training documents for the document-type classifier (train.jsonl).

Each document is written by a sub-genre function (genres.py), rendered as a real file (DOCX,
a text-layer PDF, or a JPEG photo or scan) in a temporary folder, and read back through the
project's extractor and doc_to_record, so `title` and `body` are what the review flow sees.
Seeded per document, so a rerun on the same machine writes the same file.

Run from the repository root: .venv/bin/python data/labelled/doctypes_author_f/generate.py
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches, Pt
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image as RLImage
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[2]))

from genres import GENRES  # noqa: E402
from pools import Pools  # noqa: E402

from classifiers.doctype_model import doc_to_record  # noqa: E402
from extractors.extract import extract  # noqa: E402

SEED = 20261122
OUT = HERE / "train.jsonl"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
# Scans are OCR'd, which is slow on a shared machine; these kinds get an occasional scan.
SCANNABLE = {"order", "protocol", "other", "analytic_note", "report", "product"}

# What OCR does to Cyrillic text: look-alike letters and digits, lost spaces, split words.
_CONFUSIONS = {"о": "0", "О": "0", "е": "с", "З": "3", "б": "6", "и": "н", "п": "н", "ш": "щ",
               "л": "п", "т": "г", "ы": "ь|", "№": "Мо", "«": "<<", "»": ">>", "—": "-"}


def photo_image(seed: int, text: str | None, size: tuple[int, int] = (900, 640)) -> Image.Image:
    """A made-up event photo: a coloured room, people-like blobs, maybe a banner or date stamp."""
    rng = random.Random(seed)
    w, h = size
    base = tuple(rng.randint(90, 200) for _ in range(3))
    img = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, int(h * 0.65), w, h], fill=tuple(max(0, c - 50) for c in base))
    draw.rectangle([int(w * 0.2), int(h * 0.08), int(w * 0.8), int(h * 0.4)],
                   fill=(235, 235, 225))  # a board or screen
    for _ in range(rng.randint(4, 12)):
        x, yy = rng.randint(0, w), rng.randint(int(h * 0.45), h)
        col = tuple(rng.randint(20, 230) for _ in range(3))
        draw.ellipse([x - 25, yy - 120, x + 25, yy - 70], fill=(225, 190, 160))
        draw.rectangle([x - 40, yy - 70, x + 40, yy + 40], fill=col)
    if text:
        font = ImageFont.truetype(FONT_BOLD, rng.choice([26, 30, 34]))
        draw.text((int(w * 0.22), int(h * 0.15)), text, fill=(30, 30, 90), font=font)
    return img.filter(ImageFilter.GaussianBlur(rng.choice([0, 0.6, 1.0])))


def scan_image(lines: list[str], seed: int) -> Image.Image:
    """A phone photo of a printed page: black text on off-white, slightly turned and blurred."""
    rng = random.Random(seed)
    font = ImageFont.truetype(FONT, 30)
    width = 1700
    wrapped: list[str] = []
    for ln in lines:
        while len(ln) > 80:
            cut = ln.rfind(" ", 0, 80)
            cut = cut if cut > 0 else 80
            wrapped.append(ln[:cut])
            ln = ln[cut:].lstrip()
        wrapped.append(ln)
    img = Image.new("L", (width, 120 + 44 * len(wrapped)), rng.randint(225, 250))
    draw = ImageDraw.Draw(img)
    for i, ln in enumerate(wrapped):
        draw.text((90, 60 + 44 * i), ln, fill=rng.randint(0, 60), font=font)
    img = img.rotate(rng.uniform(-1.2, 1.2), expand=True, fillcolor=235)
    return img.filter(ImageFilter.GaussianBlur(rng.choice([0, 0.5, 0.8]))).convert("RGB")


def _lines(els: list[tuple]) -> list[str]:
    out: list[str] = []
    for el in els:
        if el[0] in ("h", "p") and el[1]:
            out.append(el[1])
        elif el[0] == "t":
            out += ["  ".join(r) for r in el[1]]
    return out


def render_docx(els: list[tuple], path: Path, tmp: Path, rng: random.Random) -> None:
    d = docx.Document()
    d.styles["Normal"].font.name = rng.choice(["Times New Roman", "Arial", "Calibri"])
    d.styles["Normal"].font.size = Pt(rng.choice([11, 12, 14]))
    for el in els:
        if el[0] == "h":
            if rng.random() < 0.3:
                d.add_heading(el[1], level=rng.choice([1, 2]))
            else:
                par = d.add_paragraph()
                par.add_run(el[1]).bold = True
                par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif el[0] == "p":
            d.add_paragraph(el[1])
        elif el[0] == "t":
            rows = el[1]
            t = d.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            t.style = "Table Grid"
            for i, r in enumerate(rows):
                for j, v in enumerate(r):
                    t.cell(i, j).text = v
        elif el[0] == "img":
            img_path = tmp / f"img{el[1]}.jpg"
            photo_image(el[1], None).save(img_path, quality=80)
            d.add_picture(str(img_path), width=Inches(rng.choice([3.5, 5, 6])))
    d.save(path)


def render_pdf(els: list[tuple], path: Path, tmp: Path, rng: random.Random) -> None:
    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", FONT))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", FONT_BOLD))
    size = rng.choice([10, 11, 12])
    normal = ParagraphStyle("n", fontName="DejaVu", fontSize=size, leading=size * 1.3)
    head = ParagraphStyle("h", fontName="DejaVu-Bold", fontSize=size + 1, leading=size * 1.6,
                          alignment=1)
    cell = ParagraphStyle("c", fontName="DejaVu", fontSize=size - 2, leading=(size - 2) * 1.25)
    story: list = []
    for el in els:
        if el[0] in ("h", "p"):
            text = el[1].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            story.append(Paragraph(text or "&nbsp;", head if el[0] == "h" else normal))
        elif el[0] == "t":
            rows = el[1]
            ncol = max(len(r) for r in rows)
            data = [[Paragraph(v.replace("&", "&amp;").replace("<", "&lt;"), cell)
                     for v in r] + [""] * (ncol - len(r)) for r in rows]
            t = Table(data, colWidths=[17 * cm / ncol] * ncol, repeatRows=1)
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [t, Spacer(1, 6)]
        elif el[0] == "img":
            img_path = tmp / f"img{el[1]}.jpg"
            photo_image(el[1], None).save(img_path, quality=80)
            story.append(RLImage(str(img_path), width=14 * cm, height=10 * cm))
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm,
                      topMargin=1.5 * cm, bottomMargin=1.5 * cm).build(story)


def ocr_noise(text: str, rng: random.Random, rate: float) -> str:
    out = []
    for ch in text:
        r = rng.random()
        if r < rate and ch in _CONFUSIONS:
            out.append(_CONFUSIONS[ch])
        elif r < rate * 1.3 and ch == " ":
            out.append(rng.choice(["", "  ", "\n"]))
        elif r < rate * 0.2:
            out.append(rng.choice(["", ".", ",", "'", "~"]))
        else:
            out.append(ch)
    return "".join(out)


def _misleading_line(p: Pools) -> str:
    n = p.rng.randint(1, 9)
    return p.pick([f"Приложение {n} к приказу {p.order_ref()}", f"Приложение № {n}",
                   "Подтверждающий документ к мероприятию 2.3 дорожной карты",
                   f"к протоколу педагогического совета № {n}", "Копия верна"])


def make_one(index: int, doc_type: str, tmp: Path) -> dict[str, str]:
    rng = random.Random(SEED * 1000 + index)
    p = Pools(rng)
    func = GENRES[doc_type][0]
    _, tags, els = func(p)
    subgenre = tags[0]
    variants = tags[1:]
    if doc_type != "photo" and rng.random() < 0.07:
        els = [("p", _misleading_line(p)), *els]
        variants.append("misleading-first-line")
    n_lines = len(_lines(els))
    if doc_type == "photo":
        fmt = rng.choice(["jpg", "jpg", "docx", "docx", "pdf"])
        if len(els) > 2 and fmt == "jpg":
            fmt = "docx"
    elif doc_type in SCANNABLE and n_lines <= 22 and rng.random() < 0.07:
        fmt = "scan"
    else:
        fmt = "pdf" if rng.random() < 0.25 else "docx"
    variants.append(fmt)
    if fmt in ("jpg", "scan"):
        # An image without readable text shows up under its file name: name it like a camera.
        named = next((e[1] for e in els if e[0] == "p" and e[1].lower().endswith(".jpg")), None)
        stem = named or rng.choice([f"IMG_{rng.randint(1000, 9999)}.jpg",
                                    f"IMG-2022{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
                                    f"-WA{rng.randint(0, 99):04d}.jpg",
                                    f"DSC_{rng.randint(100, 9999):04d}.JPG",
                                    f"photo_{rng.randint(1, 300)}.jpg"])
        path = tmp / f"{index:04d}" / stem
        path.parent.mkdir()
    else:
        path = tmp / f"f{index:04d}.{fmt}"
    if fmt == "docx":
        render_docx(els, path, tmp, rng)
    elif fmt == "pdf":
        render_pdf(els, path, tmp, rng)
    elif fmt == "scan":
        scan_image(_lines(els), rng.randint(0, 10**6)).save(path, quality=85)
    else:
        caption = next((e[1] for e in els if e[0] == "p"), None)
        on_image = caption if caption and not caption.lower().endswith((".jpg", ".jpeg")) \
            else None
        if on_image is None:
            variants.append("no-text-on-image")
        photo_image(els[0][1], on_image).save(path, quality=rng.choice([70, 85]))
    rec = doc_to_record(extract(path))
    # Rendered scans OCR almost cleanly; phone photos of real pages do not, so half the scans
    # and a few text files get the confusions of a poor OCR pass.
    noisy = rng.random() < (0.5 if fmt == "scan" else 0.08)
    if fmt in ("docx", "pdf", "scan") and doc_type != "photo" and noisy:
        rate = rng.choice([0.02, 0.04, 0.07])
        rec = {k: ocr_noise(v, rng, rate) for k, v in rec.items()}
        variants.append(f"ocrnoise{rate}")
    return {"title": rec["title"], "body": rec["body"],
            "source": f"synthetic:F:{doc_type}/{subgenre}+{'+'.join(variants)}"}


def main() -> None:
    plan_rng = random.Random(SEED)
    order = [t for t, (_, n) in GENRES.items() for _ in range(n)]
    plan_rng.shuffle(order)
    records = []
    with tempfile.TemporaryDirectory(prefix="author_f_") as tmpdir:
        tmp = Path(tmpdir)
        for i, doc_type in enumerate(order, start=1):
            made = make_one(i, doc_type, tmp)
            records.append({"id": f"author-f-{i:04d}", "title": made["title"],
                            "body": made["body"], "doc_type": doc_type,
                            "source": made["source"]})
            if i % 50 == 0:
                print(f"{i}/{len(order)}", file=sys.stderr)
    with OUT.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    empty = sum(1 for r in records if not (r["title"] or r["body"]).strip())
    print(f"wrote {len(records)} records to {OUT} ({empty} with no text)")


if __name__ == "__main__":
    main()
