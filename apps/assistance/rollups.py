"""What assistance sends the province (settings.ROLLUP_CONTRIBUTORS): the review (复核) backlog, as counts."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q

from .models import Review


def rollup(*, today: datetime.date) -> dict:
    # Due: scheduled and falling due within 30 days; overdue: past due and not done (whatever the
    # nightly step has marked yet, so a bureau whose nightly run failed still shows its backlog).
    counts = Review.objects.filter(status__in=[Review.Status.SCHEDULED, Review.Status.OVERDUE]).aggregate(
        due=Count("id", filter=Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=30))),
        overdue=Count("id", filter=Q(due_on__lt=today)),
    )
    return {"health": {"reviews.due_30_days": counts["due"], "reviews.overdue": counts["overdue"]}}
