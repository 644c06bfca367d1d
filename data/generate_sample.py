"""Generate the bundled sample region export and its ground truth.

`data/sample/<school>/` holds only what a school uploaded to the monitoring system: its anti-risk
programme (АРП) and confirming documents (DOCX and PDF, a corrupt and an empty one among them).
`data/sample_truth/<school>/truth.json` holds what an expert would record: the roadmap items
with their deadlines, which document confirms which item, and the expected K1..K6 scores.

The truth is computed from the generator's own design, never by running the extraction code.

    python data/generate_sample.py [--out data/sample] [--truth data/sample_truth]
                                   [--schools N] [--seed S]

The first six schools are hand-designed (every roadmap layout, every scoring case); beyond six,
schools are recombined from the same pools with a seeded RNG, so benchmarks can ask for 20, 100
or 300 schools with exact truth. Same seed, same texts and same bytes (PDFs are written with
`invariant=1`, DOCX archives with fixed timestamps).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

REPORT_DATE = date(2022, 6, 1)
PERIOD_START = date(2022, 1, 1)
YEAR = 2022
ROOT = Path(__file__).resolve().parent

MONTHS_GEN = [
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
]


def d(month: int, day: int) -> date:
    return date(YEAR, month, day)


def fmt_d(x: date) -> str:
    return x.strftime("%d.%m.%Y")


def fmt_long(x: date) -> str:
    return f"{x.day} {MONTHS_GEN[x.month - 1]} {x.year} г."


def fmt_quoted(x: date) -> str:
    return f"«{x.day:02d}» {MONTHS_GEN[x.month - 1]} {x.year} г."


# ---------------------------------------------------------------------------------------------
# Deadlines: every deadline text the generator may print, with the interpretation the parser
# is expected to recover (bare date = day, month = first..last day, "До D" = end only, open
# range "Март-" = start only, quarter / half-year / year spans, vague words = no dates).
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    text: str
    start: date | None
    end: date | None
    precision: str  # day | month | quarter | half_year | year | vague


def _dl(text: str, start: date | None, end: date | None, precision: str) -> Deadline:
    return Deadline(text, start, end, precision)


DEADLINES: dict[str, Deadline] = {
    x.text: x
    for x in [
        _dl("До 11.02.2022", None, d(2, 11), "day"),
        _dl("11.02.2022–14.02.2022", d(2, 11), d(2, 14), "day"),
        _dl("Февраль-декабрь 2022", d(2, 1), d(12, 31), "month"),
        _dl("Апрель-май, 2022 год", d(4, 1), d(5, 31), "month"),
        _dl("Март - май, 2022 год", d(3, 1), d(5, 31), "month"),
        _dl("Май, 2022 год", d(5, 1), d(5, 31), "month"),
        _dl("Май-ноябрь", d(5, 1), d(11, 30), "month"),
        _dl("17 января 2022", d(1, 17), d(1, 17), "day"),
        _dl("28 января 2022", d(1, 28), d(1, 28), "day"),
        _dl("25 февраля 2022", d(2, 25), d(2, 25), "day"),
        _dl("24.01-01-02.2022", d(1, 24), d(2, 1), "day"),
        _dl("До 30 апреля", None, d(4, 30), "day"),
        _dl("До 20 мая", None, d(5, 20), "day"),
        _dl("До 30 сентября", None, d(9, 30), "day"),
        _dl("До 25.05.2022", None, d(5, 25), "day"),
        _dl("Декабрь", d(12, 1), d(12, 31), "month"),
        _dl("Декабрь 2022", d(12, 1), d(12, 31), "month"),
        _dl("Октябрь 2022", d(10, 1), d(10, 31), "month"),
        _dl("Сентябрь-октябрь 2022", d(9, 1), d(10, 31), "month"),
        _dl("Ноябрь", d(11, 1), d(11, 30), "month"),
        _dl("Январь", d(1, 1), d(1, 31), "month"),
        _dl("Январь-февраль", d(1, 1), d(2, 28), "month"),
        _dl("Февраль 2022", d(2, 1), d(2, 28), "month"),
        _dl("Февраль-март 2022", d(2, 1), d(3, 31), "month"),
        _dl("Март 2022", d(3, 1), d(3, 31), "month"),
        _dl("Апрель 2022", d(4, 1), d(4, 30), "month"),
        _dl("Май 2022", d(5, 1), d(5, 31), "month"),
        _dl("Март-апрель", d(3, 1), d(4, 30), "month"),
        _dl("15.03.2022", d(3, 15), d(3, 15), "day"),
        _dl("24.03.2022", d(3, 24), d(3, 24), "day"),
        _dl("18.04.2022", d(4, 18), d(4, 18), "day"),
        _dl("20.05.2022", d(5, 20), d(5, 20), "day"),
        _dl("28.02.2022", d(2, 28), d(2, 28), "day"),
        _dl("14.09.2022", d(9, 14), d(9, 14), "day"),
        _dl("В течение года (2 совещания в месяц)", None, None, "vague"),
        _dl("В течение года", None, None, "vague"),
        _dl("В течение всего периода", None, None, "vague"),
        _dl("По отдельному графику", None, None, "vague"),
        _dl("В соответствии с запросами", None, None, "vague"),
        _dl("ежемесячно", None, None, "vague"),
        _dl("в конце четверти", None, None, "vague"),
        _dl("По мере необходимости", None, None, "vague"),
        _dl("Постоянно", None, None, "vague"),
        _dl("Март-", d(3, 1), None, "month"),
        _dl("I квартал 2022", d(1, 1), d(3, 31), "quarter"),
        _dl("II квартал 2022", d(4, 1), d(6, 30), "quarter"),
        _dl("первое полугодие 2022 года", d(1, 1), d(6, 30), "half_year"),
        _dl("2022 год", d(1, 1), d(12, 31), "year"),
    ]
}

STRICT_PAST = [
    "До 11.02.2022", "11.02.2022–14.02.2022", "Апрель-май, 2022 год", "Март - май, 2022 год",
    "Май, 2022 год", "17 января 2022", "28 января 2022", "25 февраля 2022", "24.01-01-02.2022",
    "До 30 апреля", "До 20 мая", "До 25.05.2022", "Январь", "Январь-февраль", "Февраль 2022",
    "Февраль-март 2022", "Март 2022", "Апрель 2022", "Май 2022", "Март-апрель", "15.03.2022",
    "24.03.2022", "18.04.2022", "20.05.2022", "28.02.2022", "Март-",
]
STRICT_FUTURE = [
    "Февраль-декабрь 2022", "Май-ноябрь", "До 30 сентября", "Декабрь", "Декабрь 2022",
    "Октябрь 2022", "Сентябрь-октябрь 2022", "Ноябрь", "14.09.2022",
]
LOOSE = [
    "В течение года (2 совещания в месяц)", "В течение года", "В течение всего периода",
    "По отдельному графику", "В соответствии с запросами", "ежемесячно", "в конце четверти",
    "По мере необходимости", "Постоянно", "I квартал 2022", "II квартал 2022",
    "первое полугодие 2022 года", "2022 год",
]


def is_planned(dl: Deadline, report_date: date = REPORT_DATE) -> bool:
    """Whether an item falls in the reporting period (the scoring convention in DOMAIN.md)."""
    if dl.end is not None and dl.end <= report_date:
        return True
    if dl.precision not in ("day", "month") and (dl.start is None or dl.start <= report_date):
        return True
    return dl.end is None and dl.start is not None and dl.start <= report_date


def window(dl: Deadline) -> tuple[date, date]:
    """Dates on which a confirming document of this item may be dated (before the report)."""
    lo = max(dl.start or d(1, 12), d(1, 12))
    hi = min(dl.end or d(5, 27), REPORT_DATE - timedelta(days=1))
    if dl.precision == "vague":
        lo, hi = d(1, 20), d(5, 27)
    return lo, hi


def pick_date(rng: random.Random, lo: date, hi: date, weekday: bool = True) -> date:
    if hi < lo:
        hi = lo
    span = (hi - lo).days
    for _ in range(20):
        x = lo + timedelta(days=rng.randint(0, span))
        if not weekday or x.weekday() < 5 or span < 3:
            return x
    return lo


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------

SURNAMES = [
    "Смирнов", "Кузнецов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов", "Волков",
    "Соловьёв", "Зайцев", "Павлов", "Семёнов", "Голубев", "Виноградов", "Богданов", "Воробьёв",
    "Беляев", "Тарасов", "Комаров", "Орлов", "Киселёв", "Макаров", "Андреев", "Ильин", "Гусев",
    "Титов", "Кузьмин", "Кудрявцев", "Баранов", "Куликов", "Сорокин", "Романов", "Захаров",
    "Борисов", "Герасимов", "Пономарёв", "Лазарев", "Медведев", "Ершов", "Никитин", "Соболев",
    "Рябов", "Поляков", "Цветков", "Жуков", "Фролов", "Журавлёв", "Крылов", "Осипов", "Белоусов",
    "Федотов", "Дорофеев", "Егоров", "Матвеев", "Бобров", "Калинин", "Анисимов", "Тимофеев",
    "Веселов", "Филиппов", "Марков", "Суханов", "Миронов", "Ширяев", "Коновалов", "Шестаков",
    "Ефимов", "Громов", "Давыдов", "Мельников", "Щербаков", "Карпов", "Власов", "Маслов",
    "Тихонов", "Гаврилов", "Родионов", "Котов", "Горбунов", "Быков", "Зуев", "Савельев",
    "Рыбаков", "Абрамов", "Воронов", "Мухин", "Архипов", "Трофимов", "Мартынов", "Горшков",
    "Чернов", "Галкин", "Назаров", "Лобанов", "Лукин", "Потапов", "Жданов", "Наумов", "Ермаков",
    "Дроздов", "Савин", "Логинов", "Кириллов", "Моисеев", "Елисеев", "Костин", "Ефремов",
    "Исаев", "Носков", "Юдин", "Лапин", "Прохоров", "Нестеров", "Харитонов", "Зимин", "Шубин",
    "Филатов", "Крюков", "Рогов", "Гришин", "Симонов", "Мишин", "Фадеев", "Носов", "Шаров",
    "Устинов", "Корнилов", "Бирюков", "Щукин", "Сазонов", "Гордеев", "Самойлов", "Князев",
    "Уваров", "Доронин", "Рожков", "Лихачёв", "Буров", "Сысоев", "Фокин", "Субботин", "Блохин",
    "Вишневский", "Покровский", "Ключевский", "Троицкий",
]
FEMALE_NAMES = [
    ("Ольга", "О"), ("Наталья", "Н"), ("Елена", "Е"), ("Татьяна", "Т"), ("Ирина", "И"),
    ("Светлана", "С"), ("Марина", "М"), ("Галина", "Г"), ("Людмила", "Л"), ("Надежда", "Н"),
    ("Анна", "А"), ("Юлия", "Ю"), ("Валентина", "В"), ("Любовь", "Л"), ("Екатерина", "Е"),
    ("Оксана", "О"), ("Вера", "В"), ("Лариса", "Л"), ("Жанна", "Ж"), ("Алёна", "А"),
]
MALE_NAMES = [
    ("Сергей", "С"), ("Александр", "А"), ("Андрей", "А"), ("Владимир", "В"), ("Николай", "Н"),
    ("Алексей", "А"), ("Михаил", "М"), ("Игорь", "И"), ("Дмитрий", "Д"), ("Виктор", "В"),
]
PATRONYMICS_F = [
    ("Николаевна", "Н"), ("Владимировна", "В"), ("Александровна", "А"), ("Сергеевна", "С"),
    ("Викторовна", "В"), ("Ивановна", "И"), ("Юрьевна", "Ю"), ("Анатольевна", "А"),
    ("Михайловна", "М"), ("Геннадьевна", "Г"), ("Борисовна", "Б"), ("Петровна", "П"),
]
PATRONYMICS_M = [
    ("Николаевич", "Н"), ("Владимирович", "В"), ("Александрович", "А"), ("Сергеевич", "С"),
    ("Викторович", "В"), ("Иванович", "И"), ("Юрьевич", "Ю"), ("Анатольевич", "А"),
]


def feminine(surname: str) -> str:
    if surname.endswith("ский") or surname.endswith("цкий"):
        return surname[:-2] + "ая"
    return surname + "а"


@dataclass(frozen=True)
class Person:
    surname: str
    first: str
    patronymic: str
    female: bool
    role: str = ""

    @property
    def initials(self) -> str:
        return f"{self.first[0]}.{self.patronymic[0]}."

    @property
    def short(self) -> str:  # Смирнова О.Н.
        return f"{self.surname} {self.initials}"

    @property
    def short_front(self) -> str:  # О.Н. Смирнова
        return f"{self.initials} {self.surname}"

    @property
    def full(self) -> str:
        return f"{self.surname} {self.first} {self.patronymic}"

    def past(self, masc: str, fem: str) -> str:
        return fem if self.female else masc


def make_person(rng: random.Random, used: set[str], role: str = "",
                female: bool | None = None) -> Person:
    if female is None:
        female = rng.random() < 0.82
    for _ in range(200):
        base = rng.choice(SURNAMES)
        surname = feminine(base) if female else base
        if surname not in used:
            break
    used.add(surname)
    if female:
        first = rng.choice(FEMALE_NAMES)[0]
        patr = rng.choice(PATRONYMICS_F)[0]
    else:
        first = rng.choice(MALE_NAMES)[0]
        patr = rng.choice(PATRONYMICS_M)[0]
    return Person(surname, first, patr, female, role)


# ---------------------------------------------------------------------------------------------
# A tiny document model rendered both to DOCX (python-docx) and PDF (reportlab)
# ---------------------------------------------------------------------------------------------


@dataclass
class Para:
    text: str
    align: str = "left"  # left | center | right | justify
    bold: bool = False
    italic: bool = False
    size: float | None = None
    space_after: float = 4
    indent: bool = False


@dataclass
class Tbl:
    rows: list[list[str]]
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1
    header_rows: int = 1
    widths: list[float] | None = None  # relative
    size: float | None = None
    repeat_rows: int = 0
    split_in_row: bool = False
    bold_rows: tuple[int, ...] = ()
    grid: bool = True


@dataclass
class PageBreak:
    pass


@dataclass
class DocSpec:
    elements: list
    landscape: bool = False
    font: str = "serif"  # serif | sans
    size: float = 11
    title: str = ""


FIXED_TIME = datetime(2022, 6, 1, 9, 0, 0)


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a DOCX archive with fixed member timestamps so output is byte-stable."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2022, 6, 1, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def render_docx(spec: DocSpec) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    font_name = "Times New Roman" if spec.font == "serif" else "Arial"
    normal = doc.styles["Normal"]
    normal.font.name = font_name
    normal.font.size = Pt(spec.size)
    normal.paragraph_format.space_after = Pt(2)
    cp = doc.core_properties
    cp.author = ""
    cp.last_modified_by = ""
    cp.title = spec.title
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME
    cp.revision = 1
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    if spec.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for m in ("left_margin", "right_margin"):
        setattr(section, m, Cm(2.0 if not spec.landscape else 1.5))
    section.top_margin = section.bottom_margin = Cm(1.5)
    usable = (29.7 if spec.landscape else 21.0) - (3.0 if spec.landscape else 4.0)
    aligns = {
        "left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }
    for el in spec.elements:
        if isinstance(el, Para):
            p = doc.add_paragraph()
            p.alignment = aligns[el.align]
            p.paragraph_format.space_after = Pt(el.space_after)
            if el.indent:
                p.paragraph_format.first_line_indent = Cm(1.0)
            run = p.add_run(el.text)
            run.bold = el.bold
            run.italic = el.italic
            if el.size:
                run.font.size = Pt(el.size)
        elif isinstance(el, PageBreak):
            doc.add_page_break()
        elif isinstance(el, Tbl):
            n_rows, n_cols = len(el.rows), max(len(r) for r in el.rows)
            table = doc.add_table(rows=n_rows, cols=n_cols)
            if el.grid:
                table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            covered: set[tuple[int, int]] = set()
            for r0, c0, r1, c1 in el.spans:
                table.cell(r0, c0).merge(table.cell(r1, c1))
                for r in range(r0, r1 + 1):
                    for c in range(c0, c1 + 1):
                        if (r, c) != (r0, c0):
                            covered.add((r, c))
            if el.widths:
                total = sum(el.widths)
                for c, w in enumerate(el.widths):
                    for r in range(n_rows):
                        table.rows[r].cells[c].width = Cm(usable * w / total)
            for r, row in enumerate(el.rows):
                for c, text in enumerate(row):
                    if (r, c) in covered or not text:
                        continue
                    cell = table.cell(r, c)
                    lines = text.split("\n")
                    par = cell.paragraphs[0]
                    for i, line in enumerate(lines):
                        if i:
                            par = cell.add_paragraph()
                        run = par.add_run(line)
                        if r < el.header_rows or r in el.bold_rows:
                            run.bold = True
                            par.alignment = WD_ALIGN_PARAGRAPH.CENTER
                        if el.size:
                            run.font.size = Pt(el.size)
            doc.add_paragraph()
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue())


_FONTS_READY = False


def _font_dir() -> Path:
    p = Path("/usr/share/fonts/truetype/dejavu")
    if (p / "DejaVuSans.ttf").exists():
        return p
    import matplotlib  # fallback: matplotlib bundles DejaVu fonts

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _register_fonts() -> None:
    global _FONTS_READY
    if _FONTS_READY:
        return
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fd = _font_dir()
    pairs = {
        "DVSans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"),
        "DVSerif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf"),
    }
    for fam, (reg, bold, ital) in pairs.items():
        reg_p = fd / reg
        bold_p = fd / bold if (fd / bold).exists() else reg_p
        ital_p = fd / ital if (fd / ital).exists() else reg_p
        pdfmetrics.registerFont(TTFont(fam, str(reg_p)))
        pdfmetrics.registerFont(TTFont(fam + "-B", str(bold_p)))
        pdfmetrics.registerFont(TTFont(fam + "-I", str(ital_p)))
        addMapping(fam, 0, 0, fam)
        addMapping(fam, 1, 0, fam + "-B")
        addMapping(fam, 0, 1, fam + "-I")
        addMapping(fam, 1, 1, fam + "-B")
    _FONTS_READY = True


def render_pdf(spec: DocSpec) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak as RLPageBreak
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    fam = "DVSerif" if spec.font == "serif" else "DVSans"
    pagesize = landscape(A4) if spec.landscape else A4
    buf = io.BytesIO()
    margin = 1.5 * cm
    doc = SimpleDocTemplate(
        buf, pagesize=pagesize, leftMargin=margin, rightMargin=margin, topMargin=margin,
        bottomMargin=margin, invariant=1, title=spec.title, author="", creator="", producer="",
        subject="",
    )
    aligns = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
    story: list = []
    for el in spec.elements:
        if isinstance(el, Para):
            size = el.size or spec.size
            style = ParagraphStyle(
                "p", fontName=fam + ("-B" if el.bold else "-I" if el.italic else ""),
                fontSize=size, leading=size * 1.25, alignment=aligns[el.align],
                spaceAfter=el.space_after, firstLineIndent=(0.8 * cm if el.indent else 0),
            )
            text = escape(el.text) if el.text else "&nbsp;"
            story.append(Paragraph(text, style))
        elif isinstance(el, PageBreak):
            story.append(RLPageBreak())
        elif isinstance(el, Tbl):
            size = el.size or max(spec.size - 2, 7)
            body = ParagraphStyle("c", fontName=fam, fontSize=size, leading=size * 1.2)
            head = ParagraphStyle("h", parent=body, fontName=fam + "-B", alignment=TA_CENTER)
            covered = set()
            for r0, c0, r1, c1 in el.spans:
                for r in range(r0, r1 + 1):
                    for c in range(c0, c1 + 1):
                        if (r, c) != (r0, c0):
                            covered.add((r, c))
            data = []
            for r, row in enumerate(el.rows):
                out = []
                for c, text in enumerate(row):
                    if (r, c) in covered or not text:
                        out.append("")
                        continue
                    st = head if (r < el.header_rows or r in el.bold_rows) else body
                    out.append(Paragraph(escape(text).replace("\n", "<br/>"), st))
                data.append(out)
            width = pagesize[0] - 2 * margin
            n_cols = max(len(r) for r in el.rows)
            ws = el.widths or [1] * n_cols
            col_w = _fit_widths(el, [width * w / sum(ws) for w in ws], covered, fam, size)
            cmds = [("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
            if el.grid:
                cmds.append(("GRID", (0, 0), (-1, -1), 0.6, colors.black))
                # reportlab drops the top line of a row continued after a page break:
                # draw the line under the (repeated) header explicitly
                cmds.append(("LINEBELOW", (0, max(el.repeat_rows, 1) - 1),
                             (-1, max(el.repeat_rows, 1) - 1), 0.6, colors.black))
            for r0, c0, r1, c1 in el.spans:
                cmds.append(("SPAN", (c0, r0), (c1, r1)))
            # splitByRow=0 makes reportlab cut the row that straddles a page break instead of
            # pushing it whole to the next page: the continuation is a row without a number.
            cls = _boxed_table() if el.split_in_row else Table
            t = cls(data, colWidths=col_w, repeatRows=el.repeat_rows,
                      splitByRow=0 if el.split_in_row else 1,
                      splitInRow=1 if el.split_in_row else 0)
            t.setStyle(TableStyle(cmds))
            story.append(t)
            story.append(Spacer(1, 8))
    doc.build(story)
    return buf.getvalue()


def _clean(text: str) -> str:
    """Drop the doubled period after initials at a sentence end ("Смирнова О.Н..")."""
    return re.sub(r"(?<=[А-ЯЁ])\.\.", ".", text)


_BOXED: type | None = None


def _boxed_table() -> type:
    """A Table that closes each piece with a frame, as Word does when a row runs over a page.

    reportlab leaves the cut edge of a row split across pages open; the bottom line of the
    first half is what table extractors need to see the row.
    """
    global _BOXED
    if _BOXED is None:
        from reportlab.platypus import Table

        class Boxed(Table):
            def draw(self) -> None:
                super().draw()
                c = self.canv
                c.saveState()
                c.setLineWidth(0.6)
                c.rect(0, 0, self._width, self._height)
                c.restoreState()

        _BOXED = Boxed
    return _BOXED


def _fit_widths(el: Tbl, col_w: list[float], covered: set, fam: str, size: float) -> list[float]:
    """Widen columns so that no word is broken inside (extraction then sees whole words)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    wide = {(r0, c0) for r0, c0, _r1, c1 in el.spans if c1 > c0}
    mins = [0.0] * len(col_w)
    for r, row in enumerate(el.rows):
        for c, text in enumerate(row):
            if (r, c) in covered or (r, c) in wide or not text:
                continue
            font = fam + "-B" if (r < el.header_rows or r in el.bold_rows) else fam
            for word in text.split():
                mins[c] = max(mins[c], stringWidth(word, font, size) + 7)
    total = sum(col_w)
    out = [max(w, m) for w, m in zip(col_w, mins, strict=True)]
    for _ in range(10):
        excess = sum(out) - total
        if excess <= 0.01:
            break
        slack = [max(0.0, w - m) for w, m in zip(out, mins, strict=True)]
        if sum(slack) <= 0:
            break
        k = min(1.0, excess / sum(slack))
        out = [w - sl * k for w, sl in zip(out, slack, strict=True)]
    return out


