"""How the review scales: a generated region of N schools, reviewed three times.

    .venv/bin/python bench/scale.py                  # N = 20, 100, 300 (long)
    .venv/bin/python bench/scale.py --sizes 20,100

The region: the sample generator's schools, each given the confirming documents of another
generated school as extra uploads (so about 15 files each, every one distinct), and every
`--scan-every`-th school one of its PDFs replaced by a photographed scan (a JPEG read by OCR).

Per N it prints: the wall time of the first review, documents per second, CPU milliseconds per
document (the flow's process, the workers' fork server and its workers, tesseract; the Prefect
server's CPU per document apart, since it shares the same cores), the 1-minute load average at
the end, peak memory of the review's whole process tree (flow process, fork server, workers,
Prefect server, tesseract): resident sizes added up (pages the workers share with the fork
server count once in each) and proportional sizes added up (PSS: shared pages split between
their sharers), and three re-runs after 5% of the files were changed:

- in the same process as the first review (`same-proc`): the workers' fork server, which
  imported the libraries and loaded the models, is already up, as in a notebook or any
  long-lived process that reviews several times;
- in a new process (`2nd run`, the headline figure): as the CLI runs it. Its process time
  (Python, Prefect and the temporary server's start included) is in the JSON output as
  `second_process_s`.
- in a new process after the same share of files changed, but all of them in a few schools
  (`few/1st`): a few schools that uploaded again, rather than changes spread over half of
  the region's schools or more.

Each process starts the workers' fork server where `evidence-review review` does: first,
before it imports Prefect (`pipelines.pool.start_workers_early`). Then its temporary Prefect
API server is warmed up, and only then does the timed review start, so the review's wall
time (what the figures call the run's time) leaves out both starts, which overlap: a user of
the CLI waits for them too, and that wait is in `first_process_s` / `second_process_s`. The
fork server's CPU before the timed part (its imports and models, 3-6 CPU-seconds) is not
in CPU per document; the JSON gives it as `early_cpu_s` / `second_early_cpu_s`. A
deployment's run (`serve`) starts the fork server when its flow finds work, so there its
start is in the review's time (about 3.5 s of one core on a quiet machine). Then, once: OCR
seconds per page on one core (tesseract on the region's scans, one at a time), and
Prefect's own cost per task and per subflow, measured with tasks and subflows that do
nothing, and what its temporary API server spends (CPU) on a run's flow run, on a task run
and on a school's keyed markdown artifact (`--no-extras` skips both).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_ARP_WORDS = ("арп", "антирисков", "программа")

_CHILD = r"""
import json, os, resource, sys, threading, time
from datetime import date
from pathlib import Path
# The Prefect settings `evidence-review review` sets (pipelines/prefect_env.py), as it does.
from pipelines.prefect_env import use_defaults
use_defaults()
import psutil
# Where `evidence-review review` starts the workers' fork server: first, before Prefect is
# imported, so its imports and model loading run while Prefect imports and starts its server.
from pipelines.pool import start_workers_early
start_workers_early()
ours = {p.pid for p in psutil.Process().children(recursive=True)}  # fork server, tracker
from prefect import flow
from pipelines.review import run_review

@flow
def _warm():
    return 1

_warm()  # starts the temporary API server outside the timed part
me, peak, stop = psutil.Process(), [0, 0], threading.Event()
# The other children now are the temporary API server: its CPU is counted apart, since it is
# not in RUSAGE_CHILDREN (still running) yet takes its share of the same cores.
server = [p for p in me.children(recursive=True) if p.pid not in ours]

def _own_cpu(procs):
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total

def _server_cpu():
    return _own_cpu(server)

# Resident sizes added up (pages shared by forked workers counted in each, as before), and
# proportional sizes (each shared page split between its sharers: the memory really used).
# A process's PSS is read from its smaps, which the kernel builds by walking its page
# tables: read every 0.25 s for the whole tree it took about 1 CPU-s of system time in a
# 6.5 s re-run (s19), in this process, so counted in the review's CPU and taken from its
# cores. Now the resident sizes (statm, cheap) every 0.25 s, and PSS each second and
# whenever the resident sizes grew by 2% since it was last read.
def _sizes(full):
    rss = pss = 0
    for p in [me, *me.children(recursive=True)]:
        try:
            if full:
                m = p.memory_full_info()
                rss, pss = rss + m.rss, pss + m.pss
            else:
                rss += p.memory_info().rss
        except psutil.Error:
            pass
    return rss, pss

