"""Text normalisation shared by every extractor, so matching never sees format quirks."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pymorphy3

from classifiers.vocabulary import package_versions, word_memo

_DASH_CHARS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_DASHES = dict.fromkeys(map(ord, _DASH_CHARS), "-")
_QUOTES = dict.fromkeys(map(ord, "\u00ab\u00bb\u201c\u201d\u201e\u201f\u2033\u02ba"), '"')
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u3000"), " ")
_SINGLE_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2039\u203a\u2032"), "'")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
# pdfium joins a line that ends in a hyphen to the next and marks the hyphen U+FFFE (or U+0002):
# a hyphen at a line break, whether the word is hyphenated ("общеобразова-тельной") or a
# compound ("психолого-педагогической"); the line-break rule below tells which.
_PDFIUM_HYPHEN = dict.fromkeys(map(ord, "\ufffe\x02"), "-\n")
_TABLE = {**_DASHES, **_QUOTES, **_SINGLE_QUOTES, **_SPACES, **_ZERO_WIDTH, **_PDFIUM_HYPHEN}
# str.translate walks every character in Python-level dict lookups; a regex finds the few
# characters to replace in C first.
_SPECIAL = re.compile("[" + "".join(re.escape(chr(c)) for c in _TABLE) + "]")
_REPLACEMENT = {chr(c): v or "" for c, v in _TABLE.items()}

# A line break inside a word: "общеобразова-\nтельной", or in a narrow PDF cell with no
# hyphen at all, "информацио\nнная". Whether to glue is the dictionary's call: "Апрель-\nмай"
# is a range and "психолого-\nпедагогический" a compound, and both keep their dash.
# Lines are walked pairwise (a regex over the whole page tries every position and costs a
# page ~0.3 ms); a glued line's end is checked again, since in a narrow cell one word can be
# split twice ("Повысить\nкомпетентн\nость").
_CYRILLIC = frozenset("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя")
_LINE_HEAD = re.compile(r"[а-яё]+")
_LOWER = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
_CYRILLIC_OR_DASH = _CYRILLIC | {"-"}
_DASH_AT_BREAK = re.compile(r"(?<=\w)-\n")
_MULTI_SPACE = re.compile(r" {2,}")
_BREAK_BEFORE_PUNCT = re.compile(r"\n(?=[,.;:!?)\]])")
_BLANK_LINES = re.compile(r"\n\s*\n+")


@lru_cache(maxsize=1)
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=1)
def _dictionary_version() -> str:
    return package_versions("pymorphy3", "pymorphy3-dicts-ru")


# A word memo rather than an lru_cache: a re-run's fresh worker reads each changed file again,
# and asking pymorphy3 about the words at its line breaks cost a page more than reading it
# (about 30 ms a file, unknown words guessed by analogy); the words are the last run's.
@word_memo("known-word", version=_dictionary_version, limit=100_000)
def _known(word: str) -> bool:
    """In the dictionary, or a dictionary word behind a known prefix ("внутри|школьной"):
    roadmaps are full of such words and a narrow cell breaks them as often as any other."""
    word = word.lower()
    morph = _morph()
    if morph.word_is_known(word):
        return True
    return any(
        len(p.methods_stack) > 1 and type(p.methods_stack[1][0]).__name__ == "KnownPrefixAnalyzer"
        for p in morph.parse(word)[:3]
    )


def _glued(left: str, dash: str, right: str) -> bool:
    return _known(left + right) and bool(dash or not (_known(left) and _known(right)))


def _join_broken_words(text: str) -> str:
    lines = text.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        prev = out[-1]
        # Cheap tests first: most lines start with a capital, a digit or punctuation.
        if not line or line[0] not in _LOWER or not prev or prev[-1] not in _CYRILLIC_OR_DASH:
            out.append(line)
            continue
        left, dash = _last_word(prev)
        head = _LINE_HEAD.match(line) if left else None
        if head and _glued(left, dash, head.group()):
            out[-1] = prev[: len(prev) - len(dash)] + line
        else:
            out.append(line)
    return "\n".join(out)


def _last_word(line: str) -> tuple[str, str]:
    """The Cyrillic word the line ends with, and the hyphen after it if any."""
    end = len(line)
    dash = "-" if line.endswith("-") else ""
    end -= len(dash)
    start = end
    while start > 0 and line[start - 1] in _CYRILLIC:
        start -= 1
    return line[start:end], dash


def normalize_text(text: str) -> str:
    """One canonical form for text from any source: NFC, plain dashes, quotes and spaces."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = _SPECIAL.sub(lambda m: _REPLACEMENT[m.group()], text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if "  " in text:
        text = _MULTI_SPACE.sub(" ", text)
    if "\n" in text:
        text = _join_broken_words("\n".join(line.strip() for line in text.split("\n")))
        # A line never starts with a comma or a closing bracket: it was squeezed off the
        # line before it.
        text = _BREAK_BEFORE_PUNCT.sub("", text)
    return _BLANK_LINES.sub("\n", text).strip()


def normalize_cell(text: str | None) -> str:
    """Cell text on one line: a cell wraps by width, not by meaning."""
    if not text:
        return ""
    return _DASH_AT_BREAK.sub("-", normalize_text(text)).replace("\n", " ").strip()
