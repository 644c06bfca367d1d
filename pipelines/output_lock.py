"""One review at a time per output folder.

A scheduled run (`serve`) and an operator's own `evidence-review review` can meet on the
same output. Both would review the same schools, and their writes can interleave so that
one run's finished-mark ends up beside the other run's older sheet, which every later run
would then take over as finished. The second run is refused instead, saying who holds the
folder. The lock is an `flock` on `OUT/.review.lock`: the kernel frees it when its process
dies, so a run killed even with SIGKILL never blocks the next one.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

LOCK_FILE = ".review.lock"

# Output folders this process holds: `run_review` takes the lock before handing out work,
# and the `review_region` flow it then calls must not refuse its own caller.
_held: dict[Path, int] = {}


class OutputBusy(RuntimeError):
    """Another review is writing to the same output folder."""


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold `out_dir` for one review; raise `OutputBusy` if another process holds it."""
    key = out_dir.resolve()
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
        os.close(fd)
        raise OutputBusy(
            f"another review is writing to {out_dir} ({holder}); run again when it has "
            f"finished, or give another --out"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}, since {datetime.now():%Y-%m-%d %H:%M:%S}".encode(), 0)
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        os.close(fd)  # frees the lock