def render(spec: DocSpec, fmt: str) -> bytes:
    for el in spec.elements:
        if isinstance(el, Para):
            el.text = _clean(el.text)
        elif isinstance(el, Tbl):
            el.rows = [[_clean(c) for c in row] for row in el.rows]
    return render_docx(spec) if fmt == "docx" else render_pdf(spec)


# ---------------------------------------------------------------------------------------------
# Risk directions and the pool of roadmap topics (activity + how schools write about it)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Direction:
    key: str
    name: str
    goal: str
    tasks: tuple[str, ...]
    org_task: str
    targets: tuple[str, ...]
    profile: tuple[tuple[str, str, str], ...]


DIRECTIONS: dict[str, Direction] = {
    x.key: x
    for x in [
        Direction(
            "neusp", "Высокая доля обучающихся с рисками учебной неуспешности",
            "снижение доли обучающихся с рисками учебной неуспешности к концу 2022 года за счёт "
            "создания условий для эффективного обучения и повышения мотивации школьников",
            (
                "Выявить обучающихся с рисками учебной неуспешности и причины их затруднений",
                "Организовать адресную работу с обучающимися, испытывающими трудности в обучении",
                "Повысить вовлечённость родителей в процесс обучения детей",
                "Обеспечить методическую поддержку педагогов в работе с обучающимися группы риска",
            ),
            "Обеспечить управленческое сопровождение реализации программы",
            (
                "доля обучающихся, имеющих неудовлетворительные отметки по итогам года, — "
                "не более 3%",
                "повышение качества обученности по школе на 5%",
                "подтверждение не менее 50% обучающихся своих отметок на ВПР",
                "100% обучающихся группы риска охвачены индивидуальным сопровождением",
            ),
            (
                ("Доля обучающихся с неудовлетворительными отметками, %", "7,8", "6,1"),
                ("Качество обученности по школе, %", "31", "29"),
                ("Доля обучающихся, не подтвердивших отметки на ВПР, %", "46", "41"),
            ),
        ),
        Direction(
            "komp",
            "Недостаточная предметная и методическая компетентность педагогических работников",
            "повышение предметной и методической компетентности педагогов как условия роста "
            "образовательных результатов обучающихся",
            (
                "Повышение профессионального развития, обеспечивающее повышение качества работы "
                "учителя в области технологий обучения обучающихся с рисками школьной неуспешности",
                "Формирование системы мероприятий, направленных на поддержание и повышение учебной "
                "мотивации обучающихся",
                "Распространение эффективных педагогических практик внутри школы",
            ),
            "Организовать мониторинг и управленческое сопровождение программы",
            (
                "доля педагогов, прошедших курсы повышения квалификации, — не менее 70%",
                "доля педагогов, применяющих технологию формирующего оценивания, — не менее 60%",
                "у 100% педагогов определены индивидуальные образовательные маршруты",
            ),
            (
                ("Доля педагогов, прошедших КПК за 3 года, %", "48", "55"),
                ("Доля педагогов с высшей и первой категорией, %", "39", "41"),
                ("Доля педагогов, выявивших у себя профессиональные дефициты, %", "—", "64"),
            ),
        ),
        Direction(
            "sreda", "Пониженный уровень качества школьной образовательной и воспитательной среды",
            "создание безопасной, комфортной и развивающей образовательной среды, "
            "способствующей успешности каждого обучающегося",
            (
                "Создать условия для успешной адаптации обучающихся к новым условиям при переходе "
                "из начальной школы в основную",
                "Снизить уровень конфликтности в ученических коллективах",
                "Повысить вовлечённость родителей в жизнь школы",
            ),
            "Обеспечить управленческое сопровождение реализации программы",
            (
                "доля обучающихся с высоким уровнем школьной тревожности — не более 15%",
                "доля родителей, удовлетворённых школьным климатом, — не менее 75%",
                "отсутствие зафиксированных случаев буллинга",
            ),
            (
                ("Доля обучающихся, отмечающих комфортность школьной среды, %", "58", "63"),
                ("Количество обращений в службу примирения", "9", "6"),
                ("Доля родителей, участвующих в общешкольных мероприятиях, %", "22", "27"),
            ),
        ),
        Direction(
            "pk", "Несформированность внутришкольной системы повышения квалификации",
            "формирование внутришкольной системы непрерывного профессионального развития "
            "педагогов, ориентированной на их реальные дефициты",
            (
                "Создать нормативную и организационную основу внутришкольной системы повышения "
                "квалификации",
                "Выявить профессиональные дефициты педагогов и спланировать их устранение",
                "Обеспечить обмен опытом и профессиональное взаимодействие педагогов",
            ),
            "Обеспечить управленческое сопровождение реализации программы",
            (
                "100% педагогов имеют индивидуальные планы профессионального развития",
                "в школе действуют не менее 2 профессиональных обучающихся сообществ",
                "каждый педагог посетил не менее 4 уроков коллег",
            ),
            (
                ("Доля педагогов, участвующих в школьных методических мероприятиях, %", "35", "47"),
                ("Доля педагогов, прошедших КПК по актуальным дефицитам, %", "20", "38"),
            ),
        ),
        Direction(
            "motiv", "Низкая учебная мотивация обучающихся",
            "повышение учебной мотивации обучающихся через вовлечение их в активную "
            "познавательную, проектную и внеурочную деятельность",
            (
                "Изучить уровень и причины низкой учебной мотивации обучающихся",
                "Организовать внеурочную и проектную деятельность, повышающую интерес к учёбе",
                "Обеспечить организационное сопровождение реализации программы",
            ),
            "Обеспечить организационное сопровождение реализации программы",
            (
                "доля обучающихся с высоким и средним уровнем учебной мотивации — не менее 60%",
                "доля участников школьного этапа ВсОШ — не менее 35% обучающихся",
                "100% обучающихся 8–9 классов выполняют индивидуальные проекты",
            ),
            (
                ("Доля обучающихся с низкой учебной мотивацией, %", "44", "39"),
                ("Доля участников ВсОШ, %", "21", "26"),
            ),
        ),
    ]
}


@dataclass(frozen=True)
class Topic:
    key: str
    dirs: tuple[tuple[str, int], ...]  # (direction key or "*", task index; -1 = org task)
    acts: tuple[str, ...]
    inds: tuple[str, ...]
    resp: tuple[str, ...]
    part: str
    gen: tuple[str, ...]  # genitive phrase: "по итогам ...", "о проведении ..."
    acc: str  # accusative phrase: "Провести ..."
    goal: str  # infinitive phrase: "Цель: ..."
    gist: tuple[str, ...]  # what was done, past tense, in the school's own words
    res: tuple[str, ...]  # results with numbers
    decis: tuple[str, ...]  # decisions / recommendations
    proto: str = "совещание"  # kind of meeting that discusses it
    docs: tuple[str, ...] = ("analytic_note",)  # natural result-kind documents
    product: str | None = None
    order_title: str | None = None
    expected_order: bool = False
    not_before: date | None = None  # a confirming document cannot be earlier than this
    agenda: str | None = None  # agenda item when the document is the meeting itself
    conflicts: tuple[str, ...] = ()


def _t(**kw) -> Topic:
    for k in ("acts", "inds", "resp", "gen", "gist", "res", "decis", "docs", "dirs"):
        if k in kw and isinstance(kw[k], list):
            kw[k] = tuple(kw[k])
    return Topic(**kw)


TOPICS: dict[str, Topic] = {}


def _add(**kw) -> None:
    t = _t(**kw)
    TOPICS[t.key] = t


