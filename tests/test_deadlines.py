"""Deadline cells of roadmaps: every spelling in the spec, the conventions, and robustness."""

from __future__ import annotations

import random
from datetime import date

import pytest

from extractors.deadlines import (
    DEFAULT_CONCRETE,
    PRECISIONS,
    Deadline,
    SchoolCalendar,
    infer_year,
    parse_deadline,
)


def d(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


# (text, start, end, precision, concrete) -- the cell names its own year; parsed with year=None
# and with a different context year to prove the cell's year wins.
EXPLICIT = [
    # single dates in every common spelling
    ("11.02.2022", "2022-02-11", "2022-02-11", "day", True),
    ("11.02.22", "2022-02-11", "2022-02-11", "day", True),
    ("11 февраля 2022 г.", "2022-02-11", "2022-02-11", "day", True),
    ("11-го февраля 2022 года", "2022-02-11", "2022-02-11", "day", True),
    ("17 января 2022", "2022-01-17", "2022-01-17", "day", True),
    ("22.02.2022 г.", "2022-02-22", "2022-02-22", "day", True),
    ("11/02/2022", "2022-02-11", "2022-02-11", "day", True),
    ("01-02-2022", "2022-02-01", "2022-02-01", "day", True),
    ("29.02.2024", "2024-02-29", "2024-02-29", "day", True),
    ("февраль 2022", "2022-02-01", "2022-02-28", "month", True),
    ("Февраль, 2022 год", "2022-02-01", "2022-02-28", "month", True),
    ("ФЕВРАЛЬ 2024", "2024-02-01", "2024-02-29", "month", True),
    ("Май, 2022 год", "2022-05-01", "2022-05-31", "month", True),
    ("в мае 2022 года", "2022-05-01", "2022-05-31", "month", True),
    ("09.2022", "2022-09-01", "2022-09-30", "month", True),
    ("январь 22 г.", "2022-01-01", "2022-01-31", "month", True),
    ("Апрель 2022 (по графику)", "2022-04-01", "2022-04-30", "month", True),
    ("  Май   2022 г. ;", "2022-05-01", "2022-05-31", "month", True),
    # until / from
    ("До 11.02.2022", None, "2022-02-11", "day", True),
    ("до 11.02.2022 г.", None, "2022-02-11", "day", True),
    ("не позднее 1 марта 2022 г.", None, "2022-03-01", "day", True),
    ("Не позднее 15.05.2022", None, "2022-05-15", "day", True),
    ("по 14.02.2022", None, "2022-02-14", "day", True),
    ("к 1 сентября 2022 г.", None, "2022-09-01", "day", True),
    ("до мая 2022", None, "2022-05-31", "month", True),
    ("до конца 2022 года", None, "2022-12-31", "year", False),
    ("С 01.09.2022", "2022-09-01", None, "day", True),
    ("c 01.03.2022", "2022-03-01", None, "day", True),
    ("начиная с 01.09.2022", "2022-09-01", None, "day", True),
    ("со 2 марта 2022", "2022-03-02", None, "day", True),
    ("Март 2022-", "2022-03-01", None, "month", True),
    ("после 15 мая 2022", "2022-05-16", None, "day", True),
    # ranges
    ("11.02.2022 – 14.02.2022", "2022-02-11", "2022-02-14", "day", True),
    ("11.02.2022-14.02.2022", "2022-02-11", "2022-02-14", "day", True),
    ("11.02.2022 — 14.02.2022", "2022-02-11", "2022-02-14", "day", True),
    ("11.02.2022 ‑ 14.02.2022", "2022-02-11", "2022-02-14", "day", True),
    ("11.02.2022 по 14.02.2022", "2022-02-11", "2022-02-14", "day", True),
    ("с 11.02.2022 по 14.02.2022", "2022-02-11", "2022-02-14", "day", True),
    ("с 11.02. по 14.02.2022", "2022-02-11", "2022-02-14", "day", True),
    ("11.02-14.02.2022", "2022-02-11", "2022-02-14", "day", True),
    ("11–14 февраля 2022", "2022-02-11", "2022-02-14", "day", True),
    ("11-14 февраля 2022 г.", "2022-02-11", "2022-02-14", "day", True),
    ("с 11 по 14 февраля 2022 года", "2022-02-11", "2022-02-14", "day", True),
    ("28-3 марта 2022", "2022-02-28", "2022-03-03", "day", True),
    ("11 февраля – 14 марта 2022", "2022-02-11", "2022-03-14", "day", True),
    ("24.01-01-02.2022", "2022-01-24", "2022-02-01", "day", True),
    ("24.12-10.01.2023", "2022-12-24", "2023-01-10", "day", True),
    ("11 декабря – 10 января 2023", "2022-12-11", "2023-01-10", "day", True),
    ("01.09.2022-31.05.2023", "2022-09-01", "2023-05-31", "day", True),
    ("Февраль-декабрь 2022", "2022-02-01", "2022-12-31", "month", True),
    ("Апрель - май, 2022 год", "2022-04-01", "2022-05-31", "month", True),
    ("Апрель-май, 2022 год", "2022-04-01", "2022-05-31", "month", True),
    ("Март - май, 2022 год", "2022-03-01", "2022-05-31", "month", True),
    ("января-февраля 2022", "2022-01-01", "2022-02-28", "month", True),
    ("с марта по май 2022", "2022-03-01", "2022-05-31", "month", True),
    ("сентябрь 2022 – май 2023", "2022-09-01", "2023-05-31", "month", True),
    ("Ноябрь 2022 г. - январь 2023 г.", "2022-11-01", "2023-01-31", "month", True),
    ("сентябрь - май 2023", "2022-09-01", "2023-05-31", "month", True),
    ("декабрь 2021 - март", "2021-12-01", "2022-03-31", "month", True),
    ("09.2022-05.2023", "2022-09-01", "2023-05-31", "month", True),
    ("11-12.2022", "2022-11-01", "2022-12-31", "month", True),
    ("Февраль - декабрь 2022 года (ежемесячно)", "2022-02-01", "2022-12-31", "month", True),
    ("май 2022 - март 2022", "2022-03-01", "2022-05-31", "month", True),
    ("1 марта - май 2022", "2022-03-01", "2022-05-31", "month", True),
    # lists and a year standing apart
    ("март, май 2022", "2022-03-01", "2022-05-31", "month", True),
    ("01.03.2022, 15.04.2022", "2022-03-01", "2022-04-15", "day", True),
    ("2022 г.: март - май", "2022-03-01", "2022-05-31", "month", True),
    # periods of a calendar year
    ("I квартал 2022", "2022-01-01", "2022-03-31", "quarter", False),
    ("ІІ квартал 2022", "2022-04-01", "2022-06-30", "quarter", False),
    ("III кв. 2022 г.", "2022-07-01", "2022-09-30", "quarter", False),
    ("в 3-м квартале 2022 г.", "2022-07-01", "2022-09-30", "quarter", False),
    ("IV квартал 2022 года", "2022-10-01", "2022-12-31", "quarter", False),
    ("I-II квартал 2022", "2022-01-01", "2022-06-30", "quarter", False),
    ("первое полугодие 2022 года", "2022-01-01", "2022-06-30", "half_year", False),
    ("II полугодие 2022 г", "2022-07-01", "2022-12-31", "half_year", False),
    ("по итогам I полугодия 2022 года", "2022-01-01", "2022-06-30", "half_year", False),
    # years and school years
    ("2022 год", "2022-01-01", "2022-12-31", "year", False),
    ("в 2022 году", "2022-01-01", "2022-12-31", "year", False),
    ("2021-2023 гг.", "2021-01-01", "2023-12-31", "year", False),
    ("2022-2024", "2022-01-01", "2024-12-31", "year", False),
    ("2022-2023 учебный год", "2022-09-01", "2023-08-31", "year", False),
    ("2022/2023 учебный год", "2022-09-01", "2023-08-31", "year", False),
    ("2022/2023", "2022-09-01", "2023-08-31", "year", False),
    ("2022-23 уч. год", "2022-09-01", "2023-08-31", "year", False),
    ("2022 учебный год", "2022-09-01", "2023-08-31", "year", False),
    ("2021-2023 учебные годы", "2021-09-01", "2023-08-31", "year", False),
    ("в течение 2022 года", "2022-01-01", "2022-12-31", "year", False),
    ("ежемесячно в течение 2022 года", "2022-01-01", "2022-12-31", "year", False),
    ("в течение 2022-2023 учебного года", "2022-09-01", "2023-08-31", "year", False),
    # school-calendar periods anchored by a school year
    ("1 полугодие 2022/2023 учебного года", "2022-09-01", "2022-12-29", "half_year", False),
    ("2 полугодие 2021-2022 учебного года", "2022-01-09", "2022-05-26", "half_year", False),
    ("I четверть 2022-2023 учебного года", "2022-09-01", "2022-10-26", "quarter", False),
    ("III четверть 2022/2023 уч. года", "2023-01-09", "2023-03-22", "quarter", False),
    ("1-2 четверть 2022-2023 уч. года", "2022-09-01", "2022-12-29", "quarter", False),
    ("III четверть 2022 года", "2022-01-09", "2022-03-22", "quarter", False),
    ("к концу 2021-2022 учебного года", None, "2022-05-26", "year", False),
    ("до конца 2022/2023 учебного года", None, "2023-05-26", "year", False),
    # a date only inside a comment
    ("По графику (март 2022)", "2022-03-01", "2022-03-31", "month", True),
]


@pytest.mark.parametrize(("text", "start", "end", "precision", "concrete"), EXPLICIT)
def test_explicit_year(text: str, start, end, precision: str, concrete: bool) -> None:
    for context in (None, 2019):
        got = parse_deadline(text, context)
        assert (got.start, got.end, got.precision) == (d(start), d(end), precision), context
        assert got.concrete is concrete
        assert got.year_assumed is False


# (text, start, end, precision, concrete) with year=2022 from context; the year is assumed.
CONTEXT = [
    ("11-го февраля", "2022-02-11", "2022-02-11", "day", True),
    ("11 февраля", "2022-02-11", "2022-02-11", "day", True),
    ("1 сентября", "2022-09-01", "2022-09-01", "day", True),
    ("11.02", "2022-02-11", "2022-02-11", "day", True),
    ("До 30 апреля", None, "2022-04-30", "day", True),
    ("до 1 сентября", None, "2022-09-01", "day", True),
    ("Декабрь", "2022-12-01", "2022-12-31", "month", True),
    ("в мае", "2022-05-01", "2022-05-31", "month", True),
    ("Апрель (по графику)", "2022-04-01", "2022-04-30", "month", True),
    ("Март-", "2022-03-01", None, "month", True),
    ("Март -", "2022-03-01", None, "month", True),
    ("с марта", "2022-03-01", None, "month", True),
    ("Май-ноябрь", "2022-05-01", "2022-11-30", "month", True),
    ("января-февраля", "2022-01-01", "2022-02-28", "month", True),
    ("Январь-февраль", "2022-01-01", "2022-02-28", "month", True),
    ("Сентябрь–декабрь", "2022-09-01", "2022-12-31", "month", True),
    ("сентябрь – май", "2022-09-01", "2023-05-31", "month", True),
    ("сентябрь, январь, май", "2022-09-01", "2023-05-31", "month", True),
    ("11 февраля - 14 марта", "2022-02-11", "2022-03-14", "day", True),
    ("с 11 по 14 февраля", "2022-02-11", "2022-02-14", "day", True),
    ("1 полугодие", "2022-01-01", "2022-06-30", "half_year", False),
    ("2 полугодие", "2022-07-01", "2022-12-31", "half_year", False),
    ("2-е полугодие", "2022-07-01", "2022-12-31", "half_year", False),
    ("первое полугодие", "2022-01-01", "2022-06-30", "half_year", False),
    ("1 полугодие учебного года", "2022-09-01", "2022-12-29", "half_year", False),
    ("второе полугодие учебного года", "2022-01-09", "2022-05-26", "half_year", False),
    ("1 кв.", "2022-01-01", "2022-03-31", "quarter", False),
    ("первый квартал", "2022-01-01", "2022-03-31", "quarter", False),
    ("IV четверть", "2022-04-01", "2022-05-26", "quarter", False),
    ("I четверть", "2022-09-01", "2022-10-26", "quarter", False),
    ("четвертая четверть", "2022-04-01", "2022-05-26", "quarter", False),
    ("В течение 1 четверти", "2022-09-01", "2022-10-26", "quarter", False),
    ("в конце I четверти", "2022-09-01", "2022-10-26", "quarter", False),
    ("к концу учебного года", None, "2022-05-26", "year", False),
    ("в конце учебного года", None, "2022-05-26", "year", False),
    ("до конца года", None, "2022-12-31", "year", False),
    ("с 1 сентября до конца учебного года", "2022-09-01", "2023-05-26", "year", False),
]


@pytest.mark.parametrize(("text", "start", "end", "precision", "concrete"), CONTEXT)
def test_context_year(text: str, start, end, precision: str, concrete: bool) -> None:
    got = parse_deadline(text, 2022)
    assert (got.start, got.end, got.precision) == (d(start), d(end), precision)
    assert got.concrete is concrete
    assert got.year_assumed is True


@pytest.mark.parametrize(("text", "_start", "_end", "precision", "_concrete"), CONTEXT)
def test_without_any_year_dates_stay_null(text: str, _start, _end, precision, _concrete) -> None:
    got = parse_deadline(text)
    assert (got.start, got.end, got.precision) == (None, None, precision)
    assert got.concrete is False
    assert got.year_assumed is False


VAGUE = [
    "в течение года",
    "В течение года",
    "в течение года.",
    "весь период реализации программы",
    "В течение всего периода",
    "постоянно",
    "Постоянно",
    "по мере необходимости",
    "ежемесячно",
    "еженедельно",
    "ежеквартально",
    "по отдельному графику",
    "в соответствии с запросами",
    "В течение года (2 совещания в месяц)",
    "в течение учебного года",
    "в конце четверти",
    "в конце каждой четверти",
    "по итогам четверти",
    "1 раз в четверть",
    "2 раза в месяц",
    "в течение месяца",
    "до 15 числа каждого месяца",
    "в начале учебного года",
    "учебный год",
    "",
    "   ",
    "-",
    "Не указано",
    "31.02.2022",
    "31.04.2022",
    "13.13.2022",
    "V квартал 2022",
    "5 квартал 2022",
    "3 полугодие",
    "9 четверть",
]


@pytest.mark.parametrize("text", VAGUE)
@pytest.mark.parametrize("year", [None, 2022])
def test_vague(text: str, year: int | None) -> None:
    got = parse_deadline(text, year)
    assert (got.start, got.end, got.precision, got.concrete) == (None, None, "vague", False)
    assert got.year_assumed is False
    assert got.text == text


def test_at_least_eighty_distinct_strings() -> None:
    strings = {c[0] for c in EXPLICIT} | {c[0] for c in CONTEXT} | set(VAGUE)
    assert len(strings) >= 80


def test_concrete_precisions_is_a_setting() -> None:
    strict = frozenset({"day"})
    assert parse_deadline("Май 2022", concrete_precisions=strict).concrete is False
    assert parse_deadline("11.05.2022", concrete_precisions=strict).concrete is True
    lax = DEFAULT_CONCRETE | {"quarter"}
    assert parse_deadline("I квартал 2022", concrete_precisions=lax).concrete is True
    # a vague item is never concrete, whatever the setting
    assert parse_deadline("постоянно", concrete_precisions=frozenset(PRECISIONS)).concrete is False


def test_school_calendar_is_a_setting() -> None:
    cal = SchoolCalendar(
        quarters=(((9, 1), (10, 28)), ((11, 7), (12, 28)), ((1, 10), (3, 24)), ((4, 3), (5, 31))),
    )
    got = parse_deadline("IV четверть", 2023, calendar=cal)
    assert (got.start, got.end) == (date(2023, 4, 3), date(2023, 5, 31))
    assert parse_deadline("к концу учебного года", 2023, calendar=cal).end == date(2023, 5, 31)
    assert cal.halves() == (((9, 1), (12, 28)), ((1, 10), (5, 31)))
    cal = SchoolCalendar(teaching_end=(6, 1))
    assert parse_deadline("к концу учебного года", 2022, calendar=cal).end == date(2022, 6, 1)
    cal = SchoolCalendar(school_year_end=(6, 30))
    got = parse_deadline("2022/2023 учебный год", calendar=cal)
    assert (got.start, got.end) == (date(2022, 9, 1), date(2023, 6, 30))


def test_to_json() -> None:
    got = parse_deadline("До 30 апреля", 2022).to_json()
    assert got == {
        "text": "До 30 апреля",
        "start": None,
        "end": "2022-04-30",
        "precision": "day",
        "concrete": True,
        "year_assumed": True,
    }
    assert Deadline(**{**got, "end": date(2022, 4, 30)}).end == date(2022, 4, 30)


def test_precisions_are_from_the_closed_set() -> None:
    for text in [c[0] for c in EXPLICIT + CONTEXT] + VAGUE:
        assert parse_deadline(text, 2022).precision in PRECISIONS


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["11.02.2022", "Май 2022", "2021-2023 гг.", "в течение года"], 2022),
        (["01.02.21", "1.3.21", "Апрель 2022"], 2021),
        (["сентябрь 2022 – май 2023", "май 2023"], 2023),  # most frequent
        (["2021", "2022"], 2022),  # a tie goes to the later year
        (["Май-ноябрь", "в течение года", ""], None),  # never today's year
        ([], None),
        (["IMG_2041.jpg", "Приказ № 2030", "1999", "2100"], None),
        (["2022/2023 учебный год", "2023"], 2023),
    ],
)
def test_infer_year(texts: list[str], expected: int | None) -> None:
    assert infer_year(texts) == expected


