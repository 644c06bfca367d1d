"""Document-type rules and lemma matching on small, realistic texts."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from classifiers.doctype import classify_rules, expected_result_type
from classifiers.lemmas import lemmas
from classifiers.matching import (
    _SAYS,
    FEATURES,
    Background,
    DocText,
    ItemText,
    MatchSettings,
    _known_vectors,
    _mean_vector,
    assign,
    associations_from,
    background_from,
    dated_entries,
    doc_bag,
    document_dates,
    first_pass,
    load_background,
    load_match_settings,
    match_documents,
    pair_features,
    probabilities,
    rank_features,
    without_programme_name,
)
from extractors.model import Block, Document


def doc(*lines: str, name: str = "file.pdf") -> Document:
    return Document(
        path=name, sha256="x", format="pdf", blocks=[Block(text=t, page=1) for t in lines]
    )


@pytest.mark.parametrize(
    ("lines", "doc_type", "kind"),
    [
        (
            ["МОУ СШ № 3", "ПРИКАЗ", "от 14.02.2022 № 45", "О проведении педагогического совета"],
            "order",
            "plan",
        ),
        (
            ["ПРОТОКОЛ № 3", "заседания методического объединения", "Присутствовали: 8 чел."],
            "protocol",
            "result",
        ),
        (
            ["Аналитическая справка по итогам диагностики обучающихся 5-х классов"],
            "analytic_note",
            "result",
        ),
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
        (
            ["МОУ СШ № 9", "В целях повышения качества", "ПРИКАЗЫВАЮ:", "1. Провести"],
            "order",
            "plan",
        ),
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


@pytest.mark.parametrize(
    ("activity", "promised"),
    [
        ("Составление индивидуальных планов профессионального развития педагогов", "plan"),
        ("Разработка индивидуальных образовательных маршрутов для обучающихся", "plan"),
        ("Разработка и утверждение положения о внутренней системе оценки качества", "regulation"),
        ("Проведение педагогического совета по итогам полугодия", None),
        ("Обновление состава и обучение членов школьной службы медиации", None),
    ],
)
def test_an_activity_that_drafts_a_document_promises_it(activity: str, promised: str) -> None:
    assert expected_result_type("", activity) == promised
    # The result column, when it names a document, still decides.
    assert expected_result_type("Протокол ШМО", activity) == "protocol"


ITEMS = [
    ItemText(
        number="1",
        activity="Внедрение технологии формирующего оценивания на уроках",
        start=date(2022, 3, 1),
        end=date(2022, 4, 30),
    ),
    ItemText(
        number="2",
        activity="Диагностика профессиональных дефицитов педагогов",
        refs=["Приложение 3"],
    ),
    ItemText(
        number="3",
        activity="Консультирование родителей по вопросам адаптации пятиклассников",
        result="Аналитическая справка по итогам консультирования",
    ),
]
DOCS = [
    DocText(
        name="Протокол МО.pdf",
        title="Протокол заседания МО учителей от 15.03.2022. О внедрении технологии "
        "формирующего оценивания",
        body="Слушали: об опыте формирующего оценивания на уроках. Технология внедрена.",
        doc_type="protocol",
    ),
    DocText(
        name="Справка.pdf",
        title="Справка по итогам консультаций родителей",
        body="Проведено консультирование родителей пятиклассников по адаптации.",
        doc_type="analytic_note",
    ),
    DocText(
        name="Договор.pdf",
        title="Договор о сетевом взаимодействии",
        body="Стороны договорились о совместном использовании спортзала.",
        doc_type="other",
    ),
]


def _signals(item: int, doc: int, items=ITEMS, docs=DOCS) -> dict[str, float]:
    feats = pair_features(items, docs)
    k = next(
        k
        for k in range(len(feats.values))
        if feats.item_index[k] == item and feats.doc_index[k] == doc
    )
    return dict(zip(FEATURES, feats.values[k], strict=True))


def test_matching_with_the_learnt_settings_and_off_plan() -> None:
    result = match_documents(ITEMS, DOCS)
    pairs = {(m.document, m.item) for m in result.matches}
    assert pairs == {("Протокол МО.pdf", "1"), ("Справка.pdf", "3")}
    assert result.off_plan == ["Договор.pdf"]
    m = next(m for m in result.matches if m.item == "1")
    assert "оценивание" in m.words and m.reason.startswith("вероятность")
    assert m.dates == ["2022-03-15"]
    # The explanation's pushes are the model itself: they add up to the probability.
    _, intercept = load_match_settings().final()
    logit = sum(m.contributions.values()) + intercept
    assert abs(1 / (1 + np.exp(-logit)) - m.score) < 0.01
    # The reason names the strongest push first, in the expert's words.
    strongest = next(f for f, w in m.contributions.items() if w > 0 and f in _SAYS)
    said = _SAYS[strongest].split("(")[0].split(":")[0].strip()
    assert m.reason.split(": ", 1)[1].startswith(said)


def test_lemma_signals_prefer_the_right_item() -> None:
    right, wrong = _signals(0, 0), _signals(1, 0)
    assert right["activity_overlap"] > 0.5 and wrong["activity_overlap"] < 0.1
    assert right["relative_to_best"] == 1.0 > wrong["relative_to_best"]
    assert _signals(2, 1)["result_overlap"] > 0


def test_title_coverage_separates_a_news_item_sharing_generic_words() -> None:
    items = [
        ItemText(number="1", activity="Участие педагогов в вебинаре по функциональной грамотности")
    ]
    docs = [
        DocText(
            name="Новость.docx",
            title="Вся школа вышла на лыжню",
            body="Педагоги приняли участие в лыжной гонке.",
        ),
        DocText(
            name="Сертификат.pdf",
            title="Сертификат участника вебинара по функциональной грамотности",
            body="",
        ),
    ]
    news, cert = _signals(0, 0, items, docs), _signals(0, 1, items, docs)
    assert news["title_coverage"] < cert["title_coverage"]


def test_vector_similarity_sees_synonyms() -> None:
    items = [ItemText(number="1", activity="заседание")]
    docs = [DocText(name="a", title="совещание", body=""), DocText(name="b", title="лыжи", body="")]
    assert (
        _signals(0, 0, items, docs)["vector_similarity"]
        > _signals(0, 1, items, docs)["vector_similarity"]
    )


def test_mean_vector_is_numpy_s_weighted_average_to_the_last_bit() -> None:
    """`_mean_vector` does np.average's arithmetic itself: the matcher's learnt weights
    were fitted on np.average's vectors, so not even the last bit may differ."""
    words = sorted(set(lemmas("заседание педагогического совета по итогам мониторинга")))
    idf = {w: 1.0 + k / 3 for k, w in enumerate(words)}
    known, m = _known_vectors(words)
    assert len(known) >= 4
    expected = np.average(m, axis=0, weights=[idf[w] for w in known])
    got = _mean_vector(words, idf)
    assert got is not None
    assert np.array_equal(got, expected / np.linalg.norm(expected))