_add(
    key="diag_neusp", dirs=[("neusp", 0)],
    acts=["Проведение входной диагностики обучающихся 5–9 классов с целью выявления обучающихся "
          "с рисками учебной неуспешности",
          "Выявление обучающихся группы риска по результатам входных контрольных работ и текущей "
          "успеваемости"],
    inds=["Сформирован список обучающихся группы риска, определены причины затруднений",
          "Аналитическая справка по результатам диагностики"],
    resp=["Заместитель директора по УВР", "Заместитель директора по УВР, классные руководители"],
    part="Обучающиеся 5–9 классов",
    gen=["входных диагностических работ в 5–9 классах",
         "диагностики обучающихся, испытывающих трудности в обучении"],
    acc="входные диагностические работы по русскому языку и математике в 5–9 классах",
    goal="определить уровень предметной подготовки обучающихся и выявить детей, нуждающихся в "
         "дополнительной поддержке",
    gist=["Диагностические работы по русскому языку и математике выполняли обучающиеся 5–9 "
          "классов; задания составлены руководителями ШМО с учётом типичных ошибок прошлого года.",
          "Проверка проводилась по единым критериям, результаты внесены в сводную таблицу по "
          "классам.",
          "Параллельно классные руководители проанализировали текущую успеваемость и пропуски "
          "уроков за первое полугодие."],
    res=["Работу выполнили {ns} обучающихся, что составляет {p3}% от списочного состава.",
         "Не справились с работой по математике {k2} человек, по русскому языку — {k}; эти "
         "обучающиеся включены в группу риска.",
         "Наиболее типичные затруднения связаны с вычислительными навыками, пониманием условия "
         "задачи и орфографией."],
    decis=["Утвердить список обучающихся группы риска учебной неуспешности.",
           "Учителям-предметникам разработать индивидуальные планы ликвидации пробелов в знаниях.",
           "Классным руководителям проинформировать родителей о результатах диагностики."],
    proto="совещание", docs=["analytic_note", "protocol"],
)
_add(
    key="ppk", dirs=[("neusp", 1)],
    acts=["Заседание психолого-педагогического консилиума по вопросам сопровождения обучающихся "
          "с трудностями в обучении",
          "Работа школьного ППк: рассмотрение индивидуальных случаев неуспешности обучающихся"],
    inds=["Для каждого обучающегося группы риска определены формы сопровождения",
          "Протокол заседания ППк, рекомендации педагогам"],
    resp=["Председатель ППк, педагог-психолог"],
    part="Педагоги, педагог-психолог, социальный педагог, родители",
    gen=["заседания психолого-педагогического консилиума",
         "работы ППк по сопровождению обучающихся группы риска"],
    acc="заседание психолого-педагогического консилиума",
    goal="выработать согласованные меры сопровождения обучающихся, испытывающих стойкие "
         "трудности в освоении программы",
    gist=["Рассмотрены представления классных руководителей и учителей-предметников на {k} "
          "обучающихся, получивших неудовлетворительные отметки за четверть.",
          "Педагог-психолог сообщила результаты обследования познавательной сферы и "
          "эмоционального состояния детей.",
          "Обсуждались причины неуспешности: пропуски занятий, низкий темп работы, отсутствие "
          "контроля со стороны семьи."],
    res=["Для {k} обучающихся выработаны индивидуальные рекомендации, двое направлены на "
         "консультацию в ТПМПК.",
         "За каждым ребёнком закреплён педагог, отвечающий за его сопровождение."],
    decis=["Организовать индивидуальные занятия с обучающимися группы риска по графику.",
           "Педагогу-психологу провести коррекционно-развивающие занятия с обучающимися, имеющими "
           "низкий уровень произвольного внимания.",
           "Рассмотреть результаты сопровождения на следующем заседании консилиума."],
    agenda="О сопровождении обучающихся, испытывающих трудности в освоении образовательной "
           "программы",
    proto="ППк", docs=["protocol"],
)
_add(
    key="iom_students", dirs=[("neusp", 1), ("motiv", 1)],
    acts=["Разработка индивидуальных образовательных маршрутов для обучающихся с рисками учебной "
          "неуспешности",
          "Составление индивидуальных планов ликвидации пробелов в знаниях обучающихся группы "
          "риска"],
    inds=["Разработаны ИОМ для 100% обучающихся группы риска",
          "Индивидуальные образовательные маршруты обучающихся"],
    resp=["Учителя-предметники, классные руководители"],
    part="Обучающиеся группы риска",
    gen=["разработки индивидуальных образовательных маршрутов обучающихся",
         "составления индивидуальных планов работы со слабоуспевающими обучающимися"],
    acc="индивидуальные образовательные маршруты для обучающихся группы риска",
    goal="спланировать ликвидацию пробелов в знаниях каждого обучающегося группы риска",
    gist=["На основе результатов диагностики учителя математики и русского языка составили для "
          "обучающихся группы риска индивидуальные маршруты с перечнем тем для повторения.",
          "Маршруты согласованы с родителями обучающихся под подпись."],
    res=["Индивидуальные маршруты составлены для {k} обучающихся 5–9 классов.",
         "По итогам первого месяца работы {k2} обучающихся улучшили результаты текущих "
         "проверочных работ."],
    decis=["Учителям-предметникам ежемесячно отмечать продвижение обучающихся по маршрутам.",
           "Классным руководителям контролировать посещение индивидуальных занятий."],
    proto="ШМО", docs=["product"], product="iom_student",
    order_title="Об утверждении индивидуальных образовательных маршрутов обучающихся",
)
_add(
    key="consult", dirs=[("neusp", 1)],
    acts=["Организация дополнительных занятий и консультаций по математике и русскому языку для "
          "слабоуспевающих обучающихся",
          "Проведение индивидуально-групповых консультаций для обучающихся, имеющих пробелы в "
          "знаниях"],
    inds=["Охват обучающихся группы риска дополнительными занятиями — 100%",
          "Снижение количества неудовлетворительных отметок по итогам четверти"],
    resp=["Учителя-предметники"],
    part="Обучающиеся группы риска",
    gen=["дополнительных консультаций для слабоуспевающих обучающихся",
         "индивидуально-групповых занятий по математике и русскому языку"],
    acc="дополнительные консультации по математике и русскому языку для обучающихся, имеющих "
        "пробелы в знаниях",
    goal="ликвидировать пробелы в знаниях обучающихся и предупредить неуспеваемость по итогам года",
    gist=["Консультации проводились после уроков два раза в неделю по утверждённому графику; "
          "каждое занятие фиксировалось в журнале индивидуальных занятий.",
          "На занятиях отрабатывались темы, вызвавшие затруднения на контрольных работах, "
          "использовались карточки с разноуровневыми заданиями."],
    res=["Занятия посещали {ns} обучающихся, средняя посещаемость составила {p3}%.",
         "Количество неудовлетворительных отметок по математике в группе снизилось с {k2} до {k}."],
    decis=["Продолжить работу консультационных групп до конца учебного года.",
           "Учителям обеспечить индивидуальную обратную связь по каждой выполненной работе."],
    proto="ШМО", docs=["report", "analytic_note"],
    order_title="Об организации дополнительных консультаций для обучающихся, испытывающих "
                "трудности в обучении",
)
_add(
    key="monitoring", dirs=[("neusp", 0), ("motiv", 0)],
    acts=["Мониторинг успеваемости и посещаемости обучающихся по итогам четверти",
          "Анализ успеваемости обучающихся группы риска по итогам учебных периодов"],
    inds=["Доля обучающихся, имеющих неудовлетворительные отметки, снижена до 3%",
          "Аналитическая справка по итогам четверти"],
    resp=["Заместитель директора по УВР"],
    part="Классные руководители, учителя-предметники",
    gen=["III четверти 2021/2022 учебного года",
         "мониторинга успеваемости обучающихся за III четверть"],
    acc="мониторинг успеваемости и посещаемости обучающихся по итогам III четверти",
    goal="оценить динамику успеваемости обучающихся и результативность мер поддержки "
         "обучающихся группы риска",
    gist=["Проанализированы итоговые отметки за III четверть по всем классам, сведения "
          "электронного журнала о пропусках уроков и результаты обучающихся группы риска."],
    res=["Успеваемость по школе составила {p3}%, качество знаний — {p1}%.",
         "Из {k2} обучающихся группы риска {k} завершили четверть без неудовлетворительных "
         "отметок.",
         "Количество пропусков без уважительной причины сократилось по сравнению со II четвертью."],
    decis=["Обсудить итоги четверти на совещании при директоре.",
           "Продолжить индивидуальную работу с обучающимися, имеющими неудовлетворительные "
           "отметки."],
    proto="совещание", docs=["analytic_note"], not_before=d(3, 28),
)
_add(
    key="parents_talks", dirs=[("neusp", 2)],
    acts=["Индивидуальные беседы с родителями обучающихся, имеющих неудовлетворительные отметки",
          "Информирование родителей о результатах обучения детей группы риска, совместное "
          "планирование поддержки"],
    inds=["Проведены беседы с родителями 100% обучающихся группы риска",
          "Согласованы планы совместной работы с семьями"],
    resp=["Классные руководители, социальный педагог"],
    part="Родители (законные представители)",
    gen=["индивидуальной работы с родителями обучающихся группы риска",
         "бесед с родителями неуспевающих обучающихся"],
    acc="индивидуальные беседы с родителями обучающихся, имеющих неудовлетворительные отметки",
    goal="включить семьи в работу по преодолению учебных затруднений детей",
    gist=["Классные руководители совместно с социальным педагогом провели встречи с родителями; "
          "обсуждались текущие отметки, пропуски и домашний режим ребёнка.",
          "Родителям вручены памятки по организации выполнения домашних заданий."],
    res=["Встречи проведены с родителями {k2} обучающихся; с двумя семьями беседа состоялась по "
         "телефону.",
         "В {k} семьях установлен ежедневный контроль выполнения домашних заданий через "
         "электронный дневник."],
    decis=["Повторно пригласить родителей, не явившихся на беседу.",
           "Социальному педагогу взять на контроль семьи, где отсутствует контроль за "
           "успеваемостью."],
    proto="совещание", docs=["report"],
)
_add(
    key="vpr_analysis", dirs=[("neusp", 3), ("komp", 1)],
    acts=["Анализ результатов ВПР и разработка плана коррекционной работы",
          "Проведение анализа типичных ошибок по результатам ВПР на заседаниях ШМО"],
    inds=["Составлены планы коррекционной работы по предметам",
          "Выявлены типичные ошибки, скорректированы рабочие программы"],
    resp=["Руководители ШМО"],
    part="Учителя-предметники",
    gen=["анализа результатов всероссийских проверочных работ",
         "разбора типичных ошибок по результатам ВПР"],
    acc="анализ результатов ВПР по предметам",
    goal="выявить проблемные зоны в предметной подготовке обучающихся и скорректировать "
         "преподавание",
    gist=["Учителя проанализировали выполнение заданий ВПР осени 2021 года поэлементно и выделили "
          "задания с наименьшим процентом выполнения.",
          "По каждому предмету определены темы для повторения, внесены изменения в тематическое "
          "планирование."],
    res=["Наименьший процент выполнения отмечен по заданиям на работу с текстом ({p1}%) и на "
         "решение практико-ориентированных задач ({p2}%).",
         "Совпадение отметок за ВПР с отметками в журнале составило {p3}%."],
    decis=["Включить задания формата ВПР в текущий контроль.",
           "Руководителям ШМО составить планы коррекционной работы до конца месяца."],
    proto="ШМО", docs=["protocol", "analytic_note"],
)
_add(
    key="mentor_students", dirs=[("neusp", 1)],
    acts=["Организация наставничества «ученик – ученик» для обучающихся, испытывающих трудности "
          "в обучении",
          "Создание пар взаимопомощи «сильный – слабый» в 5–8 классах"],
    inds=["Сформировано не менее 10 наставнических пар",
          "Положительная динамика отметок у 60% подопечных"],
    resp=["Куратор наставничества, классные руководители"],
    part="Обучающиеся 5–8 классов",
    gen=["работы наставнических пар «ученик – ученик»",
         "взаимопомощи обучающихся в учёбе"],
    acc="работу наставнических пар «ученик – ученик» в 5–8 классах",
    goal="организовать поддержку обучающихся с трудностями силами успешных одноклассников",
    gist=["В 5–8 классах сформированы пары, в которых успевающий школьник помогает однокласснику "
          "с домашними заданиями и подготовкой к проверочным работам.",
          "Для наставников проведён инструктаж, встречи пар проходят в библиотеке после уроков."],
    res=["Работает {k2} наставнических пар.",
         "У {p1}% подопечных улучшились текущие отметки по предмету, по которому оказывалась "
         "помощь."],
    decis=["Отметить лучших наставников грамотами по итогам года.",
           "Продолжить работу пар в следующем учебном году."],
    proto="совещание", docs=["report"],
    order_title="Об организации наставничества по модели «ученик – ученик»",
)
_add(
    key="diag_deficit", dirs=[("komp", 0), ("pk", 1)],
    acts=["Диагностика профессиональных дефицитов педагогов",
          "Проведение диагностики профессиональных затруднений педагогических работников "
          "(анкетирование, предметные диагностические работы)"],
    inds=["Составлены карты профессиональных дефицитов педагогов",
          "Аналитическая справка по итогам диагностики"],
    resp=["Администрация школы", "Заместитель директора по УВР"],
    part="Педагогические работники",
    gen=["диагностики профессиональных дефицитов педагогов",
         "выявления профессиональных затруднений педагогических работников"],
    acc="диагностику профессиональных дефицитов педагогических работников",
    goal="выявить затруднения педагогов в предметной и методической подготовке и определить "
         "направления повышения квалификации",
    gist=["Педагоги заполнили анкету самооценки профессиональных компетенций и выполнили "
          "предметную диагностическую работу на платформе ЦНППМ.",
          "Кроме того, администрацией посещены уроки с целью оценки владения современными "
          "образовательными технологиями."],
    res=["В диагностике приняли участие {nt} педагогов ({p3}% коллектива).",
         "Наиболее выраженные дефициты выявлены в области формирующего оценивания ({p1}% "
         "педагогов) и формирования функциональной грамотности обучающихся ({p2}%).",
         "Для каждого педагога составлена карта дефицитов."],
    decis=["Включить выявленные дефициты в план методической работы.",
           "Направить педагогов на курсы повышения квалификации с учётом результатов диагностики."],
    proto="методсовет", docs=["analytic_note", "protocol"],
)
_add(
    key="kpk", dirs=[("komp", 0), ("pk", 1)],
    acts=["Прохождение курсов повышения квалификации по вопросам реализации обновлённых ФГОС НОО "
          "и ФГОС ООО",
          "Обучение педагогов на курсах повышения квалификации по программам ЦНППМ"],
    inds=["Удостоверения о повышении квалификации",
          "Не менее 50% педагогов прошли курсы повышения квалификации"],
    resp=["Заместитель директора по УВР"],
    part="Учителя-предметники",
    gen=["обучения педагогов на курсах повышения квалификации",
         "курсовой подготовки педагогических работников"],
    acc="обучение педагогов на курсах повышения квалификации",
    goal="обеспечить готовность педагогов к работе по обновлённым ФГОС",
    gist=["Педагоги прошли обучение по дополнительной профессиональной программе «Реализация "
          "требований обновлённых ФГОС НОО, ФГОС ООО в работе учителя» в объёме 36 часов.",
          "Обучение проходило в дистанционном формате без отрыва от работы."],
    res=["Курсы окончили {k} педагогов, все получили удостоверения установленного образца."],
    decis=["Педагогам, прошедшим обучение, представить опыт на заседаниях ШМО."],
    proto="совещание", docs=["product"], product="cert",
    order_title="О направлении педагогических работников на курсы повышения квалификации",
)
_add(
    key="fo", dirs=[("komp", 1)],
    acts=["Внедрение технологии формирующего оценивания на уроках",
          "Освоение и применение педагогами приёмов формирующего оценивания"],
    inds=["Выступление на МО учителей-предметников",
          "Не менее 70% педагогов применяют приёмы формирующего оценивания"],
    resp=["Администрация школы, МО учителей-предметников"],
    part="Учителя-предметники",
    gen=["применения приёмов формирующего оценивания на уроках",
         "внедрения формирующего оценивания в практику учителей"],
    acc="работу по внедрению формирующего оценивания",
    goal="обеспечить регулярную обратную связь обучающимся о продвижении в учёбе",
    gist=["{teacher} поделилась опытом использования листов самооценки, «светофора» и "
          "критериальных таблиц при проверке работ обучающихся.",
          "Коллеги обсудили, как давать обучающимся обратную связь без выставления отметки и как "
          "фиксировать продвижение ребёнка."],
    res=["Приёмы формирующего оценивания систематически используют {p1}% учителей.",
         "Составлен банк критериальных таблиц для письменных работ по русскому языку и "
         "математике."],
    decis=["Рекомендовать учителям использовать не менее двух приёмов формирующего оценивания в "
           "неделю.",
           "Пополнять банк критериальных таблиц на сетевом диске школы."],
    proto="ШМО", docs=["protocol", "product"], product="techmap",
)
_add(
    key="open_lessons", dirs=[("komp", 2)],
    acts=["Проведение открытых уроков с использованием приёмов формирующего оценивания",
          "Неделя открытых уроков «Современный урок: учим и оцениваем по-новому»"],
    inds=["Технологические карты уроков", "Проведено не менее 6 открытых уроков"],
    resp=["Руководители МО"],
    part="Учителя-предметники",
    gen=["недели открытых уроков", "открытых уроков учителей-предметников"],
    acc="открытые уроки с использованием приёмов формирующего оценивания",
    goal="распространить удачные приёмы организации урока и оценивания внутри коллектива",
    gist=["Открытые уроки провели учителя математики, русского языка, биологии и начальных "
          "классов; уроки посещали коллеги и администрация.",
          "После каждого урока проводился самоанализ и обсуждение по листу наблюдения."],
    res=["Проведено {k2} открытых уроков, их посетили {nt} педагогов.",
         "В {p1}% уроков отмечено целенаправленное использование приёмов обратной связи."],
    decis=["Технологические карты лучших уроков разместить в методической копилке школы."],
    proto="ШМО", docs=["product", "analytic_note"], product="techmap",
    order_title="О проведении недели открытых уроков",
)
_add(
    key="seminar_fg", dirs=[("komp", 2), ("pk", 2)],
    acts=["Методический семинар «Формирование функциональной грамотности обучающихся на уроках»",
          "Проведение школьного семинара по формированию читательской и математической "
          "грамотности"],
    inds=["Программа семинара, материалы выступлений",
          "Педагоги владеют приёмами формирования функциональной грамотности"],
    resp=["Заместитель директора по УВР, руководители ШМО"],
    part="Педагогический коллектив",
    gen=["методического семинара по функциональной грамотности",
         "школьного семинара «Функциональная грамотность: от задания к уроку»"],
    acc="методический семинар по формированию функциональной грамотности обучающихся",
    goal="познакомить педагогов с типами заданий на функциональную грамотность и способами их "
         "использования на уроках",
    gist=["На семинаре разобраны открытые задания PISA по читательской и математической "
          "грамотности, педагоги в группах составляли собственные задания по своим предметам.",
          "Своим опытом работы с банком заданий РЭШ поделились учителя русского языка и "
          "математики."],
    res=["В семинаре участвовали {nt} педагогов, подготовлено {k2} заданий для банка школы."],
    decis=["Использовать задания на функциональную грамотность на уроках не реже одного раза в "
           "неделю."],
    proto="методсовет", docs=["product", "protocol"], product="seminar",
)
_add(
    key="burnout", dirs=[("komp", 0)],
    acts=["Оказание адресной психолого-педагогической помощи",
          "Реализация программы профилактики профессионального выгорания педагогов"],
    inds=["Реализация программы профилактики профессионального выгорания «Скажи стрессу НЕТ»",
          "Снижение доли педагогов с признаками эмоционального выгорания"],
    resp=["Администрация школы, психолог"],
    part="Педагогические работники",
    gen=["занятий по профилактике профессионального выгорания",
         "программы «Скажи стрессу НЕТ»"],
    acc="занятия по профилактике профессионального выгорания педагогов",
    goal="снизить уровень эмоционального напряжения педагогов",
    gist=["Педагог-психолог провела цикл встреч с педагогами: диагностику по методике В.В. Бойко, "
          "упражнения на саморегуляцию, групповое обсуждение трудных ситуаций.",
          "Индивидуальные консультации получили педагоги, обратившиеся по запросу."],
    res=["Во встречах участвовали {nt} педагогов, индивидуальные консультации — {k}.",
         "Доля педагогов с выраженными признаками выгорания снизилась с {p1}% до {p2}%."],
    decis=["Продолжить занятия в следующем учебном году."],
    proto="совещание", docs=["report", "analytic_note"],
    order_title="О реализации программы профилактики профессионального выгорания педагогов "
                "«Скажи стрессу НЕТ»",
)
_add(
    key="mutual_visits", dirs=[("komp", 2), ("pk", 2)],
    acts=["Взаимопосещение уроков педагогами с последующим анализом",
          "Организация взаимопосещения уроков в рамках ШМО"],
    inds=["Каждым педагогом посещено не менее 2 уроков коллег",
          "Листы анализа посещённых уроков"],
    resp=["Руководители ШМО"],
    part="Учителя-предметники",
    gen=["взаимопосещения уроков", "взаимных посещений уроков педагогами"],
    acc="взаимопосещение уроков по графику ШМО",
    goal="обеспечить профессиональный обмен опытом и взаимную поддержку педагогов",
    gist=["Педагоги посещали уроки коллег по графику, составленному руководителями ШМО, и "
          "заполняли лист наблюдения с акцентом на организацию обратной связи.",
          "Результаты посещений обсуждались в парах сразу после урока."],
    res=["Всего посещено {k2} уроков, в посещениях участвовали {nt} педагогов.",
         "Наиболее частые рекомендации касались организации самостоятельной работы и "
         "рефлексии."],
    decis=["Продолжить взаимопосещения в следующей четверти с фокусом на работу со "
           "слабоуспевающими."],
    proto="ШМО", docs=["analytic_note"],
)
_add(
    key="diag_learning", dirs=[("komp", 1)],
    acts=["Проведение диагностики обучающихся с трудностями учебной деятельности с целью "
          "выявления причины затруднений"],
    inds=["Аналитическая справка по результатам диагностики обучающихся с трудностями в учебной "
          "деятельности"],
    resp=["Администрация школы, МО классных руководителей"],
    part="Обучающиеся 2–8 классов",
    gen=["психолого-педагогической диагностики обучающихся с трудностями в учёбе",
         "обследования обучающихся, испытывающих трудности в учебной деятельности"],
    acc="психолого-педагогическую диагностику обучающихся с трудностями в учёбе",
    goal="установить причины учебных затруднений обучающихся",
    gist=["Педагог-психолог обследовала обучающихся по методикам Тулуз-Пьерона и «Лесенка», "
          "классные руководители заполнили карты наблюдений."],
    res=["Обследовано {k2} обучающихся; у {k} выявлен низкий уровень произвольного внимания.",
         "У {p1}% обследованных трудности связаны с низкой учебной мотивацией."],
    decis=["Учителям учитывать темп работы обучающихся при планировании урока."],
    proto="МО", docs=["analytic_note"],
)
_add(
    key="site_page", dirs=[("sreda", 0)],
    acts=["Организация информационной поддержки процесса адаптации",
          "Создание раздела школьного сайта «Адаптация пятиклассников»"],
    inds=["Создана страница сайта школы, посвящённая вопросам адаптации 5-классников, "
          "содержащая актуальную информацию, размещены объявления в РИД"],
    resp=["Ответственный за работу с сайтом, электронным дневником"],
    part="Обучающиеся, родители (законные представители) обучающихся, педагоги",
    gen=["создания страницы сайта об адаптации пятиклассников"],
    acc="страницу сайта по вопросам адаптации пятиклассников",
    goal="информировать родителей о том, как помочь ребёнку при переходе в 5 класс",
    gist=["На сайте школы открыт раздел для родителей будущих пятиклассников: памятки "
          "психолога, расписание, ответы на частые вопросы."],
    res=["За месяц страницу посетили более {ns} раз."],
    decis=["Обновлять страницу не реже раза в месяц."],
    proto="совещание", docs=["other"],
)
_add(
    key="consult_parents", dirs=[("sreda", 0)],
    acts=["Индивидуальное психолого-педагогическое консультирование в целях информирования "
          "родителей о проблемах адаптационного периода"],
    inds=["100% родителей (законных представителей), изъявивших желание, получили консультацию"],
    resp=["Педагог-психолог"],
    part="Обучающиеся, родители (законные представители) обучающихся",
    gen=["консультирования родителей по вопросам адаптации",
         "индивидуальных консультаций педагога-психолога для родителей"],
    acc="индивидуальные консультации для родителей",
    goal="помочь родителям поддержать ребёнка в период перехода в основную школу",
    gist=["Педагог-психолог проводила консультации по предварительной записи, а также по "
          "направлению классных руководителей; темы — режим дня, тревожность, отношения с "
          "одноклассниками."],
    res=["Консультации получили родители {k2} обучающихся, повторно обратились {k}."],
    decis=["Продолжить консультирование в период адаптации осенью."],
    proto="совещание", docs=["analytic_note"],
)
_add(
    key="diag_adapt", dirs=[("sreda", 0)],
    acts=["Диагностика школьной мотивации и тревожности обучающихся 4-х классов",
          "Изучение уровня тревожности и мотивации выпускников начальной школы"],
    inds=["Выявлены обучающиеся с высоким уровнем тревожности, педагогам даны рекомендации"],
    resp=["Педагог-психолог"],
    part="Обучающиеся 4 классов",
    gen=["диагностики тревожности и учебной мотивации четвероклассников",
         "психологической диагностики обучающихся 4 класса"],
    acc="диагностику школьной тревожности и мотивации обучающихся 4 класса",
    goal="заранее выявить детей, которым потребуется поддержка при переходе в основную школу",
    gist=["Использованы анкета Н.Г. Лускановой и тест школьной тревожности Филлипса; "
          "диагностика проводилась в групповой форме на классном часе."],
    res=["Обследовано {k2} обучающихся; высокий уровень тревожности выявлен у {k} человек "
         "({pkk}%).",
         "Высокий и средний уровень учебной мотивации — у {p1}% обучающихся."],
    decis=["Классным руководителям будущих 5-х классов учесть результаты при планировании "
           "адаптационного периода."],
    proto="МО", docs=["analytic_note"],
)
_add(
    key="sociometry", dirs=[("sreda", 1)],
    acts=["Социометрическое исследование межличностных отношений в 5–7 классах",
          "Изучение межличностных отношений в ученических коллективах (социометрия)"],
    inds=["Выявлены обучающиеся с низким социометрическим статусом, составлен план работы",
          "Справка по итогам социометрии"],
    resp=["Педагог-психолог, классные руководители"],
    part="Обучающиеся 5–7 классов",
    gen=["социометрического исследования в 5–7 классах",
         "изучения межличностных отношений в классных коллективах"],
    acc="социометрическое исследование в 5–7 классах",
    goal="оценить сплочённость классных коллективов и выявить изолированных обучающихся",
    gist=["Исследование проведено по методике Дж. Морено, обучающиеся отвечали на вопросы анкеты "
          "анонимно, результаты обработаны педагогом-психологом."],
    res=["В исследовании участвовали {ns} обучающихся.",
         "В категорию «изолированные» попали {k} обучающихся, наименьший индекс сплочённости — "
         "в 6 классе."],
    decis=["Провести в 6 классе цикл занятий на сплочение коллектива.",
           "Классным руководителям вовлекать изолированных обучающихся в общие дела класса."],
    proto="МО", docs=["analytic_note"],
)
_add(
    key="training", dirs=[("sreda", 1)],
    acts=["Цикл тренинговых занятий на сплочение коллектива «Мы — команда» для обучающихся 6 "
          "класса"],
    inds=["Проведено не менее 6 занятий, повышение индекса сплочённости класса"],
    resp=["Педагог-психолог"],
    part="Обучающиеся 6 класса",
    gen=["тренинговых занятий «Мы — команда»"],
    acc="цикл тренинговых занятий «Мы — команда»",
    goal="сплотить классный коллектив и снизить уровень конфликтности",
    gist=["Занятия проходили раз в неделю во внеурочное время; использовались игры на "
          "взаимодействие, упражнения на доверие, обсуждение правил класса."],
    res=["Проведено {k} занятий, средняя посещаемость — {p3}%."],
    decis=["Повторить социометрию в конце учебного года."],
    proto="МО", docs=["product"], product="training",
)
_add(
    key="class_hours", dirs=[("sreda", 1)],
    acts=["Классные часы по профилактике буллинга «Школа без насилия»",
          "Проведение цикла классных часов по формированию толерантных отношений"],
    inds=["Проведены классные часы в 100% классов", "Отчёт о проведении классных часов"],
    resp=["Классные руководители, социальный педагог"],
    part="Обучающиеся 1–9 классов",
    gen=["классных часов по профилактике травли", "классных часов «Школа без насилия»"],
    acc="классные часы по профилактике буллинга",
    goal="сформировать у обучающихся нетерпимое отношение к травле и навыки бесконфликтного "
         "общения",
    gist=["Во всех классах прошли классные часы, на которых обсуждались ситуации травли, "
          "разбирались способы помочь однокласснику и к кому обратиться за помощью.",
          "В 7–9 классах занятия проведены в форме дискуссии с просмотром видеоролика."],
    res=["Классные часы проведены во всех классах с 1 по 9, охвачено {ns} обучающихся."],
    decis=["Разместить телефон доверия и контакты службы примирения в каждом классе."],
    proto="МО", docs=["report"],
)
_add(
    key="parent_meeting", dirs=[("sreda", 2)],
    acts=["Общешкольное родительское собрание «Безопасная и комфортная школьная среда»"],
    inds=["Явка родителей не менее 60%, приняты решения собрания"],
    resp=["Директор, заместитель директора по ВР"],
    part="Родители (законные представители)",
    gen=["общешкольного родительского собрания"],
    acc="общешкольное родительское собрание",
    goal="обсудить с родителями меры по созданию безопасной и доброжелательной среды в школе",
    gist=["Директор рассказала о результатах анкетирования обучающихся о школьном климате.",
          "Педагог-психолог выступила с сообщением о признаках травли и о том, как родителям "
          "поддерживать доверительные отношения с детьми."],
    res=["Явка родителей составила {p3}% от числа приглашённых."],
    decis=["Родительским комитетам классов принять участие в организации совместных "
           "мероприятий.",
           "Одобрить создание родительского патруля на время школьных праздников."],
    agenda="О создании безопасной и комфортной школьной среды: роль семьи и школы",
    proto="родсобрание", docs=["protocol"],
    order_title="О проведении общешкольного родительского собрания",
)
_add(
    key="parent_survey", dirs=[("sreda", 2)],
    acts=["Анкетирование родителей по удовлетворённости школьным климатом",
          "Изучение мнения родителей о качестве школьной среды"],
    inds=["В анкетировании участвовали не менее 70% родителей", "Аналитическая справка"],
    resp=["Заместитель директора по ВР"],
    part="Родители (законные представители)",
    gen=["анкетирования родителей о школьном климате",
         "опроса родителей об удовлетворённости школьной средой"],
    acc="анкетирование родителей",
    goal="выяснить, насколько родители удовлетворены атмосферой и условиями обучения в школе",
    gist=["Анкета из 14 вопросов была размещена в электронной форме, ссылка разослана через "
          "родительские чаты и электронный дневник."],
    res=["Ответы дали родители {np} обучающихся ({p3}%).",
         "Удовлетворены школьным климатом {p1}% респондентов; основные пожелания касаются "
         "организации досуга и питания."],
    decis=["Результаты анкетирования обсудить на заседании управляющего совета."],
    proto="совещание", docs=["analytic_note"],
)
_add(
    key="open_day", dirs=[("sreda", 0)],
    acts=["День открытых дверей для будущих пятиклассников и их родителей"],
    inds=["Участие не менее 80% обучающихся 4 класса и их родителей"],
    resp=["Заместитель директора по УВР, классный руководитель 4 класса"],
    part="Обучающиеся 4 класса, родители",
    gen=["дня открытых дверей для будущих пятиклассников"],
    acc="день открытых дверей для будущих пятиклассников",
    goal="познакомить обучающихся 4 класса с учителями основной школы",
    gist=["Четвероклассники побывали на уроках в 5 классе, познакомились с учителями-"
          "предметниками, родители встретились с будущим классным руководителем."],
    res=["Приняли участие {k2} обучающихся и {k} родителей."],
    decis=["Проводить подобные встречи ежегодно."],
    proto="совещание", docs=["report"],
)
_add(
    key="reconciliation", dirs=[("sreda", 1)],
    acts=["Организация работы школьной службы примирения",
          "Обновление состава и обучение членов школьной службы медиации"],
    inds=["Служба примирения работает, рассмотрено не менее 80% обращений"],
    resp=["Социальный педагог"],
    part="Обучающиеся, педагоги",
    gen=["работы школьной службы примирения"],
    acc="работу школьной службы примирения",
    goal="обеспечить разрешение конфликтов между участниками образовательных отношений "
         "восстановительными способами",
    gist=["Обновлён состав службы, в неё вошли обучающиеся 8–9 классов; проведено обучение "
          "медиаторов.",
          "Служба провела примирительные встречи по обращениям классных руководителей."],
    res=["Рассмотрено {k} обращений, в большинстве случаев достигнуто примирение сторон."],
    decis=["Информировать обучающихся о работе службы через школьный сайт и стенд."],
    agenda="Об организации работы школьной службы примирения",
    proto="совещание", docs=["protocol"],
    order_title="О создании школьной службы примирения",
)
_add(
    key="reg_pk", dirs=[("pk", 0)],
    acts=["Разработка и утверждение положения о внутришкольной системе повышения квалификации"],
    inds=["Приказ об утверждении положения о внутришкольной системе ПК"],
    resp=["Директор", "Директор, заместитель директора по УВР"],
    part="Администрация школы",
    gen=["разработки положения о внутришкольной системе повышения квалификации"],
    acc="положение о внутришкольной системе повышения квалификации",
    goal="закрепить порядок непрерывного профессионального развития педагогов",
    gist=["Положение определяет формы внутришкольного повышения квалификации, порядок составления "
          "индивидуальных планов и учёта результатов."],
    res=["Положение рассмотрено на педагогическом совете."],
    decis=["Утвердить положение."],
    proto="педсовет", docs=["order"], expected_order=True,
    order_title="Об утверждении Положения о внутришкольной системе повышения квалификации "
                "педагогических работников",
)
_add(
    key="pos_groups", dirs=[("pk", 0)],
    acts=["Создание профессиональных обучающихся сообществ педагогов",
          "Организация работы творческих групп педагогов по актуальным дефицитам"],
    inds=["Созданы не менее 2 профессиональных сообществ", "Утверждены планы работы групп"],
    resp=["Заместитель директора по УВР"],
    part="Педагогические работники",
    gen=["создания профессиональных сообществ педагогов", "формирования творческих групп учителей"],
    acc="профессиональные обучающиеся сообщества педагогов",
    goal="организовать совместное решение профессиональных задач педагогами",
    gist=["Педагоги распределились по группам с учётом выявленных дефицитов: «Функциональная "
          "грамотность», «Формирующее оценивание», «Работа со слабоуспевающими».",
          "Каждая группа выбрала руководителя и наметила темы встреч до конца учебного года."],
    res=["Создано три группы, в них вошли {nt} педагогов."],
    decis=["Утвердить состав и руководителей групп.",
           "Руководителям групп представить планы работы."],
    agenda="О создании профессиональных обучающихся сообществ педагогов",
    proto="методсовет", docs=["protocol"], conflicts=("reg_pos",),
)
_add(
    key="ipr", dirs=[("pk", 1)],
    acts=["Составление индивидуальных планов профессионального развития педагогов",
          "Разработка индивидуальных образовательных маршрутов педагогов"],
    inds=["ИОМ педагогов", "100% педагогов имеют индивидуальные планы развития"],
    resp=["Заместитель директора по УВР", "Руководители ШМО"],
    part="Педагогические работники",
    gen=["составления индивидуальных образовательных маршрутов педагогов"],
    acc="индивидуальные образовательные маршруты педагогов",
    goal="спланировать устранение профессиональных дефицитов каждого педагога",
    gist=["Маршруты составлены педагогами совместно с руководителями ШМО на основе карт "
          "дефицитов."],
    res=["Маршруты составлены для {nt} педагогов."],
    decis=["Рассмотреть выполнение маршрутов в конце учебного года."],
    proto="ШМО", docs=["product"], product="iom_teacher",
)
_add(
    key="seminar_fo", dirs=[("pk", 2), ("komp", 2)],
    acts=["Методический семинар «Формирующее оценивание: приёмы и инструменты»"],
    inds=["Программа семинара, протокол", "Участие 100% педагогов"],
    resp=["Заместитель директора по УВР"],
    part="Педагогический коллектив",
    gen=["семинара по формирующему оцениванию", "методического семинара «Оцениваем, чтобы учить»"],
    acc="методический семинар по формирующему оцениванию",
    goal="освоить приёмы формирующего оценивания и обратной связи на уроке",
    gist=["Педагоги познакомились с принципами формирующего оценивания, в группах разработали "
          "критерии оценивания письменных работ и лист самооценки для обучающихся."],
    res=["В семинаре участвовали {nt} педагогов; подготовлено {k2} комплектов критериев."],
    decis=["Опробовать разработанные критерии на уроках в апреле."],
    proto="методсовет", docs=["product", "protocol"], product="seminar",
)
_add(
    key="mentoring_teachers", dirs=[("pk", 2)],
    acts=["Организация наставничества для молодых и вновь прибывших педагогов"],
    inds=["За каждым молодым педагогом закреплён наставник, отчёт наставника"],
    resp=["Заместитель директора по УВР"],
    part="Молодые педагоги, наставники",
    gen=["работы наставников с молодыми педагогами"],
    acc="наставничество для молодых педагогов",
    goal="обеспечить профессиональную адаптацию молодых педагогов",
    gist=["Наставники посещали уроки молодых коллег, помогали в составлении рабочих программ и "
          "подготовке к открытым урокам.",
          "Молодые педагоги посетили уроки наставников по темам, вызывающим затруднения."],
    res=["Наставники закреплены за всеми молодыми педагогами, проведено {k2} совместных занятий."],
    decis=["Продолжить работу наставнических пар в следующем учебном году."],
    proto="методсовет", docs=["report"],
    order_title="Об организации наставничества педагогических работников",
)
_add(
    key="pedsovet_pk", dirs=[("pk", 2)],
    acts=["Педагогический совет «Итоги работы внутришкольной системы повышения квалификации»"],
    inds=["Протокол педсовета, решения"],
    resp=["Директор"],
    part="Педагогический коллектив",
    gen=["педагогического совета по итогам работы системы повышения квалификации"],
    acc="педагогический совет",
    goal="подвести итоги работы внутришкольной системы повышения квалификации",
    gist=["Подведены итоги работы профессиональных сообществ, выполнения индивидуальных "
          "маршрутов педагогов."],
    res=["Выполнили маршруты полностью {p1}% педагогов."],
    decis=["Продолжить работу сообществ в новом учебном году."],
    agenda="Об итогах работы внутришкольной системы повышения квалификации",
    proto="педсовет", docs=["protocol"],
)
_add(
    key="survey_motiv", dirs=[("motiv", 0)],
    acts=["Анкетирование обучающихся 5–9 классов по выявлению уровня учебной мотивации",
          "Диагностика учебной мотивации обучающихся (методика Н.Г. Лускановой)"],
    inds=["Определён уровень учебной мотивации 100% обучающихся 5–9 классов",
          "Аналитическая справка"],
    resp=["Педагог-психолог"],
    part="Обучающиеся 5–9 классов",
    gen=["анкетирования обучающихся по уровню учебной мотивации",
         "диагностики учебной мотивации обучающихся"],
    acc="анкетирование обучающихся по уровню учебной мотивации",
    goal="определить уровень и ведущие мотивы учебной деятельности обучающихся",
    gist=["Обучающиеся 5–9 классов заполнили анкету, включающую вопросы об интересе к предметам, "
          "причинах затруднений и отношении к домашним заданиям."],
    res=["Опрошено {ns} обучающихся.",
         "Низкий уровень учебной мотивации выявлен у {p2}% обучающихся, наиболее высокий — в 8 "
         "классе."],
    decis=["Учителям-предметникам использовать на уроках задания практической направленности."],
    proto="совещание", docs=["analytic_note"],
)
_add(
    key="interview_teachers", dirs=[("motiv", 2)],
    acts=["Собеседование с педагогами по вопросам повышения учебной мотивации обучающихся",
          "Собеседование с руководителями ШМО по формированию дорожной карты"],
    inds=["Проведено собеседование с 100% педагогов",
          "Проведено собеседование с руководителями ШМО"],
    resp=["Директор, заместитель директора по УВР"],
    part="Педагогические работники",
    gen=["собеседования с педагогами по вопросам учебной мотивации"],
    acc="собеседование с педагогами",
    goal="определить вклад каждого педагога в реализацию программы",
    gist=["Директор и заместитель директора обсудили с педагогами причины низкой мотивации "
          "обучающихся и меры, которые каждый учитель готов применять на уроках."],
    res=["Собеседование проведено со всеми педагогами, работающими в 5–9 классах."],
    decis=["Включить предложения педагогов в дорожную карту программы."],
    agenda="О вкладе педагогов в повышение учебной мотивации обучающихся",
    proto="совещание", docs=["protocol"],
)
_add(
    key="subject_week", dirs=[("motiv", 1)],
    acts=["Проведение предметной недели естественно-научного цикла",
          "Неделя естественных наук «Удивительное рядом»"],
    inds=["Участие не менее 70% обучающихся 5–9 классов"],
    resp=["Руководитель ШМО естественно-научного цикла"],
    part="Обучающиеся 5–9 классов",
    gen=["предметной недели естественно-научного цикла"],
    acc="предметную неделю естественно-научного цикла",
    goal="повысить интерес обучающихся к естественным наукам",
    gist=["В рамках недели прошли интеллектуальная игра, конкурс опытов, выставка рисунков и "
          "открытый урок-экскурсия на пришкольном участке."],
    res=["В мероприятиях недели приняли участие {ns} обучающихся ({p3}%)."],
    decis=["Наградить победителей конкурсов грамотами."],
    proto="ШМО", docs=["report"],
)
_add(
    key="olymp", dirs=[("motiv", 1)],
    acts=["Участие обучающихся в школьном и муниципальном этапах ВсОШ и дистанционных "
          "олимпиадах"],
    inds=["Доля участников олимпиад не менее 35%"],
    resp=["Заместитель директора по УВР"],
    part="Обучающиеся 4–9 классов",
    gen=["участия обучающихся в олимпиадах"],
    acc="участие обучающихся в олимпиадах",
    goal="вовлечь обучающихся в интеллектуальные состязания",
    gist=["Обучающиеся участвовали в олимпиадах на платформах «Учи.ру» и «Сириус», а также в "
          "муниципальном этапе ВсОШ по биологии и литературе."],
    res=["Участниками олимпиад стали {ns} обучающихся ({p2}%), призёров — {k}."],
    decis=["Организовать занятия по подготовке к олимпиадам."],
    proto="совещание", docs=["analytic_note"],
)
_add(
    key="webinar_region", dirs=[("motiv", 2), ("neusp", -1), ("komp", -1), ("sreda", -1),
                                ("pk", -1)],
    acts=["Участие в региональном установочном вебинаре для школ-участников проекта"],
    inds=["Приняли участие 100% участников проекта"],
    resp=["Директор"],
    part="Управленческая команда школы",
    gen=["участия в региональном установочном вебинаре"],
    acc="участие управленческой команды в установочном вебинаре",
    goal="ознакомиться с требованиями к реализации проекта",
    gist=["Управленческая команда школы приняла участие в региональном установочном вебинаре "
          "проекта «500+»."],
    res=["На вебинаре присутствовали директор и заместитель директора по УВР."],
    decis=["Ознакомить педагогический коллектив с материалами вебинара."],
    proto="совещание", docs=["report"],
)
_add(
    key="webinar_curators", dirs=[("motiv", 2)],
    acts=["Участие в установочном вебинаре для кураторов и школ-участников проекта"],
    inds=["Приняли участие 100% участников проекта"],
    resp=["Директор"],
    part="Управленческая команда школы, куратор",
    gen=["участия в вебинаре для кураторов и школ"],
    acc="участие в установочном вебинаре для кураторов",
    goal="согласовать с куратором порядок совместной работы",
    gist=["Вместе с куратором проекта школа участвовала в вебинаре, посвящённом работе в ИС "
          "МЭДК и подготовке концептуальных документов."],
    res=["Согласован график посещений школы куратором."],
    decis=["Провести рабочую встречу с куратором."],
    proto="совещание", docs=["report"],
)
_add(
    key="network", dirs=[("motiv", 2)],
    acts=["Организация сетевого взаимодействия с кураторами и школами-участниками проекта"],
    inds=["Создана группа в мессенджере для организации сетевого взаимодействия"],
    resp=["Заместитель директора по УВР"],
    part="Куратор, администрация школы",
    gen=["сетевого взаимодействия с куратором"],
    acc="сетевое взаимодействие",
    goal="оперативно решать вопросы реализации проекта",
    gist=["Создан общий чат школы и куратора."],
    res=["Чат используется для согласования документов."],
    decis=["—"],
    proto="совещание", docs=["other"],
)
_add(
    key="medk", dirs=[("motiv", 2)],
    acts=["Разработка и размещение концептуальных документов школы в ИС МЭДК"],
    inds=["Концепция развития, среднесрочная программа и АРП размещены в ИС МЭДК"],
    resp=["Директор"],
    part="Управленческая команда",
    gen=["размещения концептуальных документов в ИС МЭДК"],
    acc="размещение документов в ИС МЭДК",
    goal="выполнить требования проекта",
    gist=["Документы размещены в системе."],
    res=["Документы согласованы куратором."],
    decis=["—"],
    proto="совещание", docs=["other"],
)
_add(
    key="project_work", dirs=[("motiv", 1)],
    acts=["Организация проектной деятельности обучающихся 8–9 классов",
          "Выполнение и защита индивидуальных проектов обучающимися 9 класса"],
    inds=["100% обучающихся 9 класса защитили индивидуальный проект"],
    resp=["Классный руководитель 9 класса, руководители проектов"],
    part="Обучающиеся 8–9 классов",
    gen=["защиты индивидуальных проектов обучающихся 9 класса"],
    acc="защиту индивидуальных проектов",
    goal="развить познавательную самостоятельность обучающихся",
    gist=["Обучающиеся представили проекты комиссии из трёх педагогов; темы проектов выбраны "
          "самими ребятами — от истории родного села до расчёта семейного бюджета."],
    res=["Защищено {k2} проектов, {p1}% работ оценены на «хорошо» и «отлично»."],
    decis=["Лучшие проекты представить на муниципальной конференции."],
    proto="ШМО", docs=["analytic_note"], not_before=d(3, 1),
)
_add(
    key="feedback_work", dirs=[("motiv", 1), ("komp", 1), ("neusp", 3)],
    acts=["Использование на уроках письменной обратной связи при проверке работ обучающихся",
          "Проверка работ обучающихся с развёрнутыми комментариями учителя"],
    inds=["Проверенные учителем работы с комментариями обратной связи"],
    resp=["Учителя-предметники"],
    part="Обучающиеся 5–9 классов",
    gen=["проверки письменных работ с обратной связью"],
    acc="проверку письменных работ с развёрнутыми комментариями",
    goal="показать обучающемуся, что у него получилось и над чем работать",
    gist=["Учителя при проверке самостоятельных работ оставляют комментарии и задания на "
          "доработку."],
    res=["Практику используют {k} учителей."],
    decis=["Продолжить практику."],
    proto="ШМО", docs=["product"], product="student_work",
)
_add(
    key="pedsovet_arp", dirs=[("*", -1)],
    acts=["Педагогический совет «Итоги реализации программы антирисковых мер за первое "
          "полугодие»",
          "Рассмотрение хода реализации антирисковой программы на педагогическом совете"],
    inds=["Протокол педагогического совета, принятые решения"],
    resp=["Директор"],
    part="Педагогический коллектив",
    gen=["педагогического совета о ходе реализации программы антирисковых мер"],
    acc="педагогический совет",
    goal="оценить ход реализации программы антирисковых мер",
    gist=["Заместитель директора по УВР доложила о выполнении мероприятий дорожной карты "
          "программы за истекший период и о динамике показателей."],
    res=["Из запланированных на полугодие мероприятий выполнено большинство, показатели "
         "успеваемости имеют положительную динамику."],
    decis=["Признать работу по реализации программы удовлетворительной.",
           "Внести уточнения в дорожную карту на второе полугодие."],
    agenda="О ходе реализации программы антирисковых мер за первое полугодие 2022 года",
    proto="педсовет", docs=["protocol"], not_before=d(4, 1),
)
_add(
    key="approve_arp", dirs=[("*", -1)],
    acts=["Разработка и утверждение программы антирисковых мер"],
    inds=["Приказ об утверждении программы антирисковых мер"],
    resp=["Директор"],
    part="Управленческая команда",
    gen=["разработки программы антирисковых мер"],
    acc="программу антирисковых мер",
    goal="утвердить программу",
    gist=["Программа разработана рабочей группой."],
    res=["Программа согласована с куратором."],
    decis=["Утвердить программу."],
    proto="педсовет", docs=["order"], expected_order=True,
    order_title="Об утверждении программы антирисковых мер",
)