def _watch():
    tick, read_at = 0, 0
    while not stop.is_set():
        rss, pss = _sizes(full=tick % 4 == 0)
        if tick % 4 and rss > 1.02 * read_at:
            rss, pss = _sizes(full=True)
        if pss:
            read_at = rss
        peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
        tick += 1
        time.sleep(0.25)

threading.Thread(target=_watch, daemon=True).start()
# CPU seconds of this process and everything it started but the API server: reaped
# processes through RUSAGE_CHILDREN, live ones (the workers' fork server, which reaps the
# workers and so holds their CPU) through their own and their reaped children's times.
def _cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    total = s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
    skip = {p.pid for p in server}
    for p in me.children(recursive=True):
        if p.pid in skip:
            continue
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total

def _settle():
    # Workers just told to stop may not be reaped yet (their CPU would be missed).
    for _ in range(40):
        if not any(p.pid not in {q.pid for q in server}
                   and p.ppid() != me.pid for p in me.children(recursive=True)):
            return
        time.sleep(0.05)

def _early_cpu():
    # What the fork server spent before the timed part (its imports and models, or part of
    # them): hidden behind Prefect's start, yet CPU a user's machine pays.
    return _own_cpu(p for p in me.children() if p.pid in ours)

def review():
    peak[0] = peak[1] = 0
    early = _early_cpu()
    c0, s0, t0 = _cpu(), _server_cpu(), time.perf_counter()
    s = run_review(Path(sys.argv[1]), Path(sys.argv[2]), date(2022, 6, 1))  # as the CLI does
    dt = time.perf_counter() - t0
    _settle()
    print(json.dumps({'seconds': dt, 'cpu_s': _cpu() - c0, 'server_cpu_s': _server_cpu() - s0,
                      'peak_mb': round(peak[0] / 2**20), 'peak_pss_mb': round(peak[1] / 2**20),
                      'failed': len(s.failed), 'early_cpu_s': early,
                      'load': os.getloadavg()[0]}), flush=True)

# One review per line read: the parent changes files between them (same-process re-run).
for line in sys.stdin:
    review()
stop.set()
"""


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    }


class _Reviewer:
    """A fresh Python process that reviews the region each time it is asked. A worker's
    fork server (its imports and models, see pipelines/warm.py) lives as long as the process:
    the first review pays for it, later ones in the same process do not."""

    def __init__(self, region: Path, out: Path, home: Path) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(region), str(out)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(home),
        )

    def review(self) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            sys.exit(f"review failed:\n{self.proc.stderr.read()[-3000:]}")
        # From the process's start: Python, Prefect and its temporary server's start included,
        # as a user of the CLI waits for them.
        return {**json.loads(line), "process_s": time.perf_counter() - self.started}

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait()


def _timed_review(region: Path, out: Path) -> dict:
    reviewer = _Reviewer(region, out, out.parent / "prefect-home")
    try:
        return reviewer.review()
    finally:
        reviewer.close()


# Where code is put into `_CHILD` to review a variant (`review_in_new_process`).
_LOOP = "# One review per line read"


def review_in_new_process(
    region: Path,
    out: Path,
    home: Path,
    inject: str = "",
    env: dict[str, str] | None = None,
    what: str = "review",
    root: Path = ROOT,
) -> dict:
    """One review by `_CHILD` in a fresh process, as the CLI runs it, and its figures. For
    other benchmarks' variants: `inject` is code the child runs after its imports (it may
    replace what the review calls), `env` more environment, `what` names the review in
    the error that ends the benchmark when it fails, `root` the checkout whose code reviews
    (the child imports the project from its working directory before the installed one)."""
    child = _CHILD.replace(_LOOP, inject + _LOOP, 1)
    run = subprocess.run(
        [sys.executable, "-c", child, str(region), str(out)],
        cwd=root,
        input="run\n",
        capture_output=True,
        text=True,
        env={**_env(home), **(env or {})},
    )
    if run.returncode != 0 or not run.stdout.strip():
        sys.exit(f"{what} failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def _is_arp(path: Path) -> bool:
    return any(w in path.name.lower() for w in _ARP_WORDS)


def _scan(pdf: Path, rng: random.Random, dpi: int = 200) -> Path | None:
    """The PDF's first page as a phone photo of a paper copy: grey, slightly turned, JPEG.
    None when the PDF cannot be rendered."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(pdf))
        image = doc[0].render(scale=dpi / 72).to_pil().convert("L")
        doc.close()
    except (pdfium.PdfiumError, IndexError):
        return None
    image = image.rotate(rng.uniform(-1.5, 1.5), expand=True, fillcolor=235)
    target = pdf.with_name(f"Скан {pdf.stem}.jpg")
    image.save(target, quality=80)
    pdf.unlink()
    return target


