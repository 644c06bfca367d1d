"""Writes the labelled document-type set: `doctypes/train.jsonl` and `doctypes/heldout.jsonl`.

Run from the repository root (deterministic; takes a few seconds):

    .venv/bin/python data/labelled/generate_doctypes.py
    .venv/bin/python data/labelled/generate_doctypes.py --dev /tmp/doctypes-dev   # dev split

Every phrase bank that carries wording (titles, body sentences, school names, places, people,
events, themes, headers) is a `Split`: half A feeds the train file, half B the held-out file, so
the held-out score measures new wording rather than remembered templates. Half C
(`doctype_wording_c.py`, another author's wording, training only) adds more training documents
on its own random stream, after half A's and without changing them. `--dev` writes a
development split inside half A (even entries of each A bank vs odd ones) for choosing features
and parameters without looking at the held-out file. See `doctypes/README.md`.

Documents are built as `extractors.model.Document`s (paragraph blocks, or PDF-like wrapped
lines with tables repeated in the text layer) and turned into records by the same
`doc_to_record` the review flow uses, so training text looks like extracted text.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# The project's packages, and the extra half-A wording that lies beside this file.
for folder in (ROOT, Path(__file__).resolve().parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import doctype_wording_a as w  # noqa: E402
import doctype_wording_c as wc  # noqa: E402

from classifiers.doctype_model import doc_to_record  # noqa: E402
from extractors.model import Block, Cell, Document, Table  # noqa: E402

OUT = Path(__file__).with_name("doctypes")
# Documents written by other authors, appended to the training file as they are: author D's
# held-out set, scored once and then retired into training (its README says when and with
# what figures), and author F's training set. Every author's wording widens what the model
# has read; author E's set, never trained on, is the honest test.
OTHER_AUTHORS = [
    Path(__file__).with_name("doctypes_author_d") / "heldout.jsonl",
    Path(__file__).with_name("doctypes_author_f") / "train.jsonl",
]
# Documents per type in the whole set; 80% train (half A), 20% held-out (half B). Orders,
# protocols and products dominate real uploads; photos and regulations are rarer.
COUNTS = {
    "order": 150,
    "protocol": 130,
    "analytic_note": 120,
    "report": 110,
    "plan": 110,
    "regulation": 80,
    "product": 130,
    "photo": 60,
    "other": 110,
}
HELDOUT_SHARE = 0.2
# Extra training documents written from half C (doctype_wording_c.py, another author's wording),
# added to the half-A training documents. More for product and other: the weakest types.
C_COUNTS = {
    "order": 45,
    "protocol": 45,
    "analytic_note": 45,
    "report": 45,
    "plan": 45,
    "regulation": 35,
    "product": 100,
    "photo": 20,
    "other": 100,
}
# More training documents than the base 80%: more combinations of the same wording. Chosen on
# the development splits (see doctypes/README.md); the held-out file keeps its 200 documents.
TRAIN_SCALE = 1.0


@dataclass(frozen=True)
class Split:
    """A phrase bank in disjoint halves: `a` for train, `b` for held-out, and `c` (optional,
    training only, another author's wording) for the half-C training documents."""

    a: Sequence[Any]
    b: Sequence[Any]
    c: Sequence[Any] = ()


# ---------------------------------------------------------------------------------------------
# Shared banks: places, schools, people, events, themes
# ---------------------------------------------------------------------------------------------

REGIONS = Split(
    a=["Ярославская область", "Забайкальский край", "Республика Дагестан", "Костромская область",
       "Тверская область", "Краснодарский край", "Республика Тыва", "Оренбургская область",
       "Иркутская область", "Алтайский край", "Псковская область", "Чувашская Республика",
       "Саратовская область", "Кировская область", "Республика Калмыкия", "Брянская область"],
    b=["Республика Бурятия", "Курганская область", "Республика Марий Эл", "Пермский край",
       "Томская область", "Хабаровский край", "Смоленская область", "Амурская область",
       "Республика Карелия", "Ивановская область", "Новгородская область",
       "Ульяновская область", "Пензенская область", "Омская область", "Республика Хакасия",
       "Вологодская область"],
)
PLACES = Split(
    a=["г. Ярославль", "с. Глебово", "пос. Некрасовское", "г. Данилов", "г. Углич",
       "с. Татищево", "г. Чита", "пгт Агинское", "с. Улёты", "г. Кострома", "г. Галич",
       "г. Ржев", "д. Савино", "г. Кизляр", "ст. Каневская", "г. Кызыл", "г. Орск",
       "с. Шелехово", "г. Бийск", "с. Порецкое"],
    b=["г. Улан-Удэ", "с. Кижинга", "г. Шадринск", "пгт Медведево", "г. Кудымкар",
       "с. Кожевниково", "г. Амурск", "г. Рославль", "г. Свободный", "п. Пряжа",
       "г. Шуя", "г. Боровичи", "р.п. Кузоватово", "с. Бессоновка", "г. Тара",
       "г. Абакан", "г. Сокол", "с. Ермаковское", "пос. Октябрьский", "г. Кинешма"],
)
STREETS = Split(
    a=["Советская", "Ленина", "Школьная", "Молодёжная", "Садовая", "Мира"],
    b=["Набережная", "Центральная", "Первомайская", "Пушкина", "Комсомольская", "Лесная"],
)
ORGS = [
    ("Муниципальное бюджетное общеобразовательное учреждение", "МБОУ"),
    ("Муниципальное общеобразовательное учреждение", "МОУ"),
    ("Муниципальное казённое общеобразовательное учреждение", "МКОУ"),
    ("Муниципальное автономное общеобразовательное учреждение", "МАОУ"),
    ("Государственное бюджетное общеобразовательное учреждение", "ГБОУ"),
    ("Муниципальное общеобразовательное бюджетное учреждение", "МОБУ"),
]
SCHOOL_ADJ = Split(
    a=["Глебовская", "Крюковская", "Татищевская", "Митинская", "Покровская", "Никольская",
       "Берёзовская", "Сосновская", "Ключевская", "Заречная"],
    b=["Константиновская", "Воздвиженская", "Савинская", "Васильковская", "Петровская",
       "Михайловская", "Знаменская", "Ильинская", "Октябрьская", "Луговская"],
)
HEROES = Split(
    a=["Н.А. Некрасова", "Ф.И. Толбухина", "А.С. Пушкина", "Героя Советского Союза И.Д. Петрова"],
    b=["М.Ю. Лермонтова", "Ю.А. Гагарина", "А.П. Чехова", "С.А. Есенина"],
)
SCHOOL_NAMES = Split(
    a=["Средняя школа № {k}", "{adj} основная общеобразовательная школа",
       "Средняя общеобразовательная школа № {k} им. {hero}", "Гимназия № {k}",
       "{adj} средняя школа"],
    b=["{adj} средняя общеобразовательная школа", "Лицей № {k}", "Основная школа № {k}",
       "Средняя школа им. {hero}", "СОШ № {k}"],
)
SURNAMES = Split(
    a="Иванов Смирнов Кузнецов Соколов Морозов Волков Лебедев Козлов Новиков Павлов Семёнов "
    "Голубев Виноградов Богданов Воробьёв".split(),
    b="Фёдоров Михайлов Беляев Тарасов Белов Комаров Орлов Киселёв Макаров Андреев Ковалёв "
    "Ильин Гусев Титов Кудрявцев".split(),
)
FIRST_NAMES = Split(
    a=["Анна", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Марина"],
    b=["Людмила", "Галина", "Надежда", "Юлия", "Оксана", "Валентина", "Лариса", "Вера"],
)
PATRONYMICS = ["Александровна", "Сергеевна", "Викторовна", "Ивановна", "Николаевна",
               "Владимировна", "Петровна", "Юрьевна"]
INITIALS = "АБВГДЕИКЛМНОПРСТЮЯ"
SUBJECTS = [
    ("математика", "математики", "математике"),
    ("русский язык", "русского языка", "русскому языку"),
    ("литература", "литературы", "литературе"), ("история", "истории", "истории"),
    ("биология", "биологии", "биологии"), ("физика", "физики", "физике"),
    ("химия", "химии", "химии"), ("английский язык", "английского языка", "английскому языку"),
    ("география", "географии", "географии"), ("окружающий мир", "окружающего мира",
                                               "окружающему миру"),
    ("информатика", "информатики", "информатике"),
    ("обществознание", "обществознания", "обществознанию"),
]
# (nominative, genitive, prepositional)
EVENTS = Split(
    a=[("педагогический совет", "педагогического совета", "педагогическом совете"),
       ("семинар", "семинара", "семинаре"),
       ("заседание ШМО учителей начальных классов", "заседания ШМО учителей начальных классов",
        "заседании ШМО учителей начальных классов"),
       ("диагностика учебных затруднений обучающихся", "диагностики учебных затруднений "
        "обучающихся", "диагностике учебных затруднений обучающихся"),
       ("родительское собрание", "родительского собрания", "родительском собрании"),
       ("мастер-класс", "мастер-класса", "мастер-классе"),
       ("методический день", "методического дня", "методическом дне"),
       ("неделя математики", "недели математики", "неделе математики"),
       ("консультации для родителей", "консультаций для родителей",
        "консультациях для родителей"),
       ("входная диагностика", "входной диагностики", "входной диагностике")],
    b=[("круглый стол", "круглого стола", "круглом столе"),
       ("вебинар", "вебинара", "вебинаре"),
       ("методическое совещание", "методического совещания", "методическом совещании"),
       ("мониторинг читательской грамотности", "мониторинга читательской грамотности",
        "мониторинге читательской грамотности"),
       ("открытые уроки", "открытых уроков", "открытых уроках"),
       ("практикум для педагогов", "практикума для педагогов", "практикуме для педагогов"),
       ("тренинг по профилактике выгорания", "тренинга по профилактике выгорания",
        "тренинге по профилактике выгорания"),
       ("школьный этап олимпиады", "школьного этапа олимпиады", "школьном этапе олимпиады"),
       ("взаимопосещение уроков", "взаимопосещения уроков", "взаимопосещении уроков"),
       ("психолого-педагогический консилиум", "психолого-педагогического консилиума",
        "психолого-педагогическом консилиуме")],
)
THEMES = Split(
    a=["«Формирующее оценивание как ресурс повышения качества образования»",
       "«Функциональная грамотность: проблемы и решения»",
       "«Работа с обучающимися, имеющими риски учебной неуспешности»",
       "«Учебная мотивация школьников: как её повысить»",
       "«Эффективный урок в условиях обновлённых ФГОС»",
       "«Смысловое чтение на уроках в основной школе»",
       "«Индивидуальный образовательный маршрут обучающегося»",
       "«Объективность оценивания образовательных результатов»"],
    b=["«Профилактика профессионального выгорания педагогов»",
       "«Цифровые образовательные ресурсы на уроке»",
       "«Адаптация пятиклассников к обучению в основной школе»",
       "«Подготовка к ВПР: типичные ошибки и пути их устранения»",
       "«Наставничество как форма профессионального роста»",
       "«Преемственность начального и основного общего образования»",
       "«Критериальное оценивание письменных работ»",
       "«Проектная деятельность как средство развития мотивации»"],
)
RISKS = Split(
    a=["Высокая доля обучающихся с рисками учебной неуспешности",
       "Недостаточная предметная и методическая компетентность педагогических работников",
       "Низкая учебная мотивация обучающихся",
       "Несформированность внутришкольной системы повышения квалификации",
       "Низкий уровень вовлечённости родителей"],
    b=["Пониженный уровень качества школьной образовательной и воспитательной среды",
       "Высокая доля обучающихся с ОВЗ", "Дефицит педагогических кадров",
       "Низкое качество преодоления языковых и культурных барьеров",
       "Недостаточная система работы со слабоуспевающими обучающимися"],
)
MONTHS_GEN = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
              "сентября", "октября", "ноября", "декабря"]
MONTHS_NOM = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
              "сентябрь", "октябрь", "ноябрь", "декабрь"]
