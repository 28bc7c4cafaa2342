import datetime

from celery import shared_task
from django.db import connection
from django.utils import timezone

from .jobs import job_run
from .nightly import run_nightly


@shared_task(name="core.heartbeat")
def heartbeat(note: str = "") -> dict:
    """Prove a worker reaches this bureau's schema: records a JobRun and returns where it ran."""
    with job_run(job="heartbeat", task_id=heartbeat.request.id or "") as run:
        run.detail = {"schema": connection.schema_name, "note": note}
    return {"schema": connection.schema_name, "job_run_id": run.pk}


@shared_task(name="core.nightly", acks_late=True)
def nightly(today: str | None = None) -> dict:
    """One bureau's nightly run (beat fans it out with tenants.for_each_bureau at 02:00)."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return run_nightly(today=day, task_id=nightly.request.id or "")
