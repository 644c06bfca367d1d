"""Russian lemmas through spaCy's blank pipeline and the pymorphy3 lemmatizer.

spaCy's trained Russian pipelines are not on PyPI, so `blank("ru")` supplies the tokenizer
and stop words and pymorphy3 (installed with its dictionaries) the lemmas. The pipeline is
built once per process: it takes about a second.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from classifiers.vocabulary import package_versions, word_memo

# Caps the work on very long documents; what decides a match is in the first pages.
MAX_CHARS = 30_000


@lru_cache(maxsize=1)
def nlp() -> Language:
    pipeline = spacy.blank("ru")
    pipeline.add_pipe("lemmatizer", config={"mode": "pymorphy3"})
    pipeline.initialize()
    return pipeline


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """Lemma of one lower-case word; without a tagger the lemma depends on the word alone,
    so caching by word saves the morphological analysis of every repeated word."""
    return nlp()(word)[0].lemma_.replace("ё", "е")


@word_memo("content-lemma", version=lambda: lemmatizer_version())
def _content_lemma(word: str) -> str | None:
    """The lemma of one lower-case alphabetic token, or None when the token or its lemma is
    a stop word or the token is shorter than three letters. All of it depends on the word
    alone, so one cached look-up replaces the per-token stop-word checks."""
    pipeline = nlp()
    if len(word) < 3 or pipeline.vocab[word].is_stop:
        return None
    word_lemma = lemma(word)
    return None if pipeline.vocab[word_lemma].is_stop else word_lemma


# Within one school the same texts are lemmatised several times (the document-type model's
# features and the matcher both read a document's title and body, the matcher some of them
# twice): the last few hundred texts are kept, about one school's worth.
@lru_cache(maxsize=512)
def _text_lemmas(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for token in nlp().tokenizer(text.lower()):
        if token.is_alpha:
            word_lemma = _content_lemma(token.text)
            if word_lemma is not None:
                out.append(word_lemma)
    return tuple(out)


# Inside a `memo` block: the texts' lemmas known from an earlier review of the same school
# and those asked for in this one, by a digest of the text. None outside.
Lemmas = dict[bytes, tuple[str, ...]]
_memo: ContextVar[tuple[Lemmas, Lemmas] | None] = ContextVar("lemma_memo", default=None)


def lemmas(text: str) -> list[str]:
    """Content-word lemmas in order: letters only, no stop words, at least three letters."""
    text = text[:MAX_CHARS]
    state = _memo.get()
    if state is None:
        return list(_text_lemmas(text))
    known, used = state
    key = hashlib.blake2b(text.encode(), digest_size=16).digest()
    found = used.get(key)
    if found is None:
        found = known.get(key)
        used[key] = found = _text_lemmas(text) if found is None else found
    return list(found)


@contextmanager
def memo(known: Lemmas) -> Iterator[Lemmas]:
    """Within the block, a text whose lemmas are in `known` is not lemmatised again; the
    block yields the lemmas of every text asked for in it, to be kept for next time.

    A school touched by a re-run is matched again in full, and a fresh worker process meets
    every word of its unchanged documents for the first time: tokenising them and looking up
    each new word's lemma was about half of such a school's cost. A text's lemmas depend on
    the text alone (and `lemmatizer_version`), so those kept from the school's last review
    serve as they are."""
    used: Lemmas = {}
    token = _memo.set((known, used))
    try:
        yield used
    finally:
        _memo.reset(token)


@lru_cache(maxsize=1)
def lemmatizer_version() -> str:
    """What lemmas depend on besides the text: this module's rules and the libraries' and
    dictionaries' versions (kept lemmas are keyed by it)."""
    rules = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"{rules};{package_versions('spacy', 'pymorphy3', 'pymorphy3-dicts-ru')}"
