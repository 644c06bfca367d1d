"""Faults at scale: a failing school, a run killed half-way and started again, the Dask runner."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from tests.builders import copy_sample

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
REPORT = date(2022, 6, 1)


def test_failing_school_is_marked_and_the_run_is_partial(
    prefect_harness, tmp_path: Path, monkeypatch, capsys
) -> None:
    import pipelines.review as review
    from pipelines import cli

    region = copy_sample(tmp_path / "region", ["school_01_sosnovskaya", "school_04_polyanskaya"])
    real = review.stages.review_school

    def scoring(folder, *args, **kwargs):
        if folder.name == "school_04_polyanskaya":
            raise ValueError("roadmap table is corrupt")
        return real(folder, *args, **kwargs)

    monkeypatch.setattr(review.stages, "review_school", scoring)
    out = tmp_path / "out"
    # --workers 1 keeps the schools in this process, where the patched stage is.
    args = ["review", str(region), "--out", str(out), "--report-date", "2022-06-01", "--json"]
    code = cli.main([*args, "--workers", "1"])
    assert code == cli.EXIT_PARTIAL == 3
    assert "partial: 1 school(s) failed: school_04_polyanskaya" in capsys.readouterr().err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows = {r["folder"]: r for r in summary["rows"]}
    assert summary["failed"] == ["school_04_polyanskaya"]
    assert rows["school_04_polyanskaya"]["failed"] is True
    assert "roadmap table is corrupt" in rows["school_04_polyanskaya"]["comment"]
    assert rows["school_01_sosnovskaya"]["failed"] is False
    assert rows["school_01_sosnovskaya"]["total"] is not None
    assert summary["schools"] == 1
    # The failed school is not marked finished, so the next run tries it again ...
    assert (out / "school_01_sosnovskaya" / review.DONE_MARK).exists()
    assert not (out / "school_04_polyanskaya" / review.DONE_MARK).exists()
    # ... and once it is fixed, only it is reviewed; the run is complete.
    monkeypatch.setattr(review.stages, "review_school", real)
    reviewed: list[str] = []
    real_flow = review.review_school

    def counting(folder, *args, **kwargs):
        reviewed.append(folder.name)
        return real_flow(folder, *args, **kwargs)

    monkeypatch.setattr(review, "review_school", counting)
    code = cli.main([*args, "--workers", "1"])
    assert code == cli.EXIT_OK
    assert reviewed == ["school_04_polyanskaya"]


def test_a_deployments_run_with_an_unusable_rubric_fails_once_before_any_school(
    prefect_harness, tmp_path: Path
) -> None:
    """A scheduled run has no CLI in front of it: the flow itself refuses the rubric."""
    import pipelines.review as review
    from expert_sheet.settings import SettingsError

    region = copy_sample(tmp_path / "region", ["school_04_polyanskaya"])
    rubric = tmp_path / "rubric.toml"
    rubric.write_text("[k4]\nmin_share = 'all'\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(SettingsError, match=r"k4\.min_share"):
        review.review_region(region, out, REPORT, settings_path=rubric)
    assert not (out / "school_04_polyanskaya").exists()


def test_finished_schools_are_reused_until_an_input_changes(
    prefect_harness, tmp_path: Path, extract_calls: list[str]
) -> None:
    import pipelines.review as review

    region = copy_sample(tmp_path / "region", ["school_01_sosnovskaya", "school_04_polyanskaya"])
    out = tmp_path / "out"
    first = review.review_region(region, out, REPORT)  # on worker processes
    calls = extract_calls
    calls.clear()  # only the second run counts
    progress: list[tuple[str, int]] = []
    review.set_progress(lambda kind, n: progress.append((kind, n)))
    try:
        again = review.review_region(region, out, REPORT, workers=1)
    finally:
        review.set_progress(None)
    assert calls == []
    # The CLI's bar is fed the files and schools done, finished-earlier ones included.
    n_files = sum(1 for p in region.rglob("*") if p.is_file())
    assert sum(n for kind, n in progress if kind == "file") == n_files
    assert sum(n for kind, n in progress if kind == "school") == 2
    assert again.model_dump() == first.model_dump()
    # Another report date is another review: every school is scored again (from the cache).
    review.review_region(region, out, date(2022, 11, 1), workers=1)
    assert calls == []
    sheet = json.loads((out / "school_01_sosnovskaya" / "sheet.json").read_text("utf-8"))
    assert sheet["report_date"] == "2022-11-01"


def test_unchanged_files_are_not_hashed_again_but_a_rewrite_is_caught(
    prefect_harness, tmp_path: Path, monkeypatch
) -> None:
    import os

    import pipelines.review as review

    region = copy_sample(tmp_path / "region", ["school_04_polyanskaya"])
    school = region / "school_04_polyanskaya"
    out = tmp_path / "out"
    review.review_region(region, out, REPORT, workers=1)
    hashed: list[str] = []
    reviewed: list[str] = []
    real_key, real_review = review.review_key, review.review_school

    def counting_key(folder, *args, **kwargs):
        hashed.append(folder.name)
        return real_key(folder, *args, **kwargs)

    def counting_review(folder, *args, **kwargs):
        reviewed.append(folder.name)
        return real_review(folder, *args, **kwargs)

    monkeypatch.setattr(review, "review_key", counting_key)
    monkeypatch.setattr(review, "review_school", counting_review)
    # Nothing touched: the school is taken over without reading its files.
    review.review_region(region, out, REPORT, workers=1)
    assert hashed == [] and reviewed == []
    # Touched but the same content: hashed, found unchanged, not reviewed.
    victim = next(school.glob("Договор*"))
    os.utime(victim)
    review.review_region(region, out, REPORT, workers=1)
    assert hashed == ["school_04_polyanskaya"] and reviewed == []
    # Rewritten with other bytes of the same size and its old modification time put back
    # (as `cp -p` does): the status-change time still moved, so it is hashed and reviewed.
    hashed.clear()
    before = victim.stat()
    data = bytearray(victim.read_bytes())
    data[-1] ^= 0x01
    victim.write_bytes(bytes(data))
    os.utime(victim, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert victim.stat().st_size == before.st_size
    review.review_region(region, out, REPORT, workers=1)
    assert hashed == ["school_04_polyanskaya"] and reviewed == ["school_04_polyanskaya"]


def _cli_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a CLI run in these tests: a Prefect home of the test's own (its
    database survives a kill, as it would for a user) and not the developer's, time for a
    loaded machine to start the temporary server, and a temporary folder of the test's own
    (a killed run cannot remove its workers' notes, see `pipelines.pool.WorkerPool`)."""
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return {
        **os.environ,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "TMPDIR": str(tmp_path / "tmp"),
    }


