"""The local multi-core runner and the machine-wide limits on external tools."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from extractors import slots

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
REPORT = date(2022, 6, 1)


def test_worker_processes_give_the_single_process_result(prefect_harness, tmp_path: Path) -> None:
    import pipelines.review as review

    region = tmp_path / "region"
    for name in ("school_01_sosnovskaya", "school_03_kedrovskaya", "school_05_nikolskaya"):
        shutil.copytree(SAMPLE / name, region / name)
    single = review.review_region(region, tmp_path / "one", REPORT, workers=1)
    pooled = review.review_region(region, tmp_path / "two", REPORT, workers=2)
    assert pooled.model_dump() == single.model_dump()
    assert single.schools == 3 and not single.failed
    for name in sorted(p.name for p in region.iterdir()):
        one = _sheet(tmp_path / "one" / name / "sheet.json")
        two = _sheet(tmp_path / "two" / name / "sheet.json")
        assert two == one, name


def test_a_school_alone_is_read_by_every_worker_with_the_same_result(
    prefect_harness, tmp_path: Path
) -> None:
    """One school to review and two workers: its files are read a job each, by both, and
    its sheet is the one a single process writes."""
    import pipelines.review as review

    region = tmp_path / "region"
    shutil.copytree(SAMPLE / "school_03_kedrovskaya", region / "school_03_kedrovskaya")
    assert review._sharing_reading(1, 2, None)
    single = review.review_region(region, tmp_path / "one", REPORT, workers=1)
    pooled = review.review_region(region, tmp_path / "two", REPORT, workers=2)
    assert pooled.model_dump() == single.model_dump() and not single.failed
    one = _sheet(tmp_path / "one" / "school_03_kedrovskaya" / "sheet.json")
    two = _sheet(tmp_path / "two" / "school_03_kedrovskaya" / "sheet.json")
    assert two == one
    files = sum(1 for p in region.rglob("*") if p.is_file())
    kept = list((tmp_path / "two" / ".cache").iterdir())
    assert sum(p.name.startswith("extract-") for p in kept) == files


def _counting_pools(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Count the work pools a review starts: one entry per pool, True when it was started
    inside a flow run (by `review_region`), False before one (by `head_start`)."""
    from prefect.context import FlowRunContext

    import pipelines.review as review

    started: list[bool] = []
    real = review.work_pool

    def counted(*args, **kwargs):
        started.append(FlowRunContext.get() is not None)
        return real(*args, **kwargs)

    monkeypatch.setattr(review, "work_pool", counted)
    return started


