"""A re-run after one school uploaded all its files again, some of them scans: with its
reading shared by every worker (the default when fewer schools than workers are left, see
`pipelines.review._sharing_reading`) and without (one worker reads them one after the
other), alternately, each in a fresh process as the CLI runs it.

    .venv/bin/python bench/one_school.py                 # 20 schools, 6 scans, 3 pairs
    .venv/bin/python bench/one_school.py --scans 3 --pairs 5 --json

The region is `bench/scale.py`'s (same generator, seed and extra uploads); the first school
gets `--scans` of its PDFs replaced by photographed scans. After a first review, each re-run
changes every file of that school (bytes appended: each is read again) and reviews the
region; it prints each re-run's wall time and CPU seconds (flow, workers, tesseract) and the
mean of each variant.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale import _change, _is_arp, _scan, make_region, review_in_new_process

# Put into bench/scale.py's child: the sharing turned off when asked, after the imports.
_UNSHARED = (
    "if os.environ.get('BENCH_UNSHARED_READING'):\n"
    "    import pipelines.review as _review\n"
    "    _review._sharing_reading = lambda *args: False\n"
)


def _review(region: Path, out: Path, home: Path, shared: bool) -> dict:
    env = {} if shared else {"BENCH_UNSHARED_READING": "1"}
    return review_in_new_process(region, out, home, _UNSHARED, env)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schools", type=int, default=20)
    ap.add_argument("--scans", type=int, default=6, help="scans in the school that uploads")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(
        prefix="evidence-bench-one-", ignore_cleanup_errors=True
    ) as tmp:
        return _run(args, Path(tmp))


def _run(args: argparse.Namespace, work: Path) -> int:
    region, _ = make_region(args.schools, work, args.seed, scan_every=3)
    school = sorted(p for p in region.iterdir() if p.is_dir())[0]
    pdfs = sorted(p for p in school.iterdir() if p.suffix == ".pdf" and not _is_arp(p))
    rng = random.Random(args.seed)
    scans = sum(1 for pdf in pdfs[: args.scans] if _scan(pdf, rng))
    out, home = work / "out", work / "prefect-home"
    _review(region, out, home, shared=True)  # the first review: every file read once
    files = sorted(p for p in school.iterdir() if p.is_file())
    runs: dict[str, list[dict]] = {"shared": [], "unshared": []}
    for k in range(args.pairs):
        for variant in runs:
            _change(files, tag=f"{k}-{variant}-")
            result = _review(region, out, home, shared=variant == "shared")
            if result["failed"]:
                sys.exit(f"{result['failed']} school(s) failed")
            runs[variant].append(
                {"s": round(result["seconds"], 2), "cpu_s": round(result["cpu_s"], 2)}
            )
    summary = {
        "schools": args.schools,
        "school_files": len(files),
        "scans": scans,
        **{f"{v}_runs": r for v, r in runs.items()},
        **{f"{v}_mean_s": round(sum(x["s"] for x in r) / len(r), 2) for v, r in runs.items()},
    }
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