DATE_FORMATS = Split(a=["{d:02d}.{m:02d}.{y}", "{d:02d}.{m:02d}.{y} г."],
                     b=["«{d:02d}» {mg} {y} г.", "{d} {mg} {y} года", "{d:02d}.{m:02d}.{yy}"])
DOC_NUMBERS = Split(a=["{k}", "{k}-о", "{k}/1"], b=["01-10/{k}", "{k}/од", "{k}-ОД"])
POSITIONS = Split(
    a=["заместитель директора по УВР", "руководитель ШМО учителей-предметников",
       "педагог-психолог", "учитель математики", "заместитель директора по ВР"],
    b=["зам. директора по учебной работе", "учитель-логопед", "социальный педагог",
       "учитель русского языка и литературы", "руководитель методического объединения"],
)


# ---------------------------------------------------------------------------------------------
# Context: picks from the right half and fills templates with consistent values
# ---------------------------------------------------------------------------------------------


class Ctx:
    """One document's random choices: which half, and the values its templates share."""

    def __init__(self, rng: random.Random, half: str, sub: int | None) -> None:
        self.rng, self.half, self.sub = rng, half, sub
        self.vals: dict[str, str] = {}

    def items(self, bank: Sequence[Any] | Split) -> Sequence[Any]:
        if not isinstance(bank, Split):
            return bank
        if self.half == "C":
            # Half C falls back to half A where it has no wording of its own (never to B).
            items = bank.c or bank.a
        else:
            items = bank.a if self.half == "A" else bank.b
        if self.sub is not None and len(items) >= 2:
            items = items[self.sub :: 2]
        return items

    def pick(self, bank: Sequence[Any] | Split) -> Any:
        return self.rng.choice(self.items(bank))

    def sample(self, bank: Sequence[Any] | Split, k: int) -> list[Any]:
        """Up to k distinct entries: real documents do not repeat a sentence."""
        items = list(self.items(bank))
        return self.rng.sample(items, min(k, len(items)))

    def slots(self, d: Draft, spec: Sequence[tuple[Split, float]]) -> None:
        """One line from each slot bank (chair, secretary, present ...) with its probability."""
        for bank, p in spec:
            if self.chance(p):
                d.add(*self.fill(self.pick(bank)).split("\n"))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def fill(self, template: str) -> str:
        return template.format_map(_Values(self))

    def fills(self, templates: Sequence[str]) -> list[str]:
        return [self.fill(t) for t in templates]

    # Value generators -------------------------------------------------------------------------

    def person(self, initials_first: bool | None = None, full: bool = False) -> str:
        surname = self.pick(SURNAMES) + "а"  # school staff are mostly women
        i, o = self.rng.choice(INITIALS), self.rng.choice(INITIALS)
        if full:
            return f"{surname} {self.pick(FIRST_NAMES)} {self.rng.choice(PATRONYMICS)}"
        if initials_first is None:
            initials_first = self.chance(0.5)
        return f"{i}.{o}. {surname}" if initials_first else f"{surname} {i}.{o}."

    def a_date(self, after: date | None = None) -> date:
        start = after or date(2021, 9, 1)
        return start + timedelta(days=self.rng.randint(1 if after else 0, 60 if after else 620))

    def fmt_date(self, d: date) -> str:
        fmt = self.vals.setdefault("_date_fmt", self.pick(DATE_FORMATS))
        return fmt.format(d=d.day, m=d.month, y=d.year, yy=f"{d.year % 100:02d}",
                          mg=MONTHS_GEN[d.month - 1])

    def base_date(self) -> date:
        if "_base" not in self.vals:
            self.vals["_base"] = self.a_date().isoformat()
        return date.fromisoformat(self.vals["_base"])


def _school(c: Ctx) -> None:
    org_full, org_short = c.rng.choice(ORGS)
    name = c.pick(SCHOOL_NAMES).format(k=c.rng.randint(1, 80), adj=c.pick(SCHOOL_ADJ),
                                       hero=c.pick(HEROES))
    c.vals["org_full"], c.vals["org_short"] = org_full, org_short
    c.vals["school_name"] = name
    c.vals["school"] = f"{org_short} «{name}»" if c.chance(0.7) else f"{org_short} {name}"
    c.vals["school_full"] = f"{org_full} «{name}»"


def _event(c: Ctx) -> None:
    c.vals["event"], c.vals["event_gen"], c.vals["event_prep"] = c.pick(EVENTS)


def _subject(c: Ctx) -> None:
    c.vals["subj"], c.vals["subj_gen"], c.vals["subj_dat"] = c.rng.choice(SUBJECTS)


def _base_year(c: Ctx) -> int:
    d = c.base_date()
    return d.year if d.month >= 9 else d.year - 1


FRESH: dict[str, Callable[[Ctx], str]] = {
    # Fresh on every use: counts, percents, other people, other dates.
    "n": lambda c: str(c.rng.randint(2, 30)),
    "big": lambda c: str(c.rng.randint(12, 240)),
    "p": lambda c: str(c.rng.randint(35, 100)),
    "q": lambda c: str(c.rng.randint(18, 85)),
    "dp": lambda c: str(c.rng.randint(1, 15)),
    "k": lambda c: str(c.rng.randint(1, 12)),
    "h": lambda c: str(c.rng.choice([16, 18, 24, 36, 48, 72, 108])),
    "room": lambda c: str(c.rng.randint(1, 45)),
    "fio": lambda c: c.person(),
    "fio_full": lambda c: c.person(full=True),
    "any_date": lambda c: c.fmt_date(c.a_date()),
    "any_num": lambda c: c.pick(DOC_NUMBERS).format(k=c.rng.randint(1, 250)),
    "position": lambda c: c.pick(POSITIONS),
    "time": lambda c: f"{c.rng.randint(8, 16)}.{c.rng.choice(['00', '15', '30', '45'])}",
    "grade": lambda c: str(c.rng.randint(1, 11)),
    "letter": lambda c: c.rng.choice("АБВГ"),
}
CACHED: dict[str, Callable[[Ctx], str]] = {
    "region": lambda c: c.pick(REGIONS),
    "city": lambda c: c.pick(PLACES),
    "street": lambda c: c.pick(STREETS),
    "director": lambda c: c.person(),
    "deputy": lambda c: c.person(),
    "secretary": lambda c: c.person(),
    "teacher": lambda c: c.person(),
    "psych": lambda c: c.person(),
    "theme": lambda c: c.pick(THEMES),
    "theme2": lambda c: c.pick(THEMES),
    "risk": lambda c: c.pick(RISKS),
    "date": lambda c: c.fmt_date(c.base_date()),
    "date2": lambda c: c.fmt_date(c.a_date(after=c.base_date())),
    "year": lambda c: str(c.base_date().year),
    "years": lambda c: f"{_base_year(c)}{YEAR_SEPS[c.half]}{_base_year(c) + 1}",
    "num": lambda c: c.pick(DOC_NUMBERS).format(k=c.rng.randint(1, 250)),
    "pnum": lambda c: str(c.rng.randint(1, 12)),
    "period": lambda c: c.pick(PERIODS),
    "cls": lambda c: f"{c.rng.randint(1, 11)} «{c.rng.choice('АБВ')}»",
}
GROUPS: dict[str, Callable[[Ctx], None]] = {
    **{k: _school for k in ("org_full", "org_short", "school", "school_full", "school_name")},
    **{k: _event for k in ("event", "event_gen", "event_prep")},
    **{k: _subject for k in ("subj", "subj_gen", "subj_dat")},
}
YEAR_SEPS = {"A": "-", "B": "/", "C": "–"}
PERIODS = Split(a=["первое полугодие {year} года", "2021-2022 учебный год", "I этап реализации"],
                b=["январь – май {year} года", "второй этап проекта", "отчётный период"])


class _Values(dict):
    def __init__(self, ctx: Ctx) -> None:
        super().__init__()
        self.ctx = ctx

    def __missing__(self, key: str) -> str:
        c = self.ctx
        if key in c.vals:
            return c.vals[key]
        if key in FRESH:
            return FRESH[key](c)
        if key in GROUPS:
            GROUPS[key](c)
            return c.vals[key]
        if key in CACHED:
            value = CACHED[key](c)
            c.vals[key] = c.fill(value) if "{" in value else value
            return c.vals[key]
        raise KeyError(key)


# ---------------------------------------------------------------------------------------------
# A draft document: paragraphs, tables, which paragraphs are the title, tags for `source`
# ---------------------------------------------------------------------------------------------


@dataclass
class Draft:
    paras: list[str] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    title: set[int] = field(default_factory=set)
    tags: list[str] = field(default_factory=list)
    subtype: str = ""

    def add(self, *texts: str, title: bool = False) -> None:
        for text in texts:
            if text:
                if title:
                    self.title.add(len(self.paras))
                self.paras.append(text)


HEADERS = Split(
    a=["{school_full}", "{org_full}\n«{school_name}»",
       "{school_full}\n{city}, {region}",
       "{school_full}\n(МОУ «{school_name}»)"],
    b=["{school}", "{org_full} «{school_name}» {city}",
       "Управление образования администрации муниципального района\n{school_full}",
       "{school_full}\nул. {street}, д. {n}, {city}, тел. 8 (4852) {big}-{n}-{n}"],
)
APPROVALS = Split(
    a=["УТВЕРЖДАЮ\nДиректор {school}\n__________ {director}\n{date}",
       "Утверждено приказом директора от {date} № {num}",
       "ПРИНЯТО на заседании педагогического совета протокол № {pnum} от {date}",
       "Рассмотрено на заседании методического совета (протокол № {pnum} от {date})"],
    b=["СОГЛАСОВАНО\nПедагогическим советом\nПротокол № {pnum} от {date}",
       "УТВЕРЖДЕНО\nприказом № {num} от {date}",
       "Приложение № {pnum}\nк приказу от {date} № {num}",
       "«Утверждаю» Директор школы ________ /{director}/ Приказ №{num} от {date}"],
)


def header(d: Draft, c: Ctx, p: float = 0.8) -> None:
    if c.chance(p):
        d.add(*c.fill(c.pick(HEADERS)).split("\n"))


def approval(d: Draft, c: Ctx, p: float) -> None:
    if c.chance(p):
        d.add(*c.fill(c.pick(APPROVALS)).split("\n"))
        d.tags.append("approval_header")


def signature(d: Draft, c: Ctx, bank: Split, p: float = 0.85) -> None:
    if c.chance(p):
        d.add(c.fill(c.pick(bank)))
        if c.chance(0.2):
            d.add("М.П.")


LIST_STYLES = ["{i}. ", "{i}) ", "– ", "- ", "• ", ""]
# How often each list style is used (same order as LIST_STYLES): orders and protocols number
# their points, reports and notes use whatever the writer likes.
NUMBERED = (8, 2, 1, 1, 0, 1)
ANY_LIST = (3, 2, 3, 2, 2, 1)


def numbered(c: Ctx, items: list[str], weights: Sequence[int] = NUMBERED) -> list[str]:
    style = c.rng.choices(LIST_STYLES, weights=weights)[0]
    return [style.format(i=i) + t for i, t in enumerate(items, 1)]


def length(c: Ctx) -> int:
    """Body size factor: most documents are short or medium, some are long."""
    return c.rng.choices([1, 2, 3, 5], weights=[3, 4, 2, 1])[0]


# ---------------------------------------------------------------------------------------------
# order
# ---------------------------------------------------------------------------------------------

ORDER_WORDS = Split(a=["ПРИКАЗ", "П Р И К А З", "ПРИКАЗ", "Приказ", "РАСПОРЯЖЕНИЕ"],
                    b=["ПРИКАЗ", "П Р И К А З", "ПРИКАЗ №{num}", "РАСПОРЯЖЕНИЕ", "Приказ"])
