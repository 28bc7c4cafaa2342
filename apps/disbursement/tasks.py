"""Celery tasks of the disbursement: thin, idempotent, safe to redeliver.

acks_late + reject_on_worker_lost: a worker that dies mid-run leaves its message unacknowledged,
so the broker hands it out again after the visibility timeout; the service resumes the run from
what the chunks already committed, and the unique key makes a duplicate delivery harmless.
"""

from __future__ import annotations

from celery import current_app, shared_task
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.benefits.rules import first_of_month
from apps.core.jobs import job_run
from apps.core.periods import parse_month

from . import nightly
from .generation import payment_run_generate
from .models import PaymentRun
from .services import payment_run_monthly, payment_run_offer

ROLLUP_TASK = "province.bureau_rollup"


def _workers() -> int:
    return getattr(settings, "DISBURSEMENT_GENERATION_WORKERS", 1)


def _queue(request) -> str | None:
    # Helpers go where the run's own task came from: a bureau routed to its queue stays there.
    return (request.delivery_info or {}).get("routing_key") or None


@shared_task(name="disbursement.monthly_run", acks_late=True, reject_on_worker_lost=True)
def monthly_run(period: str | None = None, chunk_size: int | None = None) -> dict:
    """This bureau's regular run of the month (default: the current month, Asia/Shanghai)."""
    day = parse_month(period) if period else first_of_month(timezone.localdate())
    with job_run(job="disbursement.monthly_run", task_id=monthly_run.request.id or "") as job:
        run = payment_run_monthly(period=day, chunk_size=chunk_size, workers=_workers(),
                                  queue=_queue(monthly_run.request))
        job.detail = _summary(run)
    # The province sees the month's figures the morning they exist, not only after the next nightly run.
    # Sent by name: the province is a floor above; its task runs in the public schema and reads this one.
    current_app.send_task(ROLLUP_TASK, args=[connection.schema_name], headers={"_schema_name": "public"})
    return job.detail


@shared_task(name="disbursement.generate_run", acks_late=True, reject_on_worker_lost=True)
def generate_run(run_id: int, chunk_size: int | None = None) -> dict:
    """Generate a run started from the admin or the API (resumes it if redelivered)."""
    run = PaymentRun.objects.get(pk=run_id)
    with job_run(job="disbursement.generate_run", task_id=generate_run.request.id or "") as job:
        if run.status in (PaymentRun.Status.GENERATING, PaymentRun.Status.FAILED):
            payment_run_offer(run=run, workers=_workers(), chunk_size=chunk_size, queue=_queue(generate_run.request))
            run = payment_run_generate(run=run, chunk_size=chunk_size, refresh=False)
        job.detail = _summary(run)
    return job.detail


@shared_task(name="disbursement.generate_chunks", acks_late=True, reject_on_worker_lost=True)
def generate_chunks(run_id: int, chunk_size: int | None = None) -> dict:
    """Another worker's hands on a run being generated (payment_run_offer): it takes free chunks until
    none is left. Too late (the run generated, or failed and waiting for someone to resume it), nothing."""
    run = PaymentRun.objects.filter(pk=run_id).first()
    with job_run(job="disbursement.generate_chunks", task_id=generate_chunks.request.id or "") as job:
        if run is not None and run.status == PaymentRun.Status.GENERATING:
            run = payment_run_generate(run=run, chunk_size=chunk_size, refresh=False)
        job.detail = _summary(run) if run is not None else {"run": run_id, "status": "missing"}
    return job.detail


@shared_task(name="disbursement.lines_cancel_ended", acks_late=True, reject_on_worker_lost=True)
def lines_cancel_ended() -> dict:
    """Sent by name when a death is recorded (apps.burial): unsent lines of months no longer paid go."""
    with job_run(job="disbursement.lines_cancel_ended", task_id=lines_cancel_ended.request.id or "") as job:
        job.detail = nightly.lines_cancel_ended()
    return job.detail


def _summary(run) -> dict:
    return {"run": run.pk, "period": f"{run.period:%Y-%m}", "kind": run.kind, "status": run.status,
            "lines": run.line_count, "total": f"{run.total_amount:.2f}", **(run.detail or {})}