def test_date_signals() -> None:
    assert document_dates("Приказ от 14.02.2022 № 5; собрание 3 марта 2022 года") == [
        date(2022, 2, 14),
        date(2022, 3, 3),
    ]
    inside = _signals(0, 0)
    assert inside["date_inside"] == 1.0 and inside["date_outside"] == 0.0
    late = [DocText(name="x", title="Протокол от 20.09.2022", body="")]
    outside = _signals(0, 0, ITEMS, late)
    assert outside["date_inside"] == 0.0 and outside["date_outside"] == 1.0
    # An item without dates (vague) gives no date evidence either way.
    assert _signals(1, 0)["date_inside"] == _signals(1, 0)["date_outside"] == 0.0


def test_appendix_reference_is_decisive() -> None:
    docs = [DocText(name="Приложение 3.pdf", title="Список", body="Иванова, Петров")]
    assert _signals(1, 0, ITEMS, docs)["appendix_reference"] == 1.0
    result = match_documents(ITEMS, docs)
    assert [(m.item, m.score) for m in result.matches] == [("2", 0.99)]


def test_promised_type_signal() -> None:
    items = [ItemText(number="1", activity="Положение о ВСОКО", expected_type="order")]
    docs = [
        DocText(name="a", title="Приказ", body="", doc_type="order"),
        DocText(name="b", title="Протокол", body="", doc_type="protocol"),
    ]
    assert _signals(0, 0, items, docs)["type_promised"] == 1.0
    assert _signals(0, 1, items, docs)["type_promised"] == 0.0