def test_the_flow_takes_over_the_work_its_head_start_handed_out(
    prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run_review` (what the CLI runs) hands the schools to the workers before the flow run
    starts, and the flow reviews none of them again: one pool, started outside the flow
    run, and the single process's sheets."""
    import pipelines.review as review

    region = tmp_path / "region"
    for name in ("school_01_sosnovskaya", "school_05_nikolskaya"):
        shutil.copytree(SAMPLE / name, region / name)
    single = review.review_region(region, tmp_path / "one", REPORT, workers=1)
    pools = _counting_pools(monkeypatch)
    pooled = review.run_review(region, tmp_path / "two", REPORT, workers=2)
    assert pools == [False]
    assert pooled.model_dump() == single.model_dump() and not pooled.failed
    for name in sorted(p.name for p in region.iterdir()):
        assert _sheet(tmp_path / "two" / name / "sheet.json") == _sheet(
            tmp_path / "one" / name / "sheet.json"
        ), name
        assert (tmp_path / "two" / name / review.DONE_MARK).is_file()
    # Nothing left to do: no pool at all, and the finished schools are taken over.
    again = review.run_review(region, tmp_path / "two", REPORT, workers=2)
    assert pools == [False] and again.model_dump() == pooled.model_dump()


def test_a_head_start_for_other_arguments_is_left_alone(
    prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flow called in a head start's block with other arguments (another output folder)
    does its own work, whole, and does not take the block's."""
    import pipelines.review as review

    region = tmp_path / "region"
    shutil.copytree(SAMPLE / "school_05_nikolskaya", region / "school_05_nikolskaya")
    pools = _counting_pools(monkeypatch)
    with review.head_start(region, tmp_path / "a", REPORT, workers=2):
        summary = review.review_region(region, tmp_path / "b", REPORT, workers=2)
    assert pools == [False, True]
    assert summary.schools == 1 and not summary.failed
    assert (tmp_path / "b" / "school_05_nikolskaya" / review.DONE_MARK).is_file()
    # The block's own run never came: its work is not marked finished.
    assert not (tmp_path / "a" / "school_05_nikolskaya" / review.DONE_MARK).exists()


def test_reading_is_shared_only_when_workers_would_be_idle(tmp_path: Path) -> None:
    """Fewer schools than workers: each school's files are read by a job each, pictures and
    larger files first, and its review is handed over only once every read has ended, a
    failed read included (the review reads that file again and records its error). A school
    with one file to read, or a run with a school per worker, is one job a school."""
    import threading
    from concurrent.futures import Future

    import pipelines.review as review

    assert review._sharing_reading(1, 2, None)
    assert not review._sharing_reading(2, 2, None)
    assert not review._sharing_reading(1, 2, "tcp://127.0.0.1:8786")  # Dask: no local pool

    class Pool:
        def __init__(self) -> None:
            self.calls: list[tuple] = []
            self.futures: list[Future] = []
            self.submitted = threading.Event()

        def submit(self, fn, *args) -> Future:
            self.calls.append((fn, args))
            future: Future = Future()
            self.futures.append(future)
            if fn is review.review_school:
                self.submitted.set()
            return future

    school, alone = tmp_path / "school", tmp_path / "alone"
    school.mkdir()
    alone.mkdir()
    (school / "small.pdf").write_bytes(b"%PDF-1.4\n" + b"x" * 10)
    (school / "large.pdf").write_bytes(b"%PDF-1.4\n" + b"x" * 5000)
    (school / "scan.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"x" * 100)
    (alone / "one.pdf").write_bytes(b"%PDF-1.4\n")
    files = sorted(school.iterdir())
    rest = (tmp_path / "out", REPORT, None, tmp_path / "cache", "model")
    pool = Pool()
    token, handed = review._work_pool.set(pool), review._handed_out.set({})
    try:
        review._hand_out([school, alone], rest, {school: files, alone: [alone / "one.pdf"]})
        got = review._handed_out.get()
        reads = [args[0].name for fn, args in pool.calls if fn is review.read_file]
        assert reads == ["scan.jpg", "large.pdf", "small.pdf"]
        assert all(args[1:] == (school, tmp_path / "cache") for fn, args in pool.calls[:3])
        # The school with one file to read went straight to review; the other waits.
        assert [args[0] for fn, args in pool.calls if fn is review.review_school] == [alone]
        pool.submitted.clear()
        pool.futures[0].set_result(True)
        pool.futures[1].set_exception(OSError("a worker could not read it"))
        assert not pool.submitted.wait(0.3)  # one read still running: no review yet
        pool.futures[2].set_result(True)
        assert pool.submitted.wait(10)
        fn, args = pool.calls[-1]
        assert fn is review.review_school and args == (school, *rest)
        assert not got[school].done()
        pool.futures[-1].set_result("the sheet")
        assert got[school].result(timeout=10) == "the sheet"
    finally:
        review._handed_out.reset(handed)
        review._work_pool.reset(token)


def _sheet(path: Path) -> dict:
    """The sheet, with the words quoted in each match reason counted, not listed: the matcher
    picks equally weighted shared words in set order, which differs between Python processes
    (string hashing is seeded per process), so two single-process runs differ there too."""
    sheet = json.loads(path.read_text("utf-8"))
    for doc in sheet["documents"]:
        doc["match_reasons"] = {
            item: [
                f"{part.rsplit(': ', 1)[0]}: {len(part.split(', '))} words"
                if part.startswith("совпадают слова")
                else part
                for part in reason.split("; ")
            ]
            for item, reason in doc["match_reasons"].items()
        }
    return sheet


def test_worker_processes_read_only_a_changed_file_again(prefect_harness, tmp_path: Path) -> None:
    import pipelines.review as review

    region = tmp_path / "region"
    shutil.copytree(SAMPLE / "school_04_polyanskaya", region / "school_04_polyanskaya")
    cache = tmp_path / "cache"
    review.review_region(region, tmp_path / "out", REPORT, cache_dir=cache, workers=2)
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    n_files = sum(1 for p in region.rglob("*") if p.is_file())
    sheet = json.loads((tmp_path / "out" / "school_04_polyanskaya" / "sheet.json").read_text())
    n_readable = sum(1 for d in sheet["documents"] if d["readable"])
    # One stored extraction per file and one stored type per readable file, by content.
    assert sum(k.startswith("extract-") for k in before) == n_files
    assert sum(k.startswith("doctype-") for k in before) == n_readable
    assert sum(k.startswith("lemmas-") for k in before) == 1  # the school's texts' lemmas
    # The words the workers learnt, one entry per word memo: their parts were merged.
    assert sorted(k.rsplit("-", 1)[0] for k in before if k.startswith("words-")) == [
        "words-content-lemma",
        "words-known-word",
        "words-word-form",
    ]
    changed = next((region / "school_04_polyanskaya").glob("Договор*"))
    changed.write_bytes(changed.read_bytes() + b"\n%% re-uploaded\n")
    review.review_region(region, tmp_path / "out", REPORT, cache_dir=cache, workers=2)
    after = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    # The changed file was read and typed again (two new entries) and the touched school's
    # lemmas kept anew; no file's entry was written again. Its words were loaded from the
    # kept ones, not learnt again: the words' entries were not rewritten.
    new = sorted(k.split("-", 1)[0] for k in set(after) - set(before))
    assert new == ["doctype", "extract"]
    # (Not counting the empty marks of the versions in use, which each worker renews.)
    rewritten = [
        k.split("-", 1)[0] for k in before if after[k] != before[k] and not k.startswith("live-")
    ]
    assert rewritten == ["lemmas"]


def test_default_runner_uses_every_core() -> None:
    from prefect.task_runners import ThreadPoolTaskRunner

    from extractors.settings import DEFAULT_SETTINGS
    from pipelines.pool import WorkerPool, work_pool
    from pipelines.review import task_runner
    from pipelines.work import record_crash, warm_worker

    # The school tasks wait in threads of the flow's process; the work runs in processes.
    runner = task_runner()
    assert isinstance(runner, ThreadPoolTaskRunner)
    pool = work_pool()
    try:
        if (os.cpu_count() or 1) > 1:
            assert isinstance(pool, WorkerPool)
            assert pool._max_workers == os.cpu_count()
            assert pool._initializer is warm_worker  # models load once per worker process
            # A worker that dies reading a file leaves it recorded as unreadable, and one
            # stuck on a file for twice the per-file budget is stopped.
            assert pool.on_crash is record_crash
            assert pool.stall_after == 2 * DEFAULT_SETTINGS.max_seconds_per_file
        else:
            assert pool is None
    finally:
        if pool is not None:
            pool.shutdown()
    assert work_pool(workers=1) is None  # one worker: the flow's own process
    one = task_runner(workers=1)
    assert isinstance(one, ThreadPoolTaskRunner) and one._max_workers == 1
    # A school queued for each worker while the threads talk to Prefect's API.
    assert task_runner(workers=3)._max_workers == 6


def test_heartbeats_only_where_a_server_can_watch_them() -> None:
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        get_current_settings,
        temporary_settings,
    )

    from pipelines.review import heartbeats_where_watched

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 60}):
        with temporary_settings(updates={PREFECT_API_URL: None}), heartbeats_where_watched():
            assert get_current_settings().flows.heartbeat_frequency is None
        with temporary_settings(updates={PREFECT_API_URL: "http://prefect.example:4200/api"}):
            with heartbeats_where_watched():
                assert get_current_settings().flows.heartbeat_frequency == 60


def test_pool_is_sized_to_the_work_and_its_workers_import_no_prefect() -> None:
    from pipelines.review import work_pool

    pool = work_pool(workers=2, jobs=1)
    assert pool is not None
    try:
        assert pool._max_workers == 1  # one school left: one worker, not one per core
        # The workers run pipelines.work, which leaves Prefect out (1.2-1.7 s of each start);
        # eval is a builtin, so the probe reaches the worker by name, not by value.
        assert pool.submit(eval, "'prefect' in __import__('sys').modules").result() is False
        assert pool.submit(eval, "'pipelines.work' in __import__('sys').modules").result()
        # One thread for NumPy's OpenBLAS (and OpenMP) in each worker: one process per core
        # already, and their own threads made the workers fight for the cores.
        threads = pool.submit(
            eval,
            "[(i['internal_api'], i['num_threads']) for i in "
            "__import__('threadpoolctl').threadpool_info()]",
        ).result()
        assert ("openblas", 1) in threads
        assert all(n == 1 for _, n in threads)
    finally:
        pool.shutdown()


def _hold(tool: str, limit: int, seconds: float, log: str, slot_dir: str) -> None:
    os.environ["EVIDENCE_REVIEW_SLOT_DIR"] = slot_dir
    with slots.tool_slot(tool, limit):
        with open(log, "a") as fh:
            fh.write(f"start {time.monotonic()}\n")
        time.sleep(seconds)
        with open(log, "a") as fh:
            fh.write(f"end {time.monotonic()}\n")


def _most_at_once(log: Path) -> int:
    events = sorted(
        (float(t), 1 if kind == "start" else -1)
        for kind, t in (line.split() for line in log.read_text().splitlines())
    )
    running = most = 0
    for _, step in events:
        running += step
        most = max(most, running)
    return most


def test_tool_slots_limit_concurrency_across_processes(tmp_path: Path) -> None:
    log = tmp_path / "log"
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_hold, args=("tool", 2, 0.6, str(log), str(tmp_path))) for _ in range(5)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert log.read_text().count("end") == 5
    # Never more than two at once, and the two slots were really used side by side.
    assert _most_at_once(log) == 2


def test_a_killed_holder_frees_its_slot(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EVIDENCE_REVIEW_SLOT_DIR", str(tmp_path))
    ctx = multiprocessing.get_context("spawn")
    log = tmp_path / "log"
    holder = ctx.Process(target=_hold, args=("tool", 1, 60, str(log), str(tmp_path)))
    holder.start()
    deadline = time.monotonic() + 60
    while not (log.exists() and "start" in log.read_text()):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    with pytest.raises(TimeoutError):
        with slots.tool_slot("tool", 1, timeout=0.3):
            pass
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(timeout=30)
    with slots.tool_slot("tool", 1, timeout=10) as number:
        assert number == 0


def test_a_crashed_tesseract_is_tried_again_but_a_timeout_is_not(monkeypatch, tmp_path) -> None:
    import tempfile

    from PIL import Image

    from extractors import ocr

    monkeypatch.setattr(slots.time, "sleep", lambda _s: None)
    monkeypatch.setenv("EVIDENCE_REVIEW_SLOT_DIR", str(tmp_path / "slots"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    page = Image.new("L", (40, 30), 255)
    page.putpixel((3, 4), 0)
    calls: list[str] = []
    seen: list[str] = []

    def crash_once(args, timeout, fds):
        calls.append("run")
        seen.append(args[1])
        # Each try reads the page itself from the file named in its command line.
        with Image.open(args[1]) as shown:
            assert shown.mode == "L" and shown.tobytes() == page.tobytes()
        if len(calls) == 1:
            raise ocr._Crashed("tesseract failed: segfault")
        return "tsv"

    monkeypatch.setattr(ocr, "_run_once", crash_once)
    assert ocr._run("tesseract", page, ["tsv"], 5) == "tsv"
    assert len(calls) == 2
    assert list((tmp_path / "tmp").iterdir()) == []  # the page's file is not left behind

    def too_slow(args, timeout, fds):
        calls.append("slow")
        raise ocr.OcrFailed("OCR took longer than 5 s")

    monkeypatch.setattr(ocr, "_run_once", too_slow)
    with pytest.raises(ocr.OcrFailed):
        ocr._run("tesseract", page, ["tsv"], 5)
    assert calls.count("slow") == 1


_OCR_A_PAGE = r"""
import sys
from PIL import Image
from extractors import ocr

ocr._run(sys.argv[1], Image.new("L", (64, 48), 255), ["tsv"], 120, retry=False)
"""


def test_a_worker_killed_during_ocr_leaves_no_page_in_the_temporary_folder(tmp_path) -> None:
    # A stopped run or the pool's stall watch kills a worker with SIGKILL: nothing of ours
    # runs after it, so the page tesseract is reading must not be a file in the temp folder.
    started = tmp_path / "started.bmp"
    tool = tmp_path / "fake-tesseract"
    tool.write_text(
        f'#!/bin/sh\ncat "$1" > {started}.part && mv {started}.part {started}\nexec sleep 120\n'
    )
    tool.chmod(0o755)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "EVIDENCE_REVIEW_SLOT_DIR": str(tmp_path / "slots")}
    proc = subprocess.Popen(
        [sys.executable, "-c", _OCR_A_PAGE, str(tool)], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        # The tool was given the page, read through the name in its command line.
        from PIL import Image

        with Image.open(started) as page:
            assert page.size == (64, 48)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the worker and its tool alike
        proc.wait(timeout=30)
    assert list(tmp.iterdir()) == []


_PROBE = r"""
import sys
import pipelines.pool as pool

assert 'prefect' not in sys.modules  # the module the CLI imports first leaves Prefect out
calls = []
pool.start_workers_early = lambda workers=None: calls.append(('prefect' in sys.modules, workers))
from pipelines import cli

code = cli.main(['review', sys.argv[1], '--out', sys.argv[2], '--report-date', '2022-06-01',
                 '--workers', '2'])
print(code, calls)
"""


def test_cli_starts_the_workers_fork_server_before_it_imports_prefect(tmp_path: Path) -> None:
    import subprocess
    import sys

    # A missing region: the command stops early, after it started the fork server.
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path / "missing"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["2", "[(False,", "2)]"]


def test_no_fork_server_for_a_single_worker() -> None:
    from pipelines.pool import start_workers_early

    assert start_workers_early(1) is False  # the flow's own process does the work


def test_fork_server_exercise_reviews_a_sample_school_and_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    # Imported by the fork server: loads the models and reviews one bundled school, so that
    # what loads on first use is in memory before any worker is forked.
    import pipelines.warm as warm
    from pipelines.work import document_classifier, model_version

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    document_classifier.cache_clear()
    document_classifier(model_version())  # what `warm_worker` loads for the workers
    assert warm.exercise() is True
    # It used that model, cached by its version: no second copy in the fork server.
    assert document_classifier.cache_info().currsize == 1
    assert list(tmp_path.iterdir()) == []  # its sheet went to a temporary folder, now gone
    assert warm.exercise(tmp_path / "no-such-school") is False


def test_schools_with_the_most_left_to_read_are_started_first(tmp_path: Path) -> None:
    """In a re-run a school whose scan was read before is quick and one with a scan just
    uploaded is the long one: started last, it would keep one worker busy alone."""
    from pipelines.review import _expected_work
    from pipelines.work import FileCache, _extraction_key, file_id

    region, cache = tmp_path / "region", FileCache(tmp_path / "cache")
    layout = {  # school: (files already read, files new or changed)
        "a_read_before": (["1.pdf", "2.pdf", "3.pdf", "4.pdf", "5.docx", "скан.jpg"], []),
        "b_two_new": (["1.pdf"], ["2.pdf", "3.docx"]),
        "c_new_scan": (["1.pdf", "2.pdf", "3.pdf"], ["скан.jpg"]),
    }
    for school, (read, new) in layout.items():
        (region / school).mkdir(parents=True)
        for name in read + new:  # a picture is told by its first bytes (JPEG's here)
            head = b"\xff\xd8\xff\xe0" if name.endswith(".jpg") else b"%PDF-1.4\n"
            (region / school / name).write_bytes(head + f"{school}/{name}".encode())
        for name in read:
            path = region / school / name
            cache.put(_extraction_key(file_id(path, region / school)), "extraction")
    order = sorted((region / s for s in layout), key=lambda f: _expected_work(f, cache))
    assert [f.name for f in order] == ["c_new_scan", "b_two_new", "a_read_before"]
    # A first run has read nothing: pictures first, then the schools with more files.
    first = sorted((region / s for s in layout), key=_expected_work)
    assert [f.name for f in first] == ["a_read_before", "c_new_scan", "b_two_new"]


def test_schools_are_handed_to_the_workers_before_their_task_runs(
    prefect_harness, tmp_path: Path
) -> None:
    """Every school to review goes to the worker processes at once, in the order given, so
    the workers never wait for Prefect to create a task run; each school's task then takes
    its school's work instead of submitting it again, and a school not handed out (a
    resubmitted task after the pool was replaced) is still submitted by its task."""
    from concurrent.futures import Future

    from prefect import flow

    import pipelines.review as review
    from expert_sheet.records import SchoolSheet

    class Pool:
        def __init__(self) -> None:
            self.calls: list[tuple] = []

        def submit(self, fn, *args) -> Future:
            self.calls.append((fn, args))
            done: Future = Future()
            name = args[0].name
            done.set_result(SchoolSheet(school=name, folder=name, report_date="2022-06-01"))
            return done

    @flow
    def both_tasks(handed: Path, not_handed: Path, out: Path) -> tuple:
        # The task functions, run in a flow (their artifacts need one) and this thread.
        return (
            review.school_job.fn(handed, out, REPORT, model_version="model"),
            review.school_job.fn(not_handed, out, REPORT),
        )

    pool, out = Pool(), tmp_path / "out"
    folders = [tmp_path / "b_scan", tmp_path / "a_text"]
    token, handed = review._work_pool.set(pool), review._handed_out.set({})  # as `_working`
    try:
        review._hand_out(folders, (out, REPORT, None, None, "model"))
        assert [(fn, args[0]) for fn, args in pool.calls] == [
            (review.review_school, f) for f in folders
        ]
        assert pool.calls[0][1][1:] == (out, REPORT, None, None, "model")
        sheet, other = both_tasks(folders[1], tmp_path / "c_other", out)
        assert sheet.folder == "a_text" and other.folder == "c_other"
        assert len(pool.calls) == 3  # the handed-out school was not submitted again
    finally:
        review._handed_out.reset(handed)
        review._work_pool.reset(token)
    # Outside a run's pool nothing is handed out: the tasks do the work (one worker, Dask).
    review._hand_out(folders, (out, REPORT, None, None, "model"))
    assert len(pool.calls) == 3


def test_workers_inherit_a_heap_already_collected() -> None:
    """The fork server ends its warm-up with a full collection, so a worker keeping objects
    a fifth the size of the inherited heap (a school's documents) starts none: without it
    the worker's first full collection walked all the models' objects (about 0.2 CPU-s)."""
    import subprocess
    import sys

    code = (
        "import gc, pipelines.warm\n"
        "full = []\n"
        "gc.callbacks.append(lambda phase, info: full.append(1)"
        " if phase == 'start' and info['generation'] == 2 else None)\n"
        "kept = [[i] for i in range(len(gc.get_objects()) // 5)]\n"
        "print(len(full))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert run.stdout.strip().splitlines()[-1] == "0"
