"""The region's tables: who meets each criterion, how K1 is spread, a row per school."""

from __future__ import annotations

from pydantic import BaseModel, Field

from expert_sheet.records import NOT_ASSESSABLE, SchoolSheet


class Stat(BaseModel):
    count: int
    percent: float


class SchoolRow(BaseModel):
    school: str
    folder: str
    k1: int | str | None
    percent: float | None
    total: int | None
    comment: str
    failed: bool = False


class RegionSummary(BaseModel):
    report_date: str
    schools: int
    criteria: dict[str, Stat] = Field(default_factory=dict)
    k1_distribution: dict[str, Stat] = Field(default_factory=dict)
    rows: list[SchoolRow] = Field(default_factory=list)
    failed: list[str] = Field(default_factory=list)
    # Schools with files a tool missing on the machine left unread: reviewed, yet not in full.
    incomplete: list[str] = Field(default_factory=list)
    # Files in the export's top folder, in no school's folder: not reviewed.
    outside_schools: list[str] = Field(default_factory=list)


def _stat(count: int, whole: int) -> Stat:
    return Stat(count=count, percent=round(100 * count / whole, 1) if whole else 0.0)


def summarize(sheets: list[SchoolSheet], report_date: str) -> RegionSummary:
    """Percentages are over the schools that were reviewed; failed schools are listed apart."""
    done = [s for s in sheets if not s.failed]
    n = len(done)
    summary = RegionSummary(report_date=report_date, schools=n)
    for key in ("K2", "K3", "K4", "K5", "K6"):
        summary.criteria[key] = _stat(sum(1 for s in done if s.scores.get(key) == 1), n)
    for key in ("3", "2", "1", "0", NOT_ASSESSABLE):
        count = sum(1 for s in done if str(s.scores.get("K1")) == key)
        summary.k1_distribution[key] = _stat(count, n)
    for s in sheets:
        summary.rows.append(
            SchoolRow(
                school=s.school,
                folder=s.folder,
                k1=None if s.failed else s.scores.get("K1"),
                percent=s.percent,
                total=None if s.failed else s.total,
                comment=_comment(s),
                failed=s.failed,
            )
        )
        if s.failed:
            summary.failed.append(s.folder)
        elif s.setup_problems:
            summary.incomplete.append(s.folder)
    return summary


def _comment(sheet: SchoolSheet) -> str:
    """The one line an expert would write in the region table."""
    if sheet.failed:
        return "не обработано: " + "; ".join(e.reason for e in sheet.errors[:2])
    parts = [sheet.reasons.get("K1", "")]
    if sheet.off_plan:
        parts.append(f"вне плана: {len(sheet.off_plan)} док.")
    if sheet.errors:
        parts.append(f"не читаются: {len(sheet.errors)} файл(ов)")
    if sheet.setup_problems:
        parts.append(
            f"не прочитано без программ на машине (tesseract, LibreOffice): "
            f"{len(sheet.setup_problems)} файл(ов), будут прочитаны при следующем запуске"
        )
    return "; ".join(p for p in parts if p)