def test_threshold_decides_and_documents_without_items_are_off_plan() -> None:
    settings = load_match_settings()
    top = float(
        probabilities(pair_features(ITEMS, DOCS, background=load_background()), settings).max()
    )
    limits = {"extra_threshold": 1.0, "report_extra_threshold": 1.0}
    just_above = settings.model_copy(update={"threshold": top + 1e-9, **limits})
    result = match_documents(ITEMS, DOCS, just_above)
    assert not result.matches and len(result.off_plan) == 3
    just_below = settings.model_copy(update={"threshold": top - 1e-9, **limits})
    assert len(match_documents(ITEMS, DOCS, just_below).matches) == 1
    assert match_documents([], DOCS).off_plan == [d.name for d in DOCS]


def test_shipped_weights_are_learnt_not_blank() -> None:
    settings = load_match_settings()
    weights, _ = settings.final()
    # The activity's words found (exactly; or by stem or synonym, a superset) push towards a
    # match, a date outside the deadline away from it. The two coverages move together, so
    # only their sum has a sign to check.
    assert weights["activity_overlap"] + weights["soft_activity"] > 0
    assert weights["date_outside"] < 0 and 0 < settings.threshold < 1


def test_background_makes_words_of_every_paper_weigh_less() -> None:
    bags = [{"программа", "антирисковый", "анкетирование"}, {"программа", "антирисковый"}] * 3
    background = background_from(bags)
    assert background.weight("программа") < background.weight("анкетирование")
    # A word the background never saw is as rare as can be; no background weighs all alike.
    assert background.weight("лусканова") > background.weight("анкетирование")
    assert Background().weight("программа") == Background().weight("лусканова") == 1.0
    shipped = load_background()
    assert shipped.documents > 0 and shipped.weight("школа") < shipped.weight("лусканова")


def test_item_relative_compares_documents_for_the_same_item() -> None:
    assert _signals(0, 0)["item_relative"] == 1.0  # the protocol is the best for item 1
    assert _signals(0, 2)["item_relative"] < 1.0


def test_a_document_s_other_items_need_the_extra_threshold_except_in_reports() -> None:
    settings = MatchSettings(threshold=0.4, extra_threshold=0.9, report_extra_threshold=0.5)
    probs = np.array([0.8, 0.6, 0.45, 0.8, 0.6, 0.45, 0.8, 0.6, 0.45])
    keep = assign([0, 0, 0, 1, 1, 1, 2, 2, 2], probs, ["order", "report", "protocol"], settings)
    # The order keeps only its best item; the report and the protocol (an agenda of several
    # points) also their second (0.6 >= 0.5).
    assert keep.tolist() == [True, False, False, True, True, False, True, True, False]
    # With no extra thresholds learnt the rule is the single threshold.
    plain = MatchSettings(threshold=0.4)
    assert assign([0, 0, 0], probs[:3], ["order"], plain).tolist() == [True, True, True]
    shipped = load_match_settings()
    assert shipped.threshold <= shipped.report_extra_threshold <= 1.0
    assert shipped.threshold <= shipped.extra_threshold <= 1.0


