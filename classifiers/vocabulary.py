"""Word-level memos (a word's lemma, its grammatical form) that can be saved and loaded.

A process meets each word form of Russian school papers once and asks pymorphy3 about it;
repeated words are looked up in a memo. A long review fills the memos as it goes, but a
re-run's fresh worker process starts empty, and each document changed since the last run
then costs more to type and match than in a warm worker (`bench/worker.py`: typing a
document with new text 24.3 CPU-ms without the kept words, 15.4 with them). Words are the
same from one run to the next, so what a run learnt is kept (`pipelines.work` saves it next
to the per-file cache) and the next run's workers load it before their first school.

A memo's entries depend only on the word and its `version` (the code and dictionaries
behind them), which names the saved file: other code or dictionaries, other file.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

# How many words a memo keeps unless it says otherwise.
DEFAULT_LIMIT = 200_000
# Every word memo of the process by name: what is saved and loaded.
_MEMOS: dict[str, WordMemo] = {}


class WordMemo(Generic[T]):
    """`compute(word)` remembered by word, up to `limit` words (then forgotten and begun
    again: a batch's vocabulary is far smaller). Counts what it computed itself since
    `take_learnt` was last called, so that only new words are saved."""

    def __init__(
        self, compute: Callable[[str], T], name: str, version: Callable[[], str], limit: int
    ) -> None:
        self.compute = compute
        self.name = name
        self._version = version
        self.limit = limit
        self._values: dict[str, T] = {}
        self._learnt: list[str] = []
        self._digest = ""
        self.__doc__ = compute.__doc__
        self.__wrapped__ = compute

    def __call__(self, word: str) -> T:
        try:
            return self._values[word]
        except KeyError:
            pass
        value = self.compute(word)
        if len(self._values) >= self.limit:
            self.cache_clear()
        self._values[word] = value
        self._learnt.append(word)
        return value

    def version(self) -> str:
        """The code and dictionaries the entries come from, as a short digest: the module's
        source and whatever `version` (given at creation) names."""
        if not self._digest:
            source = Path(inspect.getfile(self.compute)).read_bytes()
            digest = hashlib.sha256(source + b"\0" + self._version().encode())
            self._digest = digest.hexdigest()[:16]
        return self._digest

    def take_learnt(self) -> dict[str, T]:
        """The entries computed here since the last call; from now on they count as known."""
        learnt = {w: self._values[w] for w in self._learnt if w in self._values}
        self._learnt = []
        return learnt

    def update(self, values: dict[str, T]) -> None:
        """Entries loaded from elsewhere: known, not learnt."""
        room = self.limit - len(self._values)
        if room <= 0:
            return
        for word, value in values.items():
            if room <= 0:
                break
            if word not in self._values:
                self._values[word] = value
                room -= 1

    def known(self) -> int:
        return len(self._values)

    def cache_clear(self) -> None:
        self._values.clear()
        self._learnt = []


def word_memo(
    name: str, version: Callable[[], str], limit: int = DEFAULT_LIMIT
) -> Callable[[Callable[[str], T]], WordMemo[T]]:
    """Decorator: the function's results kept by word, in a memo saved and loaded under
    `name`."""

    def wrap(compute: Callable[[str], T]) -> WordMemo[T]:
        memo = WordMemo(compute, name, version, limit)
        _MEMOS[name] = memo
        return memo

    return wrap


def package_versions(*packages: str) -> str:
    """The installed versions of `packages` ("name=1.2;other=?"), for a memo's `version`:
    other libraries or dictionaries, other entries."""
    parts = []
    for package in packages:
        try:
            parts.append(f"{package}={version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package}=?")
    return ";".join(parts)


def memos() -> dict[str, WordMemo]:
    """The word memos defined so far, by name (importing a module defines its memos)."""
    return dict(_MEMOS)


def settle() -> None:
    """Count every entry computed so far as known (a fork server's warm-up words, which each
    forked worker would otherwise save again)."""
    for memo in _MEMOS.values():
        memo.take_learnt()