ORDER_DATELINES = Split(a=["{date} № {num}", "от {date}  № {num}", "{date}\t\t\t\t№ {num}",
       "«{date}»  № {num}"],
                        b=["№ {num} от {date}", "{date}    {city}    № {num}",
                           "Дата: {date} Номер: {num}"])
ORDER_SUBJECTS = Split(
    a=["О проведении {event_gen}", "Об организации и проведении {event_gen} по теме {theme}",
       "О создании рабочей группы по реализации антирисковой программы",
       "Об утверждении плана мероприятий по повышению качества образования",
       "О назначении ответственных за реализацию программы антирисковых мер",
       "О проведении {event_gen} в {years} учебном году",
       "Об организации работы с обучающимися группы риска",
       "О проведении диагностических работ по {subj_dat} в {grade}-х классах",
       "Об организации наставничества в {years} учебном году",
       "О направлении педагогов на курсы повышения квалификации"],
    b=["Об организации {event_gen}", "О подготовке и проведении {event_gen} {theme}",
       "О составе рабочей группы по направлению «{risk}»",
       "О реализации антирисковой программы в {year} году",
       "О внесении изменений в дорожную карту антирисковой программы",
       "Об участии педагогов в курсах повышения квалификации",
       "О мерах по повышению объективности оценивания",
       "О закреплении наставников за молодыми специалистами",
       "О проведении мониторинга образовательных результатов",
       "Об организации индивидуальных консультаций для обучающихся"],
)
# Misleading titles: an order that approves or asks for a result document is still an order.
ORDER_MISLEADING = Split(
    a=["Об утверждении отчёта о результатах самообследования за {year} год",
       "Об утверждении отчета о реализации антирисковой программы",
       "Об итогах проведения {event_gen}",
       "Об утверждении положения о внутренней системе оценки качества образования"],
    b=["Об утверждении аналитической справки по итогам {event_gen}",
       "Об утверждении протокола заседания рабочей группы",
       "О результатах проведения {event_gen}",
       "Об утверждении программы антирисковых мер и дорожной карты"],
)
ORDER_PREAMBLES = Split(
    a=["В соответствии с планом работы школы на {years} учебный год и в целях повышения "
       "качества образования,",
       "В целях реализации антирисковой программы «{risk}»",
       "На основании решения педагогического совета (протокол № {pnum} от {any_date}),",
       "В соответствии с Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в "
       "Российской Федерации», в целях организованного проведения {event_gen},",
       "В целях создания условий для профессионального роста педагогов и повышения учебной "
       "мотивации обучающихся",
       "На основании Положения о внутренней системе оценки качества образования и в целях "
       "выявления затруднений обучающихся",
       "В связи с включением школы в проект адресной методической помощи «500+»"],
    b=["Во исполнение дорожной карты проекта 500+ на {year} год",
       "С целью совершенствования методической работы и в соответствии с Уставом школы",
       "Руководствуясь письмом управления образования от {any_date} № {any_num},",
       "Для обеспечения выполнения мероприятий программы антирисковых мер по направлению "
       "«{risk}»",
       "Согласно решению методического совета и на основании анализа результатов ВПР"],
)
ORDER_COMMANDS = Split(a=["ПРИКАЗЫВАЮ:", "приказываю:", "П Р И К А З Ы В А Ю:", "ПРИКАЗЫВАЮ"],
                       b=["ПРИКАЗЫВАЮ:", "приказываю :", "П Р И К А З Ы В А Ю :", "ПРИКАЗЫВАЮ:"])
ORDER_ITEMS = Split(
    a=["Провести {event} {date2} в {time} в кабинете № {room}.",
       "Назначить ответственным за проведение {event_gen} заместителя директора по УВР "
       "{deputy}.",
       "Утвердить план проведения {event_gen} (Приложение 1).",
       "Руководителям ШМО обеспечить участие педагогов.",
       "Классным руководителям 1–11 классов довести информацию до сведения родителей.",
       "Заместителю директора по УВР {deputy} в срок до {date2} подготовить аналитическую "
       "справку по итогам {event_gen}.",
       "Разместить информацию на официальном сайте школы в срок до {date2}.",
       "Утвердить состав рабочей группы (Приложение 2).",
       "Учителям-предметникам использовать результаты диагностики при планировании уроков.",
       "Педагогу-психологу {psych} организовать индивидуальные консультации.",
       "Утвердить программу {event_gen} (Приложение 1).",
       "Назначить координатором проекта {deputy}.",
       "Бухгалтерии произвести оплату в установленном порядке."],
    b=["Организовать {event} в период с {date} по {date2}.",
       "Возложить ответственность за организацию {event_gen} на {deputy}.",
       "Включить в состав рабочей группы: {fio} – председатель, {fio}, {fio}, {fio}.",
       "Секретарю {secretary} ознакомить работников с настоящим приказом под подпись.",
       "Предоставить отчёт о проведении {event_gen} в срок до {date2}.",
       "Обеспечить явку обучающихся {grade}-х классов.",
       "Внести изменения в рабочие программы учителей {subj_gen}.",
       "Руководителю методического объединения {teacher} подготовить материалы к заседанию.",
       "Рассмотреть итоги на заседании педагогического совета.",
       "Утвердить график взаимопосещения уроков (приложение)."],
)
ORDER_CONTROL = Split(a=["Контроль за исполнением настоящего приказа оставляю за собой.",
                         "Контроль исполнения приказа оставляю за собой."],
                      b=["Контроль исполнения приказа возложить на заместителя директора по "
                         "УВР {deputy}.", "Контроль над исполнением приказа оставляю за собой."])
ORDER_SIGNS = Split(a=["Директор школы ____________ {director}", "Директор {school}  /{director}/",
                       "Директор  _______  {director}",
       "Директор ОУ                    {director}"],
                    b=["И.о. директора __________ {director}", "Директор  {director}",
                       "Директор школы:                 {director}"])
ORDER_ACK = Split(a=["С приказом ознакомлены:", "С приказом ознакомлены: "],
                  b=["С приказом ознакомлен(а):", "Ознакомлены:"])


def build_order(c: Ctx) -> Draft:
    d = Draft(subtype="order")
    header(d, c, 0.85)
    word = c.fill(c.pick(ORDER_WORDS))
    if "РАСПОРЯЖЕНИЕ" in word:
        d.subtype = "disposition"
    d.add(word, title=True)
    if c.chance(0.8):
        d.add(c.fill(c.pick(ORDER_DATELINES)))
    if c.chance(0.3):
        d.add(c.fill("{city}"))
    if c.chance(0.25):
        d.add(c.fill(c.pick(ORDER_MISLEADING)))
        d.tags.append("approves_result_doc")
    else:
        d.add(c.fill(c.pick(ORDER_SUBJECTS)))
    n = length(c)
    pre = c.fill(c.pick(ORDER_PREAMBLES))
    if c.chance(0.75) and d.subtype == "order":
        d.add(pre)
        d.add(c.fill(c.pick(ORDER_COMMANDS)))
    elif d.subtype == "disposition":
        d.add(pre + (" ОБЯЗЫВАЮ:" if c.chance(0.5) else ""))
    else:
        d.add(pre + " " + c.fill(c.pick(ORDER_COMMANDS)).lower())
    d.add(*numbered(c, c.fills(c.sample(ORDER_ITEMS, min(2 + n, 9)))))
    if c.chance(0.8):
        d.add(c.fill(c.pick(ORDER_CONTROL)))
    signature(d, c, ORDER_SIGNS)
    if c.chance(0.5):
        d.add(c.fill(c.pick(ORDER_ACK)))
        for _ in range(c.rng.randint(2, 2 + 2 * n)):
            d.add(c.fill("{fio} ________ {any_date}"))
    if c.chance(0.25):
        # An appendix in the same file: a schedule table under the order.
        d.add(c.fill("Приложение 1 к приказу от {date} № {num}"))
        d.add(c.fill("План проведения {event_gen}"))
        rows = [["№", "Мероприятие", "Срок", "Ответственный"]]
        for i in range(1, 2 + n):
            rows.append([str(i), c.fill(c.pick(PLAN_ACTIVITIES)), c.fill("{any_date}"),
                         c.fill("{fio}")])
        d.tables.append(rows)
        d.tags.append("with_appendix")
    return d


# ---------------------------------------------------------------------------------------------
# protocol
# ---------------------------------------------------------------------------------------------

PROTOCOL_WORDS = Split(a=["ПРОТОКОЛ № {pnum}", "ПРОТОКОЛ", "Протокол № {pnum}", "ПРОТОКОЛ №{pnum}"],
                       b=["ПРОТОКОЛ №{pnum}", "ВЫПИСКА ИЗ ПРОТОКОЛА № {pnum}",
                          "П Р О Т О К О Л", "Протокол"])
PROTOCOL_BODIES = Split(
    a=["заседания педагогического совета", "заседания школьного методического объединения "
       "учителей {subj_gen}", "совещания при директоре", "заседания методического совета школы",
       "заседания рабочей группы по реализации антирисковой программы",
       "заседания управляющего совета", "классного родительского собрания {cls} класса"],
    b=["заседания ШМО классных руководителей", "общего родительского собрания",
       "производственного совещания", "заседания психолого-педагогического консилиума",
       "заседания профессионального обучающегося сообщества педагогов",
       "совещания при заместителе директора по УВР", "заседания Совета профилактики"],
)
PROTOCOL_ROLES = [
    (Split(a=["Председатель: {director}", "Председатель – {director}, директор школы"],
           b=["Председательствующий — {director}", "Председатель заседания: {director}"]), 0.8),
    (Split(a=["Секретарь: {secretary}", "Секретарь – {secretary}"],
           b=["Секретарь заседания — {secretary}", "Протокол вела: {secretary}"]), 0.7),
    (Split(a=["Присутствовали: {n} человек", "Присутствовали: {n} педагогов",
              "Присутствовали: члены педагогического совета ({n} чел.)"],
           b=["Присутствовало: {n} чел. (список прилагается)", "На заседании присутствовали "
              "{n} из {big} членов. Кворум имеется.", "Явка: {n} человек"]), 0.85),
    (Split(a=["Отсутствовали: {n} (по уважительной причине)", "Отсутствовали: нет"],
           b=["Отсутствовало: {n} чел.", "Не явились: {n}"]), 0.4),
    (Split(a=["Приглашённые: {fio}, {position}", "Приглашены: представители родительского "
              "комитета"],
           b=["Приглашены: родители обучающихся {grade}-х классов", "Гости: {fio}, куратор "
              "проекта 500+"]), 0.3),
]
PROTOCOL_AGENDA = Split(a=["Повестка дня:", "ПОВЕСТКА ДНЯ:",
       "Повестка:"],
                        b=["Повестка заседания:", "ПОВЕСТКА:"])
PROTOCOL_QUESTIONS = Split(
    a=["Об итогах {event_gen}.", "О ходе реализации антирисковой программы.",
       "О результатах входной диагностики по {subj_dat}.", "Разное.",
       "Об организации работы с обучающимися, имеющими трудности в обучении.",
       "Об утверждении плана работы на {years} учебный год."],
    b=["Анализ результатов ВПР по {subj_dat}.", "О выполнении решений предыдущего заседания.",
       "Итоги мониторинга учебной мотивации.", "Текущие вопросы.",
       "О подготовке к {event_prep}.", "О распределении учебной нагрузки."],
)
PROTOCOL_HEARD = Split(
    a=["СЛУШАЛИ: {fio}, {position}, которая познакомила присутствующих с итогами {event_gen}.",
       "1. СЛУШАЛИ: {deputy}, заместителя директора по УВР. Она отметила, что доля "
       "обучающихся, справившихся с работой, составила {p}%.",
       "Слушали: {fio} по теме {theme}.",
       "ВЫСТУПИЛИ: {fio}, {fio} – поддержали предложение.",
       "По второму вопросу СЛУШАЛИ {fio}, которая представила анализ посещённых уроков.",
       "По первому вопросу выступила {deputy} с анализом результатов {event_gen}.",
       "Информацию {fio} о ходе работы приняли к сведению."],
    b=["По первому вопросу слушали {fio}, {position}: было отмечено, что качество знаний "
       "выросло на {dp}%.",
       "По второму вопросу выступила {fio} с сообщением {theme}.",
       "В обсуждении приняли участие: {fio}, {fio}.",
       "Выступили: {fio} ({position}) предложила продолжить работу.",
       "Слушали: {deputy} о выполнении решений предыдущего заседания."],
)
# A protocol often quotes an order; the quote must not make it an order.
PROTOCOL_QUOTES = Split(
    a=["{deputy} довела до сведения приказ № {any_num} от {any_date} «О проведении "
       "{event_gen}».",
       "Было предложено подготовить проект приказа об организации {event_gen}."],
    b=["Председатель зачитала приказ директора № {any_num} «Об организации {event_gen}».",
       "Отмечено, что приказ № {any_num} от {any_date} исполнен в полном объёме."],
)
PROTOCOL_DECIDED = Split(a=["РЕШИЛИ:", "ПОСТАНОВИЛИ:", "Решили:"],
                         b=["Решение:", "РЕШЕНИЕ:", "Постановили:"])