def test_an_open_deadline_side_is_open() -> None:
    # "До 20.05.2022": a survey held in March is within it, not only days around 20 May.
    until = [ItemText(number="1", activity="Анкетирование родителей", end=date(2022, 5, 20))]
    march = [DocText(name="a", title="Справка от 25.03.2022", body="")]
    assert _signals(0, 0, until, march)["date_inside"] == 1.0
    after = [DocText(name="a", title="Справка от 25.09.2022", body="")]
    assert _signals(0, 0, until, after)["date_outside"] == 1.0
    # "Март-": no end.
    since = [ItemText(number="1", activity="Анкетирование", start=date(2022, 3, 1))]
    assert _signals(0, 0, since, after)["date_inside"] == 1.0
    assert (
        _signals(0, 0, since, [DocText(name="a", title="от 10.01.2022", body="")])["date_outside"]
        == 1.0
    )


def test_soft_coverage_counts_synonyms_in_the_whole_text() -> None:
    items = [ItemText(number="1", activity="заседание педагогического коллектива")]
    docs = [
        DocText(name="a", title="Протокол", body="совещание педагогов школы"),
        DocText(name="b", title="Новость", body="лыжная гонка в субботу"),
    ]
    same, other = _signals(0, 0, items, docs), _signals(0, 1, items, docs)
    assert same["activity_overlap"] == other["activity_overlap"] == 0.0
    assert same["soft_activity"] > other["soft_activity"]
    assert same["text_vector"] > other["text_vector"]


def test_passage_coverage_finds_an_item_told_in_one_paragraph() -> None:
    items = [ItemText(number="1", activity="анкетирование родителей пятиклассников")]
    filler = " ".join(f"слово{k} стадион" for k in range(60))
    together = DocText(
        name="a",
        title="Отчёт",
        body=f"{filler} проведено анкетирование родителей пятиклассников {filler}",
        doc_type="report",
    )
    scattered = DocText(
        name="b",
        title="Отчёт",
        body=f"анкетирование {filler} родителей {filler} пятиклассников",
        doc_type="other",
    )
    near, far = _signals(0, 0, items, [together]), _signals(0, 0, items, [scattered])
    assert near["activity_overlap"] == far["activity_overlap"] > 0
    assert near["passage_coverage"] == 1.0 > far["passage_coverage"]
    assert near["report_passage"] == 1.0 and far["report_passage"] == 0.0
    assert near["passage_relative"] == 1.0


NARRATIVE = DocText(
    name="Отчёт о реализации АРП.pdf",
    title="Отчёт о реализации программы антирисковых мер «Низкая учебная мотивация "
    "обучающихся» за первое полугодие",
    body="За отчётный период проведено следующее:\n"
    "1. 25.02.2022 — педагоги заполнили анкету самооценки и выполнили диагностическую работу.\n"
    "2. 24.03.2022 — педагоги посещали уроки коллег и заполняли лист наблюдения.\n"
    "Работа будет продолжена.",
    doc_type="report",
)
ENTRY_ITEMS = [
    ItemText(
        number="1",
        activity="Диагностика профессиональных дефицитов педагогов",
        start=date(2022, 2, 25),
        end=date(2022, 2, 25),
    ),
    # Shares "урок" and "педагог" with the second entry too, but its deadline is May.
    ItemText(
        number="2",
        activity="Открытые уроки педагогов",
        start=date(2022, 5, 1),
        end=date(2022, 5, 31),
    ),
    ItemText(
        number="3",
        activity="Посещение уроков педагогами с последующим анализом",
        start=date(2022, 3, 1),
        end=date(2022, 3, 31),
    ),
]


