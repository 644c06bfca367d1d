"""The draft expert sheet and the region summary as XLSX workbooks for experts.

Columns the expert edits are shaded and carry drop-down lists, so a correction can be read
back as data rather than guessed from free text.
"""

from __future__ import annotations

import hashlib
import os
from copy import copy
from pathlib import Path, PurePath
from typing import Any
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from classifiers.doctype import DOC_TYPES
from expert_sheet.records import NOT_ASSESSABLE, SchoolSheet
from expert_sheet.rubric import CRITERIA, MAX_SCORE
from expert_sheet.summary import RegionSummary

BOLD = Font(bold=True)
EDIT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
WRAP = Alignment(wrap_text=True, vertical="top")
STATUS_RU = {
    "confirmed": "подтверждено",
    "only_plan_evidence": "только документ о намерении (приказ/план)",
    "no_evidence": "нет подтверждающих документов",
    "not_yet_due": "срок не наступил",
}
# Items sheet: the expert's columns F-H stay in place; the item's documents start here.
ITEM_DOCS_COLUMN = 9

# Each workbook's style combinations, registered once (see `_style`).
_REGISTERED: WeakKeyDictionary[Workbook, dict[tuple, Any]] = WeakKeyDictionary()


def _style(cell: Cell, **styles: Any) -> None:
    """Give a cell that has no style yet `styles` (font=, fill=, alignment=, or a named
    style=, which replaces the cell's whole style as openpyxl's own setter does). Setting them
    one by one looks each up in the workbook's list by its hash, which openpyxl computes
    anew every time: a fifth of writing a sheet. A combination seen before in the workbook
    is copied, as openpyxl's own worksheet copy copies styles."""
    known = _REGISTERED.setdefault(cell.parent.parent, {})
    key = tuple((name, id(value)) for name, value in styles.items())
    array = known.get(key)
    if array is None:
        for name, value in styles.items():
            setattr(cell, name, value)
        known[key] = copy(cell._style)
    else:
        cell._style = copy(array)


def _header(ws: Worksheet, row: int, titles: list[str], editable: set[int]) -> None:
    for col, title in enumerate(titles, start=1):
        cell = ws.cell(row=row, column=col, value=title)
        _style(cell, font=BOLD, fill=EDIT_FILL if col in editable else HEAD_FILL, alignment=WRAP)


def _folder_link(sheet_dir: Path, export_dir: Path) -> str:
    """The school's export folder relative to the sheet's folder; its files' links are this
    and their paths inside it (as the extractors record them). Worked out once a sheet:
    `os.path.relpath` makes both paths absolute each time (0.1 ms a call, 20-30 a sheet)."""
    return os.path.relpath(export_dir, sheet_dir).replace(os.sep, "/")


def _link_to(cell: Cell, folder: str, file: str) -> None:
    """Make `cell` a link to the export's `file` (`folder`: see `_folder_link`)."""
    cell.hyperlink = f"{folder}/{PurePath(file).as_posix()}"
    _style(cell, style="Hyperlink")