def _finished(out: Path) -> dict[str, int]:
    """Schools finished so far, with the time their sheet was written."""
    return {
        mark.parent.name: (mark.parent / "sheet.json").stat().st_mtime_ns
        for mark in out.glob("*/.review-key")
    }


def test_killed_run_resumes_without_redoing_finished_schools(tmp_path: Path) -> None:
    region = copy_sample(tmp_path / "region")
    # Twelve schools, the sample's six twice: with schools finishing two at a time on two
    # workers, six left too narrow a window between "one finished" and "all finished" for
    # the poll below on a loaded machine.
    for folder in sorted(region.iterdir()):
        shutil.copytree(folder, region / f"copy_{folder.name}")
    schools = sorted(p.name for p in region.iterdir())
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "pipelines.cli",
        "review",
        str(region),
        "--out",
        str(out),
        "--report-date",
        "2022-06-01",
        "--json",
    ]
    env = _cli_env(tmp_path)
    # Its own process group, so that the kill also takes its temporary Prefect server.
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 420
        while not _finished(out):
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no school finished in time"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    done_before = _finished(out)
    assert 1 <= len(done_before) < len(schools), "the kill came too late to test resuming"
    assert not (out / "summary.json").exists()

    rerun = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    summary = json.loads(rerun.stdout[rerun.stdout.index("{") :])
    assert sorted(r["folder"] for r in summary["rows"]) == schools
    assert summary["failed"] == []
    after = _finished(out)
    assert sorted(after) == schools
    # The schools finished before the kill were not reviewed again: their sheets are the
    # very files the first run wrote, and the run says it took them over.
    for name, written in done_before.items():
        assert after[name] == written, name
    assert f"{len(done_before)} school(s) finished by an earlier run" in rerun.stderr
    for name in set(schools) - set(done_before):
        assert f"'school-{name}'" in rerun.stderr
    for name in done_before:
        assert f"'school-{name}'" not in rerun.stderr