PROTOCOL_DECISIONS = Split(
    a=["Принять к сведению информацию {fio}.",
       "Учителям-предметникам использовать приёмы формирующего оценивания на уроках. "
       "Срок: постоянно.",
       "Утвердить план работы ШМО на {years} учебный год.",
       "Провести повторную диагностику в срок до {date2}. Ответственный: {fio}.",
       "Признать работу удовлетворительной.",
       "Одобрить опыт работы {fio} и рекомендовать его к распространению.",
       "Вынести вопрос на следующее заседание."],
    b=["Информацию принять к сведению.", "Продолжить работу по направлению «{risk}».",
       "Классным руководителям организовать индивидуальные беседы с родителями.",
       "Рекомендовать педагогам пройти курсы по теме {theme}.",
       "Ответственным предоставить материалы до {date2}."],
)
PROTOCOL_VOTES = Split(a=["Голосовали: «за» – {n}, «против» – 0, «воздержались» – 0."],
                       b=["Итоги голосования: единогласно.", "Голосование: за — {n}, "
                          "против — нет, воздержались — нет."])
PROTOCOL_SIGNS = Split(a=["Председатель ________ {director}\nСекретарь ________ {secretary}",
                          "Председатель педагогического совета: {director}\nСекретарь: "
                          "{secretary}"],
                       b=["Председатель  /{director}/\nСекретарь  /{secretary}/",
                          "Председательствующий ______ {director}\nСекретарь ______ "
                          "{secretary}"])


def build_protocol(c: Ctx) -> Draft:
    d = Draft(subtype="protocol")
    header(d, c, 0.6)
    word = c.fill(c.pick(PROTOCOL_WORDS))
    body = c.fill(c.pick(PROTOCOL_BODIES))
    if c.chance(0.5):
        d.add(word, title=True)
        d.add(body)
    else:
        d.add(f"{word} {body}", title=True)
    d.add(c.fill("от {date}" if c.chance(0.6) else "{date}"))
    n = length(c)
    c.slots(d, PROTOCOL_ROLES)
    questions = c.fills(c.sample(PROTOCOL_QUESTIONS, min(1 + n, 5)))
    if c.chance(0.85):
        d.add(c.fill(c.pick(PROTOCOL_AGENDA)))
        d.add(*numbered(c, questions))
    for _ in range(min(n, 4)):
        d.add(*c.fills(c.sample(PROTOCOL_HEARD, c.rng.randint(1, 2))))
        if c.chance(0.3):
            d.add(c.fill(c.pick(PROTOCOL_QUOTES)))
            d.tags.append("quotes_order")
        if c.chance(0.8):
            d.add(c.fill(c.pick(PROTOCOL_DECIDED)))
            d.add(*numbered(c, c.fills(c.sample(PROTOCOL_DECISIONS, c.rng.randint(1, 3)))))
        if c.chance(0.3):
            d.add(c.fill(c.pick(PROTOCOL_VOTES)))
    signature(d, c, PROTOCOL_SIGNS, 0.85)
    d.paras = [line for p in d.paras for line in p.split("\n")]
    return d


# ---------------------------------------------------------------------------------------------
# analytic note
# ---------------------------------------------------------------------------------------------

NOTE_WORDS = Split(a=["Аналитическая справка", "АНАЛИТИЧЕСКАЯ СПРАВКА", "Справка",
                      "СПРАВКА", "Аналитическая справка"],
                   b=["Информационно-аналитическая справка", "АНАЛИТИЧЕСКАЯ СПРАВКА",
                      "Справка", "Аналитическая справка", "СПРАВКА"])
NOTE_ABOUT = Split(
    a=["по итогам {event_gen}", "по результатам входной диагностики по {subj_dat} в {grade} "
       "классе", "по итогам мониторинга учебной мотивации обучающихся",
       "о выполнении мероприятий антирисковой программы за {period}",
       "по итогам посещения уроков {subj_gen}", "по результатам ВПР по {subj_dat}",
       "по итогам проверки рабочих тетрадей", "по результатам анкетирования педагогов"],
    b=["по результатам проверки техники чтения", "о результатах {event_gen}",
       "по итогам внутришкольного контроля", "по итогам консультирования родителей",
       "по результатам диагностики профессиональных дефицитов педагогов",
       "об итогах успеваемости за {period}", "по итогам тематической проверки",
       "о состоянии преподавания {subj_gen}"],
)
NOTE_FIELDS = [
    (Split(a=["Цель: выявление уровня сформированности предметных умений обучающихся.",
              "Цель: анализ эффективности мероприятий по направлению «{risk}»."],
           b=["Цель проверки – оценка качества подготовки обучающихся {grade}-х классов.",
              "Цель контроля: изучить результативность {event_gen}."]), 0.8),
    (Split(a=["Сроки проведения: {date} – {date2}.", "Сроки: {date}"],
           b=["Дата проведения: {date}.", "Период проверки: с {date} по {date2}"]), 0.5),
    (Split(a=["Ответственный: {deputy}, заместитель директора по УВР.",
              "Методы контроля: наблюдение, анализ документации, собеседование."],
           b=["Форма контроля: тематический.", "Объект контроля: деятельность учителей "
              "{subj_gen}."]), 0.5),
]
NOTE_RESULTS = Split(
    a=["В работе приняли участие {big} обучающихся из {big} ({p}%).",
       "Успеваемость составила {p}%, качество знаний — {q}%.",
       "По сравнению с прошлым учебным годом показатель вырос на {dp}%.",
       "Наибольшие затруднения вызвали задания № {k} и № {k}.",
       "{p}% педагогов применяют приёмы формирующего оценивания на уроках.",
       "Доля обучающихся с рисками учебной неуспешности снизилась с {q}% до {dp}%.",
       "Анализ посещённых уроков показал, что учителя используют групповые формы работы.",
       "Из {big} обучающихся работу писали {big}; средний балл — 3,{k}.",
       "Выявлены пробелы в знаниях по темам: дроби, проценты."],
    b=["Справились с работой {p}% обучающихся; на «4» и «5» выполнили {q}%.",
       "Средний балл составил 3,{k}.", "Подтвердили свои отметки {p}% участников.",
       "Типичные ошибки допущены при решении текстовых задач ({q}% работ).",
       "Положительная динамика отмечена у {big} обучающихся.",
       "По итогам анкетирования {p}% родителей удовлетворены качеством консультаций.",
       "Выявлено {n} педагогов с профессиональными дефицитами в области оценивания."],
)
NOTE_TABLE_HEADS = Split(
    a=[["Класс", "Кол-во обучающихся", "Писали", "«5»", "«4»", "«3»", "«2»", "Успеваемость, %",
        "Качество, %"], ["Показатель", "2021 г.", "2022 г.", "Динамика"]],
    b=[["Класс", "Всего", "Выполняли", "Справились, %", "Качество, %", "Средний балл"],
       ["Критерий", "Входная диагностика", "Итоговая диагностика", "Изменение, %"]],
)
NOTE_CONCL = Split(a=["Выводы:", "Рекомендации:", "ВЫВОДЫ:",
       "Заключение:"],
                   b=["Вывод:", "Предложения:", "Управленческие решения:"])
NOTE_CONCL_ITEMS = Split(
    a=["Работа по повышению учебной мотивации дала положительный результат.",
       "Учителям {subj_gen} продолжить работу по ликвидации пробелов в знаниях.",
       "Рассмотреть итоги на заседании ШМО.",
       "Организовать индивидуальные занятия с обучающимися, не справившимися с работой."],
    b=["Уровень подготовки обучающихся соответствует требованиям ФГОС.",
       "Руководителям МО проанализировать результаты и скорректировать планы.",
       "Продолжить систему дополнительных занятий.",
       "Усилить контроль за посещаемостью консультаций."],
)
NOTE_SIGNS = Split(a=["Справку составил(а): заместитель директора по УВР {deputy}",
                      "Справку подготовила: {deputy}, {date2}",
       "Заместитель директора по учебной работе ______ {deputy}"],
                   b=["Исполнитель: {deputy}", "Зам. директора по УВР _____ {deputy}"])


def build_analytic_note(c: Ctx) -> Draft:
    d = Draft(subtype="analytic_note")
    header(d, c, 0.5)
    word, about = c.fill(c.pick(NOTE_WORDS)), c.fill(c.pick(NOTE_ABOUT))
    if c.chance(0.5):
        d.add(word, title=True)
        d.add(about)
    else:
        d.add(f"{word} {about}", title=True)
    n = length(c)
    if c.chance(0.25):
        d.add(c.fill(c.rng.choice(wc.NOTE_ORDER_CITES)) if c.half == "C" else
              c.fill("Во исполнение приказа от {any_date} № {any_num} в период с {date} по "
                     "{date2} проведён(а) {event}."))
        d.tags.append("mentions_order")
    c.slots(d, NOTE_FIELDS)
    d.add(*c.fills(c.sample(NOTE_RESULTS, min(2 + n, 7))))
    if c.chance(0.6):
        head = list(c.pick(NOTE_TABLE_HEADS))
        rows = [head]
        for _ in range(1 + n):
            label = c.fill("{grade}{letter}") if head[0] == "Класс" else c.fill(
                c.pick(NOTE_ROW_LABELS))
            rows.append([label] + [str(c.rng.randint(0, 100)) for _ in head[1:]])
        d.tables.append(rows)
    if c.chance(0.8):
        d.add(c.fill(c.pick(NOTE_CONCL)))
        d.add(*numbered(c, c.fills(c.sample(NOTE_CONCL_ITEMS, c.rng.randint(1, 3))), ANY_LIST))
    signature(d, c, NOTE_SIGNS, 0.8)
    return d


NOTE_ROW_LABELS = Split(a=["Доля обучающихся на «4» и «5»", "Успеваемость", "Средний балл"],
                        b=["Качество знаний", "Доля неуспевающих", "Участие в олимпиадах"])


# ---------------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------------

