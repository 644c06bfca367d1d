"""Unpacking a region whose schools uploaded their files as archives (`prepare_input`): the
first run, then re-runs with nothing changed and with 5% of the schools' archives replaced.

    .venv/bin/python bench/unpack.py                 # 100 schools, half ZIP, half RAR
    .venv/bin/python bench/unpack.py --schools 300 --json

The region is `bench/scale.py`'s (same generator and seed, no scans); each school's files
are packed into one archive, ZIP (deflated) for even schools and RAR 5 (stored, as
`tests/rar.py` writes it) for odd ones, and the loose files removed. Prints wall seconds of
each `prepare_input` call in this process. Before s21 every run unpacked every archive
again, RAR was not unpacked at all, and a RAR took a child process of its own.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale import make_region
from extractors.archive import prepare_input
from tests.rar import make_rar5


def pack_schools(region: Path) -> dict[str, int]:
    """Each school's files into one archive in its folder; the count of each kind."""
    counts = {"zip": 0, "rar": 0}
    for i, school in enumerate(sorted(p for p in region.iterdir() if p.is_dir())):
        files = [p for p in sorted(school.rglob("*")) if p.is_file()]
        members = {p.relative_to(school).as_posix(): p.read_bytes() for p in files}
        if i % 2:
            make_rar5(school / "Загрузка.rar", members)
            counts["rar"] += 1
        else:
            with zipfile.ZipFile(school / "Загрузка.zip", "w", zipfile.ZIP_DEFLATED) as zf:
                for name, data in members.items():
                    zf.writestr(name, data)
            counts["zip"] += 1
        for path in files:
            path.unlink()
    return counts


def replace_some(region: Path, share: float) -> int:
    """Re-pack every 1/share-th school's archive with one more file in it."""
    schools = sorted(p for p in region.iterdir() if p.is_dir())
    step = max(1, round(1 / share))
    for school in schools[::step]:
        archive = next(school.iterdir())
        extra = {"Дополнение.txt": "Справка о проведении".encode()}
        if archive.suffix == ".zip":
            with zipfile.ZipFile(archive, "a") as zf:
                zf.writestr("Дополнение.txt", extra["Дополнение.txt"])
        else:
            make_rar5(archive, {**_rar_members(archive), **extra})
    return len(schools[::step])


def _rar_members(archive: Path) -> dict[str, bytes]:
    import libarchive

    with libarchive.file_reader(str(archive), "rar5") as reader:
        return {e.pathname: b"".join(e.get_blocks()) for e in reader if e.isreg}


def _timed(region: Path, workdir: Path) -> tuple[float, int]:
    started = time.perf_counter()
    _, errors = prepare_input(region, workdir)
    return time.perf_counter() - started, len(errors)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schools", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-unpack-"))
    try:
        region, _ = make_region(args.schools, work, args.seed, scan_every=0)
        counts = pack_schools(region)
        size = sum(p.stat().st_size for p in region.rglob("*") if p.is_file())
        first, errors = _timed(region, work / "input")
        same, _ = _timed(region, work / "input")
        replaced = replace_some(region, 0.05)
        changed, _ = _timed(region, work / "input")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "schools": args.schools,
        "archives": counts,
        "archive_mb": round(size / 1024**2, 1),
        "first_s": round(first, 2),
        "rerun_unchanged_s": round(same, 2),
        "rerun_replaced_s": round(changed, 2),
        "replaced": replaced,
        "errors": errors,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
