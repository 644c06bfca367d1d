"""Imported once by the fork server that starts the review's worker processes (see
`pipelines.review.work_pool`): the libraries and models are loaded there, and every worker
forked from it starts with them, instead of each spending 5-6 CPU-seconds on it."""

import gc
import shutil
import tempfile
from datetime import date
from pathlib import Path

from classifiers import vocabulary
from pipelines.work import model_version, review_school, warm_worker

# A small school of the bundled sample, reviewed once here: what loads on first use
# (pdfminer's fonts and encodings, python-docx's parts, the matcher's settings, XlsxWriter's
# modules) is then in memory before the fork, not loaded again by every worker of every run.
# Measured in a fresh worker: its first PDF took 137-171 CPU-ms to read and its first DOCX
# 57-82, against 8 and 11 with this; the review itself costs the fork server 0.8 s.
_EXERCISE = Path(__file__).resolve().parents[1] / "data" / "sample" / "school_01_sosnovskaya"


def exercise(folder: Path = _EXERCISE) -> bool:
    """Review `folder` into a temporary folder and throw the result away; False when there is
    no such folder (an installation without the sample)."""
    if not folder.is_dir():
        return False
    out = Path(tempfile.mkdtemp(prefix="evidence-review-warm-"))
    try:
        # The promoted model's version, as the workers pass it: `document_classifier` is
        # cached by it, and any other key would load a second copy of the model.
        review_school(folder, out, date(2022, 6, 1), model=model_version())
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return True


try:
    warm_worker()
    exercise()
    # The sample has no presentation: python-pptx (0.1 s) is imported here, not in each
    # worker that meets one.
    import extractors.pptx  # noqa: F401
    # Its words are in every worker's memos already: none of them need save them again.
    vocabulary.settle()
    # Python runs a full garbage collection once the objects that survived since the last
    # one number a quarter of those it kept then. The fork server's last one came early in
    # its imports, on a small heap, so a worker's first full collection came after a few
    # schools and walked the whole heap it was forked with: about 0.2 CPU-s and 13,000 pages
    # copied each time, 17 times in 12 re-runs of a 20-school region (worker timestamps),
    # none with this collection done here on the full heap.
    gc.collect()
except Exception:  # the fork server must live: a worker meeting the fault reports it
    pass
