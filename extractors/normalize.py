"""Text normalisation shared by every extractor, so matching never sees format quirks."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pymorphy3

_DASH_CHARS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_DASHES = dict.fromkeys(map(ord, _DASH_CHARS), "-")
_QUOTES = dict.fromkeys(map(ord, "\u00ab\u00bb\u201c\u201d\u201e\u201f\u2033\u02ba"), '"')
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u3000"), " ")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\ufeff"), None)
_TABLE = {**_DASHES, **_QUOTES, **_SPACES, **_ZERO_WIDTH}

# A line break inside a word: "общеобразова-\nтельной", or in a narrow PDF cell with no
# hyphen at all, "информацио\nнная". Whether to glue is the dictionary's call: "Апрель-\nмай"
# is a range and "психолого-\nпедагогический" a compound, and both keep their dash.
_LINE_BREAK = re.compile(r"([А-Яа-яЁё]+)(-?)\n([а-яё]+)")
_DASH_AT_BREAK = re.compile(r"(?<=\w)-\n")
_INLINE_SPACE = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


@lru_cache(maxsize=1)
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=100_000)
def _known(word: str) -> bool:
    return _morph().word_is_known(word.lower())


def _glue(match: re.Match[str]) -> str:
    left, dash, right = match.groups()
    if _known(left + right) and (dash or not (_known(left) and _known(right))):
        return left + right
    return f"{left}{dash}\n{right}"


def normalize_text(text: str) -> str:
    """One canonical form for text from any source: NFC, plain dashes, quotes and spaces."""
    text = unicodedata.normalize("NFC", text).translate(_TABLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_BREAK.sub(_glue, text)
    text = _INLINE_SPACE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", text).strip()


def normalize_cell(text: str | None) -> str:
    """Cell text on one line: a cell wraps by width, not by meaning."""
    if not text:
        return ""
    return _DASH_AT_BREAK.sub("-", normalize_text(text)).replace("\n", " ").strip()
