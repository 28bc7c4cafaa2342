"""What disbursement sends the province (settings.ROLLUP_CONTRIBUTORS): the last monthly run's health."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from .models import PaymentLine, PaymentRun


def rollup(*, today: datetime.date) -> dict:
    run = PaymentRun.objects.filter(kind=PaymentRun.Kind.REGULAR).order_by("-period", "-started_at").first()
    if run is None:
        return {
            "health": {
                "run.status": None,
                "run.period": None,
                "run.started_at": None,
                "run.approved_at": None,
                "run.lines": 0,
                "run.failed": 0,
                "run.failure_rate": None,
                "run.held": 0,
            }
        }
    counts = (
        PaymentLine.objects.filter(run=run)
        .exclude(status=PaymentLine.Status.CANCELLED)
        .aggregate(
            lines=Count("id"),
            failed=Count("id", filter=Q(status=PaymentLine.Status.FAILED)),
            settled=Count("id", filter=Q(status__in=[PaymentLine.Status.PAID, PaymentLine.Status.FAILED])),
            # Held: no usable account, kept out of the bank file until one is completed.
            held=Count(
                "id", filter=Q(status=PaymentLine.Status.PENDING, bank_account="", payee_institution__isnull=True)
            ),
        )
    )
    rate = None
    if counts["settled"]:
        # Of the lines the bank has answered for; lines not yet returned are neither.
        rate = (Decimal(counts["failed"]) / Decimal(counts["settled"])).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    return {
        "health": {
            "run.status": run.status,
            "run.period": run.period,
            "run.started_at": run.started_at,
            "run.approved_at": run.approved_at,
            "run.lines": counts["lines"],
            "run.failed": counts["failed"],
            "run.failure_rate": rate,
            "run.held": counts["held"],
        }
    }
