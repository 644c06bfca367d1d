"""The draft expert sheet and the region summary as XLSX workbooks for experts.

Columns the expert edits are shaded and carry drop-down lists, so a correction can be read
back as data rather than guessed from free text.

Written with XlsxWriter, read back (corrections) with openpyxl. XlsxWriter writes a school's
five-sheet workbook in about a third of openpyxl's time (11-13 against 27-39 CPU-ms, a
one-off comparison on the N = 100 benchmark region's sheets), and a re-run writes again the
sheet of every school it touches. Its links to the export's files follow what Excel itself
writes: a relative path with backslashes and its spaces as %20; Excel and LibreOffice Calc
both resolve them (checked with LibreOffice 7.4: they become the same links as openpyxl's
raw forward-slash paths).
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from classifiers.doctype import DOC_TYPES
from expert_sheet.records import NOT_ASSESSABLE, SchoolSheet
from expert_sheet.rubric import CRITERIA, MAX_SCORE
from expert_sheet.summary import RegionSummary

# Shading of the columns the expert edits, and of the other headers (RGB).
EDIT_COLOUR = "FFF2CC"
HEAD_COLOUR = "D9E1F2"
STATUS_RU = {
    "confirmed": "подтверждено",
    "only_plan_evidence": "только документ о намерении (приказ/план)",
    "no_evidence": "нет подтверждающих документов",
    "not_yet_due": "срок не наступил",
}
# Items sheet: the expert's columns F-H stay in place; the item's documents start here
# (1-based, as openpyxl and the corrections reader count).
ITEM_DOCS_COLUMN = 9
META_SHEET = "meta"

# Characters Excel writes escaped in a link's path (XlsxWriter's own table); "#", which
# XlsxWriter would otherwise take for the start of a place inside the file; and control
# characters, which a file name may hold but XML may not: XlsxWriter escapes them in a
# cell's text (_x000B_) but not in a link, whose workbook would then not open.
_ESCAPES = str.maketrans(
    {
        **{chr(c): f"%{c:02x}" for c in (*range(0x20), 0x7F)},
        "%": "%25",
        '"': "%22",
        " ": "%20",
        "<": "%3c",
        ">": "%3e",
        "[": "%5b",
        "]": "%5d",
        "^": "%5e",
        "`": "%60",
        "{": "%7b",
        "}": "%7d",
        "#": "%23",
    }
)


@dataclass(frozen=True)
class _Formats:
    """A workbook's cell formats, made once a workbook."""

    wrap: Format
    edit: Format
    head: Format
    head_edit: Format
    bold: Format
    title: Format

    @classmethod
    def of(cls, wb: Workbook) -> _Formats:
        head = {"bold": True, "text_wrap": True, "valign": "top"}
        return cls(
            wrap=wb.add_format({"text_wrap": True, "valign": "top"}),
            edit=wb.add_format({"bg_color": "#" + EDIT_COLOUR}),
            head=wb.add_format({**head, "bg_color": "#" + HEAD_COLOUR}),
            head_edit=wb.add_format({**head, "bg_color": "#" + EDIT_COLOUR}),
            bold=wb.add_format({"bold": True}),
            title=wb.add_format({"bold": True, "font_size": 14}),
        )


def _new_workbook(buffer: io.BytesIO) -> tuple[Workbook, _Formats]:
    # In memory: XlsxWriter's default writes each part to a temporary file first. A number
    # that is none (a NaN probability) becomes Excel's #NUM! instead of failing the sheet.
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
    return wb, _Formats.of(wb)


def _save(wb: Workbook, buffer: io.BytesIO, path: Path) -> None:
    """Written by us, not XlsxWriter, so a full or failing disk raises OSError, which the
    review retries (`pipelines.work._write_with_retries`)."""
    wb.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def _put(ws: Worksheet, row: int, col: int, value: Any, fmt: Format | None = None) -> None:
    """`value` at 0-based (row, col), written as what it is: a text that starts with "="
    stays text, not a formula, and one that looks like a link stays text too."""
    if value is None:
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _widths(ws: Worksheet, widths: tuple[int, ...]) -> None:
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)


