"""Deployments and their cron schedules built from a deadlines calendar."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.schedule import Stage, crons, deployments, load_calendar, run_dates

ROOT = Path(__file__).resolve().parents[1]


def test_window_before_the_deadline_crosses_a_month() -> None:
    stage = Stage(name="s1", report_date=date(2023, 6, 1), days_before=14, hour=6)
    days = run_dates(stage)
    assert days[0] == date(2023, 5, 18) and days[-1] == date(2023, 6, 1) and len(days) == 15
    assert crons(stage) == ["0 6 " + ",".join(str(d) for d in range(18, 32)) + " 5 *", "0 6 1 6 *"]


def test_every_other_day() -> None:
    stage = Stage(name="s2", report_date=date(2023, 11, 1), days_before=6, every_days=2, hour=7)
    assert crons(stage) == ["0 7 26,28,30 10 *", "0 7 1 11 *"]


def test_deployments_from_the_shipped_calendar(tmp_path: Path) -> None:
    calendar = load_calendar(ROOT / "data" / "calendar.toml")
    deps = deployments(calendar, ROOT / "data" / "sample", tmp_path)
    assert [d.name for d in deps] == ["review-sample-stage-1", "review-sample-stage-2"]
    first = deps[0]
    assert first.parameters["report_date"] == "2023-06-01"
    assert first.parameters["out_dir"].endswith("stage-1")
    assert sorted(s.schedule.cron for s in first.schedules) == sorted(crons(calendar.stage[0]))
