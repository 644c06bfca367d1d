"""What a school touched by a re-run costs a fresh worker process, and what two of its parts
cost: typing a document the worker has not seen, and matching.

    .venv/bin/python bench/worker.py [--schools 12] [--seed 0] [--repeats 3]

Generates N schools with the sample generator (school numbers 6 and up) and reviews each once
into a cache folder, as a first run does (its extractions, types, lemmas and words kept).
Then each measurement runs in a new process warmed as the workers' fork server warms
(`pipelines.warm`: libraries, models and one sample school), so it meets the region as a
re-run's fresh worker does:

- touched schools: in every school one file's cached extraction and type are removed and
  the school is reviewed again with `pipelines.work.review_school`; CPU ms a school, with
  the words a run learnt loaded (`load_vocabulary`, what a re-run does) and without them;
- an unseen document: each school's first readable document is typed by the model, CPU ms
  of the first call, with and without the kept words (the text's lemmas cleared, so the
  words are looked up);
- matching: `pipelines.school.match` over every school from the cache, CPU ms a school, with
  one BLAS thread (what the workers use, `one_blas_thread`) and with OpenBLAS's default of
  one thread per core.

CPU time of the process (all its threads), minimum over `--repeats` processes each. One
process at a time: a second worker beside it slows both (see the README).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = date(2022, 6, 1)

_CHILD = r"""
import json, os, sys, time
from pathlib import Path
from datetime import date
import pipelines.warm  # noqa: F401  as the fork server: imports, models, one sample school
from pipelines import school as stages
from pipelines import work
from classifiers import lemmas

mode, region, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
report = date.fromisoformat(sys.argv[4])
storage = out / ".cache"
folders = sorted(p for p in region.iterdir() if p.is_dir())
model = work.model_version()
files = work.FileCache(storage)
if mode.endswith("-kept"):
    work.load_vocabulary(storage)  # review_school would load it too; here for every mode
result = {}
if mode.startswith("touched"):
    for folder in folders:  # one file changed in every school: its entries gone
        path = [p for p in stages.school_files(folder) if p.suffix != ".jpg"][0]
        fid = work.file_id(path, folder)
        files.delete(work._extraction_key(fid))
        files.delete(work._type_key(fid, model))
    start = time.process_time()
    for folder in folders:
        work.review_school(folder, out, report, None, storage, model)
    result["ms_per_school"] = (time.process_time() - start) * 1000 / len(folders)
elif mode.startswith("unseen"):
    classifier = work.document_classifier(model)
    total = 0.0
    for folder in folders:
        docs, _ = work.school_documents(folder, files, model)
        doc = next(d for d in docs if d.ok)
        lemmas._text_lemmas.cache_clear()
        start = time.process_time()
        classifier.predict([doc])
        total += time.process_time() - start
    result["ms_per_document"] = total * 1000 / len(folders)
else:  # matching, "match-1" or "match-default"
    if mode == "match-default":
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=os.cpu_count())
    from expert_sheet.settings import load_settings
    classifier = work.document_classifier(model)
    spent = [0.0]
    real = stages.match
    def timed(*args, **kwargs):
        start = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - start
    stages.match = timed
    for folder in folders:
        docs, types = work.school_documents(folder, files, model)
        stages.review_school(folder, report, load_settings(), docs=docs,
                             classifier=classifier, known=types)
    result["ms_per_school"] = spent[0] * 1000 / len(folders)
print(json.dumps(result))
"""


def _child(mode: str, region: Path, out: Path) -> dict:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(region), str(out), REPORT.isoformat()],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    if run.returncode:
        sys.exit(f"{mode} failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schools", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from data.generate_sample import generate
    from pipelines.work import review_school

    with tempfile.TemporaryDirectory(prefix="evidence-worker-") as tmp:
        region, out = Path(tmp) / "region", Path(tmp) / "out"
        generate(region, Path(tmp) / "truth", n_schools=args.schools, seed=args.seed, start=6)
        for folder in sorted(p for p in region.iterdir() if p.is_dir()):  # the first run
            review_school(folder, out, REPORT, None, out / ".cache")
        from pipelines.work import merge_vocabulary

        merge_vocabulary(out / ".cache")
        cache = out / ".cache"
        kept = Path(tmp) / "kept-words"
        kept.mkdir()
        rows = {}
        first_run = {p.name for p in cache.glob("words-*")}
        for mode in ("touched-kept", "touched-fresh", "unseen-kept", "unseen-fresh",
                     "match-1", "match-default"):
            fresh = mode.endswith("-fresh")
            if fresh:  # the first run's words set aside for this mode
                for name in first_run:
                    (cache / name).rename(kept / name)
            figures = []
            for _ in range(args.repeats):
                # Each repeat meets the first run's words only (none in a -fresh mode):
                # what an earlier repeat or mode saved is thrown away.
                for words in cache.glob("words-*"):
                    if words.name not in first_run:
                        words.unlink()
                figures.append(_child(mode, region, out))
            if fresh:
                for name in first_run:
                    (kept / name).rename(cache / name)
            key = next(iter(figures[0]))
            rows[mode] = round(min(f[key] for f in figures), 1)
        print(json.dumps({"schools": args.schools, "seed": args.seed, **rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