def _header(
    ws: Worksheet, f: _Formats, row: int, titles: list[str], editable: set[int]
) -> None:
    """Titles in 0-based `row`; `editable` holds 1-based column numbers."""
    for col, title in enumerate(titles, start=1):
        ws.write_string(row, col - 1, title, f.head_edit if col in editable else f.head)


def _shade(ws: Worksheet, f: _Formats, row: int, columns: tuple[int, ...]) -> None:
    for col in columns:
        ws.write_blank(row, col - 1, None, f.edit)


def _list(
    ws: Worksheet, first: int, last: int, col: int, choices: list[str], error: str = ""
) -> None:
    """A drop-down list on 0-based rows first..last of 1-based column `col`; `error`: what
    Excel says of a value not in it, after its title "Недопустимый балл"."""
    if last < first:
        return
    options: dict[str, Any] = {"validate": "list", "source": choices, "ignore_blank": True}
    if error:
        options |= {"error_title": "Недопустимый балл", "error_message": error}
    ws.data_validation(first, col - 1, last, col - 1, options)


def _folder_link(sheet_dir: Path, export_dir: Path) -> str:
    """The school's export folder relative to the sheet's folder; its files' links are this
    and their paths inside it (as the extractors record them). Worked out once a sheet:
    `os.path.relpath` makes both paths absolute each time (0.1 ms a call, 20-30 a sheet)."""
    return os.path.relpath(export_dir, sheet_dir).replace(os.sep, "/")


def _link(ws: Worksheet, row: int, col: int, folder: str, file: str, label: str) -> None:
    """A link at 0-based (row, col) to the export's `file` (`folder`: see `_folder_link`),
    in Excel's own hyperlink style; plain text if Excel could not take it (a path of over
    2,080 characters)."""
    target = f"{folder}/{PurePath(file).as_posix()}".translate(_ESCAPES)
    try:
        ws.write_url(row, col, "external:" + target, string=label)
    except ValueError:
        ws.write_string(row, col, label)


def write_sheet_xlsx(sheet: SchoolSheet, path: Path, export_dir: Path) -> None:
    """`export_dir` is the school's folder in the export; links are relative to the sheet."""
    buffer = io.BytesIO()
    wb, f = _new_workbook(buffer)
    ws = wb.add_worksheet("Экспертный лист")
    _widths(ws, (14, 60, 10, 70, 16, 40, 30, 30))
    ws.write_string(0, 0, "Экспертный лист (черновик)", f.title)
    for row, (label, value) in enumerate(
        (
            ("Образовательная организация", sheet.school),
            ("Отчётная дата", sheet.report_date),
            ("Файл АРП", sheet.arp_file or "не найден"),
        ),
        start=1,
    ):
        ws.write_string(row, 0, label)
        _put(ws, row, 1, value)

    row = 5
    _header(
        ws,
        f,
        row,
        ["Критерий", "Описание", "Балл", "Обоснование", "Балл эксперта", "Комментарий эксперта"],
        {5, 6},
    )
    for key, text in CRITERIA.items():
        row += 1
        values = [key, text, sheet.scores.get(key), sheet.reasons.get(key, "")]
        for col, value in enumerate(values):
            _put(ws, row, col, value, f.wrap)
        _shade(ws, f, row, (5, 6))
    # K1 first, then K2-K6 (CRITERIA's order): 0-3 points, or 0-1.
    _list(ws, 6, 6, 5, ["0", "1", "2", "3", "Н/о"], "Выберите балл из списка")
    _list(ws, 7, row, 5, ["0", "1"], "Выберите балл из списка")
    row += 1
    ws.write_string(row, 0, "ИТОГ", f.bold)
    ws.write_string(row, 1, f"из {sum(MAX_SCORE.values())} баллов")
    _put(ws, row, 2, sheet.total, f.bold)
    row += 1
    percent = "Н/о" if sheet.percent is None else f"{sheet.percent:g}%"
    ws.write_string(row, 0, "Выполнение плана")
    ws.write_string(row, 1, f"реализовано {sheet.implemented} из {sheet.planned}")
    ws.write_string(row, 2, percent)

    folder = _folder_link(path.parent, export_dir)
    _items_sheet(wb, f, sheet, folder)
    _off_plan_sheet(wb, f, sheet, folder)
    _documents_sheet(wb, f, sheet, folder)
    _meta_sheet(wb, sheet)
    _save(wb, buffer, path)