def test_a_dated_list_is_read_entry_by_entry() -> None:
    entries = dated_entries(f"{NARRATIVE.title}\n{NARRATIVE.body}")
    assert [d for d, _ in entries] == [date(2022, 2, 25), date(2022, 3, 24)]
    assert "анкета" in entries[0][1] and "анкета" not in entries[1][1]
    # One dated line is no list: an order "от 14.02.2022" is not a report of events.
    assert dated_entries("Приказ\n14.02.2022 — О проведении семинара") == []
    signal = [_signals(k, 0, ENTRY_ITEMS, [NARRATIVE])["dated_entry"] for k in range(3)]
    assert signal[0] > 0 and signal[2] > 0 and signal[1] == 0.0


def test_an_entry_may_tell_of_an_item_without_a_deadline() -> None:
    # "Постоянно", an empty cell: no deadline to hold the entry's date, none to exclude it.
    undated = ItemText(number="4", activity="Посещение уроков педагогами с анализом")
    signal = [
        _signals(k, 0, [*ENTRY_ITEMS[:2], undated], [NARRATIVE])["dated_entry"] for k in range(3)
    ]
    assert signal[2] > 0 and signal[1] == 0.0
    # A deadline that excludes the entry's date still rules the item out.
    march = ENTRY_ITEMS[2].model_copy(update={"start": date(2022, 9, 1), "end": date(2022, 9, 30)})
    assert _signals(2, 0, [*ENTRY_ITEMS[:2], march], [NARRATIVE])["dated_entry"] == 0.0


def test_the_programme_name_is_left_out_of_the_documents() -> None:
    plain = without_programme_name(NARRATIVE)
    assert "мотивация" not in plain.title and "программы антирисковых мер" in plain.title
    assert "мотивация" not in doc_bag(NARRATIVE)
    item = [ItemText(number="1", activity="Диагностика учебной мотивации обучающихся")]
    assert _signals(0, 0, item, [NARRATIVE])["activity_overlap"] == 0.0


def test_the_programme_cited_as_the_basis_is_not_the_subject() -> None:
    order = DocText(
        name="Приказ.pdf",
        title="ПРИКАЗ О проведении защиты индивидуальных проектов",
        body="Во исполнение дорожной карты программы антирисковых мер МОУ СШ № 87 "
        "ПРИКАЗЫВАЮ: провести защиту проектов.",
    )
    approving = DocText(
        name="Приказ 2.pdf", title="ПРИКАЗ Об утверждении программы антирисковых мер", body=""
    )
    assert "антирисковых" not in doc_bag(order) and "антирисковых" in doc_bag(approving)
    item = [ItemText(number="1", activity="Утверждение программы антирисковых мер")]
    assert _signals(0, 0, item, [order, approving])["activity_overlap"] == 0.0
    assert _signals(0, 1, item, [order, approving])["activity_overlap"] > 0.5


@pytest.mark.parametrize(
    "preamble",
    [
        "На основании плана работы школы на 2021/2022 учебный год и программы\nантирисковых "
        "мер МОУ СШ № 50,",
        "В целях реализации программы антирисковых мер",
    ],
)
def test_the_programme_named_as_a_second_basis_is_not_the_subject(preamble: str) -> None:
    order = DocText(
        name="Приказ № 69.pdf",
        title="ПРИКАЗ О направлении педагогических работников на курсы",
        body=f"{preamble} приказываю: 1. Организовать обучение педагогов.",
    )
    assert "антирисковых" not in doc_bag(order)
    # A sentence of its own naming the programme is left alone: only the basis goes.
    other = order.model_copy(
        update={"body": "На основании приказа № 5. Утвердить программу антирисковых мер."}
    )
    assert "антирисковых" in doc_bag(other)


