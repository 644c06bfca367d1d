"""Benchmark of deadline parsing on the held-out hand-labelled set.

Run from the repository root:

    .venv/bin/python bench/dates.py            # table, overall figures, our errors
    .venv/bin/python bench/dates.py --quiet    # without the list of our errors

Systems compared on every string of ``data/labelled/deadlines.jsonl``:

* ours       -- ``extractors.deadlines.parse_deadline(text, year)``;
* natasha    -- ``natasha.DatesExtractor``: one match gives that date as an interval (a missing
  day means the whole month, a missing month the whole year, a missing year the context year);
  two or more matches give the first as start and the last as end; none gives null/null;
* dateparser -- ``dateparser.search.search_dates(text, languages=["ru"])`` run twice, with
  PREFER_DAY_OF_MONTH "first" (for the start) and "last" (for the end), RELATIVE_BASE on
  January 1 of the context year (or a fixed 2000-01-01 when there is none), so the result does
  not depend on today; one match gives that day, two or more a range, none null/null.

Neither baseline states a precision, so their "exact" column compares start and end only (marked
with * in the table). Ours must match start, end and precision. The start/end-only accuracy is
printed for all three systems as well. Nothing here uses the network.
"""

from __future__ import annotations

import argparse
import calendar
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = ROOT / "data" / "labelled" / "deadlines.jsonl"
TARGET = 0.97
CLASSES = ("day", "month", "quarter", "half_year", "year", "vague")
FALLBACK_BASE = datetime(2000, 1, 1)


@dataclass(frozen=True)
class Case:
    text: str
    year: int | None
    start: date | None
    end: date | None
    precision: str


@dataclass(frozen=True)
class Result:
    start: date | None
    end: date | None
    precision: str | None  # None: the system states no precision
    error: str | None = None


@dataclass
class System:
    name: str
    run: Callable[[str, int | None], Result]
    has_precision: bool
    results: list[Result]
    seconds: float = 0.0
    note: str = ""


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load_cases(path: Path = DATA) -> list[Case]:
    cases = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            cases.append(
                Case(
                    text=row["text"],
                    year=row["year"],
                    start=_date(row["start"]),
                    end=_date(row["end"]),
                    precision=row["precision"],
                )
            )
    return cases


# ---------------------------------------------------------------- ours


def make_ours() -> Callable[[str, int | None], Result] | None:
    try:
        from extractors.deadlines import parse_deadline
    except ImportError as exc:  # the module may not exist yet
        print(f"ours: extractors.deadlines not importable ({exc}); skipped")
        return None

    def run(text: str, year: int | None) -> Result:
        try:
            d = parse_deadline(text, year)
        except Exception as exc:
            return Result(None, None, None, error=f"{type(exc).__name__}: {exc}")
        return Result(d.start, d.end, d.precision)

    return run


# ---------------------------------------------------------------- natasha


def make_natasha() -> Callable[[str, int | None], Result]:
    from natasha import DatesExtractor, MorphVocab

    extractor = DatesExtractor(MorphVocab())  # loaded once

    def interval(fact, ctx_year: int | None) -> tuple[date, date] | None:
        year = fact.year if fact.year is not None else ctx_year
        if year is None:
            return None
        try:
            if fact.month is None:
                return date(year, 1, 1), date(year, 12, 31)
            if fact.day is None:
                last = calendar.monthrange(year, fact.month)[1]
                return date(year, fact.month, 1), date(year, fact.month, last)
            day = date(year, fact.month, fact.day)
        except ValueError:
            return None
        return day, day

    def run(text: str, year: int | None) -> Result:
        spans = [iv for m in extractor(text) if (iv := interval(m.fact, year))]
        if not spans:
            return Result(None, None, None)
        return Result(spans[0][0], spans[-1][1], None)

    return run


# ---------------------------------------------------------------- dateparser


def make_dateparser() -> Callable[[str, int | None], Result]:
    from dateparser.search import search_dates

    def settings(prefer: str, year: int | None) -> dict:
        return {
            "PREFER_DAY_OF_MONTH": prefer,
            "RELATIVE_BASE": datetime(year, 1, 1) if year else FALLBACK_BASE,
            "DATE_ORDER": "DMY",
            "RETURN_AS_TIMEZONE_AWARE": False,
        }

    def run(text: str, year: int | None) -> Result:
        try:
            first = search_dates(text, languages=["ru"], settings=settings("first", year)) or []
            last = search_dates(text, languages=["ru"], settings=settings("last", year)) or []
        except Exception as exc:
            return Result(None, None, None, error=f"{type(exc).__name__}: {exc}")
        if not first:
            return Result(None, None, None)
        start = first[0][1].date()
        end = (last or first)[-1][1].date()
        return Result(start, end, None)

    return run


