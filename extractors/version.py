"""Versions of the code, for caches that must not reuse what older code made."""

from __future__ import annotations

import hashlib
import importlib
from functools import cache
from pathlib import Path


@cache
def code_version(package: str) -> str:
    """Hash of a package's source: a cached result from older code is not reused."""
    digest = hashlib.sha256()
    for source in sorted(Path(importlib.import_module(package).__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]
