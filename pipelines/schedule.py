"""Review schedules from a deadlines calendar: run often in the days before each FIOKO date.

A calendar is TOML, one table per stage:

    [[stage]]
    name = "stage-1"            # shown in the deployment's name
    report_date = "2023-06-01"  # the review's report date, passed to the flow
    days_before = 14            # start this many days before it
    hour = 6                    # local hour of the run
    every_days = 1              # 1: daily; 2: every other day ...

Cron has no years, so a window is written as one cron per month it touches; the report date
itself is a parameter of the deployment and changes with the calendar each year.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

from expert_sheet.settings import load_toml

# Prefect refuses these in a deployment's name; a slash or a backslash would also make the
# stage's output folder (`--out`/NAME) a path of several folders, or one outside `--out`.
_NOT_IN_NAMES = "/\\%&<>"


class Stage(BaseModel):
    name: str = Field(min_length=1)
    report_date: date
    # A window longer than a year would list every day of a month twice in one cron.
    days_before: int = Field(default=14, ge=0, le=365)
    hour: int = Field(default=6, ge=0, le=23)
    every_days: int = Field(default=1, ge=1)

    @field_validator("name")
    @classmethod
    def _one_folder_name(cls, name: str) -> str:
        if any(ch in name for ch in _NOT_IN_NAMES) or name.strip(".") == "":
            raise ValueError(
                "a stage's name names its output folder and its deployment: not '.' or "
                "'..', and none of / \\ % & < >"
            )
        return name


class Calendar(BaseModel):
    stage: list[Stage] = Field(min_length=1)


def load_calendar(path: Path) -> Calendar:
    """The calendar at `path`; `expert_sheet.settings.SettingsError` when it is unusable."""
    return load_toml(path, Calendar)


def run_dates(stage: Stage) -> list[date]:
    """Every day a review runs: from `days_before` days ahead up to the report date."""
    first = stage.report_date - timedelta(days=stage.days_before)
    n = (stage.report_date - first).days
    return [first + timedelta(days=k) for k in range(0, n + 1, stage.every_days)]


def crons(stage: Stage) -> list[str]:
    """One cron per month of the window, listing its days: "0 6 18,19,...,31 5 *"."""
    by_month: dict[int, list[int]] = {}
    for day in run_dates(stage):
        by_month.setdefault(day.month, []).append(day.day)
    return [
        f"0 {stage.hour} {','.join(map(str, days))} {month} *" for month, days in by_month.items()
    ]


def deployment_name(region: Path, stage: Stage) -> str:
    """ "review-REGION-STAGE", with what Prefect refuses in a name ("Регион 50%") made a dash:
    before s20 such a region's folder stopped `serve` with a traceback."""
    region_name = "".join("-" if ch in _NOT_IN_NAMES else ch for ch in region.name)
    return f"review-{region_name}-{stage.name}"


def deployments(calendar: Calendar, region: Path, out: Path, settings: Path | None = None):
    """One deployment per stage of the calendar; `prefect.serve` runs them."""
    from pipelines.review import review_export

    return [
        review_export.to_deployment(
            name=deployment_name(region, stage),
            cron=crons(stage),
            parameters={
                "region_dir": str(region),
                "out_dir": str(out / stage.name),
                "report_date": stage.report_date.isoformat(),
                "settings_path": str(settings) if settings else None,
            },
            description=f"Draft expert sheets for {region.name}, report date "
            f"{stage.report_date:%d.%m.%Y}",
            tags=["evidence-review", stage.name],
        )
        for stage in calendar.stage
    ]