def test_a_paper_dated_on_the_day_of_a_one_day_event() -> None:
    seminar = ItemText(
        number="1", activity="Семинар", start=date(2022, 3, 24), end=date(2022, 3, 24)
    )
    march = ItemText(number="2", activity="Семинар", start=date(2022, 3, 1), end=date(2022, 3, 31))
    docs = [
        DocText(name="a", title="Протокол от 24.03.2022", body=""),
        DocText(name="b", title="Протокол от 10.03.2022", body=""),
    ]
    items = [seminar, march]
    assert _signals(0, 0, items, docs)["date_exact"] == 1.0
    assert _signals(0, 1, items, docs)["date_exact"] == 0.0  # inside the slack, not the day
    # A month-long window holds both dates; neither is the event's day.
    assert (
        _signals(1, 0, items, docs)["date_exact"]
        == _signals(1, 1, items, docs)["date_exact"]
        == 0.0
    )
    assert _signals(1, 1, items, docs)["date_inside"] == 1.0


def test_soft_coverage_counts_a_word_of_the_same_stem() -> None:
    items = [ItemText(number="1", activity="разработка положения")]
    docs = [DocText(name="a", title="Справка", body="положение разработано рабочей группой")]
    signals = _signals(0, 0, items, docs)
    assert signals["activity_overlap"] < 1.0 and signals["soft_activity"] == pytest.approx(1.0)


def test_shared_weight_tells_rare_shared_words_from_common_ones() -> None:
    items = [
        ItemText(number="1", activity="Утверждение программы"),
        ItemText(number="2", activity="Диагностика мотивации по методике Лускановой"),
    ]
    docs = [
        DocText(
            name="a",
            title="Приказ об утверждении программы. Диагностика мотивации по методике Лускановой",
            body="",
        ),
        DocText(name="b", title="Приказ об утверждении программы", body=""),
        DocText(name="c", title="Приказ об утверждении программы", body=""),
    ]
    # Both items are wholly covered by document a, but item 2 shares rarer words with it.
    generic, specific = _signals(0, 0, items, docs), _signals(1, 0, items, docs)
    assert generic["activity_overlap"] == specific["activity_overlap"] == 1.0
    assert specific["shared_weight"] > generic["shared_weight"]


def test_best_flags_mark_one_item_per_document_and_one_document_per_item() -> None:
    feats = pair_features(ITEMS, DOCS)
    best_doc = FEATURES.index("best_for_document")
    best_item = FEATURES.index("best_for_item")
    for di in range(len(DOCS)):
        flags = [v[best_doc] for k, v in enumerate(feats.values) if feats.doc_index[k] == di]
        assert sum(flags) <= 1
    assert _signals(0, 0)["best_for_document"] == 1.0 and _signals(1, 0)["best_for_document"] == 0
    assert _signals(0, 0)["best_for_item"] == 1.0 and _signals(0, 2)["best_for_item"] == 0.0
    assert sum(v[best_item] for v in feats.values) <= len(ITEMS)
    # A contract sharing no word with any item is nobody's best.
    assert all(v[best_doc] == 0.0 for k, v in enumerate(feats.values) if feats.doc_index[k] == 2)


def test_rank_features_compare_a_pair_with_its_document_and_item() -> None:
    # Two documents x two items; document 0 is mostly about item 1.
    first = np.array([0.2, 0.8, 0.5, 0.4])
    ranks = rank_features(first, doc_ids=[0, 0, 1, 1], item_ids=[0, 1, 0, 1])
    log_odds, rel_doc, rel_item, best_doc, best_item = ranks.T
    assert np.allclose(log_odds, np.log(first / (1 - first)))
    assert np.allclose(rel_doc, [0.25, 1.0, 1.0, 0.8])
    assert np.allclose(rel_item, [0.4, 1.0, 1.0, 0.5])
    assert best_doc.tolist() == [0, 1, 1, 0] and best_item.tolist() == [0, 1, 1, 0]


