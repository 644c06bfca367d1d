"""Imported once by the fork server that starts the review's worker processes (see
`pipelines.review.work_pool`): the libraries and models are loaded there, and every worker
forked from it starts with them, instead of each spending 5-6 CPU-seconds on it."""

from pipelines.work import warm_worker

try:
    warm_worker()
except Exception:  # the fork server must live: a worker meeting the fault reports it
    pass