REPORT_TITLES = Split(
    a=["Отчёт о реализации антирисковой программы «{risk}»",
       "Отчет о проведении {event_gen}",
       "ОТЧЕТ о результатах самообследования {school} за {year} год",
       "Отчёт о самообследовании за {year} год",
       "Информация о выполнении мероприятий дорожной карты",
       "ОТЧЁТ о работе ШМО за {years} учебный год",
       "Отчёт об итогах участия в проекте 500+ за {period}",
       "ОТЧЁТ о выполнении плана мероприятий"],
    b=["ОТЧЁТ о выполнении дорожной карты за {period}", "Рефлексивный отчёт",
       "ОТЧЕТ ПО РЕЗУЛЬТАТАМ САМООБСЛЕДОВАНИЯ", "Отчет по итогам {period}",
       "Сведения о реализации мероприятий антирисковой программы",
       "Самообследование {school}: отчёт за {year} год",
       "Отчёт о деятельности {school} по направлению «{risk}»"],
)
REPORT_INTROS = Split(
    a=["В рамках реализации антирисковой программы в {period} были проведены следующие "
       "мероприятия:",
       "За отчётный период школой выполнено {n} мероприятий из {n}, запланированных дорожной "
       "картой.",
       "Настоящий отчёт подготовлен по итогам работы за {period}.",
       "Коллектив школы в {period} работал над реализацией программы «{risk}»."],
    b=["Работа по направлению «{risk}» велась в соответствии с программой.",
       "В течение отчётного периода коллектив школы реализовал следующие мероприятия:",
       "Ниже представлены сведения о выполнении мероприятий.",
       "За {period} сделано следующее:"],
)
REPORT_DONE = Split(
    a=["проведено мероприятие «{event}» по теме {theme};", "{n} педагогов прошли курсы повышения "
       "квалификации в объёме {h} часов;", "организованы индивидуальные консультации для "
       "обучающихся;", "проведена диагностика учебной мотивации, охвачено {p}% обучающихся;",
       "обновлены рабочие программы учителей {subj_gen};",
       "проведено {n} заседаний рабочей группы;", "учителя посетили {n} уроков коллег.",
       "проведены родительские собрания в {grade}-х классах;",
       "обучающиеся приняли участие в {event_prep};"],
    b=["состоялся {event} с участием {big} человек;", "разработаны индивидуальные "
       "образовательные маршруты для {n} обучающихся;", "организована работа наставнических "
       "пар;", "приняли участие в {event_prep} {n} педагогов;",
       "на сайте школы создан раздел «500+»;", "выполнено {p}% запланированных мероприятий;",
       "проведено анкетирование родителей ({big} анкет)."],
)
REPORT_RESULTS = Split(
    a=["Результаты: качество знаний повысилось на {dp}%.",
       "Проблемы: не все мероприятия выполнены в срок из-за карантина.",
       "В следующем полугодии планируется продолжить работу.",
       "Все запланированные мероприятия выполнены.",
       "Не выполнено: {n} мероприятия (причина – болезнь педагогов)."],
    b=["Итоги: доля неуспевающих сократилась до {dp}%.",
       "Трудности: недостаточная вовлечённость родителей.",
       "Перспективы: расширить сетевое взаимодействие."],
)
SELF_SECTIONS = Split(
    a=["1. Общие сведения об образовательной организации", "2. Оценка системы управления",
       "3. Оценка содержания и качества подготовки обучающихся",
       "4. Оценка кадрового обеспечения", "5. Оценка материально-технической базы",
       "6. Показатели деятельности"],
    b=["I. Аналитическая часть", "Организация учебного процесса",
       "Востребованность выпускников", "Функционирование внутренней системы оценки "
       "качества образования", "Библиотечно-информационное обеспечение",
       "II. Результаты анализа показателей деятельности"],
)
SELF_TEXT = Split(
    a=["Образовательная деятельность в школе организуется в соответствии с ФГОС.",
       "Общая численность обучающихся – {big} человек, педагогических работников – {n}.",
       "Доля педагогов с высшей квалификационной категорией составляет {q}%."],
    b=["В школе {n} классов-комплектов, обучение ведётся в одну смену.",
       "Успеваемость по итогам года составила {p}%, качество – {q}%.",
       "Все педагоги прошли курсовую подготовку за последние три года."],
)
REPORT_TABLE_HEADS = Split(
    a=[["№", "Мероприятие", "Сроки", "Отметка о выполнении"],
       ["№", "Показатель", "Единица измерения", "Значение"]],
    b=[["Мероприятие", "Дата проведения", "Результат", "Подтверждающий документ"],
       ["Наименование показателя", "План", "Факт", "%"]],
)
REPORT_MARKS = Split(a=["выполнено", "выполнено частично", "перенесено"],
                     b=["реализовано", "проведено", "в процессе"])
REPORT_SIGNS = Split(a=["Директор ______ {director}", "Отчёт подготовил: {deputy}"],
                     b=["Ответственный за реализацию программы: {deputy}",
                        "Руководитель ОО  /{director}/"])


def build_report(c: Ctx) -> Draft:
    d = Draft(subtype="report")
    header(d, c, 0.6)
    title = c.fill(c.pick(REPORT_TITLES))
    self_exam = "самообследован" in title.lower()
    if self_exam and c.chance(0.5):
        approval(d, c, 1.0)
    d.add(title, title=True)
    n = length(c)
    if self_exam:
        d.subtype = "self_examination"
        for section in c.sample(SELF_SECTIONS, min(2 + n, 6)):
            d.add(section)
            d.add(*c.fills(c.sample(SELF_TEXT, c.rng.randint(1, 3))))
    else:
        d.add(c.fill(c.pick(REPORT_INTROS)))
        d.add(*numbered(c, c.fills(c.sample(REPORT_DONE, min(2 + n, 7))), ANY_LIST))
        d.add(*c.fills(c.sample(REPORT_RESULTS, c.rng.randint(0, 2))))
    if c.chance(0.5):
        head = list(c.pick(REPORT_TABLE_HEADS))
        rows = [head]
        for i in range(1, 2 + n):
            activity = c.fill(c.pick(PLAN_ACTIVITIES))
            if head[0] == "№" and head[1] == "Мероприятие":
                rows.append([str(i), activity, c.fill("{any_date}"), c.pick(REPORT_MARKS)])
            elif head[0] == "Мероприятие":
                rows.append([activity, c.fill("{any_date}"), c.pick(REPORT_MARKS),
                             c.pick(["протокол", "справка", "фото", "приказ", "ссылка"])])
            else:
                rows.append([str(i) if head[0] == "№" else activity, c.fill("{n}"),
                             c.fill("{n}"), c.fill("{p}")][: len(head)])
        d.tables.append(rows)
    signature(d, c, REPORT_SIGNS, 0.7)
    return d


# ---------------------------------------------------------------------------------------------
# plan (plans, roadmaps, anti-risk programmes)
# ---------------------------------------------------------------------------------------------

PLAN_TITLES = Split(
    a=["План мероприятий по повышению учебной мотивации обучающихся на {years} учебный год",
       "ДОРОЖНАЯ КАРТА реализации антирисковой программы «{risk}»",
       "Программа антирисковых мер по направлению «{risk}»",
       "План работы ШМО учителей {subj_gen} на {years} учебный год",
       "План подготовки к государственной итоговой аттестации в {year} году",
       "Дорожная карта\nпо повышению качества образования",
       "ПЛАН мероприятий («дорожная карта») по направлению «{risk}»",
       "План работы педагога-психолога на {years} учебный год",
       "Антирисковая программа\n«{risk}»",
       "План-график мероприятий по подготовке к ВПР",
       "ПЛАН\nмероприятий по преодолению учебной неуспешности"],
    b=["План-график проведения {event_gen}", "АНТИРИСКОВАЯ ПРОГРАММА\n«{risk}»",
       "ПЛАН\nработы с обучающимися группы риска", "Дорожная карта по направлению «{risk}»",
       "Программа повышения качества образования {school}", "Среднесрочная программа",
       "План методической работы на {years} учебный год",
       "ДОРОЖНАЯ КАРТА\nреализации программы антирисковых мер",
       "План внутришкольного контроля на {years} учебный год"],
)
PLAN_SECTIONS = [
    (Split(a=["Цель: снижение доли обучающихся с рисками учебной неуспешности до {dp}%.",
              "Цель: повышение учебной мотивации обучающихся 5–9 классов."],
           b=["Цель программы – создание условий для повышения качества обучения.",
              "Основная цель: обеспечение профессионального роста педагогов."]), 0.9),
    (Split(a=["Задачи:\n1. Выявить причины низкой учебной мотивации.\n2. Организовать "
              "систему дополнительных занятий.",
              "Задачи:\n1. Обеспечить методическое сопровождение педагогов.\n2. Внедрить "
              "приёмы формирующего оценивания."],
           b=["Задачи программы:\n- сформировать систему наставничества;\n- обеспечить "
              "адресную помощь обучающимся;", "Задачи:\n– развивать ВСОКО;\n– повысить "
              "вовлечённость родителей."]), 0.8),
    (Split(a=["Целевые показатели: доля обучающихся, успевающих на «4» и «5», не менее {q}%.",
              "Показатели: доля педагогов, прошедших КПК, – {p}%."],
           b=["Показатели реализации: {p}% педагогов прошли курсовую подготовку.",
              "Индикаторы: снижение доли неуспевающих до {dp}%."]), 0.7),
    (Split(a=["Сроки реализации программы: {years} учебный год.",
              "Срок реализации: {year} год."],
           b=["Период реализации: с {date} по {date2}.", "Этапы реализации: I этап – "
              "подготовительный, II этап – основной."]), 0.6),
    (Split(a=["Ожидаемые результаты: повышение качества знаний на {dp}%.",
              "Ответственные: администрация школы, руководители ШМО."],
           b=["Исполнители: администрация школы, руководители МО.",
              "Планируемый результат: положительная динамика результатов ВПР."]), 0.5),
]
PLAN_ACTIVITIES = Split(
    a=["Проведение диагностики учебных затруднений", "Организация индивидуальных консультаций",
       "Разработка индивидуальных образовательных маршрутов", "Проведение {event_gen}",
       "Посещение уроков с целью оказания методической помощи", "Анкетирование родителей",
       "Участие педагогов в вебинарах по формирующему оцениванию", "Обучение на курсах ПК",
       "Психологическая диагностика обучающихся 5 классов",
       "Создание банка заданий по функциональной грамотности",
       "Проведение родительских собраний"],
    b=["Мониторинг успеваемости обучающихся группы риска", "Заседание рабочей группы",
       "Организация работы наставнических пар", "Проведение {event_gen}",
       "Корректировка рабочих программ по {subj_dat}", "Открытые уроки учителей-предметников",
       "Размещение информации на сайте", "Собеседование с классными руководителями"],
)
PLAN_DEADLINES = Split(
    a=["сентябрь {year}", "в течение года", "до {any_date}", "ежемесячно", "{any_date}",
       "октябрь – ноябрь", "по отдельному графику", "постоянно", "ноябрь, март"],
    b=["Май, {year}", "в течение учебного года", "{any_date}", "I полугодие", "до 30 апреля",
       "Февраль-декабрь {year}", "по мере необходимости", "1 раз в четверть", "Март-"],
)
PLAN_HEADS = Split(
    a=[["№", "Мероприятие", "Сроки", "Ответственные", "Показатели реализации"],
       ["Задача", "Мероприятие", "Сроки реализации", "Ответственные", "Участники",
        "Подтверждающие документы"],
       ["№ п/п", "Содержание работы", "Сроки", "Ответственный"],
       ["Мероприятие", "Срок исполнения", "Ответственный", "Планируемый результат"]],
    b=[["№ п/п", "Мероприятие", "Сроки", "Ответственные", "Результат"],
       ["№", "Описание действий", "Сроки реализации", "Ответственный", "Ожидаемый результат"],
       ["№", "Направление работы", "Срок", "Исполнители"],
       ["Задача", "Мероприятия", "Сроки", "Ответственные", "Показатели"]],
)
PLAN_RESULTS = Split(a=["протокол", "аналитическая справка", "приказ", "план", "сертификаты"],
                     b=["справка", "отчёт", "протокол заседания", "приказ", "фотоотчёт"])


