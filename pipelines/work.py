"""One school's review as it runs in a worker process: its files from the per-file cache or
read and typed anew, then scored and its sheet written.

No Prefect here, on purpose: a worker process imports only this module and what the review
needs (importing Prefect took 1.2-1.7 s of each worker's start, for nothing it used), and it
makes no API call. The flow and its tasks are in `pipelines.review`."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import time
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from classifiers.doctype import DocTypePrediction
from classifiers.doctype_model import (
    MODEL_FILE,
    MODELS_DIR,
    DocTypeClassifier,
    load_classifier,
    promoted_name,
)
from classifiers.lemmas import lemmatizer_version
from classifiers.lemmas import memo as lemma_memo
from classifiers.vocabulary import DEFAULT_LIMIT, WordMemo, memos
from expert_sheet.records import SchoolSheet
from expert_sheet.settings import load_settings
from expert_sheet.xlsx import write_sheet_xlsx
from extractors.extract import extract, sha256_of, unreadable
from extractors.kept import kept
from extractors.model import Document
from extractors.ocr import page_prefix
from extractors.office import conversion_prefix
from extractors.settings import DEFAULT_SETTINGS
from extractors.version import code_version
from pipelines import school as stages
from pipelines.pool import Crash, note_work


def model_version() -> str:
    """The promoted document-type model's name and a hash of its file, without loading it:
    the flow's process never classifies, so it need not spend seconds unpickling the model."""
    name = promoted_name(MODELS_DIR)
    if name is None:
        return "rules"
    model_file = MODELS_DIR / name / MODEL_FILE
    if not model_file.is_file():
        return f"{name}:missing"
    return f"{name}:{sha256_of(model_file)[:16]}"


class FileCache:
    """What depends on one file alone, kept by its content in a folder (the cache folder): its
    extraction (key: the file's content and place, see `file_id`, and the extractors' code)
    and its document type (key: also the classifiers' code and the promoted model). A re-run
    reads only new or changed files and types only them; a new model or changed classifier
    code types every file again from the kept extraction, without reading it again.

    One pickle file per entry, written to a temporary name and renamed, so a reader never
    sees half an entry. Not Prefect's result store (used before): the worker processes would
    import Prefect only for it, and each read cost 0.7-2 ms against 0.1 ms here. Not a
    Prefect task per file either: each task run is a few API calls (7-16 ms of the worker's
    time, and more of the server's), which on a batch of thousands of files cost more than
    the caching saved and made the temporary server refuse calls (503) at N = 300. Workers
    on other machines must see the folder at the same path."""

    def __init__(self, storage: Path | None) -> None:
        self.folder = storage
        if storage is not None:
            storage.mkdir(parents=True, exist_ok=True)

    def get(self, key: str) -> Any:
        """The value kept under `key`, or None. An entry that cannot be read (a run killed
        while writing it, a format of older code) is a miss: redone."""
        if self.folder is None:
            return None
        try:
            with open(self.folder / key, "rb") as fh:
                return pickle.load(fh)
        except Exception:  # any unreadable entry is recomputed, never fatal
            return None

    def put(self, key: str, value: Any) -> bool:
        """Keep `value` under `key`; False if the folder cannot take it (full, read-only).
        The cache only saves time: a school is not failed for it, the next run redoes the
        work, and the folder's fault is said once per process."""
        if self.folder is None:
            return False
        tmp = self.folder / f".{key}.{os.getpid()}.tmp"
        try:
            tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, self.folder / key)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            _unwritable(self.folder, exc.strerror or type(exc).__name__)
            return False
        return True

    def __contains__(self, key: str) -> bool:
        return self.folder is not None and (self.folder / key).is_file()

    def keys(self, prefix: str) -> list[str]:
        """The keys of the entries whose key starts with `prefix`, sorted."""
        if self.folder is None:
            return []
        return sorted(p.name for p in self.folder.glob(f"{prefix}*") if p.is_file())

    def delete(self, key: str) -> None:
        if self.folder is not None:
            (self.folder / key).unlink(missing_ok=True)


@cache
def _unwritable(folder: Path, reason: str) -> None:
    logging.getLogger(__name__).warning(
        "cache folder %s cannot be written (%s): what it would keep is redone by the next run",
        folder,
        reason,
    )