def test_infer_year_accepts_any_iterable_and_skips_non_text() -> None:
    cells = (c for c in ["17 января 2022", None, 5, "28 января 2022"])
    assert infer_year(cells) == 2022  # type: ignore[arg-type]


def test_infer_year_feeds_parse_deadline() -> None:
    column = ["17 января 2022", "24.01-01-02.2022", "До 30 апреля", "Май-ноябрь"]
    year = infer_year(column)
    got = [parse_deadline(text, year) for text in column]
    assert [g.year_assumed for g in got] == [False, False, True, True]
    assert got[3].end == date(2022, 11, 30)


_JUNK_WORDS = (
    "11 02 2022 22 - – по до с к конца учебного года г. I II IV V квартал полугодие четверти "
    "февраля май декабрь 11.02.2022 24.01 01-02.2022 / ( ) , в течение 1 31 00 99 0 начала "
    "после кв. 09.2022 13.2022 29.02 30 2100 1900 учебный год № ё 🙂 .. -го"
)
JUNK_ALPHABET = [*_JUNK_WORDS.split(), "\u00a0", "\t", "9" * 40]


def test_nothing_raises_on_junk() -> None:
    rng = random.Random(20220601)
    for _ in range(5000):
        text = " ".join(rng.choice(JUNK_ALPHABET) for _ in range(rng.randint(0, 9)))
        for year in (None, 2022, 2099):
            got = parse_deadline(text, year)
            assert got.precision in PRECISIONS
            if got.start and got.end:
                assert got.start <= got.end
            if got.concrete:
                assert got.start or got.end
            if got.precision == "vague":
                assert (got.start, got.end, got.concrete) == (None, None, False)


@pytest.mark.parametrize("junk", [None, 12, 3.5, "\x00", "(" * 50, ")" * 50, "1" * 10_000])
def test_nothing_raises_on_odd_values(junk) -> None:
    got = parse_deadline(junk, 2022)  # type: ignore[arg-type]
    assert got.precision in PRECISIONS