# ---------------------------------------------------------------- scoring


def same_interval(case: Case, res: Result) -> bool:
    return case.start == res.start and case.end == res.end


def exact(case: Case, res: Result, has_precision: bool) -> bool:
    if not has_precision:
        return same_interval(case, res)
    return same_interval(case, res) and case.precision == res.precision


def pct(hits: int, total: int) -> str:
    return f"{100.0 * hits / total:5.1f}%" if total else "   - "


def fmt(start: date | None, end: date | None, precision: str | None) -> str:
    s = start.isoformat() if start else "null"
    e = end.isoformat() if end else "null"
    return f"{s}..{e} {precision if precision is not None else '-'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--quiet", action="store_true", help="do not list our errors")
    args = parser.parse_args(argv)

    cases = load_cases(args.data)
    systems: list[System] = []
    for name, factory, has_prec in (
        ("ours", make_ours, True),
        ("natasha", make_natasha, False),
        ("dateparser", make_dateparser, False),
    ):
        t0 = time.perf_counter()
        run = factory()
        load = time.perf_counter() - t0
        if run is None:
            continue
        sysm = System(name, run, has_prec, [], note=f"load {load:.2f}s")
        t0 = time.perf_counter()
        sysm.results = [run(c.text, c.year) for c in cases]
        sysm.seconds = time.perf_counter() - t0
        systems.append(sysm)

    counts = {p: sum(c.precision == p for c in cases) for p in CLASSES}
    shown = args.data.relative_to(ROOT) if args.data.is_relative_to(ROOT) else args.data
    print(f"Held-out set: {shown}")
    print(f"{len(cases)} strings: " + ", ".join(f"{p} {n}" for p, n in counts.items()))
    print()
    print("exact = start, end AND precision equal; * = the system states no precision,")
    print("        so its exact column compares start and end only (same as s/e).")
    print("s/e   = start and end equal, precision ignored.")
    print()

    head = f"{'class':<10} {'n':>4} |"
    for s in systems:
        star = "" if s.has_precision else "*"
        head += f" {s.name + ' exact' + star:>18} {s.name + ' s/e':>16} |"
    print(head)
    print("-" * len(head))
    groups = [(p, [i for i, c in enumerate(cases) if c.precision == p]) for p in CLASSES]
    groups.append(("ALL", list(range(len(cases)))))
    overall: dict[str, tuple[float, float]] = {}
    for label, idx in groups:
        line = f"{label:<10} {len(idx):>4} |"
        for s in systems:
            ex = sum(exact(cases[i], s.results[i], s.has_precision) for i in idx)
            se = sum(same_interval(cases[i], s.results[i]) for i in idx)
            line += f" {pct(ex, len(idx)):>18} {pct(se, len(idx)):>16} |"
            if label == "ALL":
                overall[s.name] = (ex / len(idx), se / len(idx))
        if label == "ALL":
            print("-" * len(head))
        print(line)
    print()
    for s in systems:
        errs = sum(r.error is not None for r in s.results)
        print(
            f"wall time {s.name:<10} {s.seconds:6.2f}s for {len(cases)} strings "
            f"({s.note}; exceptions: {errs})"
        )

    ours = next((s for s in systems if s.name == "ours"), None)
    if ours and not args.quiet:
        wrong = [(c, r) for c, r in zip(cases, ours.results, strict=True) if not exact(c, r, True)]
        print()
        print(f"ours got {len(wrong)} wrong:")
        for c, r in wrong:
            got = r.error if r.error else fmt(r.start, r.end, r.precision)
            print(f"  {c.text!r} (year={c.year})")
            print(f"      expected {fmt(c.start, c.end, c.precision)}")
            print(f"      got      {got}")

    print()
    for s in systems:
        ex, se = overall[s.name]
        star = "" if s.has_precision else " (start/end only, no precision)"
        print(f"OVERALL {s.name:<10} exact {100 * ex:5.1f}%{star}   start/end {100 * se:5.1f}%")
    if ours is None:
        print("ours: not available (extractors.deadlines missing); target not assessed")
        return 1
    ours_ex = overall["ours"][0]
    base_best = max((overall[s.name][0] for s in systems if s.name != "ours"), default=0.0)
    meets = ours_ex >= TARGET
    beats = all(ours_ex > overall[s.name][0] for s in systems if s.name != "ours")
    print(
        f"ours exact {100 * ours_ex:.1f}% vs target {100 * TARGET:.0f}%: "
        f"{'MEETS' if meets else 'BELOW'} target; "
        f"{'beats' if beats else 'does NOT beat'} both baselines "
        f"(best baseline {100 * base_best:.1f}%)"
    )
    return 0 if meets and beats else 1


if __name__ == "__main__":
    sys.exit(main())