def build_plan(c: Ctx) -> Draft:
    d = Draft(subtype="plan")
    header(d, c, 0.5)
    approval(d, c, 0.45)
    title = c.fill(c.pick(PLAN_TITLES))
    if "программ" in title.lower():
        d.subtype = "arp"
    if "Приложение" in " ".join(d.paras):
        d.tags.append("appendix_to_order")
    d.add(*title.split("\n"), title=True)
    n = length(c)
    if d.subtype == "arp" or c.chance(0.4):
        c.slots(d, PLAN_SECTIONS)
    head = list(c.pick(PLAN_HEADS))
    rows = [head]
    for i in range(1, 3 + 2 * n):
        row = []
        for h in head:
            if h.startswith("№"):
                row.append(f"{i}.")
            elif h == "Задача":
                row.append(c.fill("Задача {k}") if i == 1 or c.chance(0.3) else "")
            elif h.startswith("Мероприят") or h in ("Описание действий", "Содержание работы",
                                                     "Направление работы"):
                row.append(c.fill(c.pick(PLAN_ACTIVITIES)))
            elif h.startswith("Срок"):
                row.append(c.fill(c.pick(PLAN_DEADLINES)))
            elif h.startswith(("Ответствен", "Исполнител")):
                row.append(c.fill("{position}"))
            elif h == "Участники":
                row.append(c.pick(["педагоги", "обучающиеся 5–9 классов", "родители"]))
            elif h.startswith("Показател"):
                row.append(c.fill("не менее {p}%"))
            else:
                row.append(c.pick(PLAN_RESULTS))
        rows.append(row)
    d.tables.append(rows)
    if c.chance(0.2):
        d.add(c.fill("Ответственный за реализацию: {deputy}"))
    return d


# ---------------------------------------------------------------------------------------------
# regulation
# ---------------------------------------------------------------------------------------------

REG_TITLES = Split(
    a=["ПОЛОЖЕНИЕ\nо внутренней системе оценки качества образования",
       "Положение о рабочей группе по реализации антирисковой программы",
       "ПОЛОЖЕНИЕ о школьном методическом объединении", "Положение о наставничестве",
       "РЕГЛАМЕНТ\nработы с обучающимися, имеющими академическую задолженность",
       "Порядок организации индивидуального обучения",
       "ПОЛОЖЕНИЕ\nоб индивидуальном образовательном маршруте",
       "Правила внутреннего распорядка обучающихся",
       "Положение о порядке проведения текущего контроля успеваемости"],
    b=["ПОЛОЖЕНИЕ о психолого-педагогическом консилиуме",
       "Положение\nо внутришкольном контроле",
       "ПОЛОЖЕНИЕ о системе оценивания образовательных достижений обучающихся",
       "Регламент взаимодействия участников проекта 500+",
       "ПОЛОЖЕНИЕ\nо профессиональном обучающемся сообществе педагогов",
       "ПОРЯДОК проведения внутришкольного мониторинга",
       "Положение о методическом совете школы",
       "ПРАВИЛА\nприёма обучающихся"],
)
REG_SECTIONS = Split(
    a=["Общие положения", "Цели и задачи", "Организация деятельности",
       "Права и обязанности участников", "Документация", "Заключительные положения"],
    b=["Общие положения", "Основные задачи", "Порядок работы", "Ответственность",
       "Делопроизводство", "Срок действия"],
)
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII"]
REG_SECTION_STYLES = Split(a=["{i}. {name}", "{i}. {upper}"],
                           b=["{roman}. {name}", "Раздел {i}. {name}"])
REG_CLAUSES = Split(
    a=["Настоящее Положение разработано в соответствии с Федеральным законом от 29.12.2012 "
       "№ 273-ФЗ «Об образовании в Российской Федерации» и Уставом школы.",
       "Положение определяет цели, задачи, порядок организации и функционирования {event_gen}.",
       "Деятельность осуществляется на основе плана, утверждённого директором.",
       "Члены группы имеют право вносить предложения по совершенствованию работы.",
       "Положение вступает в силу с момента его утверждения и действует до принятия нового.",
       "Изменения и дополнения в настоящее Положение вносятся приказом директора.",
       "Заседания проводятся не реже одного раза в четверть.",
       "Состав группы утверждается приказом директора школы.",
       "Отчёт о работе представляется на педагогическом совете."],
    b=["Настоящий документ устанавливает единые требования к организации работы.",
       "Нормативной основой являются Федеральный закон «Об образовании в Российской "
       "Федерации», ФГОС НОО, ФГОС ООО, локальные акты школы.",
       "Участники обязаны соблюдать сроки, установленные настоящим порядком.",
       "Руководство осуществляет заместитель директора по учебно-воспитательной работе.",
       "Срок действия положения не ограничен.",
       "Решения оформляются протоколом и доводятся до сведения педагогов.",
       "Контроль осуществляется в соответствии с планом внутришкольного контроля."],
)


def build_regulation(c: Ctx) -> Draft:
    d = Draft(subtype="regulation")
    header(d, c, 0.5)
    for text in c.sample(APPROVALS, c.rng.choice([0, 1, 1, 2])):
        d.add(*c.fill(text).split("\n"))
        d.tags.append("approval_header")
    title = c.fill(c.pick(REG_TITLES))
    d.add(*title.split("\n"), title=True)
    n = length(c)
    style = c.pick(REG_SECTION_STYLES)
    clauses = c.sample(REG_CLAUSES, 7)
    for s, section in enumerate(c.items(REG_SECTIONS)[: min(2 + n, 6)], 1):
        d.add(style.format(i=s, roman=ROMAN[s - 1], name=section, upper=section.upper()))
        for j in range(1, c.rng.randint(2, 4)):
            d.add(f"{s}.{j}. " + c.fill(clauses[(s * 3 + j) % len(clauses)]))
    return d


# ---------------------------------------------------------------------------------------------
# product of work: lesson maps, checked student work, certificates, event programmes, methods
# ---------------------------------------------------------------------------------------------

TECHMAP_TITLES = Split(a=["Технологическая карта урока", "ТЕХНОЛОГИЧЕСКАЯ КАРТА УРОКА {subj_gen}",
                          "Технологическая карта урока {subj_gen} в {grade} классе",
                          "Технологическая карта"],
                       b=["Технологическая карта занятия", "Технологическая карта урока по "
                          "{subj_dat}", "ТЕХНОЛОГИЧЕСКАЯ КАРТА", "Технологическая карта урока"])
TECHMAP_FIELDS = Split(
    a=["Предмет: {subj}", "Класс: {grade}", "Учитель: {teacher}", "Тема урока: «{topic}»",
       "Тип урока: урок открытия нового знания", "Цель: создать условия для {aim}",
       "Планируемые результаты: предметные, метапредметные, личностные",
       "Оборудование: учебник, презентация, карточки"],
    b=["Учебный предмет – {subj}", "{grade} класс", "Педагог: {teacher}", "Тема: {topic}",
       "Тип занятия: урок рефлексии", "Задачи урока: обучающие, развивающие, воспитательные",
       "Формы работы: фронтальная, парная, групповая", "Ресурсы: интерактивная доска"],
)
TOPICS = Split(a=["Сложение дробей с разными знаменателями", "Имя существительное",
                  "Природные зоны России", "Закон Ома для участка цепи", "Клетка"],
               b=["Причастный оборот", "Площадь прямоугольника", "Великая Отечественная война",
                  "Строение атома", "Present Simple"])
AIMS = Split(a=["формирования умения решать задачи", "развития смыслового чтения"],
             b=["осознания учебного материала", "применения знаний в новой ситуации"])
TECHMAP_STAGES = Split(
    a=["Организационный момент", "Актуализация знаний", "Постановка учебной задачи",
       "Открытие нового знания", "Первичное закрепление", "Рефлексия"],
    b=["Мотивация к учебной деятельности", "Целеполагание", "Работа по теме урока",
       "Самостоятельная работа с самопроверкой", "Домашнее задание", "Итог урока"],
)
TEACHER_ACTS = Split(a=["Приветствует обучающихся, проверяет готовность", "Задаёт вопросы",
                        "Организует работу в парах", "Предлагает оценить свою работу"],
                     b=["Создаёт проблемную ситуацию", "Даёт инструкцию к заданию",
                        "Консультирует группы", "Подводит итог, выставляет отметки"])
PUPIL_ACTS = Split(a=["Отвечают на вопросы", "Работают в парах", "Оценивают свою работу",
                      "Формулируют тему урока"],
                   b=["Слушают, отвечают", "Выполняют задание по карточкам",
                      "Проводят взаимопроверку", "Записывают домашнее задание"])
WORK_TITLES = Split(a=["Контрольная работа по {subj_dat}", "Диагностическая работа по {subj_dat}",
                       "КОНТРОЛЬНАЯ РАБОТА", "Тест по теме «{topic}»"],
                    b=["Проверочная работа", "Самостоятельная работа по {subj_dat}",
                       "Итоговая работа по {subj_dat} за {period}", "Диктант"])
WORK_LINES = Split(
    a=["ученика {cls} класса {fio}", "Вариант {k}", "Задание {k}. Решите уравнение.",
       "Ответ: {n}", "Ошибки: вычислительная ошибка в задании {k}.", "Оценка: «{mark}»",
       "Работу проверил(а): учитель {subj_gen} {teacher}",
       "Комментарий учителя: повтори правило, ты сможешь!",
       "Исправлено учителем: 3 ошибки",
       "Молодец! Отметка «5»."],
    b=["Выполнил(а): обучающийся {cls} класса {fio}", "I вариант", "№ {k}. Вставьте "
       "пропущенные буквы.", "Баллы: {n} из {n}", "Отметка «{mark}»",
       "Проверила: {teacher}", "Обратная связь: хорошо, но есть недочёты в оформлении.",
       "Критерии оценивания: «5» – 18–20 баллов, «4» – 14–17 баллов."],
)
CERT_TITLES = Split(a=["СЕРТИФИКАТ", "УДОСТОВЕРЕНИЕ\nо повышении квалификации",
                       "Сертификат участника", "Удостоверение"],
                    b=["ДИПЛОМ", "СВИДЕТЕЛЬСТВО", "Сертификат", "УДОСТОВЕРЕНИЕ"])
CERT_LINES = Split(
    a=["Настоящий сертификат подтверждает, что {fio_full} принял(а) участие в {event_prep} "
       "{theme}", "Настоящее удостоверение свидетельствует о том, что {fio_full} прошёл(а) "
       "обучение по дополнительной профессиональной программе {theme} в объёме {h} часов",
       "Регистрационный номер {big}", "Ректор ________ {fio}", "{city}, {year}",
       "за активное участие в {event_prep}",
       "Председатель оргкомитета ______ {fio}"],
    b=["выдан {fio_full}, {position} {school}, за участие в {event_prep}",
       "{fio_full} успешно освоил(а) программу повышения квалификации {theme} ({h} ч.)",
       "Рег. № {big}-{n}", "Директор института _______ {fio}", "Дата выдачи: {any_date}"],
)
PROG_TITLES = Split(a=["Программа семинара {theme}", "ПРОГРАММА проведения {event_gen}",
                       "Программа педагогического совета", "ПРОГРАММА\nметодического семинара"],
                    b=["Программа методического дня", "ПРОГРАММА мероприятия",
                       "Программа круглого стола {theme}", "Программа проведения {event_gen}"])
PROG_LINES = Split(
    a=["Дата проведения: {date}", "Место проведения: {school}, актовый зал",
       "Категория участников: учителя-предметники", "Модератор: {deputy}"],
    b=["Время: {date}, начало в {time}", "Место: кабинет № {room}",
       "Участники: педагоги школ проекта 500+", "Ведущий: {deputy}"],
)
PROG_ITEMS = Split(
    a=["Регистрация участников", "Открытие семинара. Приветственное слово директора школы",
       "Мастер-класс «Приёмы формирующего оценивания» ({fio})",
       "Открытый урок {subj_gen} в {grade} классе ({teacher})",
       "Подведение итогов. Рефлексия",
       "Презентация опыта работы школы",
       "Практическая часть: работа в парах"],
    b=["Сбор участников, кофе-брейк", "Вступительное слово модератора",
       "Выступление из опыта работы ({fio})", "Работа в группах: обсуждение кейсов",
       "Обмен мнениями, принятие рекомендаций"],
)
METHOD_TITLES = Split(a=["Методические рекомендации по организации работы с неуспевающими "
                         "обучающимися", "Конспект урока {subj_gen} в {grade} классе",
                         "Методическая разработка внеклассного мероприятия",
                         "Методические рекомендации по формирующему оцениванию"],
                      b=["Сценарий внеклассного мероприятия «{topic}»",
                         "Методические рекомендации для учителей {subj_gen}",
                         "Лист самооценки обучающегося", "Конспект занятия"])
