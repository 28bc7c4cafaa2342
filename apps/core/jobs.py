"""Recording background jobs: every Celery task and command writes a JobRun row in its bureau."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

from .models import JobRun


@contextmanager
def job_run(*, job: str, task_id: str = "") -> Iterator[JobRun]:
    """Record a job; the caller adds to `run.detail`. A failure is recorded, then re-raised."""
    run = JobRun.objects.create(job=job, task_id=task_id)
    try:
        yield run
    except Exception as exc:
        run.status = JobRun.Status.FAILED
        run.detail = {**run.detail, "error": f"{type(exc).__name__}: {exc}"}
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "detail", "finished_at"])
        raise
    run.status = JobRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "detail", "finished_at"])
