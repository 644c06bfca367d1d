"""Roadmap detection and parsing over every layout of DOMAIN.md, in DOCX and in PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest

from extractors.extract import extract
from extractors.model import Cell, Document, Table
from extractors.roadmap import map_header, parse_roadmap
from tests.builders import make_docx, make_pdf

TITLE = ["МОУ Средняя школа № 7", "Программа антирисковых мер на 2022 год"]
RISK_TABLE = {"rows": [["Показатель", "2021", "2022"], ["Доля неуспевающих", "12%", "9%"]]}

# Each layout: rows, DOCX merges (r0, c0, r1, c1) and the items expected:
# (number, section, task, activity start, deadline end, precision, indicator-or-result start)
LAYOUTS = {
    "task_merged": (
        [
            [
                "Задача",
                "Мероприятие",
                "Сроки реализации",
                "Ответственные",
                "Участники",
                "Показатели реализации",
                "Подтверждающие документы",
            ],
            [
                "1. Создать условия для адаптации пятиклассников",
                "Информационная поддержка адаптации",
                "Май 2022",
                "Ответственный за сайт",
                "Родители",
                "Создана страница сайта",
                "Ссылка https://school.example/adapt",
            ],
            [
                "",
                "Консультирование родителей",
                "Май-ноябрь",
                "Педагог-психолог",
                "Родители",
                "100% родителей получили консультацию",
                "Аналитическая справка (Приложение 2)",
            ],
        ],
        [(1, 0, 2, 0)],
        [
            (
                "1",
                "",
                "1. Создать условия",
                "Информационная",
                date(2022, 5, 31),
                "month",
                "Создана",
            ),
            (
                "2",
                "",
                "1. Создать условия",
                "Консультирование",
                date(2022, 11, 30),
                "month",
                "100%",
            ),
        ],
    ),
    "sections": (
        [
            [
                "№",
                "Задача",
                "Мероприятия/ антирисковые меры",
                "Сроки",
                "Ответственные",
                "Результаты",
            ],
            ["Этап I", "", "", "", "", ""],
            [
                "1",
                "Повышение профессионального развития",
                "Диагностика профессиональных дефицитов",
                "Апрель-май, 2022 год",
                "Администрация школы",
                "Курсы повышения (Приложение 1)",
            ],
            [
                "1.1",
                "",
                "Адресная психолого-педагогическая помощь",
                "Март - май, 2022 год",
                "Психолог",
                "Программа «Скажи стрессу НЕТ» (Приложение 2)",
            ],
            ["Этап II", "", "", "", "", ""],
            [
                "2",
                "Поддержка учебной мотивации",
                "Внедрение формирующего оценивания",
                "До 11.02.2022",
                "МО учителей",
                "Выступление на МО (Приложение 3)",
            ],
        ],
        [(1, 0, 1, 5), (4, 0, 4, 5), (2, 1, 3, 1)],
        [
            ("1", "Этап I", "Повышение", "Диагностика", date(2022, 5, 31), "month", "Курсы"),
            ("1.1", "Этап I", "Повышение", "Адресная", date(2022, 5, 31), "month", "Программа"),
            ("2", "Этап II", "Поддержка", "Внедрение", date(2022, 2, 11), "day", "Выступление"),
        ],
    ),
    "municipal": (
        [
            ["№", "Описание действий", "Сроки реализации", "Муниципальный показатель реализации"],
            ["1", "Проведение педсовета по итогам ВПР", "17 января 2022", "Протокол педсовета"],
            [
                "2",
                "Мониторинг посещаемости",
                "В течение года (2 совещания в месяц)",
                "Доля пропусков ниже 5%",
            ],
        ],
        [],
        [
            ("1", "", "", "Проведение", date(2022, 1, 17), "day", "Протокол"),
            ("2", "", "", "Мониторинг", None, "vague", "Доля"),
        ],
    ),
    "simple": (
        [
            ["№ п/п", "Мероприятие", "Сроки", "Ответственные", "Результат"],
            [
                "1",
                "Разработка положения о ВСОКО",
                "11.02.2022–14.02.2022",
                "Директор",
                "Приказ об утверждении положения",
            ],
            [
                "2",
                "Семинар по функциональной грамотности",
                "До 30 апреля",
                "Завуч",
                "Программа семинара",
            ],
        ],
        [],
        [
            ("1", "", "", "Разработка", date(2022, 2, 14), "day", "Приказ"),
            ("2", "", "", "Семинар", date(2022, 4, 30), "day", "Программа"),
        ],
    ),
    "wide": (
        [
            [
                "№",
                "Направление",
                "Задача",
                "Мероприятие",
                "Срок",
                "Ответственный",
                "Участники",
                "Показатель",
                "Целевое значение",
                "Форма подтверждения",
            ],
            [str(i) for i in range(1, 11)],
            [
                "1",
                "Учебная неуспешность",
                "Снизить долю",
                "Консилиум по неуспевающим",
                "24.01-01-02.2022",
                "Завуч",
                "Учителя",
                "Доля неуспевающих",
                "не более 5%",
                "Протокол",
            ],
            [
                "2",
                "Учебная неуспешность",
                "Снизить долю",
                "Индивидуальные маршруты",
                "Март-",
                "Классные руководители",
                "Ученики",
                "Доля учеников с маршрутом",
                "100%",
                "Справка",
            ],
        ],
        [],
        [
            ("1", "Учебная неуспешность", "Снизить", "Консилиум", date(2022, 2, 1), "day", "Доля"),
            ("2", "Учебная неуспешность", "Снизить", "Индивидуальные", None, "month", "Доля"),
        ],
    ),
}


def _pdf_spans(merges: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    return [(c0, r0, c1, r1) for r0, c0, r1, c1 in merges]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layouts(tmp_path: Path, layout: str, fmt: str) -> None:
    rows, merges, expected = LAYOUTS[layout]
    if fmt == "docx":
        path = make_docx(
            tmp_path / "arp.docx", TITLE, [RISK_TABLE, {"rows": rows, "merges": merges}]
        )
    else:
        path = make_pdf(
            tmp_path / "arp.pdf",
            TITLE,
            [RISK_TABLE, {"rows": rows, "spans": _pdf_spans(merges)}],
            wide=layout == "wide",
        )
    roadmap = parse_roadmap(extract(path))
    assert roadmap.year == 2022
    got = [
        (
            i.number,
            i.section,
            i.task,
            i.activity,
            i.deadline.end,
            i.deadline.precision,
            i.indicator or i.expected_result,
        )
        for i in roadmap.items
    ]
    assert len(got) == len(expected), got
    for g, e in zip(got, expected, strict=True):
        assert g[0] == e[0] and g[1] == e[1]
        assert g[2].startswith(e[2]) and g[3].startswith(e[3])
        assert g[4] == e[4] and g[5] == e[5]
        assert g[6].startswith(e[6])
    assert roadmap.items[0].provenance.table == 1  # the risk table before it is not a roadmap


def test_evidence_refs_and_extra_columns(tmp_path: Path) -> None:
    rows, merges, _ = LAYOUTS["task_merged"]
    roadmap = parse_roadmap(
        extract(make_docx(tmp_path / "a.docx", TITLE, [{"rows": rows, "merges": merges}]))
    )
    assert roadmap.items[0].evidence_refs == ["https://school.example/adapt"]
    assert roadmap.items[1].evidence_refs == ["Приложение 2"]
    rows, _, _ = LAYOUTS["wide"]
    roadmap = parse_roadmap(extract(make_docx(tmp_path / "w.docx", TITLE, [{"rows": rows}])))
    assert roadmap.items[0].extra == {"Целевое значение": "не более 5%"}


def test_no_deadline_column_is_reported(tmp_path: Path) -> None:
    rows = [["№", "Мероприятие", "Ответственные"], ["1", "Педсовет", "Директор"]]
    roadmap = parse_roadmap(extract(make_docx(tmp_path / "a.docx", TITLE, [{"rows": rows}])))
    assert roadmap.found
    assert any("deadline" in w for w in roadmap.warnings)
    assert roadmap.items[0].deadline.precision == "vague"


def test_no_roadmap_table(tmp_path: Path) -> None:
    roadmap = parse_roadmap(extract(make_docx(tmp_path / "a.docx", TITLE, [RISK_TABLE])))
    assert not roadmap.found and roadmap.warnings
    # The year is read for a roadmap only (TITLE says 2022).
    assert roadmap.year is None


def test_a_roadmap_after_other_tables_takes_the_document_s_year(tmp_path: Path) -> None:
    rows = [["№", "Мероприятие", "Сроки"], ["1", "Педсовет", "май"]]
    doc = extract(make_docx(tmp_path / "a.docx", TITLE, [RISK_TABLE, {"rows": rows}]))
    roadmap = parse_roadmap(doc)
    assert roadmap.year == 2022
    assert roadmap.items[0].deadline.end == date(2022, 5, 31)
    assert parse_roadmap(doc, year=2023).items[0].deadline.end == date(2023, 5, 31)


def test_header_mapping_by_meaning() -> None:
    assert map_header(
        [
            "Срок реализации",
            "Наименование мероприятия",
            "Ожидаемый результат",
            "Показатель результативности",
            "Исполнитель",
        ]
    ) == {0: "deadline", 1: "activity", 2: "expected_result", 3: "indicator", 4: "responsible"}
    assert map_header(["Дата проведения", "Содержание работы", "Форма подтверждения"]) == {
        0: "deadline",
        1: "activity",
        2: "evidence",
    }


def test_row_split_over_a_page_is_one_item() -> None:
    def cell(r: int, c: int, text: str, page: int) -> Cell:
        return Cell(row=r, col=c, text=text, page=page)

    cells = [
        cell(0, 0, "№", 1),
        cell(0, 1, "Мероприятие", 1),
        cell(0, 2, "Сроки", 1),
        cell(1, 0, "1", 1),
        cell(1, 1, "Педагогический совет по итогам", 1),
        cell(1, 2, "Март 2022", 1),
        cell(2, 0, "", 2),
        cell(2, 1, "первого полугодия", 2),
        cell(2, 2, "", 2),
        cell(3, 0, "2", 2),
        cell(3, 1, "Семинар", 2),
        cell(3, 2, "Апрель 2022", 2),
    ]
    doc = Document(
        path="a.pdf",
        sha256="x",
        format="pdf",
        tables=[Table(index=0, n_rows=4, n_cols=3, cells=cells, pages=[1, 2])],
    )
    roadmap = parse_roadmap(doc, year=2022)
    assert [i.activity for i in roadmap.items] == [
        "Педагогический совет по итогам первого полугодия",
        "Семинар",
    ]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_several_arp_in_one_file_keep_their_directions(tmp_path: Path, fmt: str) -> None:
    rows = [
        ["№", "Мероприятие", "Сроки"],
        ["1", "Педагогический совет", "Март 2022"],
        ["2", "Семинар", "Апрель 2022"],
    ]
    other = [["№", "Мероприятие", "Сроки"], ["1", "Анкетирование родителей", "Май 2022"]]
    paragraphs = [
        "МОУ СШ № 2",
        "Программа антирисковых мер на 2022 год",
        'Направление: "Низкая учебная мотивация обучающихся"',
    ]
    if fmt == "docx":
        d = docx.Document()
        for text in paragraphs:
            d.add_paragraph(text)
        for heading, data in (
            (None, rows),
            ('Направление "Пониженный уровень школьного благополучия"', other),
        ):
            if heading:
                d.add_paragraph(heading)
            table = d.add_table(rows=len(data), cols=3)
            for r, row in enumerate(data):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
        path = tmp_path / "arp.docx"
        d.save(str(path))
    else:
        path = make_pdf(tmp_path / "arp.pdf", paragraphs, [{"rows": rows}])
    roadmap = parse_roadmap(extract(path))
    assert roadmap.items[0].direction == "Низкая учебная мотивация обучающихся"
    if fmt == "docx":
        assert [i.direction for i in roadmap.items][-1] == (
            "Пониженный уровень школьного благополучия"
        )
        assert [i.number for i in roadmap.items] == ["1", "2", "1"]
