"""Whether a setting changes the cost of `bench/scale.py`'s headline re-run: the re-run
timed under two sets of environment variables, alternating, in one stretch of the machine.

    .venv/bin/python bench/rerun_ab.py --schools 20 --pairs 6 \
        --b PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED=true

Runs of the same benchmark minutes apart differ by more than many changes are worth (the
README's `rerun_floor` rows of s16): only alternating the two variants tells them apart. The
N-school region is `bench/scale.py`'s (same generator, seed, scans and headline change). It
is reviewed once, cold, in a fresh process; its output and cache are kept, the headline
change applied, and the re-run then timed `--pairs` times under each variant, `a` then `b`
in even pairs and `b` then `a` in odd ones, each in a fresh process from the kept output,
as the CLI runs it. `--a` / `--b` (repeatable, NAME=VALUE) are put into the environment of
the review's process, over what `pipelines/prefect_env.py` would set (it only fills names
left unset). Prints each run and the medians of wall time, CPU and the Prefect server's CPU.
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

from bench.rerun_floor import _restore
from bench.scale import change_files, make_region, review_in_new_process

FIGURES = ("seconds", "cpu_s", "server_cpu_s")


def _env(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            sys.exit(f"not NAME=VALUE: {pair}")
        out[name] = value
    return out


def measure(
    schools: int, pairs: int, seed: int, work: Path, variants: dict[str, dict[str, str]]
) -> dict:
    region, _ = make_region(schools, work, seed, scan_every=3)
    out, kept, home = work / "out", work / "kept", work / "prefect-home"
    cold = review_in_new_process(region, out, home, what="first review")
    shutil.copytree(out, kept, symlinks=True)
    changed = change_files(region, 0.05, seed)
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    names = list(variants)
    for i in range(pairs):
        for name in names if i % 2 == 0 else names[::-1]:
            _restore(kept, out)
            run = review_in_new_process(region, out, home, env=variants[name], what=name)
            if run["failed"]:
                sys.exit(f"{name}: {run['failed']} school(s) failed")
            runs[name].append(run)
            print(name, json.dumps({k: round(run[k], 2) for k in FIGURES}), file=sys.stderr)
    return {
        "schools": schools,
        "changed_files": len(changed),
        "touched_schools": len({p.parent for p in changed}),
        "first_s": round(cold["seconds"], 2),
        "pairs": pairs,
        **{
            name: {
                "env": variants[name],
                **{k: round(statistics.median(r[k] for r in done), 2) for k in FIGURES},
                "runs_s": [round(r["seconds"], 2) for r in done],
            }
            for name, done in runs.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schools", type=int, default=20)
    ap.add_argument("--pairs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--a", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--b", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args(argv)
    variants = {"a": _env(args.a), "b": _env(args.b)}
    prefix = "evidence-bench-ab-"
    with tempfile.TemporaryDirectory(prefix=prefix, ignore_cleanup_errors=True) as tmp:
        summary = measure(args.schools, args.pairs, args.seed, Path(tmp), variants)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
