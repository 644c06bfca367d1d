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
    # The flow that unpacks the schools' ZIPs first, as the CLI does (below).
    assert {d.flow_name for d in deps} == {"review-export"}
    first = deps[0]
    assert first.parameters["report_date"] == "2023-06-01"
    assert first.parameters["out_dir"].endswith("stage-1")
    assert sorted(s.schedule.cron for s in first.schedules) == sorted(crons(calendar.stage[0]))


def test_serve_refuses_an_output_folder_it_cannot_make(tmp_path: Path, capsys) -> None:
    from pipelines import cli

    a_file = tmp_path / "файл"
    a_file.write_text("x", encoding="utf-8")
    calendar = str(ROOT / "data" / "calendar.toml")
    argv = ["serve", "--region", str(ROOT / "data" / "sample"), "--calendar", calendar]
    assert cli.main([*argv, "--out", str(a_file / "out"), "--dry-run"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert err == f"evidence-review: cannot write the folder {a_file / 'out'}: {a_file} is a " + (
        "file, not a folder"
    )


def test_a_region_named_with_what_prefect_refuses_in_names_still_deploys(tmp_path: Path) -> None:
    region = tmp_path / "Республика 50% & Co"
    region.mkdir()
    calendar = load_calendar(ROOT / "data" / "calendar.toml")
    deps = deployments(calendar, region, tmp_path / "out")
    assert [d.name for d in deps] == [
        "review-Республика 50- - Co-stage-1",
        "review-Республика 50- - Co-stage-2",
    ]
    assert deps[0].parameters["region_dir"] == str(region)  # the folder itself, unchanged


def test_an_unusable_calendar_or_rubric_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    """Checked before anything starts, each with the file and what is wrong in it."""
    from pipelines import cli

    sample = str(Path(__file__).resolve().parents[1] / "data" / "sample")
    cases = {
        "missing.toml": (None, "No such file or directory"),
        "bad-toml.toml": ("[[stage]\n", "not valid TOML"),
        "bad-date.toml": ('[[stage]]\nname = "a"\nreport_date = "2023-13-01"\n', "report_date"),
        "bad-hour.toml": (
            '[[stage]]\nname = "a"\nreport_date = 2023-06-01\nhour = 25\n',
            "stage.0.hour: Input should be less than or equal to 23",
        ),
        "no-stage.toml": ("stage = []\n", "stage: List should have at least 1 item"),
        # A stage's name names its output folder: "../x" would write outside `--out`.
        "bad-name.toml": (
            '[[stage]]\nname = "../x"\nreport_date = 2023-06-01\n',
            "stage.0.name: Value error, a stage's name names its output folder",
        ),
        "dots-name.toml": ('[[stage]]\nname = ".."\nreport_date = 2023-06-01\n', "not '.' or '..'"),
    }
    for name, (text, said) in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
        argv = ["serve", "--region", sample, "--calendar", str(path), "--out", "o"]
        assert cli.main([*argv, "--dry-run"]) == cli.EXIT_USAGE, name
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"evidence-review: calendar: {path}: ") and said in err, err
        assert "\n" not in err
    rubric = tmp_path / "rubric.toml"
    rubric.write_text("k1 = 5\n", encoding="utf-8")
    out = tmp_path / "out"
    argv = ["review", sample, "--out", str(out), "--report-date", "2022-06-01"]
    assert cli.main([*argv, "--settings", str(rubric)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert err == f"evidence-review: settings: {rubric}: k1: Input should be a valid " + (
        "dictionary or instance of K1Settings"
    )
    assert not out.exists()  # refused before anything was written
    good = Path(__file__).resolve().parents[1] / "data" / "calendar.toml"
    argv = ["serve", "--region", sample, "--calendar", str(good), "--out", "o"]
    assert cli.main([*argv, "--settings", str(rubric), "--dry-run"]) == cli.EXIT_USAGE


def test_a_scheduled_run_unpacks_the_schools_zip_and_rar_uploads(
    prefect_harness, tmp_path: Path
) -> None:
    """Before s20 a deployment reviewed the export as it was: a school's ZIP was an error
    record saying archives are unpacked, and the documents in it were never reviewed."""
    import json
    import zipfile

    from pipelines.review import review_export
    from tests.builders import copy_sample
    from tests.rar import make_rar5

    region = copy_sample(tmp_path / "region", ["school_04_polyanskaya"])
    school = region / "school_04_polyanskaya"
    upload, other = [p for p in sorted(school.iterdir()) if p.suffix == ".pdf"][:2]
    with zipfile.ZipFile(school / "загрузка.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(upload, "вложение.pdf")
    upload.unlink()  # the document is in the ZIP alone
    # And one in a RAR (before s21, one error record, its documents unread).
    make_rar5(school / "документы.rar", {"Папка/справка.pdf": other.read_bytes()})
    other.unlink()
    # A member the review refuses to unpack: the sheet says so (before s20, stderr alone).
    with zipfile.ZipFile(school / "плохой.zip", "w") as zf:
        zf.writestr("../вне.txt", "Справка")
    out = tmp_path / "out"

    summary = review_export(region, out, date(2022, 6, 1), workers=1)

    assert summary.failed == []
    sheet = json.loads((out / school.name / "sheet.json").read_text(encoding="utf-8"))
    readable = {d["file"] for d in sheet["documents"] if d["readable"]}
    assert {"загрузка/вложение.pdf", "документы/Папка/справка.pdf"} <= readable
    outside = "a path outside the archive"
    assert sheet["errors"] == [
        {"file": "плохой.zip/../вне.txt", "stage": "archive", "reason": outside}
    ]
    assert (school / "загрузка.zip").is_file()  # the export itself is left as it was
