"""Russian deadline cells of a roadmap ("Сроки") turned into date intervals with a precision.

The parser is a tiny grammar over tokens (numeric dates, month names, years, periods,
prepositions), not a date library: roadmap cells mix ranges, typos, school periods and
recurring phrases that general-purpose date parsers either reject or silently misread.

Conventions (also listed in the README):
- a bare date is a one-day interval; a month runs from its first to its last day; a range
  covers both ends and keeps the precision of its coarser end;
- "до / не позднее / по / к D": start None, end = end of D; "с D", "D-": start of D, end None;
  "после D": starts the day after D;
- a year span or a school year has precision "year"; "2022/2023" (slash) and anything
  followed by "учебный год" is a school year (1 September to 31 August by default); a dash
  pair without "учебный" ("2021-2023 гг.") is a span of calendar years;
- "2022 учебный год" (one year) is the school year that starts in 2022;
- quarters ("I квартал") and half-years ("1 полугодие") are calendar periods unless
  "учебного года" is said; school half-years are unions of school quarters (I+II, III+IV),
  school quarters ("IV четверть") come from `SchoolCalendar.quarters`;
- "к концу / в конце / до конца учебного года": start None, end = last teaching day (end of
  the last четверть, 26 May by default), precision "year"; "конец/начало/середина X" of any
  other X is X itself;
- recurring or unspecific phrases ("в течение года", "в конце четверти", "ежемесячно",
  "по мере необходимости", "в течение учебного года") are "vague" with null dates, unless the
  cell also names a period ("ежемесячно в течение 2022 года" is the year 2022);
- an explicit year in the cell wins; otherwise the `year` argument is used (year_assumed);
  without either, dates stay None but the precision is still reported;
- a partial date without a year is placed in the context year; a range whose end would come
  before its start rolls the end into the next year ("сентябрь-май" with 2022 is
  01.09.2022-31.05.2023), and a left end without a year borrows the right end's year, one
  less if needed ("сентябрь - май 2023" starts 01.09.2022);
- two-digit years are 20yy; a reversed range is read as the interval covering both ends;
- several dates in one cell ("март, май 2022") give the interval from the first to the last;
  a lone year elsewhere in the cell ("2022 г.: март-май") supplies the year of the others;
- a text in parentheses is a comment and is used only if the rest holds no date;
- impossible dates (31.02) and anything unrecognised give "vague"; nothing raises.
"""

from __future__ import annotations

import calendar as _cal
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from pydantic import BaseModel

PRECISIONS = ("day", "month", "quarter", "half_year", "year", "vague")
DEFAULT_CONCRETE = frozenset({"day", "month"})

MonthDay = tuple[int, int]
_Span = tuple[date | None, date | None]


class SchoolCalendar(BaseModel):
    """When the school year and its четверти run.

    Quarter boundaries differ between regions and years, so they are a setting; the defaults
    are a common schedule: I 01.09-26.10, II 05.11-29.12, III 09.01-22.03, IV 01.04-26.05.
    """

    school_year_start: MonthDay = (9, 1)
    school_year_end: MonthDay = (8, 31)
    quarters: tuple[tuple[MonthDay, MonthDay], ...] = (
        ((9, 1), (10, 26)),
        ((11, 5), (12, 29)),
        ((1, 9), (3, 22)),
        ((4, 1), (5, 26)),
    )
    teaching_end: MonthDay | None = None  # None: the end of the last quarter

    def halves(self) -> tuple[tuple[MonthDay, MonthDay], tuple[MonthDay, MonthDay]]:
        """School half-years as unions of quarters, as schools with полугодия count them."""
        q, mid = self.quarters, len(self.quarters) // 2
        return (q[0][0], q[mid - 1][1]), (q[mid][0], q[-1][1])

    def last_teaching_day(self) -> MonthDay:
        return self.teaching_end or self.quarters[-1][1]


class Deadline(BaseModel):
    text: str
    start: date | None
    end: date | None
    precision: str
    concrete: bool
    year_assumed: bool = False

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "precision": self.precision,
            "concrete": self.concrete,
            "year_assumed": self.year_assumed,
        }


# --------------------------------------------------------------------------- normalisation

