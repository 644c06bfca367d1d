"""Prefect settings a review sets in the environment before Prefect is imported: they reach
the temporary API server Prefect starts when none is configured (its own process, which
reads them from the environment it inherits). A shared server, configured with
`PREFECT_API_URL`, keeps its own settings; a value already in the environment wins.

No Prefect here, on purpose: this must run before Prefect reads its settings."""

from __future__ import annotations

import os

DEFAULTS: dict[str, str] = {
    # Nothing leaves the machine, and no noisy traceback when the endpoint cannot be reached.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # Prefect gives its temporary server 20 s to start; a busy machine needs longer (seen in
    # the test suite under load), and the batch would otherwise fail before its first school.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    # The temporary server's task-run recorder writes what the tasks report (each school's
    # task run sends three state events) in batches instead of one transaction per event,
    # its default. Alternating re-runs of a 20-school region, the server's CPU counted until
    # 7 s after each run (past the recorder's 5 s flush), its idle use taken off: 1.30 ->
    # 0.81 CPU-s and 2.24 -> 1.83 s of wall time (4 pairs); batching the event persister and
    # the triggers' reads as well changed nothing more (0.72 against 0.69 CPU-s, 4 pairs).
    # Nothing is lost: what is queued is written every 5 s and when the server stops (the
    # run's end); only a hard kill of the server loses its last seconds of task-run records,
    # as it always could for the events Prefect's own persister writes 20 at a time.
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "200",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "50",
    # The temporary server's event persister copies every event (three a task run, those of
    # the flow run and its artifacts) into its events table, which only the UI's event feed
    # reads; its writes hold SQLite's one write lock while the API waits to record the
    # run's states and artifacts. Flow runs, task runs, logs and artifacts have tables of
    # their own and are all kept without it (tests/test_scale_faults.py). The benchmark's
    # headline re-run, with and without it alternating (medians; the second of each pair
    # of figures by bench/rerun_ab.py, the first by a one-off script doing the same): the
    # server's CPU 0.70 -> 0.47 and 0.74 -> 0.59 s (20 schools, 6 each, two stretches),
    # 2.1 -> 1.45 and 2.88 -> 2.08 s (100 schools, 4 each); wall time 1.81 -> 1.44 and
    # 1.66 -> 1.70 s, 6.39 -> 5.59 and 8.15 -> 7.82 s. Turning off the triggers and the
    # event and log streams as well changed nothing more (1.44 against 1.49 s, 6 each).
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
}


def use_defaults() -> None:
    """Put `DEFAULTS` into the environment where it has no value of its own."""
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