# What the word memos learnt (see `classifiers.vocabulary`), kept in the cache folder: one
# entry per memo and version, and parts the workers add as they learn, which the region's
# flow folds into that entry at the end of the run (`merge_vocabulary`). Parts left by a
# killed run are read as well.
def _vocabulary_key(memo: WordMemo) -> str:
    return f"words-{memo.name}-{memo.version()}"


def _vocabulary_parts(cache: FileCache, memo: WordMemo) -> list[str]:
    return cache.keys(f"{_vocabulary_key(memo)}.")


@cache
def load_vocabulary(storage: Path) -> int:
    """Load the words kept in the cache folder `storage` into this process's word memos,
    once per process; returns how many words were loaded. A fresh worker otherwise asks
    pymorphy3 again about every word of each document changed since the last run."""
    files = FileCache(storage)
    loaded = 0
    for memo in memos().values():
        for key in [_vocabulary_key(memo), *_vocabulary_parts(files, memo)]:
            words = files.get(key)
            if isinstance(words, dict):
                before = memo.known()
                memo.update(words)
                loaded += memo.known() - before
    return loaded


def keep_vocabulary(files: FileCache) -> None:
    """Save the words this process learnt since the last call, as new parts."""
    if files.folder is None:
        return
    for memo in memos().values():
        learnt = memo.take_learnt()
        if learnt:
            part = f"{_vocabulary_key(memo)}.{os.getpid()}-{time.time_ns()}"
            if not files.put(part, learnt):  # a full or read-only cache: the words only save time
                return


def merge_vocabulary(storage: Path) -> None:
    """Fold the parts the workers saved into one entry per memo (the run's end). By the
    parts' names, not by this process's memos: the flow's process does not import every
    module that defines one (the extractors' memo lives in the workers only)."""
    files = FileCache(storage)
    limits = {_vocabulary_key(m): m.limit for m in memos().values()}
    by_entry: dict[str, list[str]] = {}
    for part in files.keys("words-"):
        key, dot, _ = part.rpartition(".")
        if dot:
            by_entry.setdefault(key, []).append(part)
    for key, parts in by_entry.items():
        limit = limits.get(key, DEFAULT_LIMIT)
        kept = files.get(key)
        words: dict[str, Any] = kept if isinstance(kept, dict) else {}
        for part in parts:
            more = files.get(part)
            if isinstance(more, dict):
                for word, value in more.items():
                    if len(words) >= limit:
                        break
                    words.setdefault(word, value)
        if not files.put(key, words):  # the parts stay, and hold the words
            return
        try:
            for part in parts:
                files.delete(part)
        except OSError:  # the words only save time; the review's results are written
            return


def file_id(path: Path, root: Path) -> str:
    """A file's content and its place in the school: the content decides (a re-uploaded
    identical file is not read again, a changed one always is), and the place too, since
    the document records its path and a file without text is typed by its name."""
    place = os.fsencode(path.relative_to(root).as_posix())  # bytes: the name may not be UTF-8
    return hashlib.sha256(place + f"\0{sha256_of(path)}".encode()).hexdigest()


def _extraction_prefix() -> str:
    return f"extract-{code_version('extractors')}-"


def _extraction_key(fid: str) -> str:
    return _extraction_prefix() + fid


def is_extracted(cache: FileCache, path: Path, root: Path) -> bool:
    """Whether the cache holds the extraction of the file as it is now."""
    return _extraction_key(file_id(path, root)) in cache


def _type_prefix(model: str) -> str:
    model = hashlib.sha256(model.encode()).hexdigest()[:16]
    return f"doctype-{code_version('extractors')}-{code_version('classifiers')}-{model}-"


def _type_key(fid: str, model: str) -> str:
    return _type_prefix(model) + fid


def _lemmas_prefix() -> str:
    return f"lemmas-{hashlib.sha256(lemmatizer_version().encode()).hexdigest()[:16]}-"


# Entries of a write that never finished (its process killed) are left under this pattern
# (see `FileCache.put`); an hour keeps a write still under way elsewhere out of reach.
_TMP_AGE_S = 3600