_DASHES_RE = re.compile(r"[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d]")
# "24.01-01-02.2022": a dash typed instead of the dot of the right date.
_TYPO_RE = re.compile(
    r"(?<![\d.])(\d{1,2})\.(\d{1,2})\s*-\s*(\d{1,2})-(\d{1,2})\.(\d{4}|\d{2})(?!\d)"
)
# Ordinal endings glued to numbers ("11-го", "1-е", "2-х"); only with a dash or no space.
_ORDINAL_RE = re.compile(
    r"(\d)(?:\s*-\s*|)(?:ого|его|го|ое|ее|ые|е|ый|ий|ой|й|ая|я|ом|ем|м|ых|их|х)(?![^\W\d_])"
)
_NOT_LATER_RE = re.compile(r"\bне\s+(?:позднее|позже)(?:\s*,?\s*чем)?\b|\bв\s+срок\s+до\b")
_START_FROM_RE = re.compile(r"\bначиная\s+(?=с\b|со\b)")
_PARENS_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def _normalise(text: str, keep_parens: bool) -> str:
    s = text.lower().replace("ё", "е").replace("\u00a0", " ").replace("\u00ad", "")
    s = _DASHES_RE.sub("-", s)
    s = s.replace("і", "i")  # Ukrainian і is often typed for the Roman numeral I
    s = re.sub(r"(?<![^\W\d_])c(?![^\W\d_])", "с", s)  # Latin c typed for the preposition с
    s = re.sub(r"[()\[\]]", " ", s) if keep_parens else _PARENS_RE.sub(" ", s)
    s = _TYPO_RE.sub(r"\1.\2-\3.\4.\5", s)
    s = _ORDINAL_RE.sub(r"\1", s)
    s = _NOT_LATER_RE.sub(" до ", s)
    return _START_FROM_RE.sub(" ", s)


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class _Tok:
    kind: str
    val: object = None
    text: str = ""


_TOKEN_RE = re.compile(
    r"(?P<date>(?<!\d)(?P<d>\d{1,2})(?P<sep>[./-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?!\d))"
    r"|(?P<my>(?<![\d.])(?P<mm>\d{1,2})\.(?P<yy>\d{4})(?!\d))"
    r"|(?P<dm>(?<![\d.])(?P<dd>\d{1,2})\.(?P<dmm>\d{1,2})(?!\d))"
    r"|(?P<num>\d+)"
    r"|(?P<word>[^\W\d_]+)"
    r"|(?P<dash>-)"
    r"|(?P<slash>/)"
)

_MONTHS = (
    r"январ\w*|янв",
    r"феврал\w*|фев|февр",
    r"март\w*|мар",
    r"апрел\w*|апр",
    r"ма[йяюе]|маем",
    r"июн\w*",
    r"июл\w*",
    r"август\w*|авг",
    r"сентябр\w*|сен|сент",
    r"октябр\w*|окт",
    r"ноябр\w*|ноя|нояб",
    r"декабр\w*|дек",
)
_WORD_RULES: tuple[tuple[re.Pattern[str], str, object], ...] = (
    *((re.compile(p), "MONTH", i + 1) for i, p in enumerate(_MONTHS)),
    (re.compile(r"i"), "ORD", 1),
    (re.compile(r"ii"), "ORD", 2),
    (re.compile(r"iii"), "ORD", 3),
    (re.compile(r"iv"), "ORD", 4),
    (re.compile(r"v"), "ORD", 5),  # no such quarter: "V квартал" must fail, not read as a year
    (re.compile(r"перв(?:ый|ая|ое|ом|ого|ой|ую|ым)"), "ORD", 1),
    (re.compile(r"втор(?:ой|ая|ое|ом|ого|ую|ым)"), "ORD", 2),
    (re.compile(r"трет(?:ий|ья|ье|ьем|ьего|ьей|ью|ьим)"), "ORD", 3),
    (re.compile(r"четверт(?:ый|ая|ое|ом|ого|ой|ую|ым)"), "ORD", 4),
    (re.compile(r"квартал\w*|кв"), "QUARTER", None),
    (re.compile(r"полугод\w*|полуг"), "HALF", None),
    (re.compile(r"четверт(?:ь|и|ью|ей|ям|ями|ях)|четв"), "SQUARTER", None),
    (re.compile(r"учебн\w*|уч"), "SCHOOL", None),
    (re.compile(r"г|гг|год|года|году|годом|годы|годов|годах|годам"), "YEARWORD", None),
    (re.compile(r"до|по|к|ко"), "UNTIL", None),
    (re.compile(r"с|со"), "FROM", None),
    (re.compile(r"после"), "AFTER", None),
    (re.compile(r"конец|конца|концу|концом|конце|окончани\w*|завершени\w*"), "EDGE", "end"),
    (re.compile(r"начало|начала|началу|начале|началом|середин\w*"), "EDGE", "start"),
)