def acc_surname(p: Person) -> str:
    """Accusative of a surname from our pool (Смирнова → Смирнову, Смирнов → Смирнова)."""
    s = p.surname
    if p.female:
        if s.endswith("ая"):
            return s[:-2] + "ую"
        return s[:-1] + "у"
    if s.endswith("ий"):
        return s[:-2] + "ого"
    return s + "а"


def acc_short(p: Person) -> str:
    return f"{acc_surname(p)} {p.initials}"


def dat_short(p: Person) -> str:
    """Dative: Смирнова → Смирновой, Троицкая → Троицкой, Смирнов → Смирнову."""
    s = p.surname
    if p.female:
        s = s[:-2] + "ой" if s.endswith("ая") else s[:-1] + "ой"
    else:
        s = s[:-2] + "ому" if s.endswith("ий") else s + "у"
    return f"{s} {p.initials}"


def gen_short(p: Person) -> str:
    return dat_short(p) if p.female else acc_short(p)


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


ROLE_DAT = {
    "заместитель директора по УВР": "заместителю директора по УВР",
    "педагог-психолог": "педагогу-психологу",
}
ROLE_ACC = {
    "директор": "директора",
    "заместитель директора по УВР": "заместителя директора по УВР",
    "заместитель директора по ВР": "заместителя директора по ВР",
    "педагог-психолог": "педагога-психолога",
    "социальный педагог": "социального педагога",
}


# ---------------------------------------------------------------------------------------------
# Schools, items, evidence
# ---------------------------------------------------------------------------------------------


@dataclass
class Item:
    number: str
    section: str
    task: str
    activity: str
    deadline: Deadline
    responsible: str
    participants: str
    indicator: str
    topic: Topic
    expected_result_type: str | None = None
    link: str = ""
    target: str = ""
    confirmed_by: list[str] = field(default_factory=list)

    @property
    def planned(self) -> bool:
        return is_planned(self.deadline)


@dataclass
class Style:
    font: str = "serif"
    size: float = 11
    order_header: int = 0
    order_num: str = "{n}"
    sign: int = 0
    proto_caps: bool = True
    note_title: int = 0


@dataclass
class School:
    idx: int
    folder: str
    legal: str
    short: str
    municipality: str
    place: str
    direction: Direction
    layout: str
    arp_fmt: str
    arp_file: str
    director: Person
    deputy: Person
    deputy_vr: Person
    psychologist: Person
    social: Person
    teachers: list[Person]
    curator: Person
    style: Style
    items: list[Item] = field(default_factory=list)
    tasks_text: bool = False  # АРП text has a "Задачи:" list
    targets_text: bool = False  # АРП text has a "Целевые показатели:" list
    arp_variant: int = 0
    profile_table: bool = False
    passport_table: bool = False

    def item(self, number: str) -> Item:
        for it in self.items:
            if it.number == number:
                return it
        raise KeyError(number)


@dataclass
class Evidence:
    file: str
    doc_type: str
    confirms: list[str]
    off_plan: bool
    data: bytes
    readable: bool = True


EVIDENCE_KIND = {
    "protocol": "result", "analytic_note": "result", "report": "result", "product": "result",
    "photo": "result", "order": "plan", "plan": "plan", "regulation": "plan", "other": "other",
}


def numbers(rng: random.Random, s: School) -> dict:
    k = rng.randint(5, 9)
    k2 = k + rng.randint(3, 11)
    t = rng.choice(s.teachers)
    return {
        "k": k, "k2": k2, "ns": rng.randint(42, 168), "nt": rng.randint(9, 20),
        "pkk": round(100 * k / k2),
        "np": rng.randint(38, 120), "p1": rng.randint(34, 71), "p2": rng.randint(12, 39),
        "p3": rng.randint(78, 97), "teacher": f"{cap(t.role)} {t.short}",
    }


def fill(text: str, nums: dict) -> str:
    return text.format_map(nums)


def director_sign(s: School, style: int | None = None) -> list[Para]:
    v = s.style.sign if style is None else style
    dr = s.director
    if v == 0:
        return [Para(f"Директор школы ____________ {dr.short_front}", space_after=10)]
    if v == 1:
        return [Para(f"Директор ________________ /{dr.short}/", space_after=10)]
    return [Para(f"Директор {s.short}", space_after=0),
            Para(f"_______________ {dr.short_front}", align="right", space_after=10)]


def order_no(s: School, rng: random.Random) -> str:
    return s.style.order_num.format(n=rng.randint(8, 96))


def school_header(s: School, variant: int) -> list[Para]:
    if variant == 0:
        return [Para(s.legal, align="center", bold=True, space_after=2),
                Para(f"({s.short})", align="center", size=9, space_after=10)]
    if variant == 1:
        where = s.place if s.place == s.municipality else f"{s.place}, {s.municipality}"
        return [Para(s.legal.upper(), align="center", bold=True, size=10, space_after=2),
                Para(where, align="center", size=9, space_after=10)]
    return [Para(s.legal, align="center", space_after=10)]


def _when(dt: date, lo: date | None, rng: random.Random) -> str:
    v = rng.randint(0, 2)
    if v == 0 or lo is None or lo >= dt:
        return fmt_d(dt)
    if v == 1:
        return f"в период с {fmt_d(lo)} по {fmt_d(dt)}"
    return f"в срок до {fmt_d(dt)}"


def w_order(s: School, items: list[Item], dt: date, rng: random.Random,
            event: date | None = None, num: str | None = None) -> tuple[DocSpec, str]:
    """An order (приказ): either approving a regulation/programme or about holding something."""
    topic = items[0].topic
    num = num or order_no(s, rng)
    el: list = []
    hv = s.style.order_header
    el += school_header(s, hv)
    el.append(Para("П Р И К А З" if hv == 1 else "ПРИКАЗ", align="center", bold=True, size=14,
                   space_after=8))
    if hv == 0:
        el.append(Tbl([[f"{fmt_d(dt)}", f"№ {num}"]], header_rows=0, grid=False,
                      widths=[1, 1]))
    else:
        el.append(Para(f"от {fmt_long(dt)}{' ' * 6}№ {num}", space_after=2))
        el.append(Para(s.place, align="center", size=9, space_after=8))
    title = topic.order_title or f"О проведении {topic.gen[0]}"
    el.append(Para(title, bold=True, space_after=8))
    d_name = s.direction.name
    pre = rng.choice([
        f"В соответствии с программой антирисковых мер по направлению «{d_name}» на 2022 год "
        f"и в целях реализации мероприятий её дорожной карты",
        f"Во исполнение дорожной карты программы антирисковых мер {s.short} и с целью "
        f"обеспечения её выполнения в установленные сроки",
        f"На основании плана работы школы на 2021/2022 учебный год и программы антирисковых "
        f"мер «{d_name}»",
    ])
    el.append(Para(pre + ",", align="justify", indent=True))
    el.append(Para("ПРИКАЗЫВАЮ:" if rng.random() < 0.6 else "приказываю:", bold=True))
    pts: list[str] = []
    resp = s.deputy
    if topic.expected_order:
        what = title.replace("Об утверждении Положения", "Положение")
        pts.append(f"Утвердить {what} (приложение)." if "Положени" in title else
                   f"Утвердить {topic.acc} {s.short} на 2022 год (приложение).")
        pts.append(f"Ввести документ в действие с {fmt_d(dt + timedelta(days=1))}.")
        pts.append(f"Заместителю директора по УВР {dat_short(s.deputy)} ознакомить "
                   "педагогических "
                   f"работников с документом под подпись в срок до "
                   f"{fmt_d(dt + timedelta(days=7))}.")
        pts.append("Разместить документ на официальном сайте школы.")
    else:
        ev = event or dt + timedelta(days=rng.randint(3, 10))
        lo = ev - timedelta(days=rng.randint(2, 12))
        if title.startswith("Об утверждении"):
            pts.append(f"Утвердить {topic.acc} (приложение).")
            pts.append(f"Педагогам организовать работу в соответствии с утверждёнными "
                       f"документами с {fmt_d(ev)}.")
        else:
            verb = "Организовать" if title.startswith(("Об организации", "О направлении",
                                                       "О создании")) else "Провести"
            pts.append(f"{verb} {topic.acc} {_when(ev, lo, rng)}.")
        role = rng.choice(["заместитель директора по УВР", "педагог-психолог"]
                          if "психолог" in " ".join(topic.resp).lower()
                          else ["заместитель директора по УВР"])
        resp = s.psychologist if role == "педагог-психолог" else s.deputy
        pts.append(f"Назначить ответственным за организацию {ROLE_ACC[role]} "
                   f"{acc_short(resp)}.")
        extra = rng.choice([
            "Классным руководителям довести информацию до обучающихся и их родителей.",
            "Руководителям ШМО обеспечить участие педагогов.",
            f"{cap(ROLE_DAT[role])} {dat_short(resp)} подготовить аналитическую справку по "
            f"итогам в срок до "
            f"{fmt_d(ev + timedelta(days=rng.randint(3, 9)))}.",
        ])
        pts.append(extra)
    pts.append(rng.choice([
        "Контроль за исполнением настоящего приказа оставляю за собой.",
        f"Контроль за исполнением приказа возложить на заместителя директора по УВР "
        f"{acc_short(s.deputy)}.",
    ]))
    for i, p in enumerate(pts, 1):
        el.append(Para(f"{i}. {p}", align="justify"))
    el.append(Para("", space_after=10))
    el += director_sign(s)
    if rng.random() < 0.6:
        el.append(Para("С приказом ознакомлены:", size=9))
        for p in [resp, *rng.sample(s.teachers, 2)]:
            el.append(Para(f"{p.short} ________ {fmt_d(dt)}", size=9, space_after=1))
    if topic.expected_order and "Положени" in title:
        el.append(PageBreak())
        el += regulation_body(s, "Положение о внутришкольной системе повышения квалификации "
                              "педагогических работников", dt, num)
    return DocSpec(el, font=s.style.font, size=s.style.size, title=title), "order"