def test_a_second_pass_changes_the_probabilities_only_when_learnt() -> None:
    settings = load_match_settings()
    feats = pair_features(ITEMS, DOCS, background=load_background())
    first = first_pass(np.asarray(feats.values), settings)
    one = settings.model_copy(update={"rank_weights": {}})
    assert one.final() == (settings.weights, settings.intercept)
    names = ("first_pass", "first_pass_best_document")
    second = settings.model_copy(
        update={"rank_weights": dict.fromkeys(names, 1.0), "rank_intercept": 0.0}
    )
    # Through the first pass's log-odds (weight 1) each signal keeps its first-pass weight.
    weights, intercept = second.final()
    assert intercept == settings.intercept
    assert all(weights[f] == settings.weights[f] for f in FEATURES)
    assert weights["first_pass_best_document"] == 1.0 and "first_pass" not in weights
    # The second pass sees the first pass's log-odds and whether the pair is the document's
    # best: with these weights a document's best item gains, the others do not.
    both = probabilities(feats, second)
    ranks = rank_features(first, feats.doc_index, feats.item_index)
    expected = 1 / (1 + np.exp(-(ranks[:, 0] + ranks[:, 3])))
    assert np.allclose(both, expected)


def test_evaluate_scores_the_matches_against_the_gold_pairs() -> None:
    from classifiers.train_matcher import Case, evaluate

    right = Case(
        school="s", items=ITEMS, docs=DOCS, gold=[("Протокол МО.pdf", "1"), ("Справка.pdf", "3")]
    )
    assert evaluate([right])["match_f1"] == 1.0 and evaluate([right])["off_plan_f1"] == 1.0
    # Gold says the contract proves item 2: one pair missed, and no off-plan document left.
    wrong = right.model_copy(update={"gold": [*right.gold, ("Договор.pdf", "2")]})
    report = evaluate([wrong])
    assert (report["tp"], report["fn"], report["ofp"]) == (2, 1, 1)
    assert report["match_f1"] == 0.8 and report["off_plan_f1"] == 0.0


def _bag(text: str) -> set[str]:
    return set(lemmas(text))


PPK = ItemText(
    number="4",
    activity="Заседание психолого-педагогического консилиума",
    result="Рекомендации педагогам",
)
PPK_PROTOCOL = DocText(
    name="Протокол 3.pdf",
    title="Протокол № 3",
    body="Рассмотрены представления классных руководителей на обучающихся 7 класса.",
    doc_type="protocol",
)


def test_associations_learn_the_words_confirming_papers_use() -> None:
    item, paper = _bag(PPK.activity), _bag(PPK_PROTOCOL.body)
    others = [_bag("Приказ об утверждении графика"), _bag("Справка по итогам недели")] * 10
    learnt = associations_from([(item, paper)] * 3, [paper] * 3 + others)
    profile = learnt[lemmas("консилиума")[0]]
    assert lemmas("представления")[0] in profile
    assert sum(profile.values()) == pytest.approx(1.0, abs=1e-3)
    # Seen with the item in two confirmations only: an accident, not how it is written up.
    assert associations_from([(item, paper)] * 2, [paper] * 2 + others) == {}
    # A word every paper has says nothing of this item's confirmations.
    common = [bag | _bag("школа") for bag in others]
    school = paper | _bag("школа")
    learnt = associations_from([(item, school)] * 3, [school] * 3 + common)
    assert lemmas("школа")[0] not in learnt[lemmas("консилиума")[0]]