METHOD_LINES = Split(
    a=["Рекомендации адресованы учителям-предметникам и классным руководителям.",
       "Ход урока: 1) организационный момент; 2) проверка домашнего задания.",
       "Используйте приём «Светофор» для самооценки обучающихся.",
       "Для обучающихся с трудностями предусмотрены разноуровневые задания.",
       "Цель: формирование навыков смыслового чтения.",
       "Приложение: карточки с заданиями."],
    b=["Я знаю / Я умею / Мне нужна помощь", "Ведущий: Добрый день, дорогие ребята!",
       "Предлагаем алгоритм работы с текстом в пять шагов.",
       "Критерии самооценки: понял тему полностью, частично, не понял."],
)
INSTITUTES = Split(a=["ГАУ ДПО «Институт развития образования»",
                       "ГОАУ ДПО «Институт развития образования»"],
                    b=["ФГАОУ ДПО «Академия Минпросвещения России»",
                       "АНО ДПО «Центр непрерывного образования»"])
PRODUCT_KINDS = ["techmap", "student_work", "certificate", "event_programme", "methodical"]


def build_product(c: Ctx) -> Draft:
    if c.half == "C":
        kinds = [*PRODUCT_KINDS, *wc.PRODUCT_FORMS]
        kind = c.rng.choices(kinds, weights=[3, 3, 3, 3, 3, 3, 3, 2, 2, 2])[0]
    else:
        kind = c.rng.choices(PRODUCT_KINDS, weights=[3, 3, 3, 3, 2])[0]
    d = Draft(subtype=kind)
    n = length(c)
    c.vals["mark"] = str(c.rng.randint(2, 5))
    c.vals["topic"] = c.pick(TOPICS)
    c.vals["aim"] = c.pick(AIMS)
    if kind == "techmap":
        header(d, c, 0.3)
        d.add(c.fill(c.pick(TECHMAP_TITLES)), title=True)
        d.add(*c.fills(c.sample(TECHMAP_FIELDS, c.rng.randint(3, 7))))
        rows = [["Этап урока", "Деятельность учителя", "Деятельность обучающихся",
                 "Формируемые УУД"]]
        for stage in c.items(TECHMAP_STAGES)[: 2 + n]:
            rows.append([stage, c.pick(TEACHER_ACTS), c.pick(PUPIL_ACTS),
                         c.pick(["познавательные", "регулятивные", "коммуникативные"])])
        d.tables.append(rows)
    elif kind == "student_work":
        d.add(c.fill(c.pick(WORK_TITLES)), title=True)
        d.add(*c.fills(c.sample(WORK_LINES, min(3 + n, 8))))
    elif kind == "certificate":
        d.add(*c.fill(c.pick(CERT_TITLES)).split("\n"), title=True)
        if c.chance(0.4):
            d.add(c.fill(c.pick(INSTITUTES)))
        d.add(*c.fills(c.sample(CERT_LINES, c.rng.randint(2, 4))))
        # Half C cites an order more often (one draw either way: A and B do not change).
        if c.chance(0.5 if c.half == "C" else 0.2):
            d.add(c.fill(c.rng.choice(wc.CERT_ORDER_CITES)) if c.half == "C" else
                  c.fill("Основание: приказ о зачислении № {any_num} от {any_date}"))
            d.tags.append("mentions_order")
    elif kind in wc.PRODUCT_FORMS:
        c_form(d, c, wc.PRODUCT_FORMS[kind], n)
    elif kind == "event_programme" and c.half == "A" and c.chance(0.4):
        # Half A only, decided before any draw in half B, so heldout.jsonl does not change.
        session_programme(d, c)
    elif kind == "event_programme":
        header(d, c, 0.4)
        d.add(c.fill(c.pick(PROG_TITLES)), title=True)
        d.add(*c.fills(c.sample(PROG_LINES, c.rng.randint(2, 4))))
        rows = [["Время", "Содержание", "Ответственный"]]
        hour = c.rng.randint(9, 14)
        for i, item in enumerate(c.sample(PROG_ITEMS, min(2 + n, 5))):
            start, end = f"{hour + i // 2}.{'30' if i % 2 else '00'}", \
                f"{hour + (i + 1) // 2}.{'30' if (i + 1) % 2 else '00'}"
            rows.append([f"{start}–{end}", c.fill(item), c.fill("{fio}")])
        d.tables.append(rows)
    else:
        header(d, c, 0.4)
        d.add(c.fill(c.pick(METHOD_TITLES)), title=True)
        d.add(*c.fills(c.sample(METHOD_LINES, min(2 + n, 4))))
        if c.chance(0.5):
            d.add(c.fill("Автор: {teacher}, {position}"))
    return d


def session_programme(d: Draft, c: Ctx) -> None:
    """A course of sessions held, with dates and attendance (doctype_wording_a.SESSION_*)."""
    d.tags.append("sessions")
    header(d, c, 0.3)
    name = c.rng.choice(w.SESSION_NAMES)
    d.add(c.rng.choice(w.SESSION_TITLES).replace("{name}", name), title=True)
    d.add(c.fill(c.rng.choice(w.SESSION_AUDIENCES)))
    d.add(*c.fills(w.SESSION_NOTES[: c.rng.randint(1, len(w.SESSION_NOTES))]))
    head = c.rng.choice(w.SESSION_HEADS)
    day = c.a_date()
    rows = [head]
    for i, topic in enumerate(c.rng.sample(w.SESSION_TOPICS, c.rng.randint(3, 7)), start=1):
        mark = str(c.rng.randint(8, 25)) if "Отметка" not in head[-1] else "проведено"
        rows.append([str(i), topic, c.fmt_date(day), mark])
        day += timedelta(days=7)
    d.tables.append(rows)
    if c.chance(0.7):
        d.add(c.fill("{position} ________ {fio}"))


# ---------------------------------------------------------------------------------------------
# photo: a caption, OCR crumbs from a picture, or nothing beyond the caption
# ---------------------------------------------------------------------------------------------

PHOTO_CAPTIONS = Split(
    a=["Фото 1. {event} ({date})", "Фотоотчёт", "IMG_{big}{n}", "Фотоматериалы: {event}",
       "Фото {n}", "{event}, {date}", "Фотоотчёт о проведении {event_gen}", "Скриншот",
       "Фото с мероприятия",
       "Рисунок {n}. {event}"],
    b=["Фото: {event}, {city}", "Рис. {n}", "DSC_{big}{n}.JPG", "Фотографии с {event_gen}",
       "Фотофиксация {event_gen}", "photo_{big}", "Фото {n}", "Снимок экрана"],
)
PHOTO_CRUMBS = Split(a=["ШКОЛА", "2022", "Добро пожаловать!", "ЛЕТ", "Учиться никогда не поздно",
                        "№", "||", "8 «А»",
       "ВЫХОД",
       "Кабинет математики"],
                     b=["МЫ ВМЕСТЕ", "2023", "Знание – сила", "1:", "«", "УРОК", "ii", "РОССИЯ"])


def build_photo(c: Ctx) -> Draft:
    d = Draft(subtype="photo")
    style = c.rng.choices(["caption", "crumbs", "captions"], weights=[4, 3, 2])[0]
    if style in ("caption", "captions"):
        d.add(c.fill(c.pick(PHOTO_CAPTIONS)), title=True)
    if style == "captions":
        for _ in range(c.rng.randint(1, 3)):
            d.add(c.fill(c.pick(PHOTO_CAPTIONS)))
    if style == "crumbs" or c.chance(0.3):
        d.add(" ".join(c.sample(PHOTO_CRUMBS, c.rng.randint(1, 4))))
    return d


# ---------------------------------------------------------------------------------------------
# other: news, letters, instructions on writing documents, lists, agreements, applications
# ---------------------------------------------------------------------------------------------

OTHER_KINDS = ["news", "letter", "instruction", "list", "agreement", "application"]
NEWS_LINES = Split(
    a=["Новости", "{date} в нашей школе прошёл {event}.", "Ребята показали отличные "
       "результаты!", "Поздравляем победителей и призёров!", "Подробнее читайте на сайте.",
       "Благодарим родителей за помощь в организации.",
       "Такие мероприятия станут доброй традицией.",
       "Фоторепортаж смотрите ниже."],
    b=["Анонс", "Уважаемые родители! Приглашаем вас на {event}.", "Ждём всех желающих!",
       "Спасибо всем, кто принял участие.", "Следите за новостями в нашей группе ВКонтакте.",
       "Начало в {time}."],
)
LETTER_SLOTS = [
    (Split(a=["Исх. № {any_num} от {any_date}", "№ {any_num} от {any_date}\nна № ____ от ____"],
           b=["Исх. {any_num}/{n} от {any_date}", "Регистрационный № {any_num}"]), 0.8),
    (Split(a=["Начальнику управления образования\n{fio}", "Руководителям "
              "общеобразовательных организаций"],
           b=["Директору ГАУ ДПО «ИРО»\n{fio}", "Муниципальным координаторам проекта 500+"]),
     0.7),
    (Split(a=["О направлении информации", "О направлении отчёта о проведении {event_gen}",
              "О предоставлении протокола заседания"],
           b=["Сопроводительное письмо", "О проведении {event_gen}",
              "О предоставлении сведений"]), 0.7),
    (Split(a=["Уважаемые коллеги!", "Уважаемый {fio_full}!"],
           b=["Уважаемая {fio_full}!", "Добрый день!"]), 0.8),
    (Split(a=["Направляем вам информацию о ходе реализации проекта 500+.",
              "Просим предоставить сведения в срок до {date2}."],
           b=["Информируем Вас о том, что {date2} состоится {event}.",
              "В ответ на Ваш запрос сообщаем следующее."]), 1.0),
    (Split(a=["Приложение: на {n} л. в 1 экз.", "Просим довести информацию до педагогов."],
           b=["Приложение: отчёт на {n} л.", "Просим принять к сведению."]), 0.5),
    (Split(a=["С уважением, директор {director}", "Директор школы {director}"],
           b=["С уважением,\nначальник отдела {fio}", "Исполнитель: {fio}, тел. {big}-{n}"]),
     0.8),
]
INSTR_TITLES = Split(a=["Памятка по оформлению подтверждающих документов",
                        "Инструкция по заполнению дорожной карты",
                        "Как составить протокол заседания: образец"],
                     b=["Рекомендации по загрузке документов в ИС МЭДК",
                        "Как составить аналитическую справку",
                        "Требования к отчётной документации"])
INSTR_LINES = Split(
    a=["1. Документ должен содержать дату и номер.",
       "2. Аналитическая справка должна содержать выводы и рекомендации.",
       "3. Загружайте файлы в формате PDF.", "Название файла должно совпадать с названием "
       "мероприятия.", "Не загружайте приказы без документов о результатах.",
       "Используйте шаблон, приведённый ниже.",
       "Документ подписывается руководителем."],
    b=["Шаг 1. Откройте раздел «Документы».", "Шаг 2. Нажмите кнопку «Добавить».",
       "Протокол должен быть подписан председателем и секретарём.",
       "Обратите внимание: приказ не подтверждает проведение мероприятия.",
       "Размер файла – не более 10 Мб."],
)
LIST_LINES = Split(
    a=["Список участников {event_gen}", "Расписание занятий", "График консультаций",
       "Лист регистрации участников"],
    b=["График дежурства", "Список педагогов", "Расписание внеурочной деятельности",
       "Список обучающихся группы риска"],
)
AGREE_LINES = Split(
    a=["ДОГОВОР о сетевом взаимодействии № {n}", "{city}  {date}",
       "Стороны договорились о совместной реализации образовательных программ.",
       "1. Предмет договора", "2. Обязанности сторон", "Подписи сторон:"],
    b=["СОГЛАШЕНИЕ о сотрудничестве", "{school} и Центр «Содействие», именуемые в дальнейшем "
       "Стороны, заключили настоящее соглашение.", "Срок действия соглашения – один год.",
       "Реквизиты сторон", "Права и обязанности сторон"],
)
APPL_LINES = Split(
    a=["ЗАЯВКА на участие в {event_prep}", "ФИО участника: {fio_full}",
       "Должность: {position}", "Тема выступления: {theme}", "Контактный телефон: {big}-{n}-{n}",
       "Форма участия: очная",
       "Наименование ОО: {school}"],
    b=["Согласие на обработку персональных данных", "Я, {fio_full}, даю согласие",
       "Анкета участника", "Место работы: {school}", "Подпись ________ Дата ________"],
)


