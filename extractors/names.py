"""File names as text a person can read.

A school's upload unpacked from a ZIP made on Windows, or copied from an old share, may have
names that are not UTF-8: the bytes of Windows-1251 or of DOS's cp866, which ZIP tools used
for Cyrillic names. Python keeps such a name with surrogate escapes, which no JSON, XLSX or
UTF-8 file can hold: one such name stopped the whole run (s18)."""

from __future__ import annotations

import os
from pathlib import PurePath

# Where a Cyrillic name's bytes were not UTF-8, they were one of these, nearly always.
_CODECS = ("cp1251", "cp866")
_PLAIN = set(" .,;-_()[]№#+&'!@%=~")


def _plausible(text: str) -> int:
    """How much of `text` looks like a Russian file name: Cyrillic and ASCII letters,
    digits and the usual marks count; anything else (cp866's box-drawing, controls) not."""
    return sum(
        (ch.isascii() and ch.isalnum()) or "а" <= ch.lower() <= "я" or ch in "ёЁ" or ch in _PLAIN
        for ch in text
    )


def readable(name: str | PurePath) -> tuple[str, str | None]:
    """`name` (a file's name or relative path, as Python holds it) as valid text, and the
    codec its bytes were read with when they were not UTF-8 (None when they were). Of
    Windows-1251 and cp866, the reading that looks more like a name wins (cp866 has a
    character for every byte, so some reading always exists, if not always a sensible
    one)."""
    text = str(name)
    try:
        text.encode("utf-8")
        return text, None
    except UnicodeEncodeError:
        return decode_name(os.fsencode(text))


def decode_name(raw: bytes) -> tuple[str, str | None]:
    """A name's bytes as text, and the codec used when they are not UTF-8 (None when they
    are): see `readable`. Also for the names in a ZIP without its UTF-8 flag."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    best, best_codec, best_score = "", "", -1
    for codec in _CODECS:
        try:
            candidate = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _plausible(candidate)
        if score > best_score:
            best, best_codec, best_score = candidate, codec, score
    return best, best_codec