def regulation_body(s: School, title: str, dt: date, num: str | None) -> list:
    el: list = []
    if num:
        el.append(Para(f"Приложение к приказу от {fmt_d(dt)} № {num}", align="right", size=9))
    el.append(Para(title.upper(), align="center", bold=True, space_after=8))
    el.append(Para("1. Общие положения", bold=True))
    el.append(Para("1.1. Настоящее положение определяет цели, задачи, формы и порядок "
                   f"организации внутришкольного повышения квалификации в {s.short}.",
                   align="justify"))
    el.append(Para("1.2. Положение разработано в соответствии с Федеральным законом от "
                   "29.12.2012 № 273-ФЗ «Об образовании в Российской Федерации», "
                   "профессиональным стандартом «Педагог» и уставом школы.", align="justify"))
    el.append(Para("2. Цели и задачи", bold=True))
    el.append(Para("2.1. Целью является создание условий для непрерывного профессионального "
                   "развития педагогов с учётом их индивидуальных профессиональных дефицитов.",
                   align="justify"))
    el.append(Para("3. Формы повышения квалификации", bold=True))
    el.append(Para("3.1. Внутришкольное повышение квалификации осуществляется в формах: "
                   "методических семинаров, работы профессиональных сообществ, взаимопосещения "
                   "уроков, наставничества, самообразования по индивидуальному плану.",
                   align="justify"))
    el.append(Para("4. Организация и контроль", bold=True))
    el.append(Para("4.1. Индивидуальный план профессионального развития составляется педагогом "
                   "ежегодно и согласуется с руководителем ШМО.", align="justify"))
    el.append(Para("4.2. Итоги работы рассматриваются на педагогическом совете в конце учебного "
                   "года.", align="justify"))
    return el


PROTO_TITLES = {
    "педсовет": "заседания педагогического совета",
    "ШМО": "заседания школьного методического объединения учителей {mo}",
    "МО": "заседания методического объединения {mo}",
    "методсовет": "заседания методического совета",
    "совещание": "совещания при директоре",
    "ППк": "заседания психолого-педагогического консилиума",
    "родсобрание": "общешкольного родительского собрания",
}
MO_NAMES = ["начальных классов", "естественно-математического цикла", "гуманитарного цикла",
            "классных руководителей"]
COMMENTS = [
    "отметила, что обучающиеся с интересом включаются в работу, но требуется больше времени на "
    "отработку",
    "предложила обмениваться удачными материалами через общую папку на сетевом диске",
    "обратила внимание на необходимость информировать родителей о результатах",
    "поделилась своими наблюдениями: наибольшие трудности у детей вызывают задания с "
    "развёрнутым ответом",
    "поддержала предложение и высказала готовность провести открытое занятие",
]


def w_protocol(s: School, items: list[Item], dt: date, rng: random.Random,
               kind: str | None = None, num: int | None = None,
               mo: str | None = None) -> tuple[DocSpec, str]:
    topics = [it.topic for it in items]
    kind = kind or topics[0].proto
    num = num or rng.randint(2, 7)
    mo = mo or ("классных руководителей" if kind == "МО" else rng.choice(MO_NAMES[:3]))
    el: list = []
    el += school_header(s, rng.choice([0, 2]))
    t = PROTO_TITLES[kind].format(mo=mo)
    if s.style.proto_caps:
        el.append(Para(f"ПРОТОКОЛ № {num}", align="center", bold=True, size=13, space_after=0))
        el.append(Para(t, align="center", bold=True, space_after=6))
    else:
        el.append(Para(f"Протокол {t} № {num}", align="center", bold=True, space_after=6))
    el.append(Para(f"от {fmt_d(dt)}", align="right" if rng.random() < 0.5 else "left"))
    chair = s.director if kind in ("педсовет", "совещание", "родсобрание") else (
        s.psychologist if kind == "ППк" else s.deputy)
    sec = rng.choice(s.teachers)
    el.append(Para(f"Председатель: {chair.short}", space_after=0))
    el.append(Para(f"Секретарь: {sec.short}", space_after=0))
    if kind == "родсобрание":
        voters = rng.randint(48, 96)
        el.append(Para(f"Присутствовали: родители (законные представители) — "
                       f"{voters} чел., педагоги школы."))
    elif kind in ("ШМО", "МО", "ППк"):
        present = rng.sample(s.teachers, rng.randint(4, 6))
        voters = len(present)
        el.append(Para(f"Присутствовали: {', '.join(p.short for p in present)}."))
        el.append(Para("Отсутствовали: нет." if rng.random() < 0.6 else
                       "Отсутствовали: 1 (больничный лист)."))
    else:
        voters = rng.randint(7, 12) if kind == "методсовет" else rng.randint(11, 27)
        el.append(Para(f"Присутствовали: {voters} чел. (список прилагается)."))
    if rng.random() < 0.25:
        el.append(Para(f"Приглашённые: {s.curator.short}, куратор проекта «500+»."))
    agenda, about = [], []
    for tp in topics:
        g = rng.choice(tp.gen)
        if tp.agenda:
            agenda.append(tp.agenda + ".")
            about.append(_lower(tp.agenda))
        else:
            head = rng.choice(["Об итогах", "О результатах"])
            agenda.append(f"{head} {g}.")
            about.append(f"{_lower(head)} {g}")
    if rng.random() < 0.5:
        agenda.append(rng.choice(["Разное.", "О подготовке к государственной итоговой "
                                  "аттестации.", "О проведении промежуточной аттестации."]))
    el.append(Para("ПОВЕСТКА ДНЯ:" if s.style.proto_caps else "Повестка:", bold=True))
    for i, a in enumerate(agenda, 1):
        el.append(Para(f"{i}. {a}", space_after=1))
    el.append(Para(""))
    ordinals = ["первому", "второму", "третьему", "четвёртому"]
    for i in range(len(agenda)):
        nums = numbers(rng, s)
        hdr = "СЛУШАЛИ:" if s.style.proto_caps else f"По {ordinals[i]} вопросу слушали"
        if i < len(topics):
            tp = topics[i]
            speaker = s.psychologist if "психолог" in " ".join(tp.resp).lower() else rng.choice(
                [s.deputy, s.deputy, chair])
            el.append(Para(f"{i + 1}. {hdr} {acc_short(speaker)}, "
                           f"{ROLE_ACC.get(speaker.role, speaker.role)}, {about[i]}.",
                           align="justify"))
            body = [fill(x, nums) for x in tp.gist[: rng.randint(1, len(tp.gist))]]
            body += [fill(x, nums) for x in tp.res]
            el.append(Para(" ".join(body), align="justify", indent=True))
            if kind == "родсобрание":
                el.append(Para(rng.choice([
                    "ВЫСТУПИЛИ: председатель родительского комитета 6 класса, предложила "
                    "проводить совместные с детьми праздники не реже раза в четверть.",
                    "ВЫСТУПИЛИ: родители обучающихся 5 класса попросили чаще информировать их "
                    "о работе педагога-психолога.",
                ]), align="justify"))
            elif rng.random() < 0.6:
                other = rng.choice(s.teachers)
                el.append(Para(f"ВЫСТУПИЛИ: {other.short}, {other.role}, "
                               f"{_gender(rng.choice(COMMENTS), other)}.", align="justify"))
            el.append(Para("РЕШИЛИ:" if rng.random() < 0.6 else "ПОСТАНОВИЛИ:", bold=True))
            for j, dd in enumerate(tp.decis, 1):
                el.append(Para(f"{i + 1}.{j}. {fill(dd, nums)}", space_after=1))
        else:
            el.append(Para(f"{i + 1}. {hdr} {acc_short(s.deputy)} по текущим вопросам "
                           "организации учебного процесса.", align="justify"))
            el.append(Para("РЕШИЛИ: информацию принять к сведению.", space_after=1))
        if rng.random() < 0.4:
            el.append(Para(f"Голосовали: «за» — {voters}, «против» — 0, «воздержались» — 0.",
                           italic=True))
        el.append(Para(""))
    el.append(Para(f"Председатель ____________ {chair.short_front}", space_after=2))
    el.append(Para(f"Секретарь ____________ {sec.short_front}"))
    return DocSpec(el, font=s.style.font, size=s.style.size), "protocol"


def _lower(text: str) -> str:
    """Lower-case the first letter unless the first word is an abbreviation (ВПР, ИОМ)."""
    if not text:
        return text
    first = text.split()[0]
    if len(first) > 1 and first.isupper():
        return text
    return text[:1].lower() + text[1:]


def _gender(text: str, p: Person) -> str:
    if p.female:
        return text
    return (text.replace("отметила", "отметил").replace("предложила", "предложил")
            .replace("обратила", "обратил").replace("поделилась", "поделился")
            .replace("поддержала", "поддержал").replace("высказала", "высказал"))


def _signer_for(s: School, topic: Topic) -> Person:
    if "психолог" in " ".join(topic.resp).lower():
        return s.psychologist
    if "социальн" in " ".join(topic.resp).lower():
        return s.social
    if "по ВР" in " ".join(topic.resp):
        return s.deputy_vr
    return s.deputy


def _grade_table(rng: random.Random, nums: dict) -> Tbl:
    rows = [["Класс", "Количество обучающихся", "Приняли участие", "Доля, %"]]
    for g in ("5", "6", "7", "8", "9"):
        n = rng.randint(12, 26)
        m = n - rng.randint(0, 3)
        rows.append([g, str(n), str(m), f"{round(100 * m / n)}"])
    return Tbl(rows, widths=[1, 2, 2, 1])


def w_note(s: School, items: list[Item], dt: date, rng: random.Random) -> tuple[DocSpec, str]:
    tp = items[0].topic
    nums = numbers(rng, s)
    g = rng.choice(tp.gen)
    el: list = []
    if rng.random() < 0.5:
        el += school_header(s, 2)
    v = (s.style.note_title + rng.randint(0, 1)) % 3
    if v == 0:
        el.append(Para("Аналитическая справка", align="center", bold=True, size=13, space_after=0))
        el.append(Para(f"по итогам {g}", align="center", bold=True, space_after=8))
    elif v == 1:
        el.append(Para("СПРАВКА", align="center", bold=True, size=13, space_after=0))
        el.append(Para(f"по результатам {g}", align="center", bold=True, space_after=8))
    else:
        el.append(Para(f"Аналитическая справка о результатах {g}", align="center", bold=True,
                       space_after=8))
    lo = max(dt - timedelta(days=rng.randint(3, 14)), _window_of(items)[0])
    if rng.random() < 0.5 and lo < dt:
        el.append(Para(f"Сроки проведения: {fmt_d(lo)} – {fmt_d(dt)}", space_after=1))
    else:
        el.append(Para(f"Дата: {fmt_d(dt)}", space_after=1))
    el.append(Para(f"Цель: {tp.goal}.", space_after=1))
    el.append(Para(f"Участники: {tp.part[:1].lower() + tp.part[1:]}.", space_after=6))
    for x in tp.gist:
        el.append(Para(fill(x, nums), align="justify", indent=True))
    if "бучающ" in tp.part and rng.random() < 0.6:
        el.append(Para("Охват обучающихся по классам:", space_after=2))
        el.append(_grade_table(rng, nums))
    el.append(Para("Результаты:" if rng.random() < 0.5 else "Основные результаты:", bold=True))
    for x in tp.res:
        el.append(Para(fill(x, nums), align="justify", indent=True))
    el.append(Para("Выводы и рекомендации:" if rng.random() < 0.5 else "Рекомендации:",
                   bold=True))
    for j, x in enumerate(tp.decis, 1):
        el.append(Para(f"{j}. {fill(x, nums)}", space_after=1))
    signer = _signer_for(s, tp)
    el.append(Para(""))
    el.append(Para(fmt_d(dt), space_after=2))
    el.append(Para(f"{cap(signer.role)} ____________ {signer.short_front}"))
    return DocSpec(el, font=s.style.font, size=s.style.size), "analytic_note"


def w_report(s: School, items: list[Item], dt: date, rng: random.Random) -> tuple[DocSpec, str]:
    tp = items[0].topic
    nums = numbers(rng, s)
    g = rng.choice(tp.gen)
    el: list = []
    el += school_header(s, rng.choice([0, 1, 2]))
    head = rng.choice(["Отчёт о проведении", "Информация о проведении", "ОТЧЁТ о проведении"])
    el.append(Para(f"{head} {g}", align="center", bold=True, space_after=8))
    intro = rng.choice([
        f"{fmt_long(dt)} в {s.short} в рамках реализации программы антирисковых мер "
        f"«{s.direction.name}» состоялось мероприятие по плану.",
        f"В период с {fmt_d(dt - timedelta(days=rng.randint(4, 12)))} по {fmt_d(dt)} в школе "
        "проводилась запланированная работа.",
    ])
    el.append(Para(intro, align="justify", indent=True))
    for x in tp.gist:
        el.append(Para(fill(x, nums), align="justify", indent=True))
    for x in tp.res:
        el.append(Para(fill(x, nums), align="justify", indent=True))
    if rng.random() < 0.5:
        el.append(Para(rng.choice(["Фотоматериалы прилагаются.",
                                   "Материалы размещены на сайте школы в разделе «Проект 500+»."]),
                       italic=True))
    signer = _signer_for(s, tp)
    el.append(Para(""))
    el.append(Para(f"{cap(signer.role)} ____________ {signer.short_front}"))
    return DocSpec(el, font=s.style.font, size=s.style.size), "report"


def w_narrative(s: School, items: list[Item], dates: list[date], dt: date,
                rng: random.Random) -> tuple[DocSpec, str]:
    """A report "in the naming order": what was done, no supporting documents."""
    el: list = []
    el += school_header(s, 1)
    el.append(Para("Отчёт", align="center", bold=True, size=13, space_after=0))
    el.append(Para(f"о реализации программы антирисковых мер «{s.direction.name}» за первое "
                   "полугодие 2022 года", align="center", bold=True, space_after=8))
    el.append(Para("За отчётный период в рамках программы проведено следующее:", indent=True))
    for i, (it, dd) in enumerate(zip(items, dates, strict=True), 1):
        nums = numbers(rng, s)
        el.append(Para(f"{i}. {fmt_d(dd)} — {_lower(fill(it.topic.gist[0], nums))}",
                       align="justify"))
    el.append(Para("Работа по программе будет продолжена во втором полугодии в соответствии с "
                   "дорожной картой.", indent=True))
    el.append(Para(""))
    el += director_sign(s)
    el.append(Para(fmt_d(dt)))
    return DocSpec(el, font=s.style.font, size=s.style.size), "report"


def w_news(s: School, items: list[Item], dt: date, rng: random.Random) -> tuple[DocSpec, str]:
    tp = items[0].topic
    nums = numbers(rng, s)
    el = [Para(f"Новости {s.short}", size=9, italic=True),
          Para(rng.choice(["Новая страница на сайте для родителей пятиклассников",
                           "В школе продолжается работа по проекту «500+»"]), bold=True, size=13),
          Para(fmt_d(dt), size=9)]
    for x in tp.gist + tp.res:
        el.append(Para(fill(x, nums), align="justify"))
    el.append(Para("Пресс-центр школы", italic=True, align="right"))
    return DocSpec(el, font="sans", size=11), "other"


# ---- products of work ------------------------------------------------------------------------

LESSONS = [
    ("Математика", "6", "Сложение и вычитание дробей с разными знаменателями",
     [("Организационный момент, мотивация", "Предлагает задачу о делении пиццы, которую нельзя "
       "решить известным способом", "Высказывают предположения", "«Светофор»: оценка готовности"),
      ("Актуализация знаний", "Организует устный счёт: приведение дробей к общему знаменателю",
       "Выполняют задания, сверяют с образцом на доске", "Взаимопроверка в парах по ключу"),
      ("Открытие нового знания", "Подводит к формулированию правила через серию примеров",
       "Формулируют правило, составляют алгоритм", "Лист самооценки: «понял / есть вопросы»"),
      ("Первичное закрепление", "Организует работу с разноуровневыми карточками",
       "Решают примеры, выбирая уровень сложности", "Критериальная таблица к карточкам"),
      ("Рефлексия", "Предлагает вернуться к задаче о пицце",
       "Решают задачу, оценивают своё продвижение", "«Лестница успеха»")]),
    ("Русский язык", "5", "Правописание приставок на -з/-с",
     [("Мотивация", "Показывает слова с пропущенными буквами на слайде", "Выдвигают гипотезы",
       "Приём «Незаконченное предложение»"),
      ("Исследование", "Организует наблюдение над группами слов",
       "В группах выводят закономерность", "Оценочный лист работы группы"),
      ("Применение", "Даёт упражнение с выбором приставки", "Выполняют упражнение, объясняя "
       "выбор", "Самопроверка по критериям"),
      ("Рефлексия", "Просит отметить на шкале уровень понимания", "Отмечают, задают вопросы",
       "«Две звезды и пожелание»")]),
    ("Биология", "7", "Строение цветка",
     [("Организационный момент", "Приветствует, проверяет готовность", "Готовятся к уроку", "—"),
      ("Постановка учебной задачи", "Демонстрирует живые цветы, задаёт проблемный вопрос",
       "Формулируют цель урока", "«Светофор»"),
      ("Лабораторная работа", "Инструктирует, консультирует группы",
       "Изучают строение цветка по инструкции, зарисовывают", "Критерии оценки рисунка"),
      ("Обобщение", "Организует заполнение схемы", "Заполняют схему, взаимопроверка",
       "Взаимооценка по образцу"),
      ("Рефлексия", "Предлагает вопросы для самоанализа", "Отвечают, оценивают работу",
       "Лист самооценки")]),
]


def w_techmap(s: School, items: list[Item], dt: date, rng: random.Random) -> list:
    subj, grade, theme, stages = rng.choice(LESSONS)
    teacher = rng.choice(s.teachers)
    el: list = [Para("Технологическая карта урока", align="center", bold=True, size=13),
                Para(f"Учитель: {teacher.full}", space_after=1),
                Para(f"Предмет: {subj}. Класс: {grade}", space_after=1),
                Para(f"Дата проведения: {fmt_d(dt)}", space_after=1),
                Para(f"Тема урока: «{theme}»", space_after=1),
                Para("Тип урока: урок открытия нового знания", space_after=1),
                Para("Используемые технологии: формирующее оценивание, работа в парах и группах",
                     space_after=6)]
    rows = [["Этап урока", "Деятельность учителя", "Деятельность обучающихся",
             "Приёмы оценивания / обратной связи"]]
    rows += [list(x) for x in stages]
    el.append(Tbl(rows, widths=[2, 3, 3, 2]))
    return el


def w_seminar(s: School, items: list[Item], dt: date, rng: random.Random) -> list:
    tp = items[0].topic
    theme = ("Оцениваем, чтобы учить: приёмы формирующего оценивания" if "fo" in tp.key else
             "Функциональная грамотность: от задания к уроку")
    t1, t2, t3 = rng.sample(s.teachers, 3)
    el: list = [Para("ПРОГРАММА", align="center", bold=True, size=13, space_after=0),
                Para(f"методического семинара «{theme}»", align="center", bold=True),
                Para(f"Дата проведения: {fmt_d(dt)}, 14:30", space_after=1),
                Para(f"Место проведения: {s.short}, кабинет № {rng.randint(5, 24)}",
                     space_after=1),
                Para("Участники: педагогические работники школы", space_after=1),
                Para(f"Цель: {tp.goal}.", space_after=6)]
    rows = [["Время", "Содержание", "Ответственный"],
            ["14:30–14:40", "Открытие семинара. Цели и задачи", f"{s.deputy.short}, зам. "
             "директора по УВР"],
            ["14:40–15:05", "Теоретический блок: " + ("принципы и приёмы формирующего оценивания"
             if "fo" in tp.key else "читательская, математическая и естественно-научная "
             "грамотность: что проверяет PISA"), t1.short],
            ["15:05–15:40", "Практикум в группах: " + ("разработка критериев оценивания "
             "письменной работы" if "fo" in tp.key else "составление заданий по своему "
             "предмету"), f"{t2.short}, {t3.short}"],
            ["15:40–15:55", "Презентация результатов работы групп", "Руководители групп"],
            ["15:55–16:00", "Рефлексия. Подведение итогов", s.deputy.short]]
    el.append(Tbl(rows, widths=[1.2, 4, 2]))
    if rng.random() < 0.6:
        nums = numbers(rng, s)
        el.append(Para("Итоги семинара:", bold=True))
        for x in tp.res:
            el.append(Para(fill(x, nums), align="justify"))
    return el


def w_cert(s: School, items: list[Item], dt: date, rng: random.Random) -> list:
    el: list = []
    people = rng.sample(s.teachers, rng.randint(2, 3))
    start = dt - timedelta(days=rng.choice([11, 12, 18]))
    for i, p in enumerate(people):
        if i:
            el.append(PageBreak())
        el += [
            Para("Государственное автономное учреждение дополнительного профессионального "
                 "образования «Институт развития образования»", align="center", size=10),
            Para("УДОСТОВЕРЕНИЕ", align="center", bold=True, size=16, space_after=0),
            Para("о повышении квалификации", align="center", bold=True, space_after=6),
            Para(f"{rng.randint(760000, 769999)} {rng.randint(1000000, 9999999)}",
                 align="center", size=10),
            Para(f"Регистрационный номер {rng.randint(1000, 9999)}", align="center", size=10),
            Para(f"Дата выдачи {fmt_d(dt)}", align="center", size=10, space_after=10),
            Para("Настоящее удостоверение свидетельствует о том, что", align="center"),
            Para(p.full, align="center", bold=True, size=13),
            Para(f"{p.past('прошёл', 'прошла')} повышение квалификации с {fmt_d(start)} по "
                 f"{fmt_d(dt)} по дополнительной профессиональной программе «Реализация "
                 "требований обновлённых ФГОС НОО, ФГОС ООО в работе учителя» в объёме 36 часов",
                 align="center"),
            Para("", space_after=16),
            Para("Ректор ____________ Т.В. Скворцова", space_after=2),
            Para("Секретарь ____________ Е.А. Лукина"),
        ]
    return el