def make_region(n: int, work: Path, seed: int, scan_every: int) -> tuple[Path, int]:
    """N schools of about 15 distinct files each, some scanned; returns (region, scans)."""
    sys.path.insert(0, str(ROOT))
    from data.generate_sample import generate

    raw, donors, region = work / f"raw-{n}", work / f"donors-{n}", work / f"region-{n}"
    # Two calls: one call runs out of distinct school names before 600 schools.
    generate(raw, work / f"truth-{n}", n_schools=n, seed=seed, start=6)
    generate(donors, work / f"truth-donors-{n}", n_schools=n, seed=seed + 1, start=6 + n)
    schools = sorted(p for p in raw.iterdir() if p.is_dir())
    givers = sorted(p for p in donors.iterdir() if p.is_dir())
    rng = random.Random(seed)
    scans = 0
    for i, (school, donor) in enumerate(zip(schools, givers, strict=True)):
        target = region / school.name
        shutil.copytree(school, target)
        for path in sorted(donor.iterdir()):
            if path.is_file() and not _is_arp(path):
                shutil.copyfile(path, target / f"доп {path.name}")
        if scan_every and i % scan_every == 0:
            pdfs = sorted(p for p in target.iterdir() if p.suffix == ".pdf" and not _is_arp(p))
            rng.shuffle(pdfs)
            for pdf in pdfs:  # the generator also writes damaged PDFs on purpose
                if _scan(pdf, rng):
                    scans += 1
                    break
    shutil.rmtree(raw)
    shutil.rmtree(donors)
    return region, scans


def pick_files(region: Path, share: float, seed: int) -> list[Path]:
    """`share` of the region's files, picked at random over the whole region (so they fall
    in about half of the schools or more): the files `change_files` changes."""
    files = sorted(p for p in region.rglob("*") if p.is_file())
    return random.Random(seed).sample(files, max(1, round(share * len(files))))


def change_files(region: Path, share: float, seed: int) -> list[Path]:
    """Change the files `pick_files` picks in place, keeping each one readable."""
    picked = pick_files(region, share, seed)
    _change(picked)
    return picked


def change_schools(region: Path, share: float, seed: int) -> list[Path]:
    """Change `share` of the files in place, all of a few schools' files (schools taken in a
    random order until the count is reached, the last one in part): a few schools that
    uploaded their documents again, as an operator's daily re-run meets them."""
    files = sorted(p for p in region.rglob("*") if p.is_file())
    wanted = max(1, round(share * len(files)))
    schools = sorted({p.parent for p in files})
    random.Random(seed).shuffle(schools)
    picked: list[Path] = []
    for school in schools:
        picked += sorted(p for p in files if p.parent == school)[: wanted - len(picked)]
        if len(picked) >= wanted:
            break
    _change(picked)
    return picked


def _change(picked: list[Path], tag: str = "") -> None:
    """Append to each file (`tag` tells this change's added DOCX/XLSX members from earlier
    ones of the same file); a photo gets new pixels instead (`_mark`)."""
    for n, path in enumerate(picked):
        if path.suffix.lower() in (".jpg", ".jpeg"):
            _mark(path)
        elif zipfile.is_zipfile(path):  # DOCX / XLSX: one more harmless member
            with zipfile.ZipFile(path, "a") as zf:
                zf.writestr(f"customXml/bench-change-{tag}{n}.txt", "re-uploaded")
        else:  # PDF, text: trailing bytes are ignored by readers
            with path.open("ab") as fh:
                fh.write(b"\n% re-uploaded\n")


def _mark(photo: Path) -> None:
    """A dark square drawn in the photo's top margin, somewhere new each time, and the photo
    saved again: a photo taken again has new pixels. Since s22 a page's OCR is kept by its
    pixels (`extractors.kept.kept`), so bytes appended to a photo, as before, would leave
    its page in the cache and the re-runs would no longer pay the OCR a new photo costs."""
    from PIL import Image

    rng = random.Random(hashlib.sha256(photo.read_bytes()).digest())
    with Image.open(photo) as image:
        marked = image.convert("L")
    x = rng.randrange(0, marked.width - 24)
    marked.paste(rng.randrange(0, 60), (x, 0, x + 24, 24))
    marked.save(photo, format="JPEG", quality=80)


