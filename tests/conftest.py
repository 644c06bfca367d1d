"""Shared test set-up: one Prefect test server for the whole session (it takes ~10 s)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from pipelines.prefect_env import use_defaults

# The test server runs with the settings the CLI gives its temporary server.
use_defaults()

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
SAMPLE_REPORT_DATE = date(2022, 6, 1)


@pytest.fixture
def extract_calls(monkeypatch) -> list[str]:
    """Names of the files the review flow reads, in this process (run the flow with
    workers=1: worker processes do not see the patch)."""
    import pipelines.work as work

    calls: list[str] = []
    real = work.extract

    def counting(path, root=None):
        calls.append(Path(path).name)
        return real(path, root=root)

    monkeypatch.setattr(work, "extract", counting)
    return calls


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def sample_review(prefect_harness, tmp_path_factory) -> Path:
    """One review of the bundled sample for the tests that only read or copy its output."""
    from pipelines.review import review_region

    out = tmp_path_factory.mktemp("sample-review")
    review_region(SAMPLE, out, SAMPLE_REPORT_DATE)
    return out