def w_iom_teacher(s: School, items: list[Item], dt: date, rng: random.Random) -> list:
    el: list = []
    for i, p in enumerate(rng.sample(s.teachers, 2)):
        if i:
            el.append(PageBreak())
        el += [Para("Индивидуальный образовательный маршрут педагога", align="center",
                    bold=True, size=13),
               Para(f"ФИО: {p.full}", space_after=1),
               Para(f"Должность: {p.role}", space_after=1),
               Para(f"Дата составления: {fmt_d(dt)}", space_after=1),
               Para("Выявленные профессиональные дефициты: применение приёмов формирующего "
                    "оценивания; использование заданий на функциональную грамотность.",
                    space_after=6)]
        rows = [["№", "Направление", "Действия педагога", "Срок", "Форма отчёта"],
                ["1", "Формирующее оценивание", "Изучение материалов ЦНППМ, участие в "
                 "школьном семинаре", "апрель 2022", "Разработанные критерии оценивания"],
                ["2", "Функциональная грамотность", "Работа в профессиональном сообществе, "
                 "подбор заданий из банка РЭШ", "апрель – май 2022", "Подборка заданий"],
                ["3", "Обмен опытом", "Посещение уроков коллег, проведение открытого урока",
                 "май 2022", "Технологическая карта урока"]]
        el.append(Tbl(rows, widths=[0.5, 2, 3.5, 1.5, 2]))
        el.append(Para(f"Педагог ________ {p.short_front}    Руководитель ШМО ________"))
    return el


STUDENTS = ["Артём К.", "Полина С.", "Даниил М.", "Кирилл В.", "Ксения Л.", "Егор Б.",
            "Варвара Н.", "Максим Т."]


def w_iom_student(s: School, items: list[Item], dt: date, rng: random.Random) -> list:
    el: list = []
    for i, st in enumerate(rng.sample(STUDENTS, 2)):
        if i:
            el.append(PageBreak())
        grade = rng.choice(["5", "6", "7", "8"])
        teacher = rng.choice(s.teachers)
        el += [Para("Индивидуальный образовательный маршрут обучающегося", align="center",
                    bold=True, size=13),
               Para(f"Обучающийся: {st}, {grade} класс", space_after=1),
               Para("Предмет: математика", space_after=1),
               Para(f"Учитель: {teacher.short}", space_after=1),
               Para(f"Период: {fmt_d(dt)} – 27.05.2022", space_after=6)]
        rows = [["Тема, вызвавшая затруднение", "Вид работы", "Срок", "Отметка о выполнении"],
                ["Действия с обыкновенными дробями", "Индивидуальная консультация, карточки",
                 "2 недели", "выполнено"],
                ["Решение текстовых задач на проценты", "Работа с тренажёром, разбор ошибок",
                 "3 недели", "частично"],
                ["Уравнения", "Консультация, самостоятельная работа с самопроверкой", "май",
                 ""]]
        el.append(Tbl(rows, widths=[3, 3, 1.3, 1.7]))
        el.append(Para("С маршрутом ознакомлен(а), родитель (законный представитель): ________"))
    return el


def w_training(s: School, items: list[Item], dt: date, rng: random.Random) -> list:
    topics = ["Знакомство. Правила группы", "Я и мой класс", "Учимся слышать друг друга",
              "Доверие", "Конфликт: как договориться", "Мы — команда! Итоговое занятие"]
    start = dt - timedelta(days=7 * (len(topics) - 1))
    rows = [["№", "Тема занятия", "Дата", "Присутствовало"]]
    for i, t in enumerate(topics):
        rows.append([str(i + 1), t, fmt_d(max(start + timedelta(days=7 * i), d(1, 10))),
                     str(rng.randint(14, 21))])
    return [Para("Программа тренинговых занятий «Мы — команда»", align="center", bold=True,
                 size=13, space_after=0),
            Para("для обучающихся 6 класса", align="center", bold=True),
            Para("Пояснительная записка", bold=True),
            Para("Программа направлена на сплочение классного коллектива, развитие навыков "
                 "сотрудничества и бесконфликтного общения. Занятия проводятся педагогом-"
                 "психологом один раз в неделю во внеурочное время.", align="justify"),
            Tbl(rows, widths=[0.5, 4, 1.5, 1.5]),
            Para(f"Педагог-психолог ________ {s.psychologist.short_front}")]


def w_student_work(s: School, items: list[Item], dt: date, rng: random.Random) -> list:
    st = rng.choice(STUDENTS)
    return [Para(f"Самостоятельная работа по математике. 6 класс. {st}", bold=True),
            Para(f"Дата: {fmt_d(dt)}"),
            Para("1) 3/4 + 1/6 = 9/12 + 2/12 = 11/12   ✓"),
            Para("2) 5/8 − 1/3 = 15/24 − 8/24 = 7/24   ✓"),
            Para("3) 2 1/2 + 1 2/3 = 3 3/5   ✗"),
            Para("Комментарий учителя: В первых двух примерах всё верно — ты правильно находишь "
                 "общий знаменатель. В третьем примере нельзя складывать знаменатели: приведи "
                 "дроби 1/2 и 2/3 к знаменателю 6 и реши ещё раз. Задание на доработку: № 412 "
                 "(а, б).", italic=True),
            Para("Отметка: 4", bold=True)]


PRODUCTS = {
    "techmap": w_techmap, "seminar": w_seminar, "cert": w_cert, "iom_teacher": w_iom_teacher,
    "iom_student": w_iom_student, "training": w_training, "student_work": w_student_work,
}


def w_product(s: School, items: list[Item], dt: date, rng: random.Random) -> tuple[DocSpec, str]:
    tp = items[0].topic
    el = PRODUCTS[tp.product or "techmap"](s, items, dt, rng)
    return DocSpec(el, font=s.style.font, size=s.style.size), "product"


def w_schedule(s: School, items: list[Item], dt: date, rng: random.Random) -> tuple[DocSpec, str]:
    rows = [["Предмет", "Классы", "День недели", "Время", "Учитель"]]
    for subj in ("Математика", "Русский язык"):
        for g in ("5–6", "7–9"):
            rows.append([subj, g, rng.choice(["понедельник", "вторник", "среда", "четверг"]),
                         rng.choice(["14:20", "14:30", "15:10"]), rng.choice(s.teachers).short])
    return DocSpec([Para("УТВЕРЖДАЮ", align="right", space_after=0),
                    Para(f"Директор ______ {s.director.short_front}", align="right",
                         space_after=0),
                    Para(fmt_d(dt), align="right"),
                    Para("График проведения дополнительных занятий и консультаций для "
                         "обучающихся, испытывающих трудности в обучении", align="center",
                         bold=True),
                    Tbl(rows, widths=[2, 1, 1.5, 1, 2])],
                   font=s.style.font, size=s.style.size), "plan"


WRITERS = {
    "order": w_order, "protocol": w_protocol, "analytic_note": w_note, "report": w_report,
    "product": w_product, "other": w_news, "plan": w_schedule,
}

_add(
    key="operative_meetings", dirs=[("neusp", 3)],
    acts=["Проведение оперативных совещаний по вопросам работы с обучающимися группы риска"],
    inds=["Протоколы совещаний, принятые управленческие решения"],
    resp=["Заместитель директора по УВР"],
    part="Учителя-предметники, классные руководители",
    gen=["совещания по работе с обучающимися группы риска"],
    acc="совещание по вопросам работы с обучающимися группы риска",
    goal="оперативно корректировать работу с обучающимися группы риска",
    gist=["Классные руководители доложили о посещаемости и текущих отметках обучающихся группы "
          "риска, учителя — о выполнении индивидуальных заданий."],
    res=["По {k} обучающимся отмечена положительная динамика."],
    decis=["Продолжить индивидуальные занятия по графику."],
    agenda="О работе с обучающимися группы риска",
    proto="совещание", docs=["protocol"],
)


# ---------------------------------------------------------------------------------------------
# Off-plan documents: real school paperwork about things that are not in the roadmap
# ---------------------------------------------------------------------------------------------


def off_order_load(s: School, dt: date, rng: random.Random,
                   num: str = "") -> tuple[DocSpec, str]:
    num = num or order_no(s, rng)
    el = [
        *school_header(s, s.style.order_header),
        Para("ПРИКАЗ", align="center", bold=True, size=14),
        Para(f"от {fmt_long(dt)}{' ' * 6}№ {num}"),
        Para("Об изменении норм учебной нагрузки педагогических работников", bold=True),
        Para("В связи с длительным отсутствием учителя физики (больничный лист) и на основании "
             "заявлений педагогических работников,", align="justify", indent=True),
        Para("ПРИКАЗЫВАЮ:", bold=True),
    ]
    t1, t2 = rng.sample(s.teachers, 2)
    el += [Para(f"1. Увеличить с {fmt_d(dt + timedelta(days=1))} учебную нагрузку на 4 часа в "
                f"неделю (физика, 7–8 классы): {t1.short}, {t1.role}."),
           Para(f"2. Установить учебную нагрузку 22 часа в неделю на период до окончания "
                f"учебного года: {t2.short}, {t2.role}."),
           Para("3. Бухгалтерии произвести перерасчёт заработной платы в соответствии с "
                "фактической нагрузкой."),
           Para("4. Контроль за исполнением приказа оставляю за собой."), Para("")]
    el += director_sign(s)
    return DocSpec(el, font=s.style.font, size=s.style.size), "order"


def off_order_food(s: School, dt: date, rng: random.Random,
           num: str = "") -> tuple[DocSpec, str]:
    el = [
        *school_header(s, s.style.order_header),
        Para("ПРИКАЗ", align="center", bold=True, size=14),
        Para(f"{fmt_d(dt)}{' ' * 10}№ {num or order_no(s, rng)}"),
        Para("Об организации льготного питания обучающихся", bold=True),
        Para("На основании постановления администрации муниципального района о предоставлении "
             "мер социальной поддержки и заявлений родителей (законных представителей)",
             align="justify", indent=True),
        Para("ПРИКАЗЫВАЮ:", bold=True),
        Para(f"1. Предоставить бесплатное двухразовое питание обучающимся из многодетных и "
             f"малоимущих семей ({rng.randint(14, 40)} человек) согласно списку (приложение)."),
        Para(f"2. Ответственным за организацию питания назначить {acc_short(s.social)}, "
             "социального педагога."),
        Para("3. Классным руководителям ежедневно подавать заявку на питание до 9:00."),
        Para("4. Контроль за исполнением приказа оставляю за собой."),
        Para(""),
    ]
    el += director_sign(s)
    return DocSpec(el, font=s.style.font, size=s.style.size), "order"


def off_contract(s: School, dt: date, rng: random.Random,
           num: str = "") -> tuple[DocSpec, str]:
    partner = rng.choice([
        ("Муниципальное учреждение «Центр психолого-педагогической, медицинской и социальной "
         "помощи «Содействие»", "МУ Центр «Содействие»"),
        ("Муниципальное общеобразовательное учреждение «Семибратовская средняя школа»",
         "МОУ Семибратовская СОШ"),
    ])
    el = [Para("ДОГОВОР № " + str(rng.randint(3, 19)), align="center", bold=True, size=13,
               space_after=0),
          Para("о сетевом взаимодействии и сотрудничестве", align="center", bold=True),
          Para(f"{s.place}{' ' * 30}{fmt_quoted(dt)}"),
          Para(f"{s.legal}, именуемое в дальнейшем «Сторона 1», в лице директора "
               f"{gen_short(s.director)}, действующего на основании Устава, с одной стороны, и "
               f"{partner[0]}, именуемое в дальнейшем «Сторона 2», с другой стороны, заключили "
               "настоящий договор о нижеследующем.", align="justify", indent=True),
          Para("1. Предмет договора", bold=True),
          Para("1.1. Стороны осуществляют сотрудничество в целях оказания психолого-"
               "педагогической, логопедической и дефектологической помощи обучающимся "
               "Стороны 1, в том числе обучающимся с ОВЗ.", align="justify"),
          Para("2. Обязанности сторон", bold=True),
          Para("2.1. Сторона 2 предоставляет специалистов для проведения консультаций и "
               "коррекционно-развивающих занятий по согласованному графику.", align="justify"),
          Para("2.2. Сторона 1 обеспечивает помещение и информирование родителей.",
               align="justify"),
          Para("3. Срок действия договора", bold=True),
          Para("3.1. Договор вступает в силу с момента подписания и действует до 31.08.2023.",
               align="justify"),
          Tbl([["Сторона 1", "Сторона 2"],
               [f"{s.short}\nДиректор ______ {s.director.short_front}",
                f"{partner[1]}\nДиректор ______ Н.В. Гуськова"]], grid=False)]
    return DocSpec(el, font=s.style.font, size=s.style.size), "other"


def off_reg_pos(s: School, dt: date, rng: random.Random,
           num: str = "") -> tuple[DocSpec, str]:
    el = [Para("УТВЕРЖДЕНО", align="right", space_after=0),
          Para(f"приказом от {fmt_d(dt)} № {order_no(s, rng)}", align="right"),
          Para("ПОЛОЖЕНИЕ", align="center", bold=True, size=13, space_after=0),
          Para("о профессиональном обучающемся сообществе (ПОС) педагогов", align="center",
               bold=True),
          Para("1. Общие положения", bold=True),
          Para("1.1. Профессиональное обучающееся сообщество — объединение педагогов, "
               "совместно анализирующих свою практику и осваивающих новые способы работы.",
               align="justify"),
          Para("1.2. Сообщество создаётся на добровольной основе, его работа строится по "
               "циклу: планирование урока – посещение – совместный анализ.", align="justify"),
          Para("2. Организация работы", bold=True),
          Para("2.1. Встречи сообщества проводятся не реже одного раза в месяц, результаты "
               "фиксируются в листе рефлексии.", align="justify"),
          Para("2.2. Руководитель сообщества избирается его участниками.", align="justify"),
          Para("3. Права участников", bold=True),
          Para("3.1. Участники вправе представлять результаты работы на педагогическом совете "
               "и в муниципальных методических мероприятиях.", align="justify")]
    return DocSpec(el, font=s.style.font, size=s.style.size), "regulation"


def off_news_ski(s: School, dt: date, rng: random.Random,
           num: str = "") -> tuple[DocSpec, str]:
    dt = max(dt, d(2, 12)) if dt.month <= 2 else dt
    el = [Para(f"Новости {s.short}", size=9, italic=True),
          Para(rng.choice(["Вся школа вышла на «Лыжню России»",
                           "«Лыжня России – 2022»: мы снова вместе!"]), bold=True, size=13),
          Para(fmt_d(dt), size=9),
          Para(f"В субботу обучающиеся и педагоги школы приняли участие во всероссийской "
               f"массовой лыжной гонке. На старт вышли более {rng.choice([40, 50, 60])} человек "
               "— от "
               "первоклассников до ветеранов педагогического труда.", align="justify"),
          Para("Победителям вручены грамоты, а всех участников ждал горячий чай с пирогами, "
               "которые испекли родители. Благодарим учителя физической культуры за "
               "организацию праздника!", align="justify"),
          Para("Пресс-центр школы", italic=True, align="right")]
    return DocSpec(el, font="sans", size=11), "other"


def off_note_journal(s: School, dt: date, rng: random.Random,
           num: str = "") -> tuple[DocSpec, str]:
    el = [Para("Справка", align="center", bold=True, size=13, space_after=0),
          Para("по итогам проверки ведения электронного журнала", align="center", bold=True),
          Para(f"Дата проверки: {fmt_d(dt)}"),
          Para("Цель: контроль своевременности заполнения электронного журнала, объективности "
               "выставления отметок."),
          Para(f"Проверены страницы журнала 1–9 классов. Темы уроков заполнены своевременно в "
               f"{rng.randint(80, 95)}% случаев. У {rng.randint(2, 4)} учителей выявлено "
               "несвоевременное выставление отметок за письменные работы.", align="justify",
               indent=True),
          Para("Рекомендации: учителям заполнять журнал в день проведения урока; классным "
               "руководителям еженедельно проверять отметки о пропусках.", align="justify"),
          Para(""),
          Para(f"Заместитель директора по УВР ________ {s.deputy.short_front}")]
    return DocSpec(el, font=s.style.font, size=s.style.size), "analytic_note"


def off_protocol_council(s: School, dt: date, rng: random.Random,
           num: str = "") -> tuple[DocSpec, str]:
    el = [
        *school_header(s, 2),
        Para(f"ПРОТОКОЛ № {rng.randint(2, 5)}", align="center", bold=True, space_after=0),
        Para("заседания управляющего совета", align="center", bold=True),
        Para(f"от {fmt_d(dt)}"),
        Para(f"Присутствовали: {rng.randint(7, 11)} членов совета."),
        Para("Повестка дня:", bold=True),
        Para("1. Об организации летнего оздоровительного лагеря с дневным пребыванием."),
        Para("2. О единых требованиях к школьной форме."),
        Para(f"1. СЛУШАЛИ: {acc_short(s.director)}, директора школы, о подготовке лагеря: "
             "планируется одна смена на 40 детей, питание двухразовое.", align="justify"),
        Para("РЕШИЛИ: одобрить план работы лагеря."),
        Para("2. СЛУШАЛИ: председателя родительского комитета о предложениях родителей по "
             "школьной форме.", align="justify"),
        Para("РЕШИЛИ: сохранить действующие требования к школьной форме."),
        Para(""),
        Para("Председатель ________ Секретарь ________"),
    ]
    return DocSpec(el, font=s.style.font, size=s.style.size), "protocol"


def off_letter(s: School, dt: date, rng: random.Random,
           num: str = "") -> tuple[DocSpec, str]:
    el = [Tbl([[f"{s.legal}\n{s.place}\nИсх. № {rng.randint(40, 190)} от {fmt_d(dt)}",
                f"Начальнику управления образования\nадминистрации района\n"
                f"{rng.choice(['Т.А. Киселёвой', 'С.Н. Рябовой', 'И.Г. Зуевой'])}"]],
              header_rows=0, grid=False),
          Para("О направлении информации", bold=True),
          Para("Уважаемая коллега!", align="center"),
          Para(f"{s.short} направляет информацию о количестве обучающихся, планирующих "
               "посещать летний оздоровительный лагерь, и о кадровом обеспечении смены. "
               "Список воспитателей прилагается.", align="justify", indent=True),
          Para("Приложение: на 1 л. в 1 экз."),
          Para(""),
          *director_sign(s)]
    return DocSpec(el, font=s.style.font, size=s.style.size), "other"


OFF_PLAN = {
    "order_load": (off_order_load, "Приказ об изменении нагрузки"),
    "order_food": (off_order_food, "Приказ о питании"),
    "contract": (off_contract, "Договор о сетевом взаимодействии"),
    "reg_pos": (off_reg_pos, "Положение о ПОС"),
    "news_ski": (off_news_ski, "Новость Лыжня России"),
    "note_journal": (off_note_journal, "Справка по проверке журнала"),
    "protocol_council": (off_protocol_council, "Протокол управляющего совета"),
    "letter": (off_letter, "Письмо в УО"),
}


# ---------------------------------------------------------------------------------------------
# The anti-risk programme itself
# ---------------------------------------------------------------------------------------------

ROADMAP_HEADERS = {
    "L1": ["Задача", "Мероприятие", "Сроки реализации", "Ответственные", "Участники",
           "Показатели реализации", "Подтверждающие документы"],
    "L2": ["№", "Задача", "Мероприятия/ антирисковые меры", "Сроки", "Ответственные",
           "Результаты"],
    "L3": ["№", "Описание действий", "Сроки реализации", "Муниципальный показатель реализации"],
    "L4": ["№ п/п", "Мероприятие", "Сроки", "Ответственные", "Результат"],
    "L5": ["№", "Направление", "Задача", "Мероприятие", "Срок", "Ответственный", "Участники",
           "Показатель", "Целевое значение", "Форма подтверждения"],
}
L5_AREAS = {0: "Работа с обучающимися", 1: "Работа с обучающимися", 2: "Работа с родителями",
            3: "Работа с педагогами", -1: "Управление"}


def roadmap_table(s: School) -> Tbl:
    items, lay = s.items, s.layout
    hdr = ROADMAP_HEADERS[lay]
    rows: list[list[str]] = [list(hdr)]
    spans: list[tuple[int, int, int, int]] = []

    def task_spans(col: int, start_row: int, group: list[Item]) -> None:
        r = start_row
        i = 0
        while i < len(group):
            j = i
            while j + 1 < len(group) and group[j + 1].task == group[i].task \
                    and group[j + 1].section == group[i].section:
                j += 1
            if j > i:
                spans.append((r + i, col, r + j, col))
            i = j + 1

    if lay == "L1":
        for it in items:
            rows.append([it.task, it.activity, it.deadline.text, it.responsible,
                         it.participants, it.indicator, it.link])
        task_spans(0, 1, items)
        return Tbl(rows, spans=spans, widths=[2.6, 2.6, 1.3, 1.6, 1.6, 2.4, 2.0], size=9,
                   repeat_rows=1)
    if lay == "L2":
        section = None
        group: list[Item] = []
        for it in items:
            if it.section != section:
                if group:
                    task_spans(1, len(rows) - len(group), group)
                group = []
                section = it.section
                rows.append([it.section] + [""] * 5)
                spans.append((len(rows) - 1, 0, len(rows) - 1, 5))
            rows.append([it.number, it.task, it.activity, it.deadline.text, it.responsible,
                         it.indicator])
            group.append(it)
        task_spans(1, len(rows) - len(group), group)
        bold = tuple(r for r, row in enumerate(rows) if row[0].startswith("Этап"))
        return Tbl(rows, spans=spans, widths=[0.6, 3, 3, 1.5, 1.7, 3], size=9, bold_rows=bold,
                   repeat_rows=1)
    if lay == "L3":
        for it in items:
            rows.append([it.number, it.activity, it.deadline.text, it.indicator])
        return Tbl(rows, widths=[0.5, 4.2, 2.0, 3.3], size=9, repeat_rows=1)
    if lay == "L4":
        for it in items:
            rows.append([it.number, it.activity, it.deadline.text, it.responsible, it.indicator])
        return Tbl(rows, widths=[0.7, 4.5, 1.6, 2.2, 3.0], size=10, repeat_rows=1)
    rows.append([str(i) for i in range(1, 11)])
    for it in items:
        area = L5_AREAS.get(_task_index(s, it), "Работа с обучающимися")
        rows.append([it.number, area, it.task, it.activity, it.deadline.text, it.responsible,
                     it.participants, it.indicator, it.target, it.link])
    return Tbl(rows, header_rows=2, widths=[0.45, 1.5, 2.0, 2.6, 1.3, 1.6, 1.6, 2.0, 1.3, 1.6],
               size=7.5, repeat_rows=2, split_in_row=True)


