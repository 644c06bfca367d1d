"""The review database on a real PostgreSQL server, started on loopback for this test by
scripts/test-postgres.sh (which installs Debian's postgresql when it is missing). Skipped only
when the server cannot be installed or started, with the reason."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from review_db.agreement import agreement
from review_db.corrections import import_sheet
from review_db.db import current_revision, head_revision, open_engine, session_scope
from review_db.models import Correction, ImportRow, Run
from review_db.runs import record_run
from tests.test_review_db import REPORT, edit, write_run

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "test-postgres.sh"


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    # Not under pytest's tmp_path: as root, the server runs as `postgres`, which must be able
    # to reach its data folder.
    folder = Path(tempfile.mkdtemp(prefix="evidence-review-pg-"))
    started = subprocess.run(
        ["bash", str(SCRIPT), "start", str(folder)], capture_output=True, text=True, timeout=600
    )
    if started.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"no PostgreSQL server: {started.stderr.strip()[-500:]}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(folder)], capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


def test_migration_and_an_import_round_trip_on_postgresql(
    postgres_url: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from pipelines.cli import main
    from review_db.models import Base

    engine = open_engine(postgres_url)
    assert engine.dialect.name == "postgresql"
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []

    region, out = write_run(tmp_path)
    run_id = record_run(engine, region, out, REPORT)
    good = edit(
        out / "A" / "sheet.xlsx",
        {("Экспертный лист", "E7"): 1, ("Мероприятия", "F4"): "Справка.docx; Приказ.pdf"},
    )
    assert import_sheet(engine, good, "Иванова").stored == 2
    assert import_sheet(engine, good, "Иванова").status == "unchanged"
    bad = edit(out / "B" / "sheet.xlsx", {("Экспертный лист", "E7"): 1, ("Документы", "H3"): "x"})
    assert import_sheet(engine, bad, "Иванова").status == "rejected"
    with session_scope(engine) as s:
        assert s.get(Run, run_id).settings["k1"]["bands"] == [25, 50, 75]  # JSON round trip
        assert s.scalar(select(func.count()).select_from(ImportRow)) == 1
        docs = s.scalars(select(Correction.value).where(Correction.kind == "item_documents"))
        assert docs.all() == [["Приказ.pdf", "Справка.docx"]]
    assert agreement(engine)["criteria"]["K1"]["agree"] == 0

    # The CLI reaches the same server through EVIDENCE_REVIEW_DB.
    monkeypatch.setenv("EVIDENCE_REVIEW_DB", postgres_url)
    assert main(["agreement", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sheets"] == 1
