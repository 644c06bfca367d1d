"""What a small region's re-run is made of: `bench/scale.py`'s headline re-run (5% of the
files changed, spread over the region), timed whole and with each of its two parts alone,
against the first (cold) review.

    .venv/bin/python bench/rerun_floor.py                 # N = 20, 3 repeats
    .venv/bin/python bench/rerun_floor.py --schools 100 --repeats 5 --json

The region, its scans and the change are `bench/scale.py`'s (same generator, seed and
extra uploads). The first review is run `--repeats` times from an empty output, each in a
fresh process (the denominator is as noisy as the re-run); its output is then kept, the
headline change applied, and the re-run timed in three variants, alternating, each in a
fresh process from that same kept output and cache, as the CLI runs it:

- `full`: the re-run as it is (`bench/scale.py`'s `2nd run`);
- `orchestration`: the same flow run, a task run and a markdown artifact per touched school,
  the summary and its table artifact, the workers handed the same schools, but each school's
  work replaced by reading back the sheet its first review wrote (about a millisecond): what
  the re-run costs before any school is read, matched, scored or written;
- `work`: the touched schools reviewed by the same worker processes, handed out as the CLI
  does (`head_start`), with no flow run, task run or artifact: the schools' own work.

It prints each variant's median wall time and CPU (the flow's process and the workers;
the Prefect server's apart) as a share of the first review's median. If `orchestration`
alone is near the target share, no saving in the schools' own work can meet the target:
that part is Prefect's per-run and per-school cost, which the issue's flow structure
(a task run and an artifact per school) sets.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale import change_files, make_region, review_in_new_process
from expert_sheet.records import SchoolSheet

VARIANTS = ("full", "orchestration", "work")

# Injected into bench/scale.py's child after its imports (see `_review`).
_ORCHESTRATION = """
import pipelines.review as _review_module
from bench.rerun_floor import previous_sheet
_review_module.review_school = previous_sheet
"""
_WORK = """
from concurrent.futures import wait as _wait
from types import SimpleNamespace as _Result
from pipelines.review import _handed_out, head_start

def run_review(region, out, report_date):
    with head_start(region, out, report_date):
        handed = _handed_out.get() or {}
        _wait(list(handed.values()))
        return _Result(failed=[f for f, done in handed.items() if done.exception()])
"""


def previous_sheet(folder: Path, out_dir: Path, *_: object, **__: object) -> SchoolSheet:
    """A school's review replaced by its sheet as the first review wrote it (the
    `orchestration` variant); runs in the worker processes, so it lives in a module."""
    return SchoolSheet.model_validate_json((out_dir / folder.name / "sheet.json").read_bytes())


def _review(region: Path, out: Path, home: Path, variant: str = "full") -> dict:
    """One review in a fresh process, as `bench/scale.py` times it."""
    inject = {"full": "", "orchestration": _ORCHESTRATION, "work": _WORK}[variant]
    result = review_in_new_process(region, out, home, inject, what=f"{variant} review")
    if result["failed"]:
        sys.exit(f"{variant} review: {result['failed']} school(s) failed")
    return result


def _restore(kept: Path, out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(kept, out, symlinks=True)


def _rewritten(out: Path, kept: Path, schools: set[Path]) -> int:
    """How many of `schools` had their `sheet.xlsx` written again since `kept` was taken."""
    return sum(
        (out / s.name / "sheet.xlsx").stat().st_mtime_ns
        != (kept / s.name / "sheet.xlsx").stat().st_mtime_ns
        for s in schools
    )


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def measure(schools: int, repeats: int, seed: int, work: Path) -> dict:
    region, scans = make_region(schools, work, seed, scan_every=3)
    files = sum(1 for p in region.rglob("*") if p.is_file())
    out, kept, home = work / "out", work / "kept", work / "prefect-home"
    cold = []
    for _ in range(repeats):
        shutil.rmtree(out, ignore_errors=True)  # the cache too: every file read again
        cold.append(_review(region, out, home))
    shutil.copytree(out, kept, symlinks=True)
    changed = change_files(region, 0.05, seed)
    touched = {p.parent for p in changed}
    runs: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    for _ in range(repeats):
        for variant in VARIANTS:
            _restore(kept, out)
            runs[variant].append(_review(region, out, home, variant))
            # A variant whose replacement did not take would pass for another one.
            written = _rewritten(out, kept, touched)
            if written != (0 if variant == "orchestration" else len(touched)):
                sys.exit(f"{variant}: {written} of {len(touched)} touched sheets written again")
    cold_s, cold_cpu = _median(cold, "seconds"), _median(cold, "cpu_s")
    summary: dict = {
        "schools": schools,
        "files": files,
        "scans": scans,
        "changed_files": len(changed),
        "touched_schools": len(touched),
        "repeats": repeats,
        "cold_s": round(cold_s, 2),
        "cold_cpu_s": round(cold_cpu, 2),
        "cold_server_cpu_s": round(_median(cold, "server_cpu_s"), 2),
        "cold_runs_s": [round(r["seconds"], 2) for r in cold],
    }
    for variant, done in runs.items():
        seconds, cpu = _median(done, "seconds"), _median(done, "cpu_s")
        summary[variant] = {
            "s": round(seconds, 2),
            "share": round(seconds / cold_s, 3),
            "cpu_s": round(cpu, 2),
            "cpu_share": round(cpu / cold_cpu, 3),
            "server_cpu_s": round(_median(done, "server_cpu_s"), 2),
            "runs_s": [round(r["seconds"], 2) for r in done],
        }
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schools", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(
        prefix="evidence-bench-floor-", ignore_cleanup_errors=True
    ) as tmp:
        summary = measure(args.schools, args.repeats, args.seed, Path(tmp))
    if args.json:
        print(json.dumps(summary))
        return 0
    print(
        f"N = {summary['schools']}: {summary['files']} files, {summary['scans']} scans; "
        f"{summary['changed_files']} changed in {summary['touched_schools']} schools; "
        f"medians of {summary['repeats']} fresh-process runs each"
    )
    print(
        f"first review: {summary['cold_s']} s, {summary['cold_cpu_s']} CPU-s "
        f"(+{summary['cold_server_cpu_s']} Prefect server) {summary['cold_runs_s']}"
    )
    for variant in VARIANTS:
        v = summary[variant]
        print(
            f"{variant:>13}: {v['s']} s = {100 * v['share']:.1f}% of the first review; "
            f"{v['cpu_s']} CPU-s = {100 * v['cpu_share']:.1f}% "
            f"(+{v['server_cpu_s']} Prefect server) {v['runs_s']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
