"""The nightly run of one bureau: each step in settings.NIGHTLY_STEPS, in order, each recorded.

A step is a function `step(*, today: date) -> dict` (a summary for staff). A failing step is
recorded as failed and the next ones still run: a broken rollup must not stop deaths from ending
entitlements.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils.module_loading import import_string

from .jobs import job_run


def run_nightly(*, today: datetime.date, task_id: str = "") -> dict[str, dict]:
    results: dict[str, dict] = {}
    for path in settings.NIGHTLY_STEPS:
        step = import_string(path)
        try:
            with job_run(job=f"nightly:{path.rsplit('.', 1)[-1]}", task_id=task_id) as run:
                run.detail = {"today": today.isoformat(), **(step(today=today) or {})}
            results[path] = run.detail
        except Exception as exc:  # noqa: BLE001 - recorded in the JobRun; the other steps still run
            results[path] = {"error": f"{type(exc).__name__}: {exc}"}
    return results
