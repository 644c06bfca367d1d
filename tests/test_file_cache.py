"""The per-file cache: extraction and document type kept by file content, reused on re-runs;
and a school refused by a busy Prefect API reviewed once more instead of being lost."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx

from extractors.ocr import page_prefix
from extractors.office import conversion_prefix
from extractors.settings import DEFAULT_SETTINGS
from tests.builders import copy_sample

REPORT = date(2022, 6, 1)


def _counting_typer(monkeypatch) -> list[str]:
    """Paths of the documents given to the document-type model, in this process."""
    import pipelines.review as review

    typed: list[str] = []
    real = review.stages.predict_types

    def counting(docs, classifier=None):
        typed.extend(d.path for d in docs)
        return real(docs, classifier)

    monkeypatch.setattr(review.stages, "predict_types", counting)
    return typed


def test_a_new_model_types_every_file_again_without_reading_it(
    tmp_path: Path, monkeypatch, extract_calls: list[str]
) -> None:
    import pipelines.review as review
    import pipelines.work as work

    folder = copy_sample(tmp_path / "region", ["school_01_sosnovskaya"]) / "school_01_sosnovskaya"
    typed = _counting_typer(monkeypatch)
    cache = work.FileCache(tmp_path / "cache")
    docs, types = work.school_documents(folder, cache, "model-a")
    files = review.stages.school_files(folder)
    readable = sorted(d.path for d in docs if d.ok)
    assert len(extract_calls) == len(files)
    assert sorted(typed) == sorted(types) == readable
    extract_calls.clear()
    typed.clear()
    # Same files, same model: nothing is read or typed again, and the kept results are equal.
    again, again_types = work.school_documents(folder, cache, "model-a")
    assert extract_calls == [] and typed == []
    assert [d.model_dump() for d in again] == [d.model_dump() for d in docs]
    assert {k: v.model_dump() for k, v in again_types.items()} == {
        k: v.model_dump() for k, v in types.items()
    }
    # Another model: every readable file is typed again, none is read again.
    work.school_documents(folder, cache, "model-b")
    assert extract_calls == []
    assert sorted(typed) == readable


def test_an_unreadable_cache_entry_is_redone(
    tmp_path: Path, monkeypatch, extract_calls: list[str]
) -> None:
    import pipelines.review as review
    import pipelines.work as work

    folder = copy_sample(tmp_path / "region", ["school_04_polyanskaya"]) / "school_04_polyanskaya"
    cache = work.FileCache(tmp_path / "cache")
    docs, _ = work.school_documents(folder, cache, "m")
    extract_calls.clear()
    # A run killed while writing an entry leaves a truncated file behind.
    victim = sorted(review.stages.school_files(folder))[0]
    entry = tmp_path / "cache" / work._extraction_key(work.file_id(victim, folder))
    entry.write_bytes(entry.read_bytes()[:20])
    again, _ = work.school_documents(folder, cache, "m")
    assert extract_calls == [victim.name]
    assert [d.model_dump() for d in again] == [d.model_dump() for d in docs]


def test_touched_school_reuses_its_unchanged_files_types_and_scores_as_fresh(
    prefect_harness, tmp_path: Path, monkeypatch, extract_calls: list[str]
) -> None:
    import pipelines.review as review
    from classifiers.doctype_model import load_classifier
    from expert_sheet.settings import load_settings

    region = copy_sample(tmp_path / "region", ["school_01_sosnovskaya", "school_04_polyanskaya"])
    out = tmp_path / "out"
    # workers=1: the counting patches live in this process, not in worker processes.
    review.review_region(region, out, REPORT, workers=1)
    typed = _counting_typer(monkeypatch)
    extract_calls.clear()
    school = region / "school_04_polyanskaya"
    changed = next(school.glob("Договор*"))
    changed.write_bytes(changed.read_bytes() + b"\n%% re-uploaded\n")
    review.review_region(region, out, REPORT, workers=1)
    # Only the changed file is read and typed; the school's other files come from the cache.
    assert extract_calls == [changed.name]
    assert typed == [changed.name]
    # The sheet scored from cached types is the one a review from scratch gives.
    fresh = review.stages.review_school(
        school, REPORT, load_settings(), classifier=load_classifier()
    )
    written = json.loads((out / school.name / "sheet.json").read_text(encoding="utf-8"))
    assert written == json.loads(fresh.model_dump_json())


def test_a_file_left_unread_for_a_missing_tool_is_read_by_the_next_run(
    prefect_harness, tmp_path: Path, monkeypatch, capsys, extract_calls: list[str]
) -> None:
    """tesseract missing on the first run: the scan's school is reviewed with what could be
    read and says so, the run is partial, and neither the reading nor the school is kept as
    finished; once tesseract is there, the next run reads that scan, and only it."""
    import pipelines.review as review
    import pipelines.work as work
    from extractors.extract import extract
    from extractors.settings import ExtractSettings
    from pipelines import cli
    from tests.builders import make_pdf, rasterise

    region = copy_sample(tmp_path / "region", ["school_01_sosnovskaya", "school_04_polyanskaya"])
    school = region / "school_01_sosnovskaya"
    text = make_pdf(tmp_path / "text.pdf", ["Протокол заседания педагогического совета"] * 4)
    rasterise(text, school / "Протокол скан.pdf", dpi=200)
    out = tmp_path / "out"
    counting = work.extract  # the `extract_calls` patch

    def without_tesseract(path, root=None):
        extract_calls.append(Path(path).name)
        missing = ExtractSettings(tesseract=str(tmp_path / "no-tesseract"))
        return extract(path, root=root, settings=missing)

    def summary() -> dict:
        return json.loads((out / "summary.json").read_text(encoding="utf-8"))

    def setup_problems() -> list[str]:
        sheet = json.loads((out / school.name / "sheet.json").read_text(encoding="utf-8"))
        return sheet["setup_problems"]

    monkeypatch.setattr(work, "extract", without_tesseract)
    # --workers 1: the patches live in this process, not in worker processes.
    args = ["review", str(region), "--out", str(out), "--report-date", "2022-06-01", "--json"]
    assert cli.main([*args, "--workers", "1"]) == cli.EXIT_PARTIAL
    assert "files left unread because a tool is missing" in capsys.readouterr().err
    assert [p.split(":")[0] for p in setup_problems()] == ["Протокол скан.pdf"]
    assert summary()["incomplete"] == [school.name] and summary()["failed"] == []
    row = next(r for r in summary()["rows"] if r["folder"] == school.name)
    assert "следующем запуске" in row["comment"]
    assert not (out / school.name / review.DONE_MARK).exists()
    assert (out / "school_04_polyanskaya" / review.DONE_MARK).exists()

    monkeypatch.setattr(work, "extract", counting)
    extract_calls.clear()
    assert cli.main([*args, "--workers", "1"]) == cli.EXIT_OK
    assert extract_calls == ["Протокол скан.pdf"]
    assert setup_problems() == [] and summary()["incomplete"] == []
    sheet = json.loads((out / school.name / "sheet.json").read_text(encoding="utf-8"))
    scan = next(d for d in sheet["documents"] if d["file"] == "Протокол скан.pdf")
    assert scan["readable"] and scan["doc_type"] == "protocol"
    assert (out / school.name / review.DONE_MARK).exists()
    extract_calls.clear()
    assert cli.main([*args, "--workers", "1"]) == cli.EXIT_OK
    assert extract_calls == []


def test_prune_deletes_only_what_no_run_of_this_code_and_model_can_ask_for(
    tmp_path: Path, extract_calls: list[str]
) -> None:
    import os

    import pipelines.work as work

    folder = copy_sample(tmp_path / "region", ["school_04_polyanskaya"]) / "school_04_polyanskaya"
    storage = tmp_path / "cache"
    cache = work.FileCache(storage)
    work.school_documents(folder, cache, "model-a")
    cache.put(work._lemmas_key(folder), {"текст": ["лемма"]})
    cache.put(page_prefix(DEFAULT_SETTINGS) + "c" * 64, "a page read by this tesseract")
    cache.put(conversion_prefix(DEFAULT_SETTINGS) + "b" * 64, b"a DOCX by this LibreOffice")
    current = set(os.listdir(storage))
    stale = {
        "extract-0123456789abcdef-" + "f" * 64,  # older extractors
        work._type_key("f" * 64, "model-old"),  # a model no longer promoted
        "lemmas-0123456789abcdef-" + "e" * 64,  # another lemmatiser
        "ocr-0123456789abcdef-" + "d" * 64,  # a page read by other OCR code or tesseract
        "convert-0123456789abcdef-" + "a" * 64,  # converted by another LibreOffice
        ".extract-x.123.tmp",  # a write killed half-way
    }
    for name in stale:
        (storage / name).write_bytes(b"x")
    old = (storage / ".extract-x.123.tmp").stat().st_mtime - 2 * work._TMP_AGE_S
    os.utime(storage / ".extract-x.123.tmp", (old, old))
    (storage / ".doctype-y.456.tmp").write_bytes(b"x")  # a write under way: too young
    assert work.prune_cache(storage, "model-a") == len(stale)
    assert set(os.listdir(storage)) == current | {".doctype-y.456.tmp"}
    # What is left is what the next run asks for: nothing is read or typed again.
    extract_calls.clear()
    work.school_documents(folder, cache, "model-a")
    assert extract_calls == []
    assert work.prune_cache(storage, "model-a") == 0


def test_prune_keeps_the_pages_and_conversions_of_versions_a_worker_uses(
    tmp_path: Path, monkeypatch
) -> None:
    """On a Dask cluster the flow may run where tesseract and LibreOffice are other builds,
    or missing: their pages and conversions are the workers' versions, not stale ones."""
    import os
    import time

    import pipelines.work as work

    storage = tmp_path / "cache"
    cache = work.FileCache(storage)
    worker_page = "ocr-0123456789abcdef-" + "d" * 64  # read by a worker's tesseract
    worker_doc = "convert-0123456789abcdef-" + "a" * 64  # converted by its LibreOffice
    old_code = "extract-0123456789abcdef-" + "f" * 64  # extractors' code is the run's
    for name in (worker_page, worker_doc, old_code):
        cache.put(name, b"x")
    # The worker's machine: its versions, which differ from this process's.
    with monkeypatch.context() as machine:
        machine.setattr(work, "page_prefix", lambda settings: "ocr-0123456789abcdef-")
        machine.setattr(work, "conversion_prefix", lambda settings: "convert-0123456789abcdef-")
        machine.setattr(work, "_extraction_prefix", lambda: "extract-0123456789abcdef-")
        machine.setattr(work, "_declared", {})
        work.declare_versions(cache, "model-a")
    assert work.prune_cache(storage, "model-a") == 1  # the old code's extraction only
    assert worker_page in cache and worker_doc in cache and old_code not in cache
    # A version no worker has declared for a month is gone, and so is its mark.
    marks = [p for p in storage.iterdir() if p.name.startswith("live-")]
    assert {p.name for p in marks} >= {
        "live-ocr-0123456789abcdef-",
        "live-convert-0123456789abcdef-",
    }
    month_ago = time.time() - 31 * 86400
    for mark in marks:
        os.utime(mark, (month_ago, month_ago))
    assert work.prune_cache(storage, "model-a") == 2
    assert worker_page not in cache and worker_doc not in cache
    assert not [p for p in storage.iterdir() if p.name.startswith("live-")]