def bench(n: int, work: Path, seed: int, scan_every: int) -> dict:
    t0 = time.perf_counter()
    region, scans = make_region(n, work, seed, scan_every)
    gen_seconds = time.perf_counter() - t0
    out = work / f"out-{n}"
    files = sum(1 for p in region.rglob("*") if p.is_file())
    reviewer = _Reviewer(region, out, work / "prefect-home")
    try:
        first = reviewer.review()
        # Re-run in the same process: its workers' fork server is already up (a notebook, a
        # long-lived service). Not the headline: `serve` starts each run as a new process.
        same_changed = change_files(region, 0.05, seed + 1000)
        same = reviewer.review()
    finally:
        reviewer.close()
    # The headline re-run: a new process, as the CLI and `serve` run it.
    changed = change_files(region, 0.05, seed)
    second = _timed_review(region, out)
    touched = len({p.parent for p in changed})
    # The same share of files, all in a few schools (new process too): what a re-run costs
    # when the changes come from the few schools that uploaded again.
    few_changed = change_schools(region, 0.05, seed + 2000)
    few = _timed_review(region, out)
    return {
        "schools": n,
        "files": files,
        "scans": scans,
        "generate_s": round(gen_seconds, 1),
        "first_s": round(first["seconds"], 1),
        "docs_per_s": round(files / first["seconds"], 2),
        "cpu_ms_per_doc": round(1000 * first["cpu_s"] / files),
        "early_cpu_s": round(first["early_cpu_s"], 1),
        "second_early_cpu_s": round(second["early_cpu_s"], 1),
        "peak_mb": first["peak_mb"],
        "peak_pss_mb": first["peak_pss_mb"],
        "changed_files": len(changed),
        "touched_schools": touched,
        "server_ms_per_doc": round(1000 * first["server_cpu_s"] / files),
        "load": round(first["load"], 1),
        "first_process_s": round(first["process_s"], 1),
        "second_s": round(second["seconds"], 1),
        "second_process_s": round(second["process_s"], 1),
        "second_share": round(second["seconds"] / first["seconds"], 3),
        "second_peak_mb": second["peak_mb"],
        "second_cpu_share": round(second["cpu_s"] / first["cpu_s"], 3),
        "second_load": round(second["load"], 1),
        "same_changed_files": len(same_changed),
        "same_touched_schools": len({p.parent for p in same_changed}),
        "same_s": round(same["seconds"], 1),
        "same_share": round(same["seconds"] / first["seconds"], 3),
        "same_cpu_share": round(same["cpu_s"] / first["cpu_s"], 3),
        "few_changed_files": len(few_changed),
        "few_touched_schools": len({p.parent for p in few_changed}),
        "few_s": round(few["seconds"], 1),
        "few_share": round(few["seconds"] / first["seconds"], 3),
        "few_cpu_share": round(few["cpu_s"] / first["cpu_s"], 3),
        "failed": first["failed"],
        "failed_second": second["failed"],
        "failed_few": few["failed"],
        "failed_same": same["failed"],
    }


def ocr_seconds_per_page(region: Path, limit: int = 8) -> dict:
    """Tesseract on the region's scans one at a time: wall seconds per page on one core, and
    of them tesseract's CPU and ours (`bench/ocr.py`, which also checks what is read)."""
    from bench.ocr import timed_extract

    scans = sorted(region.rglob("*.jpg"))[:limit]
    if not scans:
        return {"pages": 0, "s_per_page": None}
    docs, times = timed_extract(scans)
    return {"pages": sum(d.n_pages for d in docs), **times}


