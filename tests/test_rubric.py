"""K1-K6 at their thresholds, on hand-built items and documents."""

from __future__ import annotations

from datetime import date

import pytest

from expert_sheet.records import DocRecord, ItemRecord
from expert_sheet.rubric import is_planned, score, total
from expert_sheet.settings import RubricSettings, load_settings
from extractors.deadlines import Deadline

REPORT = date(2022, 6, 1)
S = RubricSettings()


def dl(start: date | None, end: date | None, precision: str = "day") -> Deadline:
    return Deadline(
        text=f"{start}-{end}",
        start=start,
        end=end,
        precision=precision,
        concrete=precision in ("day", "month"),
    )


def item(n: int, deadline: Deadline | None = None, **kw) -> ItemRecord:
    return ItemRecord(
        number=str(n),
        activity=f"мероприятие {n}",
        indicator="100%",
        deadline=deadline or dl(date(2022, 3, 1), date(2022, 3, 1)),
        **kw,
    )


def doc(name: str, doc_type: str = "protocol", kind: str = "result", confirms=()) -> DocRecord:
    return DocRecord(file=name, doc_type=doc_type, evidence_kind=kind, confirms=list(confirms))


def run(items, docs, arp_text="", task_col=False):
    for d in docs:
        for n in d.confirms:
            next(i for i in items if i.number == n).documents.append(d.file)
    return score(items, arp_text, task_col, docs, REPORT, S)


@pytest.mark.parametrize(
    ("done", "planned", "points"),
    [
        (0, 4, 0),
        (1, 5, 0),
        (1, 4, 1),
        (2, 5, 1),
        (1, 2, 2),
        (2, 3, 2),
        (3, 4, 3),
        (4, 4, 3),
        (74, 100, 2),
        (75, 100, 3),
        (49, 100, 1),
        (50, 100, 2),
        (24, 100, 0),
        (25, 100, 1),
    ],
)
def test_k1_bands(done: int, planned: int, points: int) -> None:
    items = [item(n) for n in range(1, planned + 1)]
    docs = [doc(f"p{n}.pdf", confirms=[str(n)]) for n in range(1, done + 1)]
    scores, reasons = run(items, docs)
    assert scores["K1"] == points
    assert f"{done} из {planned}" in reasons["K1"]


def test_k1_not_assessable_without_roadmap() -> None:
    scores, reasons = score([], "Программа без таблицы", False, [doc("a.pdf")], REPORT, S)
    assert scores["K1"] == "Н/о" and "Н/о" in reasons["K1"]
    assert scores["K4"] == 0 and scores["K5"] == 0 and scores["K6"] == 0
    assert total(scores) == scores["K2"] + scores["K3"]


@pytest.mark.parametrize(
    ("arp_text", "k3"),
    [
        ("Целевые показатели:\n– доля неуспевающих снижена до 5%;", 1),
        ("4. Показатели реализации программы\n– охват 100% педагогов", 1),
        # The risk profile's table: its column is headed "Показатель", no indicators stated.
        ("Динамика показателей, характеризующих фактор риска:\nПоказатель | 2021 | 2022", 0),
    ],
)
def test_k3_without_roadmap_needs_an_indicators_section(arp_text: str, k3: int) -> None:
    scores, reasons = score([], arp_text, False, [doc("a.pdf")], REPORT, S)
    assert scores["K3"] == k3, reasons["K3"]


def test_order_alone_does_not_implement_but_expected_order_does() -> None:
    plain = item(1)
    promised = item(
        2, expected_result="Приказ об утверждении положения", expected_result_type="order"
    )
    docs = [doc("order1.pdf", "order", "plan", ["1"]), doc("order2.pdf", "order", "plan", ["2"])]
    scores, reasons = run([plain, promised], docs)
    assert [plain.status, promised.status] == ["only_plan_evidence", "confirmed"]
    assert scores["K1"] == 2
    assert "только документ о намерении (приказ/план): 1" in reasons["K1"]


def test_planned_rules() -> None:
    concrete = {"day", "month"}
    assert is_planned(item(1, dl(None, date(2022, 6, 1))), REPORT, concrete)
    assert not is_planned(item(1, dl(None, date(2022, 6, 2))), REPORT, concrete)
    assert is_planned(item(1, dl(None, None, "vague")), REPORT, concrete)
    # Non-concrete periods that have begun are planned; concrete ones wait for their end.
    assert is_planned(
        item(1, dl(date(2022, 1, 1), date(2022, 6, 30), "half_year")), REPORT, concrete
    )
    assert not is_planned(
        item(1, dl(date(2022, 5, 1), date(2022, 11, 30), "month")), REPORT, concrete
    )
    assert not is_planned(
        item(1, dl(date(2022, 9, 1), date(2023, 8, 31), "year")), REPORT, concrete
    )
    assert is_planned(item(1, dl(date(2022, 3, 1), None, "month")), REPORT, concrete)