def write_sheet_xlsx(sheet: SchoolSheet, path: Path, export_dir: Path) -> None:
    """`export_dir` is the school's folder in the export; links are relative to the sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Экспертный лист"
    for col, width in zip("ABCDEFGH", (14, 60, 10, 70, 16, 40, 30, 30), strict=True):
        ws.column_dimensions[col].width = width
    ws["A1"], ws["A1"].font = "Экспертный лист (черновик)", Font(bold=True, size=14)
    ws["A2"], ws["B2"] = "Образовательная организация", sheet.school
    ws["A3"], ws["B3"] = "Отчётная дата", sheet.report_date
    ws["A4"], ws["B4"] = "Файл АРП", sheet.arp_file or "не найден"

    row = 6
    _header(
        ws,
        row,
        ["Критерий", "Описание", "Балл", "Обоснование", "Балл эксперта", "Комментарий эксперта"],
        {5, 6},
    )
    k1_list = DataValidation(type="list", formula1='"0,1,2,3,Н/о"', allow_blank=True)
    binary = DataValidation(type="list", formula1='"0,1"', allow_blank=True)
    for dv in (k1_list, binary):
        dv.errorTitle, dv.error = "Недопустимый балл", "Выберите балл из списка"
        ws.add_data_validation(dv)
    for key, text in CRITERIA.items():
        row += 1
        values = [key, text, sheet.scores.get(key), sheet.reasons.get(key, "")]
        for col, value in enumerate(values, start=1):
            _style(ws.cell(row=row, column=col, value=value), alignment=WRAP)
        (k1_list if key == "K1" else binary).add(f"E{row}")
        for col in (5, 6):
            _style(ws.cell(row=row, column=col), fill=EDIT_FILL)
    row += 1
    ws.cell(row=row, column=1, value="ИТОГ").font = BOLD
    ws.cell(row=row, column=2, value=f"из {sum(MAX_SCORE.values())} баллов")
    ws.cell(row=row, column=3, value=sheet.total).font = BOLD
    row += 1
    percent = "Н/о" if sheet.percent is None else f"{sheet.percent:g}%"
    ws.cell(row=row, column=1, value="Выполнение плана")
    ws.cell(row=row, column=2, value=f"реализовано {sheet.implemented} из {sheet.planned}")
    ws.cell(row=row, column=3, value=percent)

    folder = _folder_link(path.parent, export_dir)
    _items_sheet(wb, sheet, folder)
    _off_plan_sheet(wb, sheet, folder)
    _documents_sheet(wb, sheet, folder)
    _meta_sheet(wb, sheet)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _items_sheet(wb: Workbook, sheet: SchoolSheet, folder: str) -> None:
    """One row per roadmap item; its documents follow the expert's columns, one cell each,
    since a cell holds one hyperlink: the file (relative link) and the page of the match."""
    ws = wb.create_sheet("Мероприятия")
    for col, width in zip("ABCDEFGH", (8, 50, 22, 12, 28, 30, 30, 30), strict=True):
        ws.column_dimensions[col].width = width
    most = max((len(i.documents) for i in sheet.items), default=0)
    _header(
        ws,
        1,
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
        ],
        {6, 7, 8},
    )
    for n in range(most):
        ws.column_dimensions[get_column_letter(ITEM_DOCS_COLUMN + n)].width = 40
    status = DataValidation(type="list", formula1='"' + ",".join(STATUS_RU) + '"', allow_blank=True)
    ws.add_data_validation(status)
    by_file = {d.file: d for d in sheet.documents}
    for row, item in enumerate(sheet.items, start=2):
        values = [
            item.number,
            item.activity,
            item.deadline.text,
            item.deadline.precision,
            STATUS_RU[item.status],
        ]
        for col, value in enumerate(values, start=1):
            _style(ws.cell(row=row, column=col, value=value), alignment=WRAP)
        status.add(f"G{row}")
        for col in (6, 7, 8):
            _style(ws.cell(row=row, column=col), fill=EDIT_FILL)
        for col, name in enumerate(item.documents, start=ITEM_DOCS_COLUMN):
            record = by_file.get(name)
            page = record.match_pages.get(item.number) if record else None
            label = name if page is None else f"{name}, с. {page}"
            _link_to(ws.cell(row=row, column=col, value=label), folder, name)
    if not sheet.items:
        ws.cell(row=2, column=1, value="Дорожная карта не найдена: K1 – Н/о")


def _off_plan_sheet(wb: Workbook, sheet: SchoolSheet, folder: str) -> None:
    """Documents matched to no roadmap item: experts list these and never count them."""
    ws = wb.create_sheet("Вне плана")
    for col, width in zip("ABCD", (50, 16, 30, 40), strict=True):
        ws.column_dimensions[col].width = width
    _header(
        ws,
        1,
        ["Документ", "Тип", "Исправление: мероприятия (через ;)", "Комментарий эксперта"],
        {3, 4},
    )
    by_file = {d.file: d for d in sheet.documents}
    for row, name in enumerate(sheet.off_plan, start=2):
        _link_to(ws.cell(row=row, column=1, value=name), folder, name)
        ws.cell(row=row, column=2, value=by_file[name].doc_type if name in by_file else "")
        for col in (3, 4):
            _style(ws.cell(row=row, column=col), fill=EDIT_FILL)
    if not sheet.off_plan:
        ws.cell(row=2, column=1, value="Документов вне плана нет")


def _documents_sheet(wb: Workbook, sheet: SchoolSheet, folder: str) -> None:
    ws = wb.create_sheet("Документы")
    for col, width in zip("ABCDEFGHI", (45, 16, 10, 12, 20, 10, 50, 20, 30), strict=True):
        ws.column_dimensions[col].width = width
    _header(
        ws,
        1,
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
    types = DataValidation(type="list", formula1='"' + ",".join(DOC_TYPES) + '"', allow_blank=True)
    ws.add_data_validation(types)
    for row, doc in enumerate(sheet.documents, start=2):
        if not doc.readable:
            confirms = "файл не читается"
        elif doc.is_arp:
            confirms = "АРП"
        else:
            confirms = ", ".join(doc.confirms) or "вне плана"
        page = next(iter(doc.match_pages.values()), None)
        why = "; ".join(f"{n}: {r}" for n, r in doc.match_reasons.items()) or "; ".join(
            doc.type_reasons
        )
        values = [
            doc.file,
            doc.doc_type,
            doc.evidence_kind,
            round(doc.probability, 2),
            confirms,
            page,
            why,
        ]
        for col, value in enumerate(values, start=1):
            _style(ws.cell(row=row, column=col, value=value), alignment=WRAP)
        _link_to(ws.cell(row=row, column=1), folder, doc.file)
        types.add(f"H{row}")
        for col in (8, 9):
            _style(ws.cell(row=row, column=col), fill=EDIT_FILL)
    if sheet.errors:
        row = len(sheet.documents) + 3
        ws.cell(row=row, column=1, value="Ошибки чтения").font = BOLD
        for e in sheet.errors:
            row += 1
            ws.cell(row=row, column=1, value=e.file)
            ws.cell(row=row, column=2, value=e.stage)
            ws.cell(row=row, column=7, value=e.reason)


META_SHEET = "meta"


def sheet_digest(sheet: SchoolSheet) -> str:
    """The draft's fingerprint: the review database keys its drafts by it, so an edited
    workbook is read against the very draft the expert saw, and the files of a finished
    review never need rewriting to carry a run's id."""
    return hashlib.sha256(sheet.model_dump_json().encode()).hexdigest()


