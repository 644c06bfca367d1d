"""K1-K6 of the expert sheet, each with the reason an expert would write beside it."""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction

from expert_sheet.records import NOT_ASSESSABLE, DocRecord, ItemRecord
from expert_sheet.settings import RubricSettings

CRITERIA = {
    "K1": "Соотношение запланированных мероприятий к реализованным за отчётный период: "
    "0-24% – 0 баллов; 25-49% – 1 балл; 50-74% – 2 балла; 75-100% – 3 балла",
    "K2": "В АРП поставлены задачи – 1 балл",
    "K3": "В АРП сформулированы показатели деятельности, позволяющие оценить результат "
    "достижения задач и мероприятий – 1 балл",
    "K4": "В АРП определены конкретные сроки реализации мероприятий – 1 балл",
    "K5": "Подтверждающие документы соотносятся с мероприятиями дорожной карты АРП – 1 балл",
    "K6": "Подтверждающие документы позволяют подтвердить факт реализации АРП – 1 балл",
}
MAX_SCORE = {"K1": 3, "K2": 1, "K3": 1, "K4": 1, "K5": 1, "K6": 1}

_TASKS_HEADING = re.compile(r"^\s*(основные\s+)?задач[иа]\b", re.I | re.M)
# A section of indicators ("Целевые показатели:", "Показатели реализации программы"), not
# the risk profile's table whose first column is headed "Показатель".
_INDICATORS_HEADING = re.compile(r"^\s*(?:\d+\.\s*)?(?:целевые\s+)?показатели\b", re.I | re.M)


def is_planned(item: ItemRecord, report_date: date, concrete: set[str]) -> bool:
    """Due by the report date; vague or recurring items that have begun count too."""
    d = item.deadline
    if d.end is not None and d.end <= report_date:
        return True
    started = d.start is None or d.start <= report_date
    if d.precision not in concrete and started:
        return True
    return d.end is None and d.start is not None and d.start <= report_date


def confirms(doc: DocRecord, item: ItemRecord) -> bool:
    """Result-type evidence, or the very document the item promised (e.g. "Приказ ...")."""
    return doc.evidence_kind == "result" or (
        item.expected_result_type is not None and doc.doc_type == item.expected_result_type
    )


def k1_points(percent: Fraction, bands: list[float]) -> int:
    return sum(1 for band in bands if percent >= Fraction(str(band)))


def _share(part: int, whole: int) -> str:
    return f"{part} из {whole} ({part / whole:.0%})" if whole else "0 из 0"


def _names(numbers: list[str], limit: int = 8) -> str:
    shown = ", ".join(numbers[:limit])
    return shown + (f" и ещё {len(numbers) - limit}" if len(numbers) > limit else "")