@pytest.mark.parametrize(("matched", "n", "met"), [(8, 10, 1), (7, 10, 0), (4, 5, 1), (3, 4, 0)])
def test_k5_k6_at_80_percent(matched: int, n: int, met: int) -> None:
    items = [item(1)]
    docs = [doc(f"d{k}.pdf", confirms=["1"] if k < matched else []) for k in range(n)]
    scores, _ = run(items, docs)
    assert scores["K5"] == met and scores["K6"] == met


def test_k6_needs_result_documents() -> None:
    items = [item(1), item(2)]
    docs = [doc("o1.pdf", "order", "plan", ["1"]), doc("p.pdf", confirms=["2"])]
    scores, reasons = run(items, docs)
    assert scores["K5"] == 1 and scores["K6"] == 0
    assert "o1.pdf" in reasons["K6"]


def test_unreadable_and_arp_files_do_not_count() -> None:
    items = [item(1)]
    docs = [
        doc("p.pdf", confirms=["1"]),
        DocRecord(file="bad.pdf", readable=False),
        DocRecord(file="arp.docx", is_arp=True, doc_type="plan", evidence_kind="plan"),
    ]
    scores, reasons = run(items, docs)
    assert scores["K5"] == 1 and "1 из 1" in reasons["K5"]


def test_k2_k3_k4() -> None:
    vague = item(2, dl(None, None, "vague"))
    no_ind = ItemRecord(number="3", activity="x", deadline=dl(None, date(2022, 2, 1)))
    items = [item(1, task="Задача 1"), vague, no_ind]
    scores, reasons = run(items, [], task_col=True)
    assert scores["K2"] == 1
    assert scores["K3"] == 0 and "не указан: 3" in reasons["K3"]
    assert scores["K4"] == 0 and "2:" in reasons["K4"]
    scores, _ = run([item(1), item(2)], [], arp_text="Цель.\nЗадачи:\n1) снизить долю")
    assert scores["K2"] == 1 and scores["K3"] == 1 and scores["K4"] == 1
    scores, _ = run([item(1)], [], arp_text="Цель программы без задач")
    assert scores["K2"] == 0


def test_month_strictness_is_a_setting() -> None:
    month = item(1, dl(date(2022, 5, 1), date(2022, 5, 31), "month"))
    strict = RubricSettings.model_validate({"k4": {"concrete_precisions": ["day"]}})
    assert score([month], "", False, [], REPORT, S)[0]["K4"] == 1
    assert score([month], "", False, [], REPORT, strict)[0]["K4"] == 0


def test_shipped_settings_file_loads_defaults() -> None:
    assert load_settings() == RubricSettings()


def test_settings_file_is_read_again_once_rewritten_and_never_shared(tmp_path) -> None:
    """Loads keep the parsed file: a rewritten file must still count, and one caller
    changing its settings must not change another's."""
    path = tmp_path / "rubric.toml"
    path.write_text("[k1]\nbands = [10, 20, 30]\n", encoding="utf-8")
    first, second = load_settings(path), load_settings(path)
    first.k1.bands.append(99)
    assert second.k1.bands == [10, 20, 30]
    assert load_settings(path).k1.bands == [10, 20, 30]
    path.write_text("[k1]\nbands = [40, 50, 60]\n", encoding="utf-8")
    assert load_settings(path).k1.bands == [40, 50, 60]


def test_roadmap_without_deadline_column_is_not_assessable() -> None:
    items = [item(1, dl(None, None, "vague")), item(2, dl(None, None, "vague"))]
    scores, reasons = score(
        items, "", False, [doc("p.pdf", confirms=["1"])], REPORT, S, has_deadline_column=False
    )
    assert scores["K1"] == "Н/о" and "столбца сроков" in reasons["K1"]
    assert scores["K4"] == 0


@pytest.mark.parametrize(("with_indicator", "n", "met"), [(4, 5, 1), (3, 5, 0), (8, 10, 1)])
def test_k3_at_its_share(with_indicator: int, n: int, met: int) -> None:
    items = [
        item(k)
        if k < with_indicator
        else ItemRecord(
            number=str(k), activity="x", deadline=dl(date(2022, 3, 1), date(2022, 3, 1))
        )
        for k in range(n)
    ]
    assert run(items, [])[0]["K3"] == met


def test_k1_not_assessable_when_nothing_is_due() -> None:
    later = [item(1, dl(date(2022, 9, 1), date(2022, 9, 30), "month"))]
    scores, reasons = run(later, [])
    assert scores["K1"] == "Н/о" and "не запланировано" in reasons["K1"]
    assert later[0].status == "not_yet_due"


def test_reasons_name_the_items_and_documents_behind_them() -> None:
    items = [item(1), item(2), item(3)]
    docs = [doc("Протокол.pdf", confirms=["1"]), doc("Приказ.pdf", "order", "plan", ["2"])]
    scores, reasons = run(items, docs)
    assert scores["K1"] == 1  # 1 of 3 = 33%
    assert "только документ о намерении (приказ/план): 2" in reasons["K1"]
    assert "нет подтверждающих документов: 3" in reasons["K1"]
    assert "Приказ.pdf" in reasons["K6"]