def _task_index(s: School, it: Item) -> int:
    for dk, ti in it.topic.dirs:
        if dk == s.direction.key:
            return ti
    return -1


def build_arp(s: School, rng: random.Random) -> DocSpec:
    dn = s.direction
    el: list = []
    v = s.arp_variant % 3
    n = rng.randint(2, 15)
    adate = d(1, rng.randint(10, 28))
    if v == 0:
        el += [Para("УТВЕРЖДАЮ", align="right", bold=True, space_after=0),
               Para(f"Директор {s.short}", align="right", space_after=0),
               Para(f"____________ {s.director.short_front}", align="right", space_after=0),
               Para(f"Приказ № {n} от {fmt_d(adate)}", align="right", space_after=14),
               Para(s.legal, align="center", bold=True),
               Para("Программа антирисковых мер", align="center", bold=True, size=15,
                    space_after=0),
               Para(f"по направлению «{dn.name}»", align="center", bold=True, space_after=0),
               Para("на 2022 год", align="center", space_after=12)]
    elif v == 1:
        el.append(Tbl([[f"СОГЛАСОВАНО\nКуратор проекта «500+»\n____________ "
                        f"{s.curator.short_front}\n«___» ____________ 2022 г.",
                        f"УТВЕРЖДАЮ\nДиректор школы\n____________ {s.director.short_front}\n"
                        f"Приказ от {fmt_d(adate)} № {n}"]], header_rows=0, grid=False))
        el += [Para(s.legal.upper(), align="center", bold=True, size=10),
               Para("АНТИРИСКОВАЯ ПРОГРАММА", align="center", bold=True, size=15, space_after=0),
               Para("Программа антирисковых мер по направлению", align="center", space_after=0),
               Para(f"«{dn.name}»", align="center", bold=True, space_after=0),
               Para(f"{s.place}, 2022 год", align="center", space_after=12)]
    else:
        el += [Para(f"Утверждаю: директор {s.short} ____________ {s.director.short_front}",
                    align="right", space_after=0),
               Para(fmt_quoted(adate), align="right", space_after=12),
               Para(f"Программа антирисковых мер по направлению «{dn.name}»", align="center",
                    bold=True, size=14),
               Para(s.legal, align="center", space_after=0),
               Para("Срок реализации: январь – декабрь 2022 года", align="center",
                    space_after=12)]
    if s.passport_table:
        prow = [["Наименование программы", f"Программа антирисковых мер «{dn.name}»"],
                ["Цель программы", dn.goal[:1].upper() + dn.goal[1:]],
                ["Сроки реализации", "01.01.2022 – 31.12.2022"],
                ["Исполнители", "Администрация, педагогический коллектив, педагог-психолог"],
                ["Куратор", s.curator.full]]
        el += [Para("Паспорт программы", align="center", bold=True), Tbl(prow, header_rows=0,
                                                                         widths=[1, 2.5])]
    el.append(Para("1. Обоснование программы", bold=True))
    el.append(Para(f"По результатам анализа рискового профиля {s.short} фактор «{dn.name}» "
                   "отнесён к рискам высокой значимости. Для школы характерны низкие "
                   "результаты внешних оценочных процедур и недостаточная эффективность "
                   "принимаемых мер.", align="justify", indent=True))
    if s.profile_table:
        el.append(Para("Динамика показателей, характеризующих фактор риска:", space_after=2))
        el.append(Tbl([["Показатель", "2021", "2022"], *[list(r) for r in dn.profile]],
                      widths=[4, 1, 1]))
    el.append(Para("2. Цель и планируемые результаты" if not s.tasks_text else
                   "2. Цель и задачи программы", bold=True))
    el.append(Para(f"Цель: {dn.goal}.", align="justify"))
    if s.tasks_text:
        el.append(Para("Задачи:", space_after=1))
        tasks = list(dict.fromkeys([it.task for it in s.items if it.task] or
                                   [_strip_num(t) for t in dn.tasks]))
        for i, t in enumerate(tasks, 1):
            el.append(Para(f"{i}. {_strip_num(t)}.", space_after=1))
    if s.targets_text:
        el.append(Para("Целевые показатели:", space_after=1))
        for t in dn.targets:
            el.append(Para(f"– {t};", space_after=1))
    if s.layout == "none":
        el.append(Para("3. Меры и мероприятия по достижению цели", bold=True))
        el.append(Para("Для достижения поставленной цели в течение 2022 года в школе будет "
                       "организована следующая работа.", align="justify", indent=True))
        for tp in _none_topics(s):
            el.append(Para(f"Планируется {_lower(tp.acts[0])}; ответственные — "
                           f"{_lower(tp.resp[0])}. Ожидаемый результат: {_lower(tp.inds[0])}.",
                           align="justify", indent=True))
        el.append(Para("Мероприятия проводятся в течение учебного года по мере необходимости, "
                       "сроки уточняются в плане работы школы на месяц.", align="justify",
                       indent=True))
        el.append(Para("4. Механизм реализации программы", bold=True))
        el.append(Para("Ход реализации программы рассматривается на совещаниях при директоре и "
                       "на педагогическом совете по итогам полугодия.", align="justify",
                       indent=True))
    else:
        el.append(Para(rng.choice(["3. Дорожная карта реализации программы",
                                   "3. План мероприятий (дорожная карта)",
                                   "3. Меры и мероприятия по достижению цели"]), bold=True))
        el.append(roadmap_table(s))
    el.append(Para("Ожидаемые результаты реализации программы", bold=True))
    el.append(Para("Снижение влияния фактора риска, рост образовательных результатов "
                   "обучающихся, формирование у педагогов устойчивой практики анализа "
                   "результатов своей работы.", align="justify", indent=True))
    el.append(Para(f"Ответственный за реализацию программы: заместитель директора по УВР "
                   f"{s.deputy.short}."))
    return DocSpec(el, landscape=s.layout in ("L1", "L5"), font=s.style.font,
                   size=s.style.size, title=f"Программа антирисковых мер «{dn.name}»")


def _strip_num(t: str) -> str:
    return re.sub(r"^\d+\.\s*", "", t)


def _none_topics(s: School) -> list[Topic]:
    pool = [t for t in TOPICS.values() if any(dk == s.direction.key for dk, _ in t.dirs)]
    return pool[:5]


# ---------------------------------------------------------------------------------------------
# Building schools
# ---------------------------------------------------------------------------------------------

TEACHER_ROLES = [
    "учитель математики", "учитель русского языка и литературы", "учитель начальных классов",
    "учитель биологии", "учитель истории", "учитель английского языка", "учитель химии",
    "учитель географии", "учитель информатики", "учитель начальных классов",
]


def new_school(rng: random.Random, idx: int, folder: str, legal: str, short: str,
               municipality: str, place: str, direction: str, layout: str, arp_fmt: str,
               arp_file: str, style: Style, **kw) -> School:
    used: set[str] = set()
    director = make_person(rng, used, "директор", female=True)
    deputy = make_person(rng, used, "заместитель директора по УВР", female=True)
    deputy_vr = make_person(rng, used, "заместитель директора по ВР", female=True)
    psych = make_person(rng, used, "педагог-психолог", female=True)
    social = make_person(rng, used, "социальный педагог", female=True)
    teachers = [make_person(rng, used, r, female=True) for r in rng.sample(TEACHER_ROLES, 7)]
    curator = make_person(rng, used, "куратор")
    return School(idx, folder, legal, short, municipality, place, DIRECTIONS[direction], layout,
                  arp_fmt, arp_file, director, deputy, deputy_vr, psych, social, teachers,
                  curator, style, **kw)


def mk(s: School, key: str, dl: str, act: int = 0, ind: int = 0, ind_text: str | None = None,
       resp: str | None = None, link: str = "", section: str = "", target: str = "") -> Item:
    tp = TOPICS[key]
    return Item(
        number="", section=section, task="", activity=tp.acts[act], deadline=DEADLINES[dl],
        responsible=resp or tp.resp[0], participants=tp.part,
        indicator=tp.inds[ind] if ind_text is None else ind_text, topic=tp,
        expected_result_type="order" if tp.expected_order else None, link=link, target=target,
    )


def finalize(s: School) -> None:
    """Print tasks and numbers the way the school's layout does."""
    dn = s.direction

    def task_of(it: Item) -> str:
        ti = _task_index(s, it)
        return dn.org_task if ti < 0 else dn.tasks[ti]

    if s.layout == "L1":
        order: list[str] = []
        for i, it in enumerate(s.items, 1):
            t = task_of(it)
            if t not in order:
                order.append(t)
            it.task = f"{order.index(t) + 1}. {t}"
            it.number = str(i)
    elif s.layout == "L2":
        keys: list[tuple[str, str]] = []
        counters: dict[tuple[str, str], int] = {}
        for it in s.items:
            it.task = task_of(it)
            key = (it.section, it.task)
            if key not in keys:
                keys.append(key)
            counters[key] = counters.get(key, 0) + 1
            it.number = f"{keys.index(key) + 1}.{counters[key]}"
    else:
        for i, it in enumerate(s.items, 1):
            it.number = str(i)
            it.task = task_of(it) if s.layout == "L5" else ""
            if s.layout == "L3":
                it.responsible = ""


def pseudo_item(key: str) -> Item:
    tp = TOPICS[key]
    return Item("", "", "", tp.acts[0], DEADLINES["В течение года"], tp.resp[0], tp.part,
                tp.inds[0], tp)


def _window_of(its: list[Item]) -> tuple[date, date]:
    lo, hi = d(1, 10), REPORT_DATE - timedelta(days=1)
    for it in its:
        a, b = window(it.deadline)
        lo, hi = max(lo, a), min(hi, b)
        if it.topic.not_before:
            lo = max(lo, it.topic.not_before)
    return lo, hi


PRODUCT_NAMES = {
    "techmap": ["Технологическая карта урока", "Техкарта открытого урока"],
    "seminar": ["Программа семинара", "Программа методического семинара"],
    "cert": ["Удостоверения КПК", "Удостоверения о повышении квалификации"],
    "iom_teacher": ["ИОМ педагогов", "Индивидуальные маршруты педагогов"],
    "iom_student": ["ИОМ обучающихся", "Маршруты обучающихся группы риска"],
    "training": ["Программа тренинга", "Тренинг Мы — команда"],
    "student_work": ["Работа ученика с комментариями", "Проверенная работа"],
}
PROTO_NAMES = {
    "педсовет": "Протокол педсовета №{n}", "ШМО": "Протокол ШМО {n}", "МО": "Протокол МО {n}",
    "методсовет": "Протокол методического совета №{n}", "совещание": "протокол совещания {dm}",
    "ППк": "Протокол ППк №{n}", "родсобрание": "Протокол родительского собрания",
}


def default_name(kind: str, its: list[Item], dt: date, rng: random.Random, num: str,
                 product: str | None, proto: str | None) -> str:
    if kind in ("order",) or kind in ("off:order_load", "off:order_food"):
        return rng.choice([f"Приказ №{num} от {fmt_d(dt)}", f"Приказ № {num}",
                           f"приказ {num} от {dt.strftime('%d.%m')}"])
    if kind == "protocol":
        return PROTO_NAMES[proto or its[0].topic.proto].format(n=num, dm=dt.strftime("%d.%m"))
    if kind == "analytic_note":
        g = " ".join(its[0].topic.gen[0].split()[:3])
        return rng.choice(["Аналитическая справка", f"Справка по итогам {g}",
                           f"Аналитическая справка {g}"])
    if kind == "report":
        return rng.choice(["Отчёт", "Отчёт о проведении мероприятия", "Информация о проведении"])
    if kind == "narrative":
        return "Отчёт о реализации АРП за 1 полугодие"
    if kind == "product":
        return rng.choice(PRODUCT_NAMES[product or its[0].topic.product or "techmap"])
    if kind == "other":
        return rng.choice(["Новость на сайте", "Скриншот новости"])
    if kind == "plan":
        return "График консультаций"
    if kind.startswith("off:"):
        return OFF_PLAN[kind[4:]][1]
    return "Документ"


def run_plan(s: School, plan: list[dict], rng: random.Random) -> list[Evidence]:
    out: list[Evidence] = []
    names: set[str] = set()
    events: dict[str, date] = {}

    def event_of(its: list[Item]) -> date:
        key = "+".join(it.number for it in its)
        if its and all(it.number for it in its):
            known = [events[it.number] for it in its if it.number in events]
            lo, hi = _window_of(its)
            for x in known:
                if lo <= x <= hi:
                    return x
        lo, hi = _window_of(its)
        if hi < lo:
            raise ValueError(f"{s.folder}: no common date for items {key}")
        x = pick_date(rng, lo, hi)
        for it in its:
            if it.number:
                events.setdefault(it.number, x)
        return x

    for p in plan:
        kind = p["kind"]
        fmt = p.get("fmt", "pdf")
        nums = list(p.get("items", []))
        its = [s.item(n) for n in nums] if nums else (
            [pseudo_item(p["topic"])] if p.get("topic") else [])
        if p.get("num"):
            num = str(p["num"])
        elif kind in ("order", "off:order_load", "off:order_food"):
            num = order_no(s, rng)
        else:
            num = str(rng.randint(2, 7))
        if kind == "empty":
            ev = Evidence(p["name"], "other", [], False, b"", readable=False)
        elif kind == "corrupt":
            spec, _ = off_protocol_council(s, d(3, 30), rng)
            if p["name"].endswith(".docx"):
                raw = render_docx(spec)
                data = raw[: int(len(raw) * 0.4)]
            else:
                data = bytes(rng.randrange(256) for _ in range(4096))
            ev = Evidence(p["name"], "other", [], False, data, readable=False)
        else:
            if kind.startswith("off:"):
                dt = p.get("date") or pick_date(rng, d(1, 12), d(5, 27))
                spec, doc_type = OFF_PLAN[kind[4:]][0](s, dt, rng, num)
            elif kind == "narrative":
                dates = [event_of([it]) for it in its]
                dt = min(max(dates) + timedelta(days=rng.randint(2, 9)), d(5, 31))
                spec, doc_type = w_narrative(s, its, dates, dt, rng)
            elif kind == "order" and not its[0].topic.expected_order:
                ev_date = event_of(its)
                lo, _ = _window_of(its)
                dt = max(ev_date - timedelta(days=rng.randint(2, 8)), min(lo, ev_date), d(1, 10))
                if dt == ev_date:
                    dt = ev_date - timedelta(days=3)
                spec, doc_type = w_order(s, its, dt, rng, event=ev_date, num=num)
            elif kind == "order":
                dt = event_of(its)
                spec, doc_type = w_order(s, its, dt, rng, num=num)
            elif kind == "protocol":
                dt = event_of(its)
                spec, doc_type = w_protocol(s, its, dt, rng, kind=p.get("proto"),
                                            num=int(num), mo=p.get("mo"))
            elif kind == "product" and p.get("product"):
                dt = event_of(its)
                el = PRODUCTS[p["product"]](s, its, dt, rng)
                spec, doc_type = DocSpec(el, font=s.style.font, size=s.style.size), "product"
            else:
                dt = event_of(its)
                spec, doc_type = WRITERS[kind](s, its, dt, rng)
            name = p.get("name") or default_name(kind, its, dt, rng, num, p.get("product"),
                                                 p.get("proto"))
            name = name.replace("/", "-")
            fname = f"{name}.{fmt}"
            k = 2
            while fname in names:
                fname = f"{name} ({k}).{fmt}"
                k += 1
            confirms = [it.number for it in its if it.number]
            ev = Evidence(fname, doc_type, confirms, not confirms, render(spec, fmt))
        names.add(ev.file)
        out.append(ev)
    return out


# ---- the six canonical schools -----------------------------------------------------------------


def _s1(rng: random.Random) -> tuple[School, list[dict]]:
    s = new_school(
        rng, 1, "school_01_sosnovskaya",
        "Муниципальное общеобразовательное учреждение «Сосновская основная школа»",
        "МОУ Сосновская ООШ", "Лесногорский муниципальный район", "с. Сосновка", "sreda", "L1",
        "docx", "АРП Пониженный уровень качества школьной образовательной и воспитательной "
        "среды.docx", Style("serif", 12, 0, "{n}", 0, True, 0),
        arp_variant=0, profile_table=True, targets_text=True)
    s.items = [
        mk(s, "site_page", "Май 2022", link="Ссылка на страницу сайта школы, РИД "
           "http://sosnovka-school.edusite.ru/p45aa1.html"),
        mk(s, "consult_parents", "Май-ноябрь",
           link="Аналитическая справка по итогам консультирования (Приложение 1)"),
        mk(s, "diag_adapt", "11.02.2022–14.02.2022", link="Аналитическая справка (Приложение 2)"),
        mk(s, "sociometry", "Март 2022", ind=0, link="Справка по итогам социометрии "
           "(Приложение 3)"),
        mk(s, "training", "Март - май, 2022 год", link="Программа занятий (Приложение 4)"),
        mk(s, "class_hours", "24.01-01-02.2022", ind=0, link="Отчёт о проведении (Приложение 5)"),
        mk(s, "reconciliation", "Сентябрь-октябрь 2022", link="Протокол заседания службы"),
        mk(s, "parent_meeting", "15.03.2022", link="Приказ, протокол собрания (Приложение 6)"),
        mk(s, "parent_survey", "Апрель-май, 2022 год", ind=0,
           link="https://disk.yandex.ru/i/1MgWL8EyK5Nipw (Приложение 7)"),
    ]
    finalize(s)
    plan = [
        dict(kind="analytic_note", items=["2"], fmt="pdf", name="Приложение 1"),
        dict(kind="analytic_note", items=["3"], fmt="pdf", name="Приложение 2"),
        dict(kind="analytic_note", items=["4"], fmt="docx", name="Приложение 3"),
        dict(kind="product", items=["5"], fmt="pdf", name="Приложение 4"),
        dict(kind="report", items=["6"], fmt="docx", name="Приложение 5"),
        dict(kind="order", items=["8"], fmt="pdf", num="18"),
        dict(kind="protocol", items=["8"], fmt="pdf", name="Приложение 6"),
        dict(kind="analytic_note", items=["9"], fmt="docx", name="Приложение 7"),
    ]
    return s, plan


def _s2(rng: random.Random) -> tuple[School, list[dict]]:
    s = new_school(
        rng, 2, "school_02_sh14_zavolzhsk",
        "Муниципальное общеобразовательное учреждение «Средняя школа № 14»",
        "МОУ Средняя школа № 14", "г. Заволжск", "г. Заволжск", "komp", "L2", "docx",
        "Программа антирисковых мер_компетентность педагогов_2022.docx",
        Style("serif", 12, 1, "{n}-о", 1, True, 1),
        arp_variant=1, passport_table=True, tasks_text=True)
    e1, e2 = "Этап I", "Этап II"
    s.items = [
        mk(s, "diag_deficit", "Апрель-май, 2022 год", section=e1,
           ind_text="Составлены индивидуальные образовательные маршруты педагогов "
                    "(Приложение 1)"),
        mk(s, "burnout", "Март - май, 2022 год", section=e1,
           ind_text="Реализация программы профилактики профессионального выгорания «Скажи "
                    "стрессу НЕТ». (Приложение 2)"),
        mk(s, "kpk", "Февраль-март 2022", section=e1,
           ind_text="Прохождение курсов повышения квалификации педагогами (Приложение 3)"),
        mk(s, "fo", "Апрель-май, 2022 год", section=e1,
           ind_text="Выступление на МО учителей-предметников (Приложение 4)"),
        mk(s, "diag_learning", "Май, 2022 год", section=e1),
        mk(s, "open_lessons", "По отдельному графику", section=e2,
           ind_text="Технологические карты уроков (Приложение 5)"),
        mk(s, "seminar_fg", "Октябрь 2022", section=e2),
        mk(s, "pedsovet_arp", "Декабрь 2022", section=e2),
    ]
    finalize(s)
    plan = [
        dict(kind="analytic_note", items=["1.1"], fmt="pdf", name="Приложение 1"),
        dict(kind="order", items=["1.2"], fmt="pdf", name="Приложение 2"),
        dict(kind="product", items=["1.3"], fmt="pdf", name="Приложение 3"),
        dict(kind="protocol", items=["2.1"], fmt="docx", name="Приложение 4", proto="МО",
             num=3, mo="учителей-предметников"),
        dict(kind="product", items=["2.1"], fmt="docx", product="student_work",
             name="Работа обучающегося с комментариями учителя"),
        dict(kind="order", items=["3.1"], fmt="docx", num="41-о"),
        dict(kind="product", items=["3.1"], fmt="pdf", name="Приложение 5"),
    ]
    return s, plan


def _s3(rng: random.Random) -> tuple[School, list[dict]]:
    s = new_school(
        rng, 3, "school_03_kedrovskaya",
        "Муниципальное казённое общеобразовательное учреждение «Кедровская средняя "
        "общеобразовательная школа»", "МКОУ «Кедровская СОШ»", "Каменский муниципальный район",
        "с. Кедровка", "motiv", "L3", "pdf", "Антирисковая программа Низкая учебная мотивация.pdf",
        Style("sans", 11, 2, "{n}", 2, False, 2), arp_variant=2)
    s.items = [
        mk(s, "interview_teachers", "Январь", act=1, ind=1),
        mk(s, "survey_motiv", "24.01-01-02.2022"),
        mk(s, "webinar_region", "17 января 2022"),
        mk(s, "webinar_curators", "28 января 2022"),
        mk(s, "olymp", "Январь-февраль"),
        mk(s, "network", "В течение всего периода"),
        mk(s, "iom_students", "Март-"),
        mk(s, "medk", "До 30 апреля"),
        mk(s, "subject_week", "Декабрь"),
        mk(s, "monitoring", "в конце четверти"),
    ]
    finalize(s)
    plan = [
        dict(kind="protocol", items=["1"], fmt="pdf"),
        dict(kind="analytic_note", items=["2"], fmt="docx",
             name="Аналитическая справка анкетирование"),
        dict(kind="narrative", items=["3", "4"], fmt="docx"),
        dict(kind="order", items=["7"], fmt="pdf", num="27"),
        dict(kind="off:order_load", fmt="pdf", num="31"),
        dict(kind="off:reg_pos", fmt="pdf"),
        dict(kind="off:news_ski", fmt="docx", name="Новость"),
        dict(kind="empty", name="Приложение 5.pdf"),
    ]
    return s, plan