def _word_token(word: str) -> _Tok:
    for pattern, kind, val in _WORD_RULES:
        if pattern.fullmatch(word):
            return _Tok(kind, word if val is None else val, word)
    return _Tok("WORD", word, word)


def _year2(yy: str) -> int:
    """Two-digit years are always 20yy (the programme started in 2021)."""
    return 2000 + int(yy) if len(yy) == 2 else int(yy)


def _match_token(m: re.Match[str]) -> _Tok:
    if m["date"]:
        return _Tok("DATE", (int(m["d"]), int(m["m"]), _year2(m["y"])), m[0])
    if m["my"]:
        return _Tok("MY", (int(m["mm"]), int(m["yy"])), m[0])
    if m["dm"]:
        return _Tok("DM", (int(m["dd"]), int(m["dmm"])), m[0])
    if m["num"]:
        digits = m["num"]
        if len(digits) == 4 and 1900 <= int(digits) <= 2099:
            return _Tok("YEAR", int(digits), digits)
        return _Tok("NUM" if len(digits) <= 2 else "WORD", int(digits), digits)
    if m["word"]:
        return _word_token(m["word"])
    return _Tok("DASH" if m["dash"] else "SLASH", None, m[0])


def _tokenise(s: str) -> list[_Tok]:
    toks = [_match_token(m) for m in _TOKEN_RE.finditer(s)]
    for i, t in enumerate(toks):
        if t.kind != "NUM" or len(t.text) != 2:
            continue
        prev = toks[i - 2] if i >= 2 else None
        joined = toks[i - 1].kind in ("DASH", "SLASH") if i >= 1 else False
        after_year = joined and prev is not None and prev.kind == "YEAR"
        if after_year and int(t.text) > prev.val % 100:  # "2022-23"
            toks[i] = _Tok("YEAR", prev.val // 100 * 100 + int(t.text), t.text)
        elif i + 1 < len(toks) and toks[i + 1].kind == "YEARWORD":  # "22 г."
            toks[i] = _Tok("YEAR", _year2(t.text), t.text)
    return toks


# --------------------------------------------------------------------------- grammar


@dataclass(frozen=True)
class _Point:
    """A partial date: kind None is a bare number waiting for the other end of a range."""

    kind: str | None
    n: int | None = None  # day of month or period number
    month: int | None = None
    year: int | None = None  # explicit calendar year
    school_year: int | None = None  # explicit school year S/S+1, given by S
    last_year: int | None = None  # syear only: the calendar year the last school year ends in


@dataclass(frozen=True)
class _Item:
    form: str  # single | range | until | from | after
    left: _Point
    right: _Point | None = None


@dataclass(frozen=True)
class _YearSpec:
    year: int | None = None
    school_year: int | None = None
    last_year: int | None = None
    school: bool = False


_PRECISION = {
    "day": "day",
    "month": "month",
    "quarter": "quarter",
    "squarter": "quarter",
    "half": "half_year",
    "shalf": "half_year",
    "year": "year",
    "syear": "year",
    "teaching_end": "year",
}
_RANGE_SEPS = ("-", "по", "до")


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks

    def kind(self, i: int) -> str | None:
        return self.toks[i].kind if 0 <= i < len(self.toks) else None

    def skip(self, i: int, kind: str) -> int:
        return i + 1 if self.kind(i) == kind else i

    def is_range_sep(self, i: int) -> bool:
        t = self.toks[i] if i < len(self.toks) else None
        return t is not None and (t.kind == "DASH" or (t.kind == "UNTIL" and t.val in _RANGE_SEPS))

    def year_spec(self, i: int) -> tuple[_YearSpec, int]:
        """An optional year after a date or period: "2022 г.", "2022/2023 уч. года"."""
        if self.kind(i) == "YEAR":
            y = self.toks[i].val
            if self.kind(i + 1) in ("DASH", "SLASH") and self.kind(i + 2) == "YEAR":
                last = self.toks[i + 2].val
                j = self.skip(i + 3, "YEARWORD")
                if last > y and (self.kind(j) == "SCHOOL" or self.kind(i + 1) == "SLASH"):
                    j = self.skip(self.skip(j, "SCHOOL"), "YEARWORD")
                    return _YearSpec(school_year=y, last_year=last, school=True), j
            j = self.skip(i + 1, "YEARWORD")
            if self.kind(j) == "SCHOOL":
                return _YearSpec(school_year=y, last_year=y + 1, school=True), j + 1
            return _YearSpec(year=y), j
        if self.kind(i) == "SCHOOL":
            return _YearSpec(school=True), self.skip(i + 1, "YEARWORD")
        return _YearSpec(), i

    def point(self, i: int, allow_bare: bool) -> tuple[_Point, int] | None:
        kind = self.kind(i)
        if kind is None:
            return None
        t = self.toks[i]
        if kind == "EDGE":
            return self.edge_point(i)
        if kind == "DATE":
            d, m, y = t.val
            return _Point("day", d, m, y), self.skip(i + 1, "YEARWORD")
        if kind == "MY":
            m, y = t.val
            return _Point("month", month=m, year=y), self.skip(i + 1, "YEARWORD")
        if kind == "DM":
            return self.with_year(_Point("day", t.val[0], t.val[1]), i + 1)
        if kind == "NUM" and self.kind(i + 1) == "MONTH":
            return self.with_year(_Point("day", t.val, self.toks[i + 1].val), i + 2)
        if kind == "MONTH":
            return self.with_year(_Point("month", month=t.val), i + 1)
        if kind in ("NUM", "ORD") and self.kind(i + 1) in ("QUARTER", "HALF", "SQUARTER"):
            return self.period_point(t.val, self.kind(i + 1), i + 2)
        if kind == "YEAR":
            return self.year_point(i)
        if kind in ("NUM", "ORD") and allow_bare:
            return _Point(None, t.val), i + 1
        return None

    def with_year(self, p: _Point, i: int) -> tuple[_Point, int]:
        spec, j = self.year_spec(i)
        return replace(p, year=spec.year, school_year=spec.school_year), j

    def period_point(self, n: int, word: str, i: int) -> tuple[_Point, int]:
        spec, j = self.year_spec(i)
        kind = {"QUARTER": "quarter", "SQUARTER": "squarter", "HALF": "half"}[word]
        if kind == "half" and spec.school:  # "1 полугодие учебного года" is a school half
            kind = "shalf"
        return _Point(kind, n, year=spec.year, school_year=spec.school_year), j

    def year_point(self, i: int) -> tuple[_Point, int]:
        spec, j = self.year_spec(i)
        if spec.school:
            return _Point("syear", school_year=spec.school_year, last_year=spec.last_year), j
        return _Point("year", year=spec.year), j

    def edge_point(self, i: int) -> tuple[_Point, int] | None:
        """The end/start/middle of X ("конец мая") is X, but "конец учебного года" is its last
        teaching day and "конец года" the context year."""
        is_end = self.toks[i].val == "end"
        if is_end and self.kind(i + 1) == "SCHOOL":
            return _Point("teaching_end"), self.skip(i + 2, "YEARWORD")
        if is_end and self.kind(i + 1) == "YEARWORD":  # "до конца года": the context year
            return _Point("year"), i + 2
        inner = self.point(i + 1, allow_bare=False)
        if inner is None:
            return None
        p, j = inner
        if is_end and p.kind == "syear":
            return _Point("teaching_end", school_year=p.last_year - 1), j
        return p, j

    def item(self, i: int) -> tuple[_Item, int] | None:
        kind = self.kind(i)
        if kind == "UNTIL":
            found = self.point(i + 1, allow_bare=False)
            return (_Item("until", found[0]), found[1]) if found else None
        prefix = {"FROM": "from", "AFTER": "after"}.get(kind or "")
        found = self.point(i + 1 if prefix else i, allow_bare=True)
        if found is None:
            return None
        p, j = found
        if self.is_range_sep(j):
            right = self.point(j + 1, allow_bare=False)
            if right is not None:
                return _Item("range", p, right[0]), right[1]
            if self.kind(j) == "DASH" and j + 1 == len(self.toks) and p.kind:  # "Март-"
                return _Item("from", p), j + 1
        if p.kind is None:
            return None
        return _Item(prefix or "single", p), j

    def items(self) -> list[_Item]:
        out, i = [], 0
        while i < len(self.toks):
            found = self.item(i)
            if found is None:
                i += 1
                continue
            out.append(found[0])
            i = found[1]
        return out


# --------------------------------------------------------------------------- resolution


_LAST = 32  # "the last day of the month" in (month, day) templates; sorts after any real day


def _last_day(year: int, month: int) -> int:
    return _cal.monthrange(year, month)[1]


def _template(p: _Point, cal: SchoolCalendar) -> tuple[MonthDay, MonthDay]:
    """The (month, day) bounds of a point within its year; the end may fall in the next year."""
    n = p.n or 0
    if p.kind == "day":
        return (p.month, n), (p.month, n)
    if p.kind == "month":
        return (p.month, 1), (p.month, _LAST)
    if p.kind == "quarter":
        if not 1 <= n <= 4:
            raise ValueError(f"quarter {n}")
        return (3 * n - 2, 1), (3 * n, _LAST)
    if p.kind == "half":
        if n not in (1, 2):
            raise ValueError(f"half {n}")
        return ((1, 1), (6, 30)) if n == 1 else ((7, 1), (12, 31))
    if p.kind in ("squarter", "shalf"):
        bounds = cal.quarters if p.kind == "squarter" else cal.halves()
        if not 1 <= n <= len(bounds):
            raise ValueError(f"{p.kind} {n}")
        return bounds[n - 1]
    if p.kind == "teaching_end":
        return cal.last_teaching_day(), cal.last_teaching_day()
    return (1, 1), (12, 31)


def _make(year: int, md: MonthDay) -> date:
    month, day = md
    return date(year, month, _last_day(year, month) if day == _LAST else day)


def _has_year(p: _Point) -> bool:
    return p.year is not None or p.school_year is not None


def _resolve_point(p: _Point, y: int | None, cal: SchoolCalendar) -> _Span:
    """Dates of a point; `y` is the calendar year for a point that names none."""
    if p.kind == "syear":
        start_year = p.school_year
        last = p.last_year or start_year + 1
        crossing = cal.school_year_end < cal.school_year_start
        return _make(start_year, cal.school_year_start), _make(
            last if crossing else last - 1, cal.school_year_end
        )
    first, last_md = _template(p, cal)
    if p.year is not None:
        year = p.year
    elif p.school_year is not None:
        year = p.school_year + (first < cal.school_year_start)
    elif y is not None:
        year = y
    else:
        return None, None
    start = _make(year, first)
    end = _make(year + (last_md < first), last_md)
    return (None, end) if p.kind == "teaching_end" else (start, end)


def _key(span: tuple[date | None, date | None]) -> date | None:
    return span[0] or span[1]


def _fill_kind(left: _Point, right: _Point) -> _Point:
    """Give a bare left number ("11-14 февраля", "I-II квартал") the kind of the right end."""
    if left.kind is not None:
        return left
    if right.kind == "day":
        month = right.month if left.n <= (right.n or 0) else (right.month - 2) % 12 + 1
        return replace(left, kind="day", month=month)
    if right.kind == "month":
        return replace(left, kind="month", month=left.n, n=None)
    if right.kind in ("quarter", "half", "squarter", "shalf"):
        return replace(left, kind=right.kind)
    raise ValueError("bare number before a year")


def _resolve_pair(
    left: _Point, right: _Point, y: int | None, cal: SchoolCalendar
) -> tuple[_Span, _Span, bool]:
    """Both ends of a range, lending a year from the end that has one to the end that lacks it."""
    left = _fill_kind(left, right)
    if not _has_year(left) and right.school_year is not None and right.year is None:
        left = replace(left, school_year=right.school_year)
    lx, rx = _has_year(left) or left.kind == "syear", _has_year(right) or right.kind == "syear"
    if lx and rx:
        return _resolve_point(left, None, cal), _resolve_point(right, None, cal), False
    if rx:
        r = _resolve_point(right, None, cal)
        anchor = _key(r).year
        l_span = _resolve_point(left, anchor, cal)
        if _key(l_span) > _key(r):
            l_span = _resolve_point(left, anchor - 1, cal)
        return l_span, r, False
    assumed = not lx
    l_span = _resolve_point(left, y, cal)
    if _key(l_span) is None:
        return (None, None), (None, None), False
    anchor = _key(l_span).year
    r = _resolve_point(right, anchor, cal)
    if _key(r) < _key(l_span):
        r = _resolve_point(right, anchor + 1, cal)
    return l_span, r, assumed


def _cover(spans: list[_Span]) -> _Span:
    starts = [s for s, _ in spans if s is not None]
    ends = [e for _, e in spans if e is not None]
    return (min(starts) if starts else None), (max(ends) if ends else None)


@dataclass(frozen=True)
class _Result:
    start: date | None
    end: date | None
    precision: str
    assumed: bool


def _coarsest(precisions: Iterable[str]) -> str:
    return max(precisions, key=PRECISIONS.index)


def _resolve_item(item: _Item, y: int | None, cal: SchoolCalendar) -> _Result:
    p = item.left
    if item.form == "range":
        l_span, r_span, assumed = _resolve_pair(p, item.right, y, cal)
        start, end = _cover([l_span, r_span])
        prec = _coarsest(_PRECISION[k] for k in (item.right.kind, p.kind or item.right.kind))
        return _Result(start, end, prec, assumed)
    start, end = _resolve_point(p, y, cal)
    assumed = y is not None and not _has_year(p) and p.kind != "syear"
    prec = _PRECISION[p.kind]
    if item.form == "until":
        return _Result(None, end or start, prec, assumed)
    if item.form == "from":
        return _Result(start or end, None, prec, assumed)
    if item.form == "after":
        after = end or start
        return _Result(after + timedelta(days=1) if after else None, None, prec, assumed)
    return _Result(start, end, prec, assumed)


def _resolve_items(items: list[_Item], y: int | None, cal: SchoolCalendar) -> _Result:
    # A lone year in the cell ("2022 г.: март-май") is the year of the other items.
    lone = [it for it in items if it.form == "single" and it.left.kind == "year" and it.left.year]
    rest = [it for it in items if it not in lone]
    if lone and rest:
        y = lone[0].left.year
        results = [replace(_resolve_item(it, y, cal), assumed=False) for it in rest]
        items = rest
    elif all(it.form == "single" for it in items) and len(items) > 1:
        # "март, май 2022": one interval from the first to the last, years shared as in a range
        joined = _resolve_item(_Item("range", items[0].left, items[-1].left), y, cal)
        prec = _coarsest([joined.precision, *(_PRECISION[it.left.kind] for it in items)])
        return replace(joined, precision=prec)
    else:
        results = [_resolve_item(it, y, cal) for it in items]
    start, end = _cover([(r.start, r.end) for r in results])
    if start and end and start > end:
        start = None
    prec = _coarsest(r.precision for r in results)
    return _Result(start, end, prec, any(r.assumed for r in results))


# --------------------------------------------------------------------------- public API


def _vague(text: str) -> Deadline:
    return Deadline(text=text, start=None, end=None, precision="vague", concrete=False)


def _items_of(text: str) -> list[_Item]:
    items = _Parser(_tokenise(_normalise(text, keep_parens=False))).items()
    if not items:  # the only date may sit in a comment: "По графику (март 2022)"
        items = _Parser(_tokenise(_normalise(text, keep_parens=True))).items()
    return items


def parse_deadline(
    text: str,
    year: int | None = None,
    *,
    calendar: SchoolCalendar | None = None,
    concrete_precisions: frozenset[str] = DEFAULT_CONCRETE,
) -> Deadline:
    """Parse one deadline cell; never raises, anything unrecognised is "vague"."""
    text = text if isinstance(text, str) else ("" if text is None else str(text))
    try:
        items = _items_of(text)
        if not items:
            return _vague(text)
        res = _resolve_items(items, year, calendar or SchoolCalendar())
    except Exception:
        # Impossible dates ("31.02.2022", "V квартал") raise ValueError on the way; a cell we
        # cannot read must never stop a whole review, so any failure means "vague".
        return _vague(text)
    known = res.start is not None or res.end is not None
    return Deadline(
        text=text,
        start=res.start,
        end=res.end,
        precision=res.precision,
        concrete=known and res.precision in concrete_precisions and res.precision != "vague",
        year_assumed=res.assumed and known,
    )


# A number after "№" is a document number ("Приказ № 2030"), not a year.
_YEAR4_RE = re.compile(r"(№\s*)?(?<!\w)(20\d{2})(?!\d)")
_YEAR2_RE = re.compile(r"(?<![\d.])\d{1,2}([./-])\d{1,2}\1(\d{2})(?!\d)")


def infer_year(texts: Iterable[str]) -> int | None:
    """The year a document is about: its most frequent explicit year (ties: the later one).

    Counts 4-digit years 2000-2099 and the years of dd.mm.yy dates; never falls back to
    today, so re-running a review next year gives the same answer.
    """
    counts: Counter[int] = Counter()
    for text in texts:
        if not isinstance(text, str):
            continue
        counts.update(int(y) for numero, y in _YEAR4_RE.findall(text) if not numero)
        counts.update(2000 + int(m[1]) for m in _YEAR2_RE.findall(text))
    if not counts:
        return None
    return max(counts, key=lambda y: (counts[y], y))
