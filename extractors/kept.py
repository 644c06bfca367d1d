"""Where the costly steps inside a file's reading keep their results between runs.

A file's extraction is kept whole by the review (`pipelines.work.FileCache`), under the
file's bytes and all the extractors' code: any update of the extractors reads every file
again. Two steps inside a reading depend on much less and cost far more than the rest: a
page's OCR (on its pixels, about 1.1 s a page) and a LibreOffice conversion (on the file's
bytes, about 2 s a file, one at a time on a machine). Within `kept(store)` they keep their
results in `store` and take them from there (`extractors.ocr`, `extractors.office`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol


class Store(Protocol):
    """Where results are kept by key (`pipelines.work.FileCache` is one)."""

    def get(self, key: str) -> Any: ...

    def put(self, key: str, value: Any) -> bool: ...


_store: ContextVar[Store | None] = ContextVar("kept_store", default=None)


@contextmanager
def kept(store: Store | None) -> Iterator[None]:
    """Within the block, OCR'd pages and LibreOffice conversions are kept in `store` and
    taken from it; None keeps nothing."""
    token = _store.set(store)
    try:
        yield
    finally:
        _store.reset(token)


def current() -> Store | None:
    """The store of the enclosing `kept` block, if any."""
    return _store.get()