def test_a_worker_declares_its_versions_once_an_hour(tmp_path: Path, monkeypatch) -> None:
    import pipelines.work as work

    cache = work.FileCache(tmp_path / "cache")
    monkeypatch.setattr(work, "_declared", {})
    clock = [1_000_000.0]
    monkeypatch.setattr(work.time, "time", lambda: clock[0])
    work.declare_versions(cache, "m")
    mark = tmp_path / "cache" / f"live-{page_prefix(DEFAULT_SETTINGS)}"
    assert mark.exists()
    mark.unlink()
    clock[0] += 600
    work.declare_versions(cache, "m")
    assert not mark.exists()  # not again within the hour
    clock[0] += 3600
    work.declare_versions(cache, "m")
    assert mark.exists()


def test_a_review_prunes_its_cache_folder(prefect_harness, tmp_path: Path) -> None:
    import pipelines.review as review

    region = copy_sample(tmp_path / "region", ["school_04_polyanskaya"])
    out = tmp_path / "out"
    stale = out / ".cache" / ("extract-0123456789abcdef-" + "f" * 64)
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"x")
    review.review_region(region, out, REPORT, workers=1)
    assert not stale.exists()
    assert any(p.name.startswith("extract-") for p in stale.parent.iterdir())
    # The worker said which pages and conversions it asks for, so that no flow elsewhere
    # takes them for another version's.
    for prefix in (page_prefix(DEFAULT_SETTINGS), conversion_prefix(DEFAULT_SETTINGS)):
        assert (stale.parent / f"live-{prefix}").exists()


