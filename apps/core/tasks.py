from celery import shared_task
from django.db import connection

from .jobs import job_run


@shared_task(name="core.heartbeat")
def heartbeat(note: str = "") -> dict:
    """Prove a worker reaches this bureau's schema: records a JobRun and returns where it ran."""
    with job_run(job="heartbeat", task_id=heartbeat.request.id or "") as run:
        run.detail = {"schema": connection.schema_name, "note": note}
    return {"schema": connection.schema_name, "job_run_id": run.pk}
