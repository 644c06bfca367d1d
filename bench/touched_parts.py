"""What the parts of a touched school's review cost: the figures behind the README's "What a
small region's re-run is made of".

    .venv/bin/python bench/touched_parts.py [--schools 20] [--seed 0] [--repeats 3]

The region and its headline change are `bench/scale.py`'s (same generator, seed, scans and
5% of the files changed). The region is reviewed once, as a first run, in a fresh process
(`review_in_new_process`); the change is applied; then this process warms itself as the
workers' fork server does (`pipelines.warm`: libraries, models, one sample school) and times,
in CPU milliseconds a touched school (minimum over `--repeats` passes; each pass starts
from the first run's cache, so the changed file is read again every time):

- `documents`: the school's files from the cache, its changed file read and typed
  (`pipelines.work.school_documents`);
- `reading`: the changed file read alone (`extractors.extract.extract`);
- `roadmap`: finding the АРП and parsing its roadmap (`pipelines.school.find_arp`);
- `matching`: roadmap, types and matching (`pipelines.school.match_school`), with the
  school's kept lemmas as a worker has them;
- `sheet`: `sheet.xlsx` and `sheet.json` written (`pipelines.work.write_school`).

And once: the document-type model's call on 1 and on 14 documents (its cost before the first
document), an empty five-sheet workbook created and saved as the sheets are (XlsxWriter, in
memory; openpyxl's before s19), and the TLS context
Prefect's API client builds for every flow run (`ssl.create_default_context` with certifi's
bundle, as `prefect.client.orchestration` does).
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import ssl
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale import change_files, make_region, review_in_new_process

REPORT = date(2022, 6, 1)


def _cpu_ms(
    fn: Callable[[], object], repeats: int, before: Callable[[], object] = lambda: None
) -> float:
    """The least CPU time of `repeats` calls of `fn`, each after `before` (not timed)."""
    best = float("inf")
    for _ in range(repeats):
        before()
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return 1000 * best


def measure(schools: int, seed: int, repeats: int, work: Path) -> dict:
    region, _ = make_region(schools, work, seed, scan_every=3)
    out, kept = work / "out", work / "kept"
    review_in_new_process(region, out, work / "prefect-home", what="first review")
    shutil.copytree(out / ".cache", kept)
    changed = change_files(region, 0.05, seed)
    touched = sorted({p.parent for p in changed})

    import certifi
    import xlsxwriter

    import pipelines.warm  # noqa: F401 - warms this process as the fork server is warmed
    from classifiers.lemmas import memo as lemma_memo
    from expert_sheet.settings import load_settings
    from extractors.extract import extract
    from pipelines import school as stages
    from pipelines.work import (
        FileCache,
        _lemmas_key,
        document_classifier,
        model_version,
        review_school,
        school_documents,
        write_school,
    )

    cache_dir = work / "cache"

    def fresh_cache() -> None:  # the first run's cache: the changed files are unread
        shutil.rmtree(cache_dir, ignore_errors=True)
        shutil.copytree(kept, cache_dir)

    fresh_cache()
    cache, model = FileCache(cache_dir), model_version()
    classifier = document_classifier(model)
    settings = load_settings(None)
    parts: dict[str, list[float]] = {
        k: [] for k in ("documents", "reading", "roadmap", "matching", "sheet")
    }
    for folder in touched:
        mine = [p for p in changed if p.parent == folder]
        parts["documents"].append(
            _cpu_ms(lambda f=folder: school_documents(f, cache, model), repeats, fresh_cache)
        )
        parts["reading"].append(
            _cpu_ms(lambda m=mine, f=folder: [extract(p, root=f) for p in m], repeats)
        )
        docs, types = school_documents(folder, cache, model)
        kept_lemmas = cache.get(_lemmas_key(folder))
        with lemma_memo(kept_lemmas if isinstance(kept_lemmas, dict) else {}):
            parts["roadmap"].append(_cpu_ms(lambda d=docs: stages.find_arp(d), repeats))
            parts["matching"].append(
                _cpu_ms(
                    lambda d=docs, t=types: stages.match_school(
                        d, settings.classifier.low_confidence, classifier, known=t
                    ),
                    repeats,
                )
            )
        sheet = review_school(folder, out, REPORT, result_storage=cache_dir, model=model)
        parts["sheet"].append(_cpu_ms(lambda s=sheet, f=folder: write_school(s, out, f), repeats))

    readable = [d for f in touched for d in school_documents(f, cache, model)[0] if d.ok]

    def empty_workbook() -> None:
        wb = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
        for n in range(5):
            wb.add_worksheet(str(n))
        wb.close()

    once = {
        "model_1_doc_ms": _cpu_ms(lambda: classifier.predict(readable[:1]), repeats),
        "model_14_docs_ms": _cpu_ms(lambda: classifier.predict(readable[:14]), repeats),
        "empty_workbook_ms": _cpu_ms(empty_workbook, repeats),
        "tls_context_ms": _cpu_ms(
            lambda: ssl.create_default_context(cafile=certifi.where()), repeats
        ),
    }
    return {
        "schools": schools,
        "touched_schools": len(touched),
        "changed_files": len(changed),
        **{f"{k}_ms_median": round(sorted(v)[len(v) // 2], 1) for k, v in parts.items()},
        **{f"{k}_ms_range": [round(min(v), 1), round(max(v), 1)] for k, v in parts.items()},
        **{k: round(v, 1) for k, v in once.items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schools", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(
        prefix="evidence-bench-parts-", ignore_cleanup_errors=True
    ) as tmp:
        result = measure(args.schools, args.seed, args.repeats, Path(tmp))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