def _items_sheet(wb: Workbook, f: _Formats, sheet: SchoolSheet, folder: str) -> None:
    """One row per roadmap item; its documents follow the expert's columns, one cell each,
    since a cell holds one hyperlink: the file (relative link) and the page of the match."""
    ws = wb.add_worksheet("Мероприятия")
    most = max((len(i.documents) for i in sheet.items), default=0)
    # Photos without text after the documents: beside the item they seem to show, for the
    # expert to look at, under a header that says they confirm nothing.
    photos: dict[str, list[str]] = {}
    for doc in sheet.documents:
        for number in doc.shows if doc.photo else []:
            photos.setdefault(number, []).append(doc.file)
    most_photos = max(map(len, photos.values()), default=0)
    _widths(ws, (8, 50, 22, 12, 28, 30, 30, 30, *[40] * (most + most_photos)))
    _header(
        ws,
        f,
        0,
        [
            "№",
            "Мероприятие",
            "Срок",
            "Точность срока",
            "Статус",
            "Исправление: документы (через ;)",
            "Исправление: статус",
            "Комментарий эксперта",
            *[f"Документ {n} (страница)" for n in range(1, most + 1)],
            *[f"Фото, видео {n} (не подтверждает)" for n in range(1, most_photos + 1)],
        ],
        {6, 7, 8},
    )
    by_file = {d.file: d for d in sheet.documents}
    for row, item in enumerate(sheet.items, start=1):
        values = [
            item.number,
            item.activity,
            item.deadline.text,
            item.deadline.precision,
            STATUS_RU[item.status],
        ]
        for col, value in enumerate(values):
            _put(ws, row, col, value, f.wrap)
        _shade(ws, f, row, (6, 7, 8))
        for col, name in enumerate(item.documents, start=ITEM_DOCS_COLUMN - 1):
            record = by_file.get(name)
            page = record.match_pages.get(item.number) if record else None
            label = name if page is None else f"{name}, с. {page}"
            _link(ws, row, col, folder, name, label)
        first = ITEM_DOCS_COLUMN - 1 + most
        for col, name in enumerate(photos.get(item.number, []), start=first):
            _link(ws, row, col, folder, name, name)
    _list(ws, 1, len(sheet.items), 7, list(STATUS_RU.values()))
    if not sheet.items:
        ws.write_string(1, 0, "Дорожная карта не найдена: K1 – Н/о")


def _off_plan_sheet(wb: Workbook, f: _Formats, sheet: SchoolSheet, folder: str) -> None:
    """Documents matched to no roadmap item: experts list these and never count them."""
    ws = wb.add_worksheet("Вне плана")
    _widths(ws, (50, 16, 30, 40))
    _header(
        ws,
        f,
        0,
        ["Документ", "Тип", "Исправление: мероприятия (через ;)", "Комментарий эксперта"],
        {3, 4},
    )
    by_file = {d.file: d for d in sheet.documents}
    for row, name in enumerate(sheet.off_plan, start=1):
        _link(ws, row, 0, folder, name, name)
        ws.write_string(row, 1, by_file[name].doc_type if name in by_file else "")
        _shade(ws, f, row, (3, 4))
    if not sheet.off_plan:
        ws.write_string(1, 0, "Документов вне плана нет")