def test_a_second_review_of_the_same_output_is_refused_while_the_first_holds_it(
    prefect_harness, tmp_path: Path, capsys
) -> None:
    """A scheduled run and an operator's own run on one output: the second is refused with
    who holds it, writes nothing, and the output is free again once the holder is gone."""
    import pipelines.review as review
    from pipelines import cli
    from pipelines.output_lock import LOCK_FILE, OutputBusy, output_lock

    region = copy_sample(tmp_path / "region", ["school_04_polyanskaya"])
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from pipelines.output_lock import output_lock\n"
            "with output_lock(Path(sys.argv[1])):\n"
            "    print('held', flush=True); sys.stdin.read()",
            str(out),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        args = ["review", str(region), "--out", str(out), "--report-date", "2022-06-01"]
        assert cli.main([*args, "--workers", "1"]) == cli.EXIT_BUSY == 4
        err = capsys.readouterr().err
        assert "another review is writing to" in err and f"pid {holder.pid}" in err
        with pytest.raises(OutputBusy):
            review.review_region(region, out, REPORT, workers=1)
        assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE]
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    with output_lock(out):
        pass


def test_an_unreachable_prefect_server_or_dask_scheduler_stops_the_run_before_any_school(
    tmp_path: Path, capsys
) -> None:
    """PREFECT_API_URL naming a server that is down: one line saying so, exit 2, and no
    school reviewed (the workers were handed every school before the flow run failed).
    A Dask scheduler that is down cost 30 s and a traceback before."""
    import socket

    from prefect.settings import PREFECT_API_URL, temporary_settings

    from pipelines import cli
    from pipelines.output_lock import LOCK_FILE

    region = copy_sample(tmp_path / "region", ["school_01_sosnovskaya", "school_04_polyanskaya"])
    out = tmp_path / "out"
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    args = ["review", str(region), "--out", str(out), "--report-date", "2022-06-01"]
    with temporary_settings(updates={PREFECT_API_URL: url}):
        assert cli.main(args) == cli.EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and f"the Prefect API at {url}" in err
    assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE]
    # The same for a Dask scheduler that is down, or an address that is none.
    for address, said in (
        (f"tcp://127.0.0.1:{port}", "does not answer (ConnectionRefusedError)"),
        (f"127.0.0.1:{port}", "is not a Dask scheduler address"),
    ):
        assert cli.main([*args, "--dask-address", address]) == cli.EXIT_USAGE
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and address in err and said in err, err
        assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE]


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_a_worker_killed_reading_a_file_costs_the_run_that_file_only(tmp_path: Path) -> None:
    """A worker process that dies reading a file (a segfault in a native library, the
    out-of-memory killer; here SIGKILL from the test) costs the run that file, recorded as
    unreadable in its school's sheet, and nothing else. A plain process pool broke at the
    first death and failed every school not yet reviewed."""
    import psutil

    from tests.builders import rasterise

    region = copy_sample(tmp_path / "region")
    school = region / "school_03_kedrovskaya"
    # The only scan of the region: while OCR reads it, its worker waits for tesseract, the
    # one tesseract of the run reading a page (`--psm`; the fork server asks another one
    # its version), whose parent is therefore the worker to kill.
    scan = rasterise(school / "Положение о ПОС.pdf", school / "Скан положения.jpg", pages=[0])
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipelines.cli", "review", str(region), "--out", str(out)]
    args = [*cmd, "--report-date", "2022-06-01", "--workers", "2", "--json"]
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env=_cli_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    killed = None
    try:
        deadline = time.monotonic() + 420
        while killed is None:
            assert proc.poll() is None, "the run ended before its scan was read"
            assert time.monotonic() < deadline, "the scan was not read in time"
            for child in psutil.Process(proc.pid).children(recursive=True):
                try:
                    if child.name().startswith("tesseract") and "--psm" in child.cmdline():
                        killed = child.parent()
                        killed.send_signal(signal.SIGKILL)
                        break
                except psutil.Error:  # gone meanwhile
                    continue
            time.sleep(0.02)
        stdout, stderr = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == 0, stderr[-3000:]
    assert "killed by SIGKILL" in stderr
    summary = json.loads(stdout[stdout.index("{") :])
    assert summary["failed"] == []
    assert sorted(r["folder"] for r in summary["rows"]) == sorted(p.name for p in region.iterdir())
    errors = {}
    for sheet in out.glob("*/sheet.json"):
        for error in json.loads(sheet.read_text(encoding="utf-8"))["errors"]:
            errors[(sheet.parent.name, error["file"])] = error["reason"]
    died = {k: v for k, v in errors.items() if "ended the process reading it" in v}
    assert list(died) == [(school.name, scan.name)], errors
    assert "killed by SIGKILL" in died[(school.name, scan.name)]


