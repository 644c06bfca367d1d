"""Document-type rules and lemma matching on small, realistic texts."""

from __future__ import annotations

import pytest

from classifiers.doctype import classify_rules, expected_result_type
from classifiers.matching import DocText, ItemText, match_documents
from extractors.model import Block, Document


def doc(*lines: str, name: str = "file.pdf") -> Document:
    return Document(path=name, sha256="x", format="pdf",
                    blocks=[Block(text=t, page=1) for t in lines])


@pytest.mark.parametrize(
    ("lines", "doc_type", "kind"),
    [
        (["МОУ СШ № 3", "ПРИКАЗ", "от 14.02.2022 № 45", "О проведении педагогического совета"],
         "order", "plan"),
        (["ПРОТОКОЛ № 3", "заседания методического объединения", "Присутствовали: 8 чел."],
         "protocol", "result"),
        (["Аналитическая справка по итогам диагностики обучающихся 5-х классов"],
         "analytic_note", "result"),
        (["Отчёт о реализации антирисковой программы за первое полугодие"], "report", "result"),
        (["Положение о внутришкольной системе повышения квалификации"], "regulation", "plan"),
        (["Технологическая карта урока математики в 6 классе"], "product", "result"),
        (["Программа семинара «Формирующее оценивание»"], "product", "result"),
        (["План методической работы на 2022 год"], "plan", "plan"),
        (["Школьная газета: новости недели"], "other", "other"),
        # An order that approves a report is an order; a protocol quoting an order a protocol.
        (["ПРИКАЗ № 12", "Об утверждении отчёта о самообследовании"], "order", "plan"),
        (["Протокол педсовета", "Слушали: о приказе № 5"], "protocol", "result"),
        # No title word: the layout decides.
        (["МОУ СШ № 9", "В целях повышения качества", "ПРИКАЗЫВАЮ:", "1. Провести"],
         "order", "plan"),
    ],
)
def test_rules(lines: list[str], doc_type: str, kind: str) -> None:
    pred = classify_rules(doc(*lines))
    assert (pred.doc_type, pred.evidence_kind) == (doc_type, kind)
    assert pred.reasons


def test_expected_result_type() -> None:
    assert expected_result_type("Приказ об утверждении положения") == "order"
    assert expected_result_type("Протокол педсовета") == "protocol"
    assert expected_result_type("Доля обучающихся выросла на 5%") is None


ITEMS = [
    ItemText(number="1", text="Внедрение технологии формирующего оценивания на уроках"),
    ItemText(number="2", text="Диагностика профессиональных дефицитов педагогов",
             refs=["Приложение 3"]),
    ItemText(number="3", text="Консультирование родителей по вопросам адаптации пятиклассников"),
]


def test_matching_by_lemmas_and_off_plan() -> None:
    docs = [
        DocText(name="Протокол МО.pdf", title="Протокол заседания МО учителей",
                body="Слушали: об опыте формирующего оценивания на уроках. Технология внедрена."),
        DocText(name="Справка.pdf", title="Справка по итогам консультаций родителей",
                body="Проведено консультирование родителей пятиклассников по адаптации."),
        DocText(name="Договор.pdf", title="Договор о сетевом взаимодействии",
                body="Стороны договорились о совместном использовании спортзала."),
    ]
    result = match_documents(ITEMS, docs)
    pairs = {(m.document, m.item) for m in result.matches}
    assert pairs == {("Протокол МО.pdf", "1"), ("Справка.pdf", "3")}
    assert result.off_plan == ["Договор.pdf"]
    m = next(m for m in result.matches if m.item == "1")
    assert "оценивание" in m.words and m.reason


def test_appendix_reference_matches_by_file_name() -> None:
    docs = [DocText(name="Приложение 3.pdf", title="Список", body="Иванова, Петров")]
    result = match_documents(ITEMS, docs)
    assert [(m.item, m.signals.get("appendix_reference")) for m in result.matches] == [("2", 1.0)]