def _meta_sheet(wb: Workbook, sheet: SchoolSheet) -> None:
    """Hidden key/value rows naming the draft and school, for `import-corrections`."""
    ws = wb.create_sheet(META_SHEET)
    ws.sheet_state = "hidden"
    for row, (key, value) in enumerate(
        (
            ("draft", sheet_digest(sheet)),
            ("folder", sheet.folder),
            ("school", sheet.school),
            ("report_date", sheet.report_date),
            ("doc_type_model", sheet.doc_type_model),
        ),
        start=1,
    ):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=value)


def write_summary_xlsx(summary: RegionSummary, path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Итоги"
    for col, width in zip("ABCDE", (70, 18, 18, 18, 60), strict=True):
        ws.column_dimensions[col].width = width
    ws["A1"], ws["A1"].font = "Результаты экспертизы", Font(bold=True, size=14)
    ws["A2"] = f"Отчётная дата: {summary.report_date}; программ: {summary.schools}"
    row = 4
    _header(
        ws,
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
        for col, value in enumerate([CRITERIA[key], stat.count, f"{stat.percent:g}%"], 1):
            _style(ws.cell(row=row, column=col, value=value), alignment=WRAP)
    row += 2
    _header(
        ws,
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
        for col, value in enumerate([label, stat.count, f"{stat.percent:g}%"], 1):
            ws.cell(row=row, column=col, value=value)
    row += 2
    _header(
        ws,
        row,
        ["Название ОО", "Балл K1", "Процент выполнения плана", "Итог", "Комментарий"],
        set(),
    )
    for school in summary.rows:
        row += 1
        percent = "Н/о" if school.percent is None else f"{school.percent:g}%"
        values = [school.school, school.k1, percent, school.total, school.comment]
        for col, value in enumerate(values, 1):
            _style(ws.cell(row=row, column=col, value=value), alignment=WRAP)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