def _versions(model: str) -> dict[str, str]:
    """The prefix of each kind of entry this process asks for, by kind."""
    return {
        "extract-": _extraction_prefix(),
        "doctype-": _type_prefix(model),
        "lemmas-": _lemmas_prefix(),
        "ocr-": page_prefix(DEFAULT_SETTINGS),
        "convert-": conversion_prefix(DEFAULT_SETTINGS),
    }


# A worker says which versions of the entries it asks for are in use (`declare_versions`)
# with an empty file per version, named by this and the version's prefix; `prune_cache`
# keeps every version declared within `_LIVE_S`. The flow's process alone cannot tell: on a
# Dask cluster it may run where tesseract or LibreOffice is another build, or missing, and
# took the workers' kept pages and conversions for another version's, deleting them all.
# Only the kinds whose version is the machine's (its tesseract, LibreOffice, pymorphy3):
# extractions and types follow the code and the model, the same on every machine of a run,
# and those of an older code are best deleted at once (a full copy of the region's texts).
_MACHINE_KINDS = ("lemmas-", "ocr-", "convert-")
_LIVE = "live-"
_LIVE_S = 30 * 86400  # a month: longer than the two weeks of daily runs before a deadline
_DECLARE_EVERY_S = 3600  # a long-lived worker renews its declarations this often
_declared: dict[tuple[Path, str], float] = {}


def declare_versions(cache: FileCache, model: str) -> None:
    """Mark the versions this worker asks for as in use in the cache folder (an hour at most
    between marks, so a worker that lives for weeks stays declared)."""
    if cache.folder is None:
        return
    now = time.time()
    if now - _declared.get((cache.folder, model), 0.0) < _DECLARE_EVERY_S:
        return
    for kind, prefix in _versions(model).items():
        if kind not in _MACHINE_KINDS:
            continue
        try:
            (cache.folder / f"{_LIVE}{prefix}").touch()
        except OSError:  # a read-only cache: nothing is pruned from it by this worker either
            return
    _declared[(cache.folder, model)] = now


def prune_cache(storage: Path, model: str) -> int:
    """Delete what no worker of this or another machine can ask for again: extractions and
    types kept by other versions of the code or another model, pages read by other OCR code
    or another tesseract, conversions by other code or another LibreOffice, lemmas of
    another lemmatiser; and temporary files of writes a killed process left behind. A
    version is another when it is not this process's (`model`: the promoted model's
    version, see `model_version`); for pages, conversions and lemmas, whose version is the
    machine's, nor one a worker declared in the last month (`declare_versions`): a
    cluster's machines may differ in their tesseract, and a worker machine is not this one.
    Without pruning the cache folder grew by a full copy with every update of the code or
    the model. Entries of files (and pages) changed or deleted since are not found this way
    (telling them would mean hashing every file of the region); the words
    (`merge_vocabulary`) are few. Returns how many entries were deleted."""
    now = time.time()
    live = {kind: {prefix} for kind, prefix in _versions(model).items()}
    old_marks: list[str] = []
    with os.scandir(storage) as listing:
        entries = list(listing)  # listed once: the marks first, then what they keep
    for entry in entries:
        if not entry.name.startswith(_LIVE):
            continue
        prefix = entry.name[len(_LIVE) :]
        kind = next((k for k in _MACHINE_KINDS if prefix.startswith(k)), None)
        try:
            fresh = now - entry.stat().st_mtime < _LIVE_S
        except OSError:
            continue
        if kind is not None and fresh:
            live[kind].add(prefix)
        else:
            old_marks.append(entry.path)
    old_tmp = now - _TMP_AGE_S
    deleted = 0
    for entry in entries:
        name = entry.name
        kind = next((k for k in live if name.startswith(k)), None)
        try:
            if (kind is not None and not name.startswith(tuple(live[kind]))) or (
                name.endswith(".tmp") and entry.stat().st_mtime < old_tmp
            ):
                os.unlink(entry.path)
                deleted += 1
        except OSError:  # gone already, or a read-only cache: pruning only saves space
            continue
    for path in old_marks:
        try:
            os.unlink(path)
        except OSError:
            continue
    return deleted


