"""How the review scales: a generated region of N schools, reviewed twice.

    .venv/bin/python bench/scale.py                  # N = 20, 100, 300 (long)
    .venv/bin/python bench/scale.py --sizes 20,100

Per N it prints: the wall time of the first review, documents per second, the peak memory of
the process that runs the flow, and the wall time of a second run after 5% of the files were
changed (the changed schools are reviewed again, reading only their changed files; the rest
are taken from the first run). Each review runs in a fresh Python process so that peak memory
is per run; the temporary Prefect API server it starts is a separate process, and its start-up
(~10-15 s) is not in the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed_review(region: Path, out: Path) -> dict:
    code = (
        "import os, sys, time, json, resource\n"
        "from datetime import date\n"
        "os.environ.setdefault('PREFECT_SERVER_ANALYTICS_ENABLED', 'false')\n"
        "from pipelines.review import review_region\n"
        "from prefect import flow\n"
        "@flow\n"
        "def _warm():\n"
        "    return 1\n"
        "_warm()  # starts the temporary API server outside the timed part\n"
        "t0 = time.perf_counter()\n"
        "s = review_region(__import__('pathlib').Path(sys.argv[1]),"
        " __import__('pathlib').Path(sys.argv[2]), date(2022, 6, 1))\n"
        "dt = time.perf_counter() - t0\n"
        "kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'seconds': dt, 'peak_mb': round(kb / 1024, 1),"
        " 'failed': len(s.failed)}))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(region), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "PREFECT_HOME": str(out.parent / "prefect-home"),
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        },
    )
    if run.returncode != 0:
        sys.exit(f"review failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def change_files(region: Path, share: float, seed: int) -> list[Path]:
    """Change `share` of the files in place, keeping each one readable."""
    files = sorted(p for p in region.rglob("*") if p.is_file())
    picked = random.Random(seed).sample(files, max(1, round(share * len(files))))
    for n, path in enumerate(picked):
        if zipfile.is_zipfile(path):  # DOCX / XLSX: one more harmless member
            with zipfile.ZipFile(path, "a") as zf:
                zf.writestr(f"customXml/bench-change-{n}.txt", "re-uploaded")
        else:  # PDF, text, images: trailing bytes are ignored by readers
            with path.open("ab") as fh:
                fh.write(b"\n% re-uploaded\n")
    return picked


def bench(n: int, work: Path, seed: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from data.generate_sample import generate

    region, out = work / f"region-{n}", work / f"out-{n}"
    t0 = time.perf_counter()
    generate(region, work / f"truth-{n}", n_schools=n, seed=seed, start=6)
    gen_seconds = time.perf_counter() - t0
    files = sum(1 for p in region.rglob("*") if p.is_file())
    first = _timed_review(region, out)
    changed = change_files(region, 0.05, seed)
    second = _timed_review(region, out)
    return {
        "schools": n,
        "files": files,
        "generate_s": round(gen_seconds, 1),
        "first_s": round(first["seconds"], 1),
        "docs_per_s": round(files / first["seconds"], 2),
        "peak_mb": first["peak_mb"],
        "changed_files": len(changed),
        "second_s": round(second["seconds"], 1),
        "failed": first["failed"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="20,100,300", help="comma-separated numbers of schools")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", type=Path, default=None, help="folder for regions (default: temp)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="evidence-bench-"))
    print(f"cpus: {os.cpu_count()}; work folder: {work}", file=sys.stderr)
    header = (
        f"{'N':>5} {'files':>6} {'wall s':>8} {'docs/s':>7} {'peak MB':>8} "
        f"{'changed':>8} {'2nd run s':>9}"
    )
    if not args.json:
        print(header)
    for n in sizes:
        row = bench(n, work, args.seed)
        if args.json:
            print(json.dumps(row))
        else:
            print(
                f"{row['schools']:>5} {row['files']:>6} {row['first_s']:>8} "
                f"{row['docs_per_s']:>7} {row['peak_mb']:>8} {row['changed_files']:>8} "
                f"{row['second_s']:>9}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
