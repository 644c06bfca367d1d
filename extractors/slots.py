"""How many copies of an external tool (tesseract, LibreOffice) run at once on a machine.

A review runs one worker process per core, and a Dask cluster may put several workers on a
machine; each would start its own tesseract or soffice. The limit holds across all those
processes: a slot is an exclusive lock (flock) on one of `limit` files in a folder shared by
the machine's processes. The kernel drops a dead process's locks, so a run killed with
`kill -9` leaves no slot taken. No Prefect server is involved: a slot costs microseconds,
where a global concurrency limit would cost API calls per page.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def slot_dir() -> Path:
    base = os.environ.get("EVIDENCE_REVIEW_SLOT_DIR") or tempfile.gettempdir()
    folder = Path(base) / f"evidence-review-slots-{os.getuid()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def tool_slot(tool: str, limit: int, timeout: float | None = None) -> Iterator[int]:
    """Hold one of `limit` slots for `tool` while the block runs; yields the slot number.
    Waits for a free one (polling, up to `timeout` seconds, then TimeoutError)."""
    limit = max(1, limit)
    folder = slot_dir()
    give_up = None if timeout is None else time.monotonic() + timeout
    pause = 0.01
    while True:
        for number in range(limit):
            fd = os.open(folder / f"{tool}-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield number
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        if give_up is not None and time.monotonic() > give_up:
            raise TimeoutError(f"no free {tool} slot in {timeout:g} s")
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def with_retries(
    call: Callable[[], T],
    retry_on: type[Exception] | tuple[type[Exception], ...],
    delays: tuple[float, ...] = (0.5, 2.0),
) -> T:
    """`call()`, tried again after each delay (seconds, growing) when it raises `retry_on`:
    external tools sometimes crash on start-up under load; a second try usually works."""
    for delay in delays:
        try:
            return call()
        except retry_on:
            time.sleep(delay)
    return call()