def test_typical_wording_finds_a_paper_that_never_names_its_item() -> None:
    items, docs = [ITEMS[0], PPK], [PPK_PROTOCOL, DOCS[2]]
    blank = _signals(1, 0, items, docs)
    assert blank["typical_wording"] == blank["wording_known"] == blank["typical_best"] == 0.0
    background = Background(
        associations={
            lemmas("консилиума")[0]: {
                lemmas("представления")[0]: 0.8,
                lemmas("руководителей")[0]: 0.2,
            }
        }
    )
    feats = pair_features(items, docs, background=background)
    rows = {
        (feats.doc_index[k], feats.item_index[k]): dict(zip(FEATURES, v, strict=True))
        for k, v in enumerate(feats.values)
    }
    ppk = rows[0, 1]
    assert ppk["typical_wording"] == pytest.approx(1.0)
    assert ppk["typical_best"] == 1.0 and ppk["typical_relative"] == 0.0
    # One of the item's words (of those left after lemmatising) has a profile.
    assert 0 < ppk["wording_known"] < 1
    other = rows[0, 0]
    assert other["typical_wording"] == 0.0 and other["typical_relative"] == pytest.approx(-1.0)
    assert other["wording_known"] == 0.0
    assert rows[1, 1]["typical_wording"] == 0.0  # the contract has none of those words
    k = next(
        k for k in range(len(feats.values)) if (feats.doc_index[k], feats.item_index[k]) == (0, 1)
    )
    assert feats.typical[k] == [lemmas("представления")[0], lemmas("руководителей")[0]]


def test_the_reason_names_the_typical_words_found() -> None:
    background = Background(
        associations={lemmas("консилиума")[0]: {lemmas("представления")[0]: 1.0}}
    )
    settings = MatchSettings(weights={"typical_wording": 8.0}, intercept=-4.0, threshold=0.5)
    result = match_documents([PPK], [PPK_PROTOCOL], settings, background=background)
    (m,) = result.matches
    assert m.typical == [lemmas("представления")[0]]
    assert "обычно подтверждают такое мероприятие: " + lemmas("представления")[0] in m.reason
    # Without the learnt words nothing links them.
    assert match_documents([PPK], [PPK_PROTOCOL], settings, background=Background()).matches == []


def test_training_signals_never_use_the_school_s_own_confirmations() -> None:
    from classifiers.train_matcher import Case, background_of, cross_fitted

    def school(name: str, item: ItemText, doc: DocText) -> Case:
        return Case(school=name, items=[item], docs=[doc], gold=[(doc.name, item.number)])

    ppk = [school(f"s{k}", PPK, PPK_PROTOCOL) for k in range(3)]
    news = [school(f"n{k}", ITEMS[0], DOCS[0]) for k in range(3)]
    cases = ppk + news
    full = background_of(cases)
    word = lemmas("консилиума")[0]
    assert word in full.associations
    # Two folds, alternating: each PPK school learns from the other fold, which holds only
    # one other PPK school: too few confirmations, so no typical words.
    fitted = cross_fitted(cases, full, folds=2, dropout=0.0)
    assert all(word not in bg.associations for bg in fitted[:3])
    assert all(bg.df == full.df for bg in fitted)
    # With more folds the others hold enough PPK schools again.
    more = [school(f"s{k}", PPK, PPK_PROTOCOL) for k in range(3, 9)] + news * 3
    fitted = cross_fitted(ppk + more, background_of(ppk + more), folds=3, dropout=0.0)
    assert all(word in bg.associations for bg in fitted[:9])
    # Dropped schools get none at all.
    assert all(not bg.associations for bg in cross_fitted(cases, full, dropout=1.0))


def test_evaluate_command_can_forget_the_typical_words(tmp_path, monkeypatch, capsys) -> None:
    import json

    import classifiers.train_matcher as tm

    data = tmp_path / "cases.jsonl"
    case = tm.Case(school="s", items=ITEMS, docs=DOCS, gold=[("Протокол МО.pdf", "1")])
    data.write_text(case.model_dump_json() + "\n", encoding="utf-8")
    seen = []
    real = tm.evaluate

    def spy(cases, settings=None, background=None):
        seen.append(background)
        return real(cases, settings, background)

    monkeypatch.setattr(tm, "evaluate", spy)
    tm.main(["evaluate", "--data", str(data)])
    tm.main(["evaluate", "--data", str(data), "--without-associations"])
    assert seen[0] is None  # the shipped background, typical words and all
    assert seen[1].associations == {} and seen[1].df == load_background().df
    assert load_background().associations  # the shipped one is left as it was
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["schools"] for r in reports] == [1, 1]