def score(
    items: list[ItemRecord] | None,
    arp_text: str,
    has_task_column: bool,
    docs: list[DocRecord],
    report_date: date,
    settings: RubricSettings,
    has_deadline_column: bool = True,
) -> tuple[dict[str, int | str], dict[str, str]]:
    """Scores and reasons; marks planned/implemented/status on the items as it goes."""
    scores: dict[str, int | str] = {}
    reasons: dict[str, str] = {}
    concrete = set(settings.k4.concrete_precisions)
    # Photos without text are shown beside the items they seem to show, never counted: they
    # only supplement documents (DOMAIN), and a file without text confirms nothing alone.
    evidence = [d for d in docs if d.readable and not d.is_arp and not d.photo]
    by_file = {d.file: d for d in evidence}
    photographed = {n for d in docs if d.photo for n in d.shows}

    if items:
        for item in items:
            item.planned = is_planned(item, report_date, concrete)
            matched = [by_file[f] for f in item.documents if f in by_file]
            item.implemented = item.planned and any(confirms(d, item) for d in matched)
            if not item.planned:
                item.status = "not_yet_due"
            elif item.implemented:
                item.status = "confirmed"
            elif matched:
                item.status = "only_plan_evidence"
            else:
                item.status = "no_evidence"

    # K1
    planned = [i for i in items or [] if i.planned]
    done = [i for i in planned if i.implemented]
    if not items:
        scores["K1"] = NOT_ASSESSABLE
        reasons["K1"] = "Н/о: в АРП нет дорожной карты (таблицы мероприятий)"
    elif not has_deadline_column:
        scores["K1"] = NOT_ASSESSABLE
        reasons["K1"] = "Н/о: в дорожной карте нет столбца сроков"
    elif not planned:
        scores["K1"] = NOT_ASSESSABLE
        reasons["K1"] = (
            f"Н/о: ни одно из {len(items)} мероприятий не запланировано "
            f"на период до {report_date:%d.%m.%Y}"
        )
    else:
        percent = Fraction(len(done), len(planned)) * 100
        scores["K1"] = k1_points(percent, settings.k1.bands)
        only_plan = [i.number for i in planned if i.status == "only_plan_evidence"]
        missing = [i.number for i in planned if i.status == "no_evidence"]
        parts = [f"подтверждено {_share(len(done), len(planned))} запланированных мероприятий"]
        if only_plan:
            parts.append(f"только документ о намерении (приказ/план): {_names(only_plan)}")
        if missing:
            parts.append(f"нет подтверждающих документов: {_names(missing)}")
        pictured = [n for n in only_plan + missing if n in photographed]
        if pictured:
            parts.append(f"есть только фото или видео, они не подтверждают: {_names(pictured)}")
        reasons["K1"] = "; ".join(parts)

    # K2
    if has_task_column and items and any(i.task for i in items):
        scores["K2"], reasons["K2"] = 1, "задачи указаны в дорожной карте (столбец «Задача»)"
    elif _TASKS_HEADING.search(arp_text):
        scores["K2"], reasons["K2"] = 1, "задачи сформулированы в тексте АРП (раздел «Задачи»)"
    else:
        scores["K2"], reasons["K2"] = (
            0,
            "задачи не поставлены: нет ни столбца задач, ни раздела «Задачи»",
        )

    # K3
    if items:
        with_ind = [i for i in items if i.indicator or i.expected_result]
        ok = len(with_ind) >= settings.k3.min_share * len(items)
        scores["K3"] = int(ok)
        lacking = [i.number for i in items if not (i.indicator or i.expected_result)]
        reasons["K3"] = f"показатель или результат указан у {_share(len(with_ind), len(items))}"
        if lacking:
            reasons["K3"] += f" мероприятий; не указан: {_names(lacking)}"
        else:
            reasons["K3"] += " мероприятий"
    elif _INDICATORS_HEADING.search(arp_text):
        scores["K3"], reasons["K3"] = (
            1,
            "дорожной карты нет, но показатели перечислены в тексте АРП",
        )
    else:
        scores["K3"], reasons["K3"] = (
            0,
            "показатели не сформулированы: нет ни дорожной карты, ни раздела «Показатели»",
        )

    # K4
    if not items:
        scores["K4"], reasons["K4"] = 0, "нет дорожной карты, сроки мероприятий не определены"
    elif not has_deadline_column:
        scores["K4"], reasons["K4"] = 0, "в дорожной карте нет столбца сроков"
    else:
        vague = [i for i in items if i.deadline.precision not in concrete]
        ok = len(items) - len(vague) >= settings.k4.min_share * len(items)
        scores["K4"] = int(ok)
        reasons["K4"] = f"конкретные сроки у {_share(len(items) - len(vague), len(items))}"
        reasons["K4"] += " мероприятий"
        if vague:
            shown = "; ".join(f"{i.number}: «{i.deadline.text}»" for i in vague[:5])
            reasons["K4"] += f"; неконкретные: {shown}" + ("…" if len(vague) > 5 else "")

    # K5 and K6
    if not items:
        scores["K5"], reasons["K5"] = 0, "нет дорожной карты, с которой соотнести документы"
        scores["K6"], reasons["K6"] = 0, "нет дорожной карты, реализацию которой подтверждать"
    elif not evidence:
        scores["K5"], reasons["K5"] = 0, "нет читаемых подтверждающих документов"
        scores["K6"], reasons["K6"] = 0, "нет читаемых подтверждающих документов"
    else:
        item_by_no = {i.number: i for i in items}
        related = [d for d in evidence if d.confirms]
        proving = [
            d
            for d in related
            if any(confirms(d, item_by_no[n]) for n in d.confirms if n in item_by_no)
        ]
        off = [d.file for d in evidence if not d.confirms]
        scores["K5"] = int(len(related) >= settings.k5.min_share * len(evidence))
        reasons["K5"] = f"с мероприятиями ДК соотносятся {_share(len(related), len(evidence))}"
        reasons["K5"] += " документов"
        if off:
            reasons["K5"] += f"; вне плана: {_names(off, 5)}"
        scores["K6"] = int(len(proving) >= settings.k6.min_share * len(evidence))
        plan_only = [d.file for d in related if d not in proving]
        reasons["K6"] = f"факт реализации подтверждают {_share(len(proving), len(evidence))}"
        reasons["K6"] += " документов"
        if plan_only:
            reasons["K6"] += f"; только намерение (приказ/план): {_names(plan_only, 5)}"
    return scores, reasons


def total(scores: dict[str, int | str]) -> int:
    return sum(v for v in scores.values() if isinstance(v, int))
