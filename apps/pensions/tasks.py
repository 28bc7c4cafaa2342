"""Celery tasks of the pensions app: each calls one service and is safe to run twice."""

from celery import shared_task
from django.utils import timezone

from apps.core.jobs import job_run
from apps.core.permissions import SYSTEM

from .models import EligibilityRun
from .services import eligibility_run


@shared_task(name="pensions.eligibility_run", acks_late=True)
def eligibility_run_task(run_id: int) -> dict:
    """An on-demand engine run queued by the API; a redelivered task finds the run done and stops."""
    run = EligibilityRun.objects.filter(pk=run_id).first()
    if run is None or run.status not in (EligibilityRun.Status.QUEUED, EligibilityRun.Status.RUNNING):
        return {"eligibility_run": run_id, "skipped": True}
    with job_run(job="pensions.eligibility_run", task_id=eligibility_run_task.request.id or "") as job:
        try:
            # Queued by a user who may run the engine: applied as that user, or as SYSTEM when none is recorded.
            run = eligibility_run(today=run.today, confirm=run.auto_confirm, user=run.triggered_by or SYSTEM, run=run)
        except Exception as exc:
            EligibilityRun.objects.filter(pk=run_id).update(
                status=EligibilityRun.Status.FAILED, finished_at=timezone.now(),
                summary={"error": f"{type(exc).__name__}: {exc}"})
            raise
        job.detail = {"eligibility_run": run.pk, **run.summary}
    return job.detail