@cache
def document_classifier(model: str = "") -> DocTypeClassifier:
    """The promoted model, loaded once per worker process, never per file. Kept by its
    version (see `model_version`): a long-lived process whose workers were forked with the
    models loaded (see `pipelines.warm`) loads a newly promoted model instead of using the
    old one."""
    return load_classifier()


def school_documents(
    folder: Path, cache: FileCache, model: str
) -> tuple[list[Document], dict[str, DocTypePrediction]]:
    """The school's documents and their types, from the cache where the file was seen before;
    the files not seen are read and typed (in one batch: the model's per-call cost is about
    20 ms) and kept. `model`: the promoted model's version, part of the type's key."""
    docs: list[Document] = []
    types: dict[str, DocTypePrediction] = {}
    untyped: list[tuple[Document, str]] = []  # and the file's id
    listing = stages.list_school(folder)
    docs += listing.unpacking_documents()
    for path in listing.entries:
        if path in listing.refused:  # its error record alone: nothing read, nothing kept
            docs.append(extract(path, root=folder))
            continue
        fid = file_id(path, folder)
        doc = cache.get(_extraction_key(fid))
        if not isinstance(doc, Document):
            doc = _read_and_keep(cache, path, folder, fid)
        docs.append(doc)
        if not doc.ok:
            continue
        pred = cache.get(_type_key(fid, model))
        if isinstance(pred, DocTypePrediction):
            types[doc.path] = pred
        else:
            untyped.append((doc, fid))
    if untyped:
        predicted = stages.predict_types([d for d, _ in untyped], document_classifier(model))
        for (doc, fid), pred in zip(untyped, predicted, strict=True):
            if pred is not None:
                types[doc.path] = pred
                if not doc.setup_problems:  # typed from part of its text: not for keeps
                    cache.put(_type_key(fid, model), pred)
    return docs, types


def _read_and_keep(cache: FileCache, path: Path, folder: Path, fid: str) -> Document:
    """Read a file of the school `folder` (`fid`: its `file_id`) and keep its extraction,
    unless a tool missing on this machine left it unread in part: kept, it would stay so
    after the tool is installed, since the file did not change."""
    # What the pool tells `record_crash` if reading the file kills this worker.
    storage = None if cache.folder is None else str(cache.folder)
    note_work(json.dumps({"file": str(path), "school": str(folder), "cache": storage}))
    # Its scanned pages are kept by their pixels and its LibreOffice conversion by its bytes
    # as well: after an update of the extractors' code, or in another file, neither is made
    # again.
    with kept(cache if cache.folder is not None else None):
        doc = extract(path, root=folder)
    note_work("")
    if not doc.setup_problems:
        cache.put(_extraction_key(fid), doc)
    return doc


# How long a worker may stay on one file, or on one school's scoring, before the pool stops
# it (`WorkerPool.stall_after`): twice the per-file budget, which the readers only check
# between pages, so a page that never ends is not caught by it.
STALL_AFTER_S = 2 * DEFAULT_SETTINGS.max_seconds_per_file


def record_crash(crash: Crash) -> bool:
    """`WorkerPool.on_crash` for the review: a file whose reading killed the worker (a
    crash in a native library, the out-of-memory killer) is kept in the cache folder as
    unreadable, with its error record, as a corrupt file's reading is. The school's review,
    run again by the pool, finds it there and reads the rest; later runs, while the file
    and the extractors' code stay the same, do not read it either. False when the worker
    was not reading a file or the cache folder could not take the record: the pool then
    runs the job again as it was."""
    try:
        note = json.loads(crash.note)
        path, folder, storage = Path(note["file"]), Path(note["school"]), note["cache"]
    except (ValueError, TypeError, KeyError):
        return False
    if storage is None:  # nowhere to keep the record: the pool runs the job again as it was
        return False
    reason = f"reading the file ended the process reading it ({crash.how}); it is left unread"
    try:
        fid = file_id(path, folder)
    except OSError:
        return False
    kept = FileCache(Path(storage)).put(
        _extraction_key(fid), unreadable(path, folder, "read", reason)
    )
    if kept:
        logging.getLogger(__name__).warning(
            "school %s: reading %s ended its worker process (%s); the file is recorded as "
            "unreadable and the school reviewed without it",
            folder.name,
            path.name,
            crash.how,
        )
    return kept


