"""Whether a setting or a code change changes the cost of `bench/scale.py`'s headline re-run:
the re-run timed under two variants, alternating, in one stretch of the machine.

    .venv/bin/python bench/rerun_ab.py --schools 20 --pairs 6 \
        --b PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED=true
    .venv/bin/python bench/rerun_ab.py --schools 100 --pairs 6 --a-rev HEAD~3 --b-rev HEAD

Runs of the same benchmark minutes apart differ by more than many changes are worth (the
README's `rerun_floor` rows of s16): only alternating the two variants tells them apart. The
N-school region is `bench/scale.py`'s (same generator, seed, scans and headline change).

A variant is a set of environment variables (`--a` / `--b`, repeatable, NAME=VALUE: put into
the environment of the review's process, over what `pipelines/prefect_env.py` would set, as
it only fills names left unset) and a git revision of the code (`--a-rev` / `--b-rev`;
default: this checkout as it is). A revision is checked out as a detached worktree in the
benchmark's temporary folder, and its reviews run there (the review's process imports the
project from its working directory, before the installed one). Each checkout reviews the
region once, cold, in a fresh process, and its output and cache are kept: a review's key
includes the code, so each code re-runs from its own first review. Then the headline change
is applied, and the re-run timed `--pairs` times under each variant, `a` then `b` in even
pairs and `b` then `a` in odd ones, each in a fresh process from its kept output, as the CLI
runs it. Prints each run and the medians of wall time, CPU and the Prefect server's CPU.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.rerun_floor import _restore
from bench.scale import ROOT, change_files, make_region, review_in_new_process

FIGURES = ("seconds", "cpu_s", "server_cpu_s")


def _env(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            sys.exit(f"not NAME=VALUE: {pair}")
        out[name] = value
    return out


def _git(*args: str) -> str:
    run = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"git {' '.join(args)}: {run.stderr.strip()}")
    return run.stdout.strip()


def _checkout(rev: str | None, where: Path) -> Path:
    """The folder whose code a variant runs: this checkout, or `rev` checked out at `where`."""
    if rev is None:
        return ROOT
    _git("worktree", "add", "--detach", str(where), _git("rev-parse", "--verify", rev))
    return where


def _code(root: Path) -> str:
    return "this checkout" if root == ROOT else _git("-C", str(root), "rev-parse", "HEAD")


def _imports_from(root: Path) -> Path:
    """Where a review started in `root` imports the project from (checked, not assumed). Its
    workers' fork server is started with the same `sys.path` (multiprocessing passes it on),
    so they import from there too."""
    run = subprocess.run(
        [sys.executable, "-c", "import pipelines; print(pipelines.__file__)"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(run.stdout.strip()).parent.parent


def measure(
    schools: int,
    pairs: int,
    seed: int,
    work: Path,
    variants: dict[str, dict[str, str]],
    roots: dict[str, Path],
) -> dict:
    for name, root in roots.items():
        if _imports_from(root).resolve() != root.resolve():
            sys.exit(f"{name}: a review in {root} would not import its own code")
    region, _ = make_region(schools, work, seed, scan_every=3)
    home = work / "prefect-home"
    # One first review per checkout: the variants of one checkout share it.
    kept: dict[Path, tuple[Path, Path]] = {}
    first: dict[str, float] = {}
    for name, root in roots.items():
        if root not in kept:
            out, keep = work / f"out-{name}", work / f"kept-{name}"
            cold = review_in_new_process(region, out, home, what=f"{name}: first review", root=root)
            shutil.copytree(out, keep, symlinks=True)
            kept[root] = out, keep
            first[name] = round(cold["seconds"], 2)
    changed = change_files(region, 0.05, seed)
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    names = list(variants)
    for i in range(pairs):
        for name in names if i % 2 == 0 else names[::-1]:
            out, keep = kept[roots[name]]
            _restore(keep, out)
            run = review_in_new_process(
                region, out, home, env=variants[name], what=name, root=roots[name]
            )
            if run["failed"]:
                sys.exit(f"{name}: {run['failed']} school(s) failed")
            runs[name].append(run)
            print(name, json.dumps({k: round(run[k], 2) for k in FIGURES}), file=sys.stderr)
    return {
        "schools": schools,
        "changed_files": len(changed),
        "touched_schools": len({p.parent for p in changed}),
        "first_s": first,
        "pairs": pairs,
        **{
            name: {
                "env": variants[name],
                "code": _code(roots[name]),
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
    ap.add_argument("--a-rev", default=None, metavar="REV", help="git revision variant a runs")
    ap.add_argument("--b-rev", default=None, metavar="REV", help="git revision variant b runs")
    args = ap.parse_args(argv)
    variants = {"a": _env(args.a), "b": _env(args.b)}
    prefix = "evidence-bench-ab-"
    with tempfile.TemporaryDirectory(prefix=prefix, ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        trees = {"a": args.a_rev, "b": args.b_rev}
        roots: dict[str, Path] = {}
        try:
            for name, rev in trees.items():
                roots[name] = _checkout(rev, work / f"tree-{name}")
            summary = measure(args.schools, args.pairs, args.seed, work, variants, roots)
        finally:
            for root in roots.values():
                if root != ROOT:
                    _git("worktree", "remove", "--force", str(root))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