def test_cli_run_leaves_every_school_recorded_in_its_temporary_server(tmp_path: Path) -> None:
    """The CLI has its temporary Prefect server write task runs in batches and keep no
    events (`pipelines.prefect_env`): when the run ends, each school's task run must still
    be in the server's database, completed, beside its sheet's artifact, the region's table
    and the run's logs."""
    import sqlite3

    from pipelines.prefect_env import DEFAULTS

    region = copy_sample(tmp_path / "region", ["school_01_sosnovskaya", "school_04_polyanskaya"])
    # Folders named in Russian, as regions name them: each school keeps its own artifact key.
    (region / "school_01_sosnovskaya").rename(region / "Сосновская ООШ")
    (region / "school_04_polyanskaya").rename(region / "Полянская СОШ")
    home = tmp_path / "prefect-home"
    env = {
        **{k: v for k, v in os.environ.items() if k not in DEFAULTS},  # the CLI sets them
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "PREFECT_LOGGING_LEVEL": "INFO",  # Prefect's default: the flow run logs its start
    }
    env.pop("PREFECT_API_URL", None)
    cmd = [sys.executable, "-m", "pipelines.cli", "review", str(region), "--out"]
    run = subprocess.run(
        [*cmd, str(tmp_path / "out"), "--report-date", "2022-06-01", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    with sqlite3.connect(home / "prefect.db") as db:
        (flow_run,) = db.execute("SELECT id FROM flow_run").fetchall()
        tasks = db.execute(
            "SELECT name, state_type FROM task_run WHERE flow_run_id = ?", flow_run
        ).fetchall()
        artifacts = db.execute(
            "SELECT type, key FROM artifact WHERE flow_run_id = ?", flow_run
        ).fetchall()
        logs = db.execute("SELECT message FROM log WHERE flow_run_id = ?", flow_run).fetchall()
    assert any("Beginning flow run" in message for (message,) in logs), logs
    schools = sorted(p.name for p in region.iterdir())
    assert sorted(tasks) == [(f"school-{name}", "COMPLETED") for name in schools]
    assert sorted(kind for kind, _ in artifacts) == ["markdown"] * len(schools) + ["table"]
    keys = sorted(key for _, key in artifacts)
    assert keys[0] == "region-summary"
    assert [k.rsplit("-", 1)[0] for k in keys[1:]] == [
        "sheet-polianskaia-sosh",
        "sheet-sosnovskaia-oosh",
    ]


def test_dask_cluster_gives_the_local_result(prefect_harness, tmp_path: Path) -> None:
    pytest.importorskip("prefect_dask", reason="prefect-dask is not installed")
    distributed = pytest.importorskip("distributed")
    from prefect.settings import PREFECT_API_URL

    import pipelines.review as review

    region = copy_sample(tmp_path / "region", ["school_04_polyanskaya"])
    local = review.review_region(region, tmp_path / "local", REPORT)
    # Each worker would start its own temporary Prefect server unless told the test's one.
    env = {"PREFECT_API_URL": str(PREFECT_API_URL.value()), "PYTHONPATH": str(ROOT)}
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, env=env, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            on_dask = review.review_region(
                region, tmp_path / "dask", REPORT, dask_address=cluster.scheduler_address
            )
            # The files really were read on the workers: their results are in the cache.
            assert len(client.scheduler_info()["workers"]) == 2
    assert on_dask.model_dump() == local.model_dump()
    assert any((tmp_path / "dask" / ".cache").iterdir())