def read_file(path: Path, folder: Path, result_storage: Path | None) -> bool:
    """Read one file of the school `folder` into the cache folder `result_storage`, as
    `school_documents` would, and say whether it was read here (False: already kept). Its
    type is left to the school's review, which types a school's new files in one batch. Lets
    idle workers share the reading of a school with many new files (see
    `pipelines.review._hand_out`)."""
    cache = _worker_cache(result_storage)
    if is_extracted(cache, path, folder):
        return False
    _read_and_keep(cache, path, folder, file_id(path, folder))
    keep_vocabulary(cache)
    return True


def _worker_cache(result_storage: Path | None) -> FileCache:
    """The cache folder's entries, in a worker ready to read: one BLAS thread, and the
    words kept by earlier runs loaded (once per process)."""
    one_blas_thread()
    cache = FileCache(result_storage)
    if result_storage is not None:
        load_vocabulary(result_storage)
    return cache


def write_school(sheet: SchoolSheet, out_dir: Path, export_dir: Path) -> Path:
    target = out_dir / sheet.folder
    target.mkdir(parents=True, exist_ok=True)
    (target / "sheet.json").write_text(sheet.model_dump_json(indent=2), encoding="utf-8")
    write_sheet_xlsx(sheet, target / "sheet.xlsx", export_dir)
    return target


def _write_with_retries(sheet: SchoolSheet, out_dir: Path, export_dir: Path) -> Path:
    """Writing is the one step that meets passing faults (a full or busy network share):
    tried three times, a second apart. Scoring is deterministic and never retried."""
    for attempt in range(3):
        try:
            return write_school(sheet, out_dir, export_dir)
        except OSError:
            if attempt == 2:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


def review_school(
    folder: Path,
    out_dir: Path,
    report_date: date,
    settings_path: Path | None = None,
    result_storage: Path | None = None,
    model: str = "",
) -> SchoolSheet:
    """One school: its documents and their types (from the per-file cache where it can),
    then the per-school part (roadmap, matching, rubric) and the sheet written.
    `result_storage` is the cache folder; `model` the promoted model's version (see
    `model_version`), part of the type cache's key."""
    cache = _worker_cache(result_storage)
    declare_versions(cache, model)
    lemmas_key = _lemmas_key(folder)
    kept = cache.get(lemmas_key)
    with lemma_memo(kept if isinstance(kept, dict) else {}) as used:
        docs, types = school_documents(folder, cache, model)
        classifier = document_classifier(model)
        sheet = stages.review_school(
            folder,
            report_date,
            load_settings(settings_path),
            docs=docs,
            classifier=classifier,
            known=types,
        )
    # Only the texts this review asked for: a replaced file's old texts are dropped.
    cache.put(lemmas_key, used)
    keep_vocabulary(cache)
    _write_with_retries(sheet, out_dir, folder)
    return sheet


def _lemmas_key(folder: Path) -> str:
    """Where the lemmas of a school's texts are kept between runs (see `lemma_memo`): by the
    school's folder, since a touched school asks again for the texts of its unchanged files."""
    return _lemmas_prefix() + hashlib.sha256(os.fsencode(folder.resolve())).hexdigest()


@cache
def one_blas_thread() -> None:
    """Limit the linear-algebra library (OpenBLAS, under NumPy) to one thread in this
    process. The review runs one process per core; OpenBLAS's own threads, one per core in
    each process, then fought the other workers for the cores and spun waiting on matrices
    far too small to share out: matching a school took 54 CPU-ms with them and 43 without
    (20 schools, one process, nothing else running); with soft coverage computed in one
    product per document (`classifiers.matching._nearest`), 80 and 26-32."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def warm_worker() -> None:
    """Load the models once when a worker process starts, not inside the first school."""
    from classifiers.doctype_model import word_form
    from classifiers.lemmas import nlp
    from classifiers.matching import _embedding

    one_blas_thread()
    page_prefix(DEFAULT_SETTINGS)  # asks tesseract its version once (50 ms), not per worker
    conversion_prefix(DEFAULT_SETTINGS)
    document_classifier(model_version()).feature_names  # noqa: B018 - built once, here
    word_form("проведено")  # loads the grammar features' analyzer (0.2 s) here, not per worker
    nlp()
    _embedding()