def test_a_cache_folder_that_cannot_be_written_fails_no_school(
    prefect_harness, tmp_path: Path, monkeypatch
) -> None:
    """The cache only saves time: a full one costs the next run the work, not this run a
    school, and is said once."""
    import errno
    import logging
    import os

    import pipelines.review as review
    import pipelines.work as work

    region = copy_sample(tmp_path / "region", ["school_04_polyanskaya"])
    cache = tmp_path / "cache"
    real = os.replace

    def full(src, dst, *args, **kwargs):
        if Path(dst).parent == cache:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(work.os, "replace", full)
    work._unwritable.cache_clear()
    said: list[str] = []
    heard = logging.Handler()
    heard.emit = lambda record: said.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("pipelines.work").addHandler(heard)
    try:
        # workers=1: the patch lives in this process, not in worker processes.
        summary = review.review_region(
            region, tmp_path / "out", REPORT, cache_dir=cache, workers=1
        )
    finally:
        logging.getLogger("pipelines.work").removeHandler(heard)
    assert summary.failed == [] and summary.rows[0].total is not None
    # Nothing kept, no temporary file left behind: only the empty marks of the versions in
    # use (`declare_versions`), which take no block.
    assert [p.name for p in cache.iterdir() if not p.name.startswith("live-")] == []
    assert all(p.stat().st_size == 0 for p in cache.iterdir())
    assert len(said) == 1 and "cannot be written (No space left on device)" in said[0]


