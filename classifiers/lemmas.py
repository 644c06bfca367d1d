"""Russian lemmas through spaCy's blank pipeline and the pymorphy3 lemmatizer.

spaCy's trained Russian pipelines are not on PyPI, so `blank("ru")` supplies the tokenizer
and stop words and pymorphy3 (installed with its dictionaries) the lemmas. The pipeline is
built once per process: it takes about a second.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

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


@lru_cache(maxsize=200_000)
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


def lemmas(text: str) -> list[str]:
    """Content-word lemmas in order: letters only, no stop words, at least three letters."""
    return list(_text_lemmas(text[:MAX_CHARS]))
