"""The document-type generator: half C adds training wording without touching half B.

Half C (data/labelled/doctype_wording_c.py) feeds only train.jsonl. If it repeated half-B
wording, the held-out score would measure remembered lines again; if adding it changed the
random draws of half A or B, the held-out file would silently change.
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled"


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_doctypes",
                                                  LABELLED / "generate_doctypes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate_doctypes", module)
    spec.loader.exec_module(module)
    return module


def _banks(gen: ModuleType) -> list[tuple[str, object]]:
    out = []
    for name, value in vars(gen).items():
        if isinstance(value, gen.Split):
            out.append((name, value))
        elif isinstance(value, list) and value and isinstance(value[0], tuple) \
                and isinstance(value[0][0], gen.Split):
            out.extend((f"{name}[{i}]", bank) for i, (bank, _) in enumerate(value))
    return out


def _words(entry: object) -> set[str]:
    return set(re.sub(r"\W+", " ", str(entry).lower()).split())


def _half_c_lines(gen: ModuleType) -> list[str]:
    wc = sys.modules["doctype_wording_c"]
    lines = [str(x) for _, bank in _banks(gen) for x in bank.c]
    for forms in (wc.PRODUCT_FORMS, wc.OTHER_FORMS):
        for form in forms.values():
            lines += form["titles"] + form["lines"]
    return lines + wc.NOTE_ORDER_CITES + wc.CERT_ORDER_CITES


def test_half_c_repeats_no_line_of_half_b_nor_of_half_a(gen: ModuleType) -> None:
    banks = [(name, bank) for name, bank in _banks(gen) if bank.c]
    assert len(banks) > 80  # half C covers most banks, not a token few
    exact = [(name, x) for name, bank in banks for x in bank.c
             if str(x).lower() in {str(y).lower() for y in [*bank.a, *bank.b]}]
    assert exact == []
    # Near copies of any held-out line, in any bank: the same words give or take one.
    held_out = [(y, _words(y)) for _, bank in _banks(gen) for y in bank.b]
    near = []
    for x in _half_c_lines(gen):
        wx = _words(x)
        near += [(x, y) for y, wy in held_out
                 if len(wx) > 1 and wy and len(wx & wy) / len(wx | wy) >= 0.7]
    assert near == []


def test_half_c_draws_from_c_or_falls_back_to_a_never_b(gen: ModuleType) -> None:
    ctx = gen.Ctx(random.Random(0), "C", None)
    for name, bank in _banks(gen):
        assert list(ctx.items(bank)) == list(bank.c or bank.a), name


def test_half_c_documents_are_complete_and_labelled_as_c(gen: ModuleType) -> None:
    rows = gen.generate("C", {t: 12 for t in gen.COUNTS}, 5, "t")
    assert {r["doc_type"] for r in rows} == set(gen.COUNTS)
    assert all(r["source"].startswith("synthetic:C:") for r in rows)
    unfilled = [r["id"] for r in rows if re.search(r"\{[a-z_0-9]+\}", r["title"] + r["body"])]
    assert unfilled == []


def test_committed_files_are_what_the_generator_writes(gen: ModuleType, tmp_path: Path) -> None:
    # heldout.jsonl must not move when training wording changes; train.jsonl must be current.
    gen.main(["--out", str(tmp_path)])
    for name in ("train.jsonl", "heldout.jsonl"):
        assert (tmp_path / name).read_bytes() == (LABELLED / "doctypes" / name).read_bytes(), name
    sources = [json.loads(line)["source"] for line in (tmp_path / "train.jsonl").open()]
    assert sum(s.startswith("synthetic:C:") for s in sources) == sum(gen.C_COUNTS.values())