def build_other(c: Ctx) -> Draft:
    kind = c.rng.choice([*OTHER_KINDS, *wc.OTHER_FORMS] if c.half == "C" else OTHER_KINDS)
    d = Draft(subtype=kind)
    n = length(c)
    if kind in ("letter", "agreement"):
        header(d, c, 0.6)
    if kind in wc.OTHER_FORMS:
        c_form(d, c, wc.OTHER_FORMS[kind], n)
    elif kind == "news":
        lines = c.fills(c.items(NEWS_LINES))
        d.add(lines[0], title=True)
        d.add(*c.rng.sample(lines[1:], min(len(lines) - 1, 1 + n)))
    elif kind == "letter":
        c.slots(d, LETTER_SLOTS)
    elif kind == "instruction":
        d.add(c.fill(c.pick(INSTR_TITLES)), title=True)
        d.add(*c.fills(c.sample(INSTR_LINES, 2 + n)))
    elif kind == "list":
        d.add(c.fill(c.pick(LIST_LINES)), title=True)
        rows = [["№", "ФИО", "Должность / класс", "Время"]]
        for i in range(1, 3 + 2 * n):
            rows.append([str(i), c.fill("{fio}"), c.fill("{position}"), c.fill("{time}")])
        d.tables.append(rows)
    elif kind == "agreement":
        d.add(*c.fills(c.items(AGREE_LINES)[: 2 + n]))
    else:
        d.add(*c.fills(c.sample(APPL_LINES, min(3 + n, 5))))
    return d


def c_form(d: Draft, c: Ctx, form: dict[str, Any], n: int) -> None:
    """A half-C-only sub-genre (doctype_wording_c.*_FORMS): title, some body lines in their
    order, sometimes a table."""
    header(d, c, 0.4)
    d.add(*c.fill(c.rng.choice(form["titles"])).split("\n"), title=True)
    lines = form["lines"]
    keep = sorted(c.rng.sample(range(len(lines)), min(len(lines), 2 + n)))
    for i in keep:
        d.add(*c.fill(lines[i]).split("\n"))
    if form["tables"] and c.chance(0.8):
        head, rows = c.rng.choice(form["tables"])
        d.tables.append([list(head)] + [c.fills(r) for r in rows[: 2 + n]])


def widen_half_a() -> None:
    """Append the extra half-A wording (doctype_wording_a.py) to the training side of each bank.

    Only `a` grows, so half B's draws, and `heldout.jsonl`, do not change."""
    module = sys.modules[__name__]
    for name, extra in w.EXTRA_A.items():
        bank = getattr(module, name)
        if not isinstance(bank, Split):
            raise TypeError(f"{name} is not a Split bank")
        setattr(module, name, Split(a=[*bank.a, *extra], b=bank.b, c=bank.c))


def add_half_c() -> None:
    """Put the half-C wording (doctype_wording_c.py) on the `c` side of each bank and slot.

    `a` and `b` are untouched, so half A's and half B's draws do not change."""
    module = sys.modules[__name__]
    for name, extra in wc.EXTRA_C.items():
        bank = getattr(module, name)
        if not isinstance(bank, Split):
            raise TypeError(f"{name} is not a Split bank")
        setattr(module, name, Split(a=bank.a, b=bank.b, c=list(extra)))
    for name, alternatives in wc.SLOTS_C.items():
        slots = getattr(module, name)
        if len(slots) != len(alternatives):
            raise ValueError(f"{name}: {len(alternatives)} half-C slots for {len(slots)}")
        setattr(module, name, [(Split(a=bank.a, b=bank.b, c=list(alt)), p)
                               for (bank, p), alt in zip(slots, alternatives, strict=True)])


widen_half_a()
add_half_c()


BUILDERS: dict[str, Callable[[Ctx], Draft]] = {
    "order": build_order,
    "protocol": build_protocol,
    "analytic_note": build_analytic_note,
    "report": build_report,
    "plan": build_plan,
    "regulation": build_regulation,
    "product": build_product,
    "photo": build_photo,
    "other": build_other,
}


# ---------------------------------------------------------------------------------------------
# Noise and rendering
# ---------------------------------------------------------------------------------------------

# Cyrillic letters OCR confuses with digits, Latin look-alikes or neighbouring letters.
OCR_SWAPS = {
    "о": "0o", "О": "0O", "з": "3", "З": "3", "б": "6", "е": "ee", "а": "a", "р": "p",
    "с": "c", "х": "x", "у": "y", "и": "нй", "н": "и", "л": "п", "ш": "щ", "т": "г",
    "Т": "Г", "П": "Л", "в": "B", "к": "k", "ь": "ъ", "ы": "ьі", "д": "л", "м": "rn",
}


OCR_JUNK = ["||", "'", ",,", "~", "..", "i", "l1", "—", "•", "ш", "/", "::", "[", "о0"]


def ocr_noise(text: str, rng: random.Random, rate: float) -> str:
    out = []
    for ch in text:
        r = rng.random()
        if r < rate and ch in OCR_SWAPS:
            out.append(rng.choice(OCR_SWAPS[ch]))
        elif r < rate * 1.3 and ch == " ":
            continue  # a lost space glues two words
        elif r < rate * 1.4 and ch.isalpha():
            out.append(ch + " ")  # a broken word
        elif r < rate * 1.5:
            continue  # a lost character
        else:
            out.append(ch)
    if rng.random() < rate * 3:
        out.append(rng.choice([" |", " '", " ,", " ~", " .."]))
    return "".join(out)


def wrap(text: str, rng: random.Random) -> list[str]:
    width = rng.randint(55, 95)
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def render(d: Draft, c: Ctx, doc_id: str) -> tuple[Document, list[str]]:
    """Apply noise and lay the draft out as an extracted DOCX or text-layer PDF would be."""
    rng = c.rng
    notes: list[str] = []
    paras = list(d.paras)
    if d.title and rng.random() < 0.12 and len(paras) > len(d.title) + 1:
        # Titles get lost: a cropped scan, a title in a picture, a page missing.
        paras = [p for i, p in enumerate(paras) if i not in d.title]
        notes.append("no_title")
    tables = [[list(r) for r in t] for t in d.tables]
    if d.subtype != "photo" and rng.random() < 0.03:
        # A scan OCR could not read: a few crumbs of the heading or of noise survive. The
        # label stays; the model has to learn that such a document is anyone's guess.
        crumbs = [w for w in " ".join(paras[:3]).split() if len(w) > 3]
        keep = rng.sample(crumbs, min(len(crumbs), rng.randint(0, 2)))
        paras = [" ".join([*keep, *rng.sample(OCR_JUNK, rng.randint(1, 3))])]
        tables = []
        notes.append("ocr_failed")
    elif rng.random() < 0.08 and len(paras) > 4:
        # Only the first page was scanned or uploaded.
        paras, tables = paras[: rng.randint(3, len(paras) - 1)], []
        notes.append("first_page")
    if rng.random() < 0.25:
        rate = rng.choice([0.01, 0.03, 0.06])
        paras = [ocr_noise(p, rng, rate) for p in paras]
        tables = [[[ocr_noise(x, rng, rate) for x in r] for r in t] for t in tables]
        notes.append(f"ocr{rate:.2f}")
    if rng.random() < 0.15:
        # Title and body in upper case as on some forms, or a scan normalised to lower case.
        paras = [p.upper() if rng.random() < 0.5 else p for p in paras]
        notes.append("case")
    fmt = "pdf" if rng.random() < 0.5 else "docx"
    blocks: list[str] = []
    if fmt == "pdf":
        for p in paras:
            blocks.extend(wrap(p, rng))
        # A PDF's text layer also holds the table text, line by line, before the tables.
        for t in tables:
            blocks.extend(" ".join(x for x in r if x) for r in t)
    else:
        blocks = paras
    doc = Document(
        path=f"{doc_id}.{fmt}",
        sha256="",
        format=fmt,
        n_pages=1,
        blocks=[Block(text=b) for b in blocks if b.strip()],
        tables=[_table(i, t) for i, t in enumerate(tables)],
    )
    return doc, notes


def _table(index: int, rows: list[list[str]]) -> Table:
    n_cols = max(len(r) for r in rows)
    cells = [Cell(row=r, col=k, text=text) for r, row in enumerate(rows)
             for k, text in enumerate(row)]
    return Table(index=index, n_rows=len(rows), n_cols=n_cols, cells=cells)


def generate(half: str, counts: dict[str, int], seed: int, prefix: str,
             sub: int | None = None) -> list[dict[str, str]]:
    rng = random.Random(seed)
    jobs = [t for t, k in counts.items() for _ in range(k)]
    rng.shuffle(jobs)
    out = []
    for i, doc_type in enumerate(jobs):
        c = Ctx(random.Random(rng.getrandbits(64)), half, sub)
        draft = BUILDERS[doc_type](c)
        doc_id = f"{prefix}-{i:04d}"
        doc, notes = render(draft, c, doc_id)
        record = doc_to_record(doc)
        tags = [draft.subtype, *sorted(set(draft.tags)), *notes, doc.format]
        out.append({
            "id": doc_id,
            "title": record["title"],
            "body": record["body"],
            "doc_type": doc_type,
            "source": f"synthetic:{half}{'' if sub is None else sub + 1}:" + "+".join(tags),
        })
    return out


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def split_counts(share: float) -> dict[str, int]:
    return {t: round(k * share) for t, k in COUNTS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dev", type=Path, default=None,
                        help="write a development split of half A (A1 train, A2 test) here "
                             "instead of the real files")
    parser.add_argument("--train-scale", type=float, default=TRAIN_SCALE,
                        help="training documents as a multiple of the base counts (held-out "
                             "size never changes)")
    args = parser.parse_args(argv)
    train_counts = split_counts((1 - HELDOUT_SHARE) * args.train_scale)
    if args.dev:
        # Both directions (A1 -> A2 and A2 -> A1), so a choice is not made on one small sample.
        for sub, out in ((0, args.dev), (1, args.dev / "reverse")):
            train = generate("A", train_counts, 11 + 2 * sub, f"dev-a{sub + 1}", sub)
            # A larger test side than the real split: 200 documents make a noisy choice.
            test = generate("A", split_counts(0.6), 12 + 2 * sub, f"dev-a{2 - sub}", 1 - sub)
            write_jsonl(out / "train.jsonl", train)
            write_jsonl(out / "heldout.jsonl", test)
        print(f"dev splits written to {args.dev} and {args.dev / 'reverse'}")
        return 0
    train = generate("A", train_counts, 1, "train")
    # Half C has its own seed and random stream, so the half-A documents stay as they were.
    c_counts = {t: round(k * args.train_scale) for t, k in C_COUNTS.items()}
    train += generate("C", c_counts, 3, "train-c")
    heldout = generate("B", split_counts(HELDOUT_SHARE), 2, "heldout")
    for path in OTHER_AUTHORS:
        train += [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    write_jsonl(args.out / "train.jsonl", train)
    write_jsonl(args.out / "heldout.jsonl", heldout)
    for name, rows in (("train", train), ("heldout", heldout)):
        counts = Counter(r["doc_type"] for r in rows)
        print(name, len(rows), dict(sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