def _busy_error() -> httpx.HTTPStatusError:
    request = httpx.Request("POST", "http://127.0.0.1:4200/api/task_runs/")
    response = httpx.Response(503, request=request)
    return httpx.HTTPStatusError(
        "Server error '503 Service Unavailable' for url 'http://127.0.0.1:4200/api/task_runs/'",
        request=request,
        response=response,
    )


def test_school_refused_by_a_busy_api_is_reviewed_again(
    prefect_harness, tmp_path: Path, monkeypatch
) -> None:
    import pipelines.review as review

    region = copy_sample(tmp_path / "region", ["school_01_sosnovskaya", "school_04_polyanskaya"])
    real = review.review_school
    calls: list[str] = []

    def busy_once(folder, *args, **kwargs):
        calls.append(folder.name)
        if folder.name == "school_04_polyanskaya" and calls.count(folder.name) == 1:
            raise _busy_error()
        return real(folder, *args, **kwargs)

    monkeypatch.setattr(review, "review_school", busy_once)
    summary = review.review_region(region, tmp_path / "out", REPORT, workers=1)
    assert summary.failed == []
    assert sorted(calls) == [
        "school_01_sosnovskaya",
        "school_04_polyanskaya",
        "school_04_polyanskaya",
    ]
    assert (tmp_path / "out" / "school_04_polyanskaya" / review.DONE_MARK).exists()