def _s4(rng: random.Random) -> tuple[School, list[dict]]:
    s = new_school(
        rng, 4, "school_04_polyanskaya", "Муниципальное общеобразовательное учреждение Полянская "
        "средняя школа", "МОУ Полянская СШ", "Верхнереченский муниципальный район", "пос. Поляны",
        "pk", "L4", "docx", "АРП Несформированность внутришкольной системы ПК.docx",
        Style("serif", 12, 0, "{n}/01-07", 0, True, 0), arp_variant=0, tasks_text=True)
    s.items = [
        mk(s, "reg_pk", "До 11.02.2022", resp="Директор"),
        mk(s, "pos_groups", "Февраль 2022", ind_text=""),
        mk(s, "diag_deficit", "11.02.2022–14.02.2022", act=1, ind=1, resp="Руководители ШМО"),
        mk(s, "ipr", "Март 2022", ind_text=""),
        mk(s, "kpk", "До 30 апреля"),
        mk(s, "mutual_visits", "Апрель 2022", ind_text=""),
        mk(s, "seminar_fo", "24.03.2022"),
        mk(s, "pedsovet_pk", "Декабрь"),
    ]
    finalize(s)
    plan = [
        dict(kind="order", items=["1"], fmt="docx", num="12/01-07"),
        dict(kind="protocol", items=["2"], fmt="pdf", num=2),
        dict(kind="analytic_note", items=["3"], fmt="docx",
             name="Аналитическая справка по итогам диагностики"),
        dict(kind="product", items=["4"], fmt="pdf"),
        dict(kind="protocol", items=["4", "7"], fmt="docx", proto="ШМО", num=3,
             name="Протокол ШМО 3"),
        dict(kind="product", items=["5"], fmt="pdf", name="Удостоверения КПК"),
        dict(kind="product", items=["7"], fmt="pdf", name="Программа семинара"),
        dict(kind="off:contract", fmt="pdf"),
    ]
    return s, plan


def _s5(rng: random.Random) -> tuple[School, list[dict]]:
    s = new_school(
        rng, 5, "school_05_nikolskaya", "Муниципальное бюджетное общеобразовательное учреждение "
        "«Никольская средняя общеобразовательная школа»", "МБОУ Никольская СОШ",
        "Заозёрный муниципальный район", "с. Никольское", "neusp", "L5", "pdf",
        "АРП Высокая доля обучающихся с рисками учебной неуспешности.pdf",
        Style("serif", 11, 1, "{n}", 1, True, 1), arp_variant=1)
    s.items = [
        mk(s, "diag_neusp", "I квартал 2022", resp="Заместитель директора по УВР, классные "
           "руководители", target="Список группы риска по каждому классу",
           link="Аналитическая справка"),
        mk(s, "ppk", "ежемесячно", target="1 заседание в месяц", link="Протокол ППк"),
        mk(s, "monitoring", "в конце четверти", ind=0, target="не более 3%",
           link="Аналитическая справка по итогам четверти"),
        mk(s, "iom_students", "первое полугодие 2022 года", target="100%", link="ИОМ"),
        mk(s, "consult", "По отдельному графику", target="100% обучающихся группы риска",
           link="График, журнал консультаций"),
        mk(s, "mentor_students", "Февраль-декабрь 2022", target="не менее 10 пар",
           link="Отчёт куратора наставничества"),
        mk(s, "feedback_work", "В течение года", target="не менее 70% педагогов",
           link="Проверенные работы"),
        mk(s, "parents_talks", "В соответствии с запросами", target="100%",
           link="Журнал бесед, отчёт"),
        mk(s, "operative_meetings", "В течение года (2 совещания в месяц)", target="2 в месяц",
           link="Протоколы совещаний"),
        mk(s, "vpr_analysis", "До 30 сентября", target="по всем предметам ВПР",
           link="Протоколы ШМО"),
        mk(s, "diag_learning", "2022 год", resp="Педагог-психолог", target="100% обучающихся "
           "группы риска", link="Аналитическая справка"),
        mk(s, "seminar_fg", "Сентябрь-октябрь 2022", target="100% педагогов",
           link="Программа семинара"),
        mk(s, "pedsovet_arp", "II квартал 2022", target="1 заседание", link="Протокол "
           "педсовета"),
        mk(s, "mutual_visits", "Постоянно", ind=0, target="не менее 2 уроков",
           link="Листы анализа уроков"),
    ]
    long_item = s.items[7]
    long_item.activity = (
        "Индивидуальные беседы с родителями обучающихся, имеющих неудовлетворительные отметки "
        "по итогам учебных периодов или систематически пропускающих уроки без уважительной "
        "причины: информирование о результатах обучения, выработка совместных мер поддержки, "
        "знакомство с графиком дополнительных занятий и консультаций, при необходимости — "
        "приглашение на заседание Совета профилактики и психолого-педагогического консилиума "
        "с участием классного руководителя, социального педагога и педагога-психолога")
    long_item.indicator = (
        "Проведены беседы с родителями 100% обучающихся группы риска; с каждой семьёй "
        "согласован план совместной работы; родители ознакомлены с графиком консультаций и "
        "способами контроля успеваемости через электронный дневник; сведения о беседах "
        "внесены в журнал индивидуальной работы классного руководителя")
    finalize(s)
    plan = [
        dict(kind="protocol", items=["2"], fmt="pdf", num=3),
        dict(kind="analytic_note", items=["3"], fmt="docx", name="Справка итоги 3 четверти"),
        dict(kind="order", items=["5"], fmt="pdf", num="64"),
        dict(kind="off:note_journal", fmt="docx"),
        dict(kind="off:protocol_council", fmt="pdf"),
        dict(kind="off:letter", fmt="docx"),
        dict(kind="corrupt", name="Протокол педсовета.docx"),
    ]
    return s, plan


def _s6(rng: random.Random) -> tuple[School, list[dict]]:
    s = new_school(
        rng, 6, "school_06_sh9_zavolzhsk",
        "Муниципальное общеобразовательное учреждение «Средняя школа № 9»",
        "МОУ Средняя школа № 9", "г. Заволжск", "г. Заволжск", "sreda", "none", "docx",
        "Программа антирисковых мер по повышению качества школьной среды.docx",
        Style("sans", 11, 2, "{n}", 2, True, 2), arp_variant=2, profile_table=True,
        tasks_text=True, targets_text=True)
    plan = [
        dict(kind="protocol", topic="parent_meeting", fmt="docx",
             name="Протокол родительского собрания"),
        dict(kind="analytic_note", topic="parent_survey", fmt="pdf",
             name="Аналитическая справка по итогам анкетирования родителей"),
        dict(kind="report", topic="class_hours", fmt="docx", name="Отчёт о классных часах"),
        dict(kind="product", topic="training", fmt="pdf", name="Программа тренинга"),
        dict(kind="analytic_note", topic="sociometry", fmt="pdf", name="Справка социометрия"),
        dict(kind="analytic_note", topic="diag_adapt", fmt="docx"),
    ]
    return s, plan


CANONICAL = [_s1, _s2, _s3, _s4, _s5, _s6]


# ---- recombined schools for benchmarks ----------------------------------------------------------

VILLAGES = [
    ("Берёзовская", "с. Берёзовка", "berezovskaya"), ("Покровская", "с. Покровское", "pokrovskaya"),
    ("Михайловская", "с. Михайловское", "mikhaylovskaya"),
    ("Знаменская", "с. Знаменское", "znamenskaya"), ("Троицкая", "с. Троицкое", "troitskaya"),
    ("Воскресенская", "с. Воскресенское", "voskresenskaya"),
    ("Луговская", "пос. Луговой", "lugovskaya"), ("Озёрская", "пос. Озёрный", "ozerskaya"),
    ("Дубровская", "с. Дубровка", "dubrovskaya"), ("Ольховская", "д. Ольховка", "olkhovskaya"),
    ("Рябининская", "с. Рябинино", "ryabininskaya"), ("Петровская", "с. Петровское", "petrovskaya"),
    ("Липовская", "с. Липовка", "lipovskaya"), ("Васильевская", "с. Васильевское", "vasilevskaya"),
    ("Каменская", "с. Каменка", "kamenskaya"), ("Осиновская", "с. Осиновка", "osinovskaya"),
    ("Ключевская", "пос. Ключи", "klyuchevskaya"), ("Заречная", "пос. Заречный", "zarechnaya"),
    ("Горская", "с. Горки", "gorskaya"), ("Никитинская", "с. Никитино", "nikitinskaya"),
    ("Ивановская", "с. Ивановское", "ivanovskaya"), ("Спасская", "с. Спасское", "spasskaya"),
    ("Богородская", "с. Богородское", "bogorodskaya"),
    ("Красносельская", "с. Красное", "krasnoselskaya"), ("Малиновская", "с. Малиновка",
                                                           "malinovskaya"),
    ("Сокольская", "пос. Сокол", "sokolskaya"), ("Фёдоровская", "с. Фёдоровское", "fedorovskaya"),
    ("Ермаковская", "с. Ермаково", "ermakovskaya"), ("Вязовская", "с. Вязовое", "vyazovskaya"),
    ("Соболевская", "с. Соболево", "sobolevskaya"),
]
SCHOOL_TYPES = [
    ("МОУ", "СОШ", "Муниципальное общеобразовательное учреждение", "средняя общеобразовательная "
     "школа"),
    ("МБОУ", "ООШ", "Муниципальное бюджетное общеобразовательное учреждение", "основная "
     "общеобразовательная школа"),
    ("МКОУ", "СШ", "Муниципальное казённое общеобразовательное учреждение", "средняя школа"),
]
DISTRICTS = ["Лесногорский", "Каменский", "Заозёрный", "Верхнереченский", "Ольховский",
             "Приозёрный", "Сосновоборский", "Красноборский"]
CITIES = [("г. Заволжск", "zavolzhsk"), ("г. Лесногорск", "lesnogorsk"),
          ("г. Каменск", "kamensk"), ("г. Северогорск", "severogorsk"), ("г. Озёрск", "ozersk")]
DOC_LABELS = {"analytic_note": "Аналитическая справка", "protocol": "Протокол",
              "report": "Отчёт", "product": "Материалы мероприятия", "order": "Приказ",
              "other": "Ссылка на сайт школы"}
TARGETS = ["100%", "не менее 80%", "1 раз в месяц", "да", "не менее 70% педагогов",
           "по плану", "не менее 2"]


def _pick_identity(rng: random.Random, used: set[str]) -> tuple[str, str, str, str, str]:
    for _ in range(10000):
        if rng.random() < 0.55:
            adj, place, slug = rng.choice(VILLAGES)
            ab, kind, legal_kind, long_kind = rng.choice(SCHOOL_TYPES)
            short = f"{ab} {adj} {kind}"
            legal = f"{legal_kind} «{adj} {long_kind}»"
            muni = f"{rng.choice(DISTRICTS)} муниципальный район"
        else:
            city, slug0 = rng.choice(CITIES)
            n = rng.randint(1, 99)
            short = f"МОУ Средняя школа № {n} {city}"
            legal = f"Муниципальное общеобразовательное учреждение «Средняя школа № {n}»"
            muni, place, slug = city, city, f"sh{n}_{slug0}"
        if short not in used:
            used.add(short)
            return legal, short, muni, place, slug
    raise RuntimeError("ran out of school names")


def random_school(idx: int, rng: random.Random, used: set[str]) -> tuple[School, list[dict]]:
    legal, short, muni, place, slug = _pick_identity(rng, used)
    dkey = rng.choice(list(DIRECTIONS))
    layout = rng.choice(["L1", "L2", "L3", "L4", "L5", "none"])
    pdf_share = {"L3": 0.7, "L5": 0.8}.get(layout, 0.35)
    arp_fmt = "pdf" if rng.random() < pdf_share else "docx"
    arp_file = rng.choice([f"АРП {DIRECTIONS[dkey].name}", "Программа антирисковых мер",
                           f"Антирисковая программа {short}", "АРП_2022"])
    style = Style(rng.choice(["serif", "sans"]), rng.choice([11, 12]), rng.randint(0, 2),
                  rng.choice(["{n}", "{n}-о", "{n}/01-07", "01-10/{n}"]), rng.randint(0, 2),
                  rng.random() < 0.6, rng.randint(0, 2))
    s = new_school(rng, idx + 1, f"school_{idx + 1:02d}_{slug}", legal, short, muni, place,
                   dkey, layout, arp_fmt, f"{arp_file}.{arp_fmt}", style,
                   arp_variant=rng.randint(0, 2), profile_table=rng.random() < 0.4,
                   passport_table=rng.random() < 0.3, tasks_text=rng.random() < 0.5,
                   targets_text=rng.random() < 0.5)
    pool = [t for t in TOPICS.values()
            if any(dk in (dkey, "*") for dk, _ in t.dirs) and t.key not in ("network", "medk")]
    n = rng.randint(12, 15) if layout == "L5" else rng.randint(5, 10)
    chosen = rng.sample(pool, min(n, len(pool)))
    chosen.sort(key=lambda t: next((ti for dk, ti in t.dirs if dk == dkey and ti >= 0), 99))
    strict = rng.random() < 0.35
    sloppy = rng.random() < 0.3
    items: list[Item] = []
    for tp in chosen:
        for _ in range(50):
            r = rng.random()
            if strict:
                dl = rng.choice(STRICT_PAST if r < 0.7 else STRICT_FUTURE)
            else:
                dl = rng.choice(LOOSE if r < 0.4 else STRICT_PAST if r < 0.85 else STRICT_FUTURE)
            lo, hi = window(DEADLINES[dl])
            if tp.not_before is None or (hi >= tp.not_before or not is_planned(DEADLINES[dl])):
                if tp.not_before is None or hi >= tp.not_before:
                    break
        it = mk(s, tp.key, dl, act=rng.randrange(len(tp.acts)), ind=rng.randrange(len(tp.inds)))
        if sloppy and rng.random() < 0.35 and not tp.expected_order:
            it.indicator = ""
        it.link = rng.choice([DOC_LABELS[tp.docs[0]], f"{DOC_LABELS[tp.docs[0]]}, приказ", ""])
        it.target = rng.choice(TARGETS)
        items.append(it)
    if layout == "L2":
        half = (len(items) + 1) // 2
        for i, it in enumerate(items):
            it.section = "Этап I" if i < half else "Этап II"
    s.items = [] if layout == "none" else items
    finalize(s)
    fmt = lambda: rng.choice(["pdf", "docx"])  # noqa: E731
    plan: list[dict] = []
    if layout == "none":
        for tp in chosen[: rng.randint(4, 8)]:
            plan.append(dict(kind=tp.docs[0] if tp.docs[0] != "order" else "order",
                             topic=tp.key, fmt=fmt()))
    else:
        impl_rate = rng.choice([0.1, 0.3, 0.55, 0.85])
        for it in s.items:
            tp = it.topic
            r = rng.random()
            if it.planned:
                if r < impl_rate:
                    kind = rng.choice(tp.docs)
                    if kind == "order" or tp.expected_order:
                        plan.append(dict(kind="order", items=[it.number], fmt=fmt()))
                        continue
                    if tp.order_title and rng.random() < 0.3:
                        plan.append(dict(kind="order", items=[it.number], fmt=fmt()))
                    plan.append(dict(kind=kind, items=[it.number], fmt=fmt()))
                elif r < impl_rate + 0.15 and not tp.expected_order:
                    plan.append(dict(kind="order", items=[it.number], fmt=fmt()))
            elif r < 0.1 and window(it.deadline)[0] <= d(5, 27):
                plan.append(dict(kind=tp.docs[0], items=[it.number], fmt=fmt()))
        planned = [it for it in s.items if it.planned]
        if len(planned) >= 2 and rng.random() < 0.3:
            a, b = rng.sample(planned, 2)
            lo, hi = _window_of([a, b])
            if lo <= hi and "order" not in (a.topic.docs[0], b.topic.docs[0]):
                plan.append(dict(kind="protocol", items=[a.number, b.number], fmt=fmt()))
        if len(planned) >= 2 and rng.random() < 0.15:
            its = rng.sample(planned, min(3, len(planned)))
            its.sort(key=lambda x: s.items.index(x))
            plan.append(dict(kind="narrative", items=[x.number for x in its], fmt=fmt()))
    topic_keys = {t.key for t in chosen}
    off_keys = [k for k in OFF_PLAN if not (k == "reg_pos" and "pos_groups" in topic_keys)]
    rng.shuffle(off_keys)
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        if off_keys:
            plan.append(dict(kind="off:" + off_keys.pop(), fmt=fmt()))
    while len(plan) < 5 and off_keys:
        plan.append(dict(kind="off:" + off_keys.pop(), fmt=fmt()))
    if rng.random() < 0.07:
        plan.append(dict(kind="corrupt", name=rng.choice(["Протокол педсовета.docx",
                                                          "Скан приказа.pdf"])))
    if rng.random() < 0.07:
        plan.append(dict(kind="empty", name=rng.choice(["Приложение 5.pdf", "Документ.docx"])))
    return s, plan[:20]


# ---------------------------------------------------------------------------------------------
# Truth and scores
# ---------------------------------------------------------------------------------------------


def k1_points(percent: float) -> int:
    return 0 if percent < 25 else 1 if percent < 50 else 2 if percent < 75 else 3


def expected_scores(layout: str, items: list[dict], documents: list[dict], arp_file: str,
                    tasks_text: bool, targets_text: bool) -> dict:
    has_roadmap = layout != "none" and bool(items)
    planned = [it for it in items if it["planned"]]
    implemented = [it for it in planned if it["implemented"]]
    percent = None
    if not has_roadmap or not planned:
        k1: int | str = "Н/о"
    else:
        percent = round(100 * len(implemented) / len(planned), 1)
        k1 = k1_points(100 * len(implemented) / len(planned))
    k2 = int(any(it["task"].strip() for it in items) or tasks_text)
    if has_roadmap:
        k3 = int(sum(1 for it in items if it["indicator"].strip()) >= 0.8 * len(items))
        k4 = int(all(it["precision"] in ("day", "month") for it in items))
    else:
        k3, k4 = int(targets_text), 0
    by_number = {it["number"]: it for it in items}
    docs = [x for x in documents if x["file"] != arp_file and x["readable"]]
    k5 = k6 = 0
    if has_roadmap and docs:
        matched = [x for x in docs if x["confirms"]]
        k5 = int(len(matched) >= 0.8 * len(docs))
        good = [x for x in matched if x["evidence_kind"] == "result" or any(
            by_number[n]["expected_result_type"] == x["doc_type"] for n in x["confirms"])]
        k6 = int(len(good) >= 0.8 * len(docs))
    total = sum(v for v in (k1, k2, k3, k4, k5, k6) if isinstance(v, int))
    return {"K1": k1, "K2": k2, "K3": k3, "K4": k4, "K5": k5, "K6": k6, "total": total,
            "planned": len(planned), "implemented": len(implemented), "percent": percent}


def build_truth(s: School, evidence: list[Evidence]) -> dict:
    items = []
    for it in s.items:
        confirmed = [e for e in evidence if it.number in e.confirms]
        implemented = it.planned and any(
            e.readable and (EVIDENCE_KIND[e.doc_type] == "result"
                            or e.doc_type == it.expected_result_type) for e in confirmed)
        dl = it.deadline
        items.append({
            "number": it.number, "section": it.section, "task": it.task,
            "activity": it.activity, "deadline_text": dl.text,
            "start": dl.start.isoformat() if dl.start else None,
            "end": dl.end.isoformat() if dl.end else None, "precision": dl.precision,
            "responsible": it.responsible, "indicator": it.indicator,
            "expected_result_type": it.expected_result_type, "planned": it.planned,
            "implemented": implemented, "confirmed_by": [e.file for e in confirmed],
        })
    documents = [{"file": s.arp_file, "readable": True, "doc_type": "plan",
                  "evidence_kind": "plan", "confirms": [], "off_plan": False}]
    for e in evidence:
        documents.append({"file": e.file, "readable": e.readable, "doc_type": e.doc_type,
                          "evidence_kind": EVIDENCE_KIND[e.doc_type], "confirms": e.confirms,
                          "off_plan": e.off_plan})
    return {
        "school": s.short, "municipality": s.municipality, "folder": s.folder,
        "report_date": REPORT_DATE.isoformat(), "risk_direction": s.direction.name,
        "arp_file": s.arp_file, "layout": s.layout, "items": items, "documents": documents,
        "expected": expected_scores(s.layout, items, documents, s.arp_file, s.tasks_text,
                                    s.targets_text),
    }


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def _clear(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        if child.is_dir() and child.name.startswith("school_"):
            shutil.rmtree(child)


def generate(out_dir: Path, truth_dir: Path, n_schools: int = 6, seed: int = 0,
             start: int = 0) -> list[dict]:
    """Write `n_schools` school folders and their truth files; return the truth dicts.

    Schools are numbered from `start`: the first six numbers are the canonical sample, so
    `start=6` gives only recombined schools (data for tuning that never holds the sample)."""
    out_dir, truth_dir = Path(out_dir), Path(truth_dir)
    _clear(out_dir)
    _clear(truth_dir)
    used = {"МОУ Сосновская ООШ", "МОУ Средняя школа № 14 г. Заволжск", "МКОУ «Кедровская СОШ»",
            "МОУ Полянская СШ", "МБОУ Никольская СОШ", "МОУ Средняя школа № 9 г. Заволжск"}
    truths = []
    for i in range(start, start + n_schools):
        rng = random.Random(f"{seed}:{i}")
        s, plan = CANONICAL[i](rng) if i < len(CANONICAL) else random_school(i, rng, used)
        evidence = run_plan(s, plan, rng)
        arp = render(build_arp(s, rng), s.arp_fmt)
        folder = out_dir / s.folder
        folder.mkdir(parents=True)
        (folder / s.arp_file).write_bytes(arp)
        for e in evidence:
            (folder / e.file).write_bytes(e.data)
        truth = build_truth(s, evidence)
        tdir = truth_dir / s.folder
        tdir.mkdir(parents=True)
        (tdir / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n",
                                         encoding="utf-8")
        truths.append(truth)
    return truths


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "sample")
    ap.add_argument("--truth", type=Path, default=ROOT / "sample_truth")
    ap.add_argument("--schools", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--start", type=int, default=0, help="number of the first school")
    args = ap.parse_args(argv)
    truths = generate(args.out, args.truth, args.schools, args.seed, args.start)
    for t in truths:
        e = t["expected"]
        print(f"{t['folder']:<34} {t['layout']:<5} items={len(t['items']):>2} "
              f"docs={len(t['documents']) - 1:>2} K1={e['K1']} K2={e['K2']} K3={e['K3']} "
              f"K4={e['K4']} K5={e['K5']} K6={e['K6']} total={e['total']}")


if __name__ == "__main__":
    main()
