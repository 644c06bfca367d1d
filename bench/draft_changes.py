"""How many touched schools' drafts change, by kind of change: what publishing a school's
artifact only when its draft changed would skip on a re-run.

    .venv/bin/python bench/draft_changes.py --schools 100

`bench/scale.py`'s N-school region is reviewed cold once, in a fresh process. From that kept
output, three re-runs, each after one kind of change to the same files (the ones the headline
change picks, 5%): `append`, bytes appended (the benchmark's headline change, content the
same); `replace`, each file replaced by another school's file of the same format (a new
version with other content); `add`, one more file in each picked file's school (a copy of
another school's file, not its АРП). A draft counts as changed when its markdown artifact's text
(`pipelines.review._school_markdown`) differs from the first review's. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale import change_files, make_region, pick_files, review_in_new_process
from expert_sheet.records import SchoolSheet
from pipelines.review import _school_markdown


def _drafts(out: Path) -> dict[str, str]:
    return {
        p.parent.name: _school_markdown(SchoolSheet.model_validate_json(p.read_text()))
        for p in out.glob("*/sheet.json")
    }


def _replace(region: Path, seed: int) -> list[Path]:
    files = sorted(p for p in region.rglob("*") if p.is_file())
    rng, picked = random.Random(seed + 7), pick_files(region, 0.05, seed)
    for path in picked:
        others = [q for q in files if q.suffix == path.suffix and q.parent != path.parent]
        path.write_bytes(rng.choice(others).read_bytes())
    return picked


def _add(region: Path, seed: int) -> list[Path]:
    files = sorted(p for p in region.rglob("*") if p.is_file())
    rng, picked = random.Random(seed + 7), pick_files(region, 0.05, seed)
    for n, path in enumerate(picked):
        # Not another school's АРП: a second roadmap is not what a school adds.
        source = rng.choice([q for q in files if q.parent != path.parent and "АРП" not in q.name])
        (path.parent / f"новый {n} {source.name}").write_bytes(source.read_bytes())
    return picked


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schools", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="evidence-bench-drafts-") as tmp:
        work = Path(tmp)
        region, _ = make_region(args.schools, work, args.seed, scan_every=3)
        kept_region, out, kept, home = (
            work / "region-kept",
            work / "out",
            work / "kept",
            work / "home",
        )
        review_in_new_process(region, out, home, what="first review")
        shutil.copytree(out, kept, symlinks=True)
        shutil.copytree(region, kept_region)
        before = _drafts(kept)
        kinds = {
            "append": lambda: change_files(region, 0.05, args.seed),
            "replace": lambda: _replace(region, args.seed),
            "add": lambda: _add(region, args.seed),
        }
        result: dict = {"schools": args.schools, "seed": args.seed}
        for kind, change in kinds.items():
            shutil.rmtree(region)
            shutil.copytree(kept_region, region)
            shutil.rmtree(out)
            shutil.copytree(kept, out, symlinks=True)
            picked = change()
            run = review_in_new_process(region, out, home, what=kind)
            after = _drafts(out)
            touched = {p.parent.name for p in picked}
            result[kind] = {
                "files": len(picked),
                "touched": len(touched),
                "drafts_changed": sum(after.get(s) != before.get(s) for s in touched),
                "failed": run["failed"],
            }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