def test_a_busy_api_is_retried_once_only(prefect_harness, tmp_path: Path, monkeypatch) -> None:
    import pipelines.review as review

    region = copy_sample(tmp_path / "region", ["school_04_polyanskaya"])
    calls: list[str] = []

    def always_busy(folder, *args, **kwargs):
        calls.append(folder.name)
        raise _busy_error()

    monkeypatch.setattr(review, "review_school", always_busy)
    summary = review.review_region(region, tmp_path / "out", REPORT, workers=1)
    assert calls == ["school_04_polyanskaya"] * 2
    assert summary.failed == ["school_04_polyanskaya"]


class _WorkerLostFuture:
    """A process-pool future whose worker could not run the task at all: waiting on it
    raises what the worker met (here the API refusing the task engine's call)."""

    def wait(self, timeout: float | None = None) -> None:
        raise _busy_error()


def test_a_task_that_never_ran_is_the_schools_failure_not_the_regions() -> None:
    import pipelines.review as review

    sheet, reason = review._outcome(_WorkerLostFuture())
    assert sheet is None
    # Named as a refused call, so the region flow submits the school once more.
    assert review._SERVER_BUSY in reason


def _lemmatised(monkeypatch) -> list[str]:
    """The texts lemmatised from here on (not taken from a memo), in this process."""
    import classifiers.lemmas as lem

    computed: list[str] = []
    real = lem._text_lemmas

    def counting(text: str) -> tuple[str, ...]:
        computed.append(text)
        return real(text)

    monkeypatch.setattr(lem, "_text_lemmas", counting)
    return computed


def test_lemma_memo_reuses_kept_texts_and_records_what_was_asked(monkeypatch) -> None:
    import classifiers.lemmas as lem

    plain = lem.lemmas("Проведены заседания методического объединения учителей")
    computed = _lemmatised(monkeypatch)
    with lem.memo({}) as first:
        assert lem.lemmas("Проведены заседания методического объединения учителей") == plain
        lem.lemmas("Приказ об утверждении плана")
        lem.lemmas("Приказ об утверждении плана")  # asked twice, lemmatised once
    assert len(computed) == 2 and len(first) == 2
    computed.clear()
    with lem.memo(first) as second:
        assert lem.lemmas("Проведены заседания методического объединения учителей") == plain
        lem.lemmas("Новый отчёт о семинаре")
    # Only the new text was lemmatised; the record holds what this block asked, not the rest.
    assert computed == ["Новый отчёт о семинаре"]
    assert len(second) == 2 and set(second) != set(first)
    # Outside a block nothing is kept.
    lem.lemmas("Новый отчёт о семинаре")
    assert lem._memo.get() is None


def test_touched_school_lemmatises_only_its_changed_files_texts(
    tmp_path: Path, monkeypatch
) -> None:
    import pipelines.work as work
    from classifiers.doctype_model import load_classifier
    from expert_sheet.settings import load_settings

    school = copy_sample(tmp_path / "region", ["school_04_polyanskaya"]) / "school_04_polyanskaya"
    cache, out = tmp_path / "cache", tmp_path / "out"
    first = work.review_school(school, out, REPORT, result_storage=cache)
    computed = _lemmatised(monkeypatch)
    again = work.review_school(school, out, REPORT, result_storage=cache)
    assert computed == []  # every text's lemmas kept from the first review
    assert again.model_dump() == first.model_dump()
    changed = next(school.glob("Договор*"))
    changed.write_bytes(changed.read_bytes() + b"\n%% re-uploaded\n")
    third = work.review_school(school, out, REPORT, result_storage=cache)
    # The changed file is read and typed again; only its texts are lemmatised, not the rest.
    text = work.extract(changed, root=school).text()
    assert computed and all(t.strip() in text for t in computed)
    # The sheet from kept lemmas is the one a review from scratch gives.
    fresh = work.stages.review_school(
        school, REPORT, load_settings(), classifier=load_classifier()
    )
    assert third.model_dump() == fresh.model_dump()
    # Without the kept lemmas (another cache folder) the texts are lemmatised again.
    computed.clear()
    work.review_school(school, tmp_path / "out2", REPORT, result_storage=tmp_path / "c2")
    assert computed