def _documents_sheet(wb: Workbook, f: _Formats, sheet: SchoolSheet, folder: str) -> None:
    ws = wb.add_worksheet("Документы")
    _widths(ws, (45, 16, 10, 12, 20, 10, 50, 20, 30))
    _header(
        ws,
        f,
        0,
        [
            "Файл",
            "Тип",
            "Вид",
            "Вероятность",
            "Подтверждает мероприятия",
            "Страница",
            "Почему",
            "Исправление: тип",
            "Комментарий эксперта",
        ],
        {8, 9},
    )
    for row, doc in enumerate(sheet.documents, start=1):
        if not doc.readable:
            confirms = "файл не читается"
        elif doc.is_arp:
            confirms = "АРП"
        elif doc.photo:
            what = "видео" if doc.format == "video" else "фото"
            shown = ", ".join(doc.shows)
            confirms = f"{what} к мероприятиям: {shown}" if shown else f"{what}, не соотнесено"
        else:
            confirms = ", ".join(doc.confirms) or "вне плана"
        page = next(iter(doc.match_pages.values()), None)
        why = "; ".join(f"{n}: {r}" for n, r in doc.match_reasons.items()) or "; ".join(
            doc.type_reasons
        )
        _link(ws, row, 0, folder, doc.file, doc.file)
        values = [doc.doc_type, doc.evidence_kind, round(doc.probability, 2), confirms, page, why]
        for col, value in enumerate(values, start=1):
            _put(ws, row, col, value, f.wrap)
        _shade(ws, f, row, (8, 9))
    _list(ws, 1, len(sheet.documents), 8, list(DOC_TYPES))
    if sheet.errors:
        row = len(sheet.documents) + 2
        ws.write_string(row, 0, "Ошибки чтения", f.bold)
        for e in sheet.errors:
            row += 1
            ws.write_string(row, 0, e.file)
            ws.write_string(row, 1, e.stage)
            ws.write_string(row, 6, e.reason)


def sheet_digest(sheet: SchoolSheet) -> str:
    """The draft's fingerprint: the review database keys its drafts by it, so an edited
    workbook is read against the very draft the expert saw, and the files of a finished
    review never need rewriting to carry a run's id."""
    return hashlib.sha256(sheet.model_dump_json().encode()).hexdigest()


def _meta_sheet(wb: Workbook, sheet: SchoolSheet) -> None:
    """Hidden key/value rows naming the draft and school, for `import-corrections`."""
    ws = wb.add_worksheet(META_SHEET)
    ws.hide()
    for row, (key, value) in enumerate(
        (
            ("draft", sheet_digest(sheet)),
            ("folder", sheet.folder),
            ("school", sheet.school),
            ("report_date", sheet.report_date),
            ("doc_type_model", sheet.doc_type_model),
        )
    ):
        ws.write_string(row, 0, key)
        _put(ws, row, 1, value)


def write_summary_xlsx(summary: RegionSummary, path: Path) -> None:
    buffer = io.BytesIO()
    wb, f = _new_workbook(buffer)
    ws = wb.add_worksheet("Итоги")
    _widths(ws, (70, 18, 18, 18, 60))
    ws.write_string(0, 0, "Результаты экспертизы", f.title)
    ws.write_string(1, 0, f"Отчётная дата: {summary.report_date}; программ: {summary.schools}")
    row = 3
    _header(
        ws,
        f,
        row,
        [
            "Критерий",
            "Программы, соответствующие критерию (количество)",
            "Программы, соответствующие критерию (процент)",
        ],
        set(),
    )
    for key in ("K2", "K3", "K4", "K5", "K6"):
        row += 1
        stat = summary.criteria[key]
        for col, value in enumerate([CRITERIA[key], stat.count, f"{stat.percent:g}%"]):
            _put(ws, row, col, value, f.wrap)
    row += 2
    _header(
        ws,
        f,
        row,
        ["Соотношение запланированных мероприятий к реализованным", "Количество", "Процент"],
        set(),
    )
    labels = {
        "3": "3 балла (75-100%)",
        "2": "2 балла (50-74%)",
        "1": "1 балл (25-49%)",
        "0": "0 баллов (0-24%)",
        NOT_ASSESSABLE: "Н/о (нет дорожной карты)",
    }
    for key, label in labels.items():
        row += 1
        stat = summary.k1_distribution[key]
        for col, value in enumerate([label, stat.count, f"{stat.percent:g}%"]):
            _put(ws, row, col, value)
    row += 2
    _header(
        ws,
        f,
        row,
        ["Название ОО", "Балл K1", "Процент выполнения плана", "Итог", "Комментарий"],
        set(),
    )
    for school in summary.rows:
        row += 1
        percent = "Н/о" if school.percent is None else f"{school.percent:g}%"
        values = [school.school, school.k1, percent, school.total, school.comment]
        for col, value in enumerate(values):
            _put(ws, row, col, value, f.wrap)
    _save(wb, buffer, path)
