"""Word memos: a word's lemma and grammatical form computed once, and what a run learnt
kept in the cache folder for the next run's fresh workers."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import pytest

from classifiers.vocabulary import WordMemo
from tests.builders import copy_sample

REPORT = date(2022, 6, 1)


def test_a_word_memo_computes_each_word_once_and_hands_over_only_what_it_learnt() -> None:
    calls: list[str] = []

    def shout(word: str) -> str:
        calls.append(word)
        return word.upper()

    memo = WordMemo(shout, "test", version=lambda: "1", limit=3)
    assert [memo("а"), memo("б"), memo("а")] == ["А", "Б", "А"]
    assert calls == ["а", "б"]
    assert memo.take_learnt() == {"а": "А", "б": "Б"}
    assert memo.take_learnt() == {}  # handed over once
    memo.update({"в": "loaded", "а": "not this"})  # known, not learnt; known words kept
    assert memo("в") == "loaded" and memo("а") == "А"
    assert calls == ["а", "б"] and memo.take_learnt() == {}
    memo("г")  # past the limit: forgotten and begun again, never grown without end
    assert memo.known() == 1 and memo("г") == "Г"
    assert memo.version() == WordMemo(shout, "other", version=lambda: "1", limit=3).version()
    assert memo.version() != WordMemo(shout, "test", version=lambda: "2", limit=3).version()


def test_a_fresh_process_loads_the_words_a_review_learnt_instead_of_asking_pymorphy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import classifiers.doctype_model as dm
    import classifiers.lemmas as lem
    import extractors.normalize as norm
    import pipelines.work as work
    from expert_sheet.settings import load_settings
    from pipelines import school as stages

    folder = copy_sample(tmp_path / "region", ["school_04_polyanskaya"]) / "school_04_polyanskaya"
    storage = tmp_path / "cache"
    word_memos = (dm.word_form, lem._content_lemma, norm._known)
    for memo in word_memos:
        memo.cache_clear()
    lem._text_lemmas.cache_clear()
    work.load_vocabulary.cache_clear()
    first = work.review_school(folder, tmp_path / "out", REPORT, result_storage=storage)
    files = work.FileCache(storage)
    parts = files.keys("words-")
    assert parts and all("." in k for k in parts)  # what the review learnt, as parts
    work.merge_vocabulary(storage)
    kept = files.keys("words-")
    assert len(kept) == len(word_memos) and not any("." in k for k in kept)  # one per memo

    # A fresh process: empty memos; and pymorphy3 out of reach, so a word not loaded fails.
    for memo in word_memos:
        memo.cache_clear()
    work.load_vocabulary.cache_clear()

    def no_pymorphy(*args: object) -> None:
        raise AssertionError("asked pymorphy3 about a word the last run had learnt")

    monkeypatch.setattr(dm, "_morph", no_pymorphy)
    monkeypatch.setattr(lem, "lemma", no_pymorphy)
    monkeypatch.setattr(norm, "_morph", no_pymorphy)
    assert work.load_vocabulary(storage) > 0
    # The school reviewed again from scratch (its files read again, no lemmas kept by text):
    # every word it joins at a line break, types and matches by comes from the loaded words,
    # and the sheet is the same.
    lem._text_lemmas.cache_clear()
    again = stages.review_school(
        folder, REPORT, load_settings(), classifier=work.document_classifier(work.model_version())
    )
    assert again.model_dump() == first.model_dump()


def test_kept_words_of_other_code_or_an_unreadable_file_are_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import classifiers.doctype_model as dm
    import pipelines.work as work

    storage = tmp_path / "cache"
    files = work.FileCache(storage)
    memo = dm.word_form
    files.put(f"{work._vocabulary_key(memo)}.1-1", {"тестовоеслово": "past"})
    work.merge_vocabulary(storage)
    memo.cache_clear()
    work.load_vocabulary.cache_clear()
    monkeypatch.setattr(memo, "_digest", "other-code")  # the memo's code changed since
    assert work.load_vocabulary(storage) == 0
    monkeypatch.undo()
    work.load_vocabulary.cache_clear()
    (storage / work._vocabulary_key(memo)).write_bytes(b"not a pickle")  # a killed write
    assert work.load_vocabulary(storage) == 0
    # The next merge replaces the unreadable entry with what the parts hold.
    files.put(f"{work._vocabulary_key(memo)}.1-2", {"другоеслово": "other"})
    work.merge_vocabulary(storage)
    assert files.get(work._vocabulary_key(memo)) == {"другоеслово": "other"}
    memo.cache_clear()
    work.load_vocabulary.cache_clear()


def test_words_that_cannot_be_saved_cost_the_review_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import classifiers.doctype_model as dm
    import pipelines.work as work

    folder = copy_sample(tmp_path / "region", ["school_04_polyanskaya"]) / "school_04_polyanskaya"
    real_replace = work.os.replace

    def full_for_words(src, dst, *args, **kwargs):  # the volume takes no more words
        if Path(dst).name.startswith("words-"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(work.os, "replace", full_for_words)
    dm.word_form.cache_clear()  # so that the review learns words and tries to save them
    storage = tmp_path / "cache"
    sheet = work.review_school(folder, tmp_path / "out", REPORT, result_storage=storage)
    assert (tmp_path / "out" / folder.name / "sheet.xlsx").is_file() and sheet.total >= 0
    part = f"{work._vocabulary_key(dm.word_form)}.1-1"
    (storage / part).write_bytes(pickle.dumps({"слово": "other"}))  # a part a killed run left
    work.merge_vocabulary(storage)  # cannot write the merged entry: no error either
    assert work.FileCache(storage).keys("words-") == [part]  # the part is kept, not lost


def test_the_run_merges_the_parts_of_memos_its_own_process_never_defined(tmp_path: Path) -> None:
    """The flow's process merges what the workers learnt, yet it does not import every module
    that defines a memo (the extractors' one lives in the workers only): parts are merged by
    their names."""
    import pipelines.work as work

    files = work.FileCache(tmp_path)
    entry = "words-a-workers-memo-0123456789abcdef"
    files.put(entry, {"старое": 1})
    files.put(f"{entry}.11-1", {"слово": 2, "старое": 3})
    files.put(f"{entry}.12-5", {"другое": 4})
    work.merge_vocabulary(tmp_path)
    assert files.keys("words-") == [entry]
    assert files.get(entry) == {"старое": 1, "слово": 2, "другое": 4}
