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


def lemmas(text: str) -> list[str]:
    """Content-word lemmas in order: letters only, no stop words, at least three letters."""
    out: list[str] = []
    pipeline = nlp()
    for token in pipeline.tokenizer(text[:MAX_CHARS].lower()):
        if not token.is_alpha or len(token.text) < 3 or token.is_stop:
            continue
        word_lemma = lemma(token.text)
        if not pipeline.vocab[word_lemma].is_stop:
            out.append(word_lemma)
    return out