_OVERHEAD = r"""
import os, time
from pipelines.prefect_env import use_defaults
use_defaults()  # as `evidence-review review` does
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

@task(cache_policy=NO_CACHE)
def nothing(x):
    return x

@flow
def empty(x):
    return x

@flow
def measure(n):
    t = time.perf_counter()
    for i in range(n):
        nothing(i)
    per_task = (time.perf_counter() - t) / n
    t = time.perf_counter()
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        for i in range(n // 10):
            empty(i)
    per_flow = (time.perf_counter() - t) / (n // 10)
    return {'task_ms': round(per_task * 1000, 1), 'subflow_ms': round(per_flow * 1000, 1)}

measure(10)  # the first runs pay for imports and the first API calls
result = measure(200)

# What the temporary API server spends (its process's CPU) on what a touched school costs
# Prefect (its task run, its sheet's keyed markdown artifact) and on a run's own flow run
# (created, started, finished: paid once per review, however few schools it touches). The
# server handles a run's events after answering, so each figure waits for it to settle and
# leaves out what the idle server spends in the same time.
import psutil
from prefect.artifacts import create_markdown_artifact
from pipelines.review import heartbeats_where_watched

server = psutil.Process().children(recursive=True)
SETTLE = 2.0

def server_cpu():
    return sum(p.cpu_times().user + p.cpu_times().system for p in server)

@flow
def tasks(n):
    for i in range(n):
        nothing(i)

@flow
def artifacts(n):
    for i in range(n):
        create_markdown_artifact(key=f"school-{i}", markdown="# school\n" + "| K1 | 2 |\n" * 40)

def cost(fn, *args):
    time.sleep(SETTLE)
    c, t = server_cpu(), time.perf_counter()
    fn(*args)
    wall = time.perf_counter() - t
    time.sleep(SETTLE)
    return wall, server_cpu() - c

with heartbeats_where_watched():
    idle = cost(time.sleep, 0.0)[1]  # two settles of the idle server
    n = 40
    flow_wall, flow_cpu = cost(tasks, 0)
    _, with_tasks = cost(tasks, n)
    _, with_artifacts = cost(artifacts, n)
result.update(
    run_flow_ms=round(flow_wall * 1000, 1),
    run_flow_server_cpu_ms=round((flow_cpu - idle) * 1000, 1),
    task_server_cpu_ms=round((with_tasks - flow_cpu) / n * 1000, 1),
    artifact_server_cpu_ms=round((with_artifacts - flow_cpu) / n * 1000, 1),
)
print(__import__('json').dumps(result))
"""


def prefect_overhead(work: Path) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", _OVERHEAD],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(work / "prefect-home-overhead"),
    )
    if run.returncode != 0:
        sys.exit(f"overhead measurement failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="20,100,300", help="comma-separated numbers of schools")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--scan-every", type=int, default=3, help="one scan in every K-th school (0: none)"
    )
    ap.add_argument(
        "--work",
        type=Path,
        default=None,
        help="folder for regions, kept after the run (default: a temporary one, removed)",
    )
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--no-extras", action="store_true", help="skip the OCR and Prefect overhead measurements"
    )
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        return _run(args, sizes, args.work)
    # A run leaves about 430 MB of regions, outputs and caches (N = 20, 100, 300): kept only
    # where the user asked (`--work`), not piling up in the temporary folder run after run.
    with tempfile.TemporaryDirectory(prefix="evidence-bench-", ignore_cleanup_errors=True) as tmp:
        return _run(args, sizes, Path(tmp))


def _run(args: argparse.Namespace, sizes: list[int], work: Path) -> int:
    print(f"cpus: {os.cpu_count()}; load: {os.getloadavg()[0]:.1f}; work: {work}", file=sys.stderr)
    cols = [
        ("schools", "N"),
        ("files", "files"),
        ("scans", "scans"),
        ("first_s", "wall s"),
        ("docs_per_s", "docs/s"),
        ("cpu_ms_per_doc", "cpu ms/doc"),
        ("server_ms_per_doc", "server ms"),
        ("peak_mb", "peak MB"),
        ("peak_pss_mb", "PSS MB"),
        ("changed_files", "changed"),
        ("touched_schools", "schools hit"),
        ("second_s", "2nd run s"),
        ("second_share", "2nd/1st"),
        ("same_s", "same-proc s"),
        ("same_share", "same/1st"),
        ("few_touched_schools", "few hit"),
        ("few_share", "few/1st"),
        ("failed", "failed"),
        ("load", "load"),
    ]
    if not args.json:
        print(" ".join(f"{title:>11}" for _, title in cols))
    for n in sizes:
        row = bench(n, work, args.seed, args.scan_every)
        row["load_after"] = round(os.getloadavg()[0], 1)
        if args.json:
            print(json.dumps(row), flush=True)
        else:
            print(" ".join(f"{row[key]!s:>11}" for key, _ in cols), flush=True)
    if args.no_extras:
        return 0
    extra = {
        "ocr": ocr_seconds_per_page(work / f"region-{sizes[0]}") if args.scan_every else None,
        "prefect": prefect_overhead(work),
    }
    print(json.dumps(extra), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
