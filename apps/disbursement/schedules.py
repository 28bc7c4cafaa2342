"""Beat schedules of the disbursement, kept in django-celery-beat (public schema, editable in the admin)."""

from __future__ import annotations

import json

from django_tenants.utils import schema_context

TIMEZONE = "Asia/Shanghai"
MONTHLY = "disbursement: monthly run of every bureau (1st, 01:00)"
NIGHTLY = "nightly jobs of every bureau (02:00)"


def schedules_ensure() -> list[str]:
    """Create the monthly and nightly fan-out schedules if missing; an admin's later edits are kept.

    Returns lines "+ created …" / "= unchanged …" like the seed loaders.
    """
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    lines = []
    with schema_context("public"):
        for name, hour, day_of_month, task_name, stagger in (
            (MONTHLY, "1", "1", "disbursement.monthly_run", 30),
            (NIGHTLY, "2", "*", "core.nightly", 30),
        ):
            if PeriodicTask.objects.filter(name=name).exists():
                lines.append(f"= schedule {name}")
                continue
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute="0", hour=hour, day_of_month=day_of_month, month_of_year="*", day_of_week="*",
                timezone=TIMEZONE,
            )
            # One dispatcher task fans out to the bureaus, `stagger` seconds apart (a per-bureau beat
            # entry would start every bureau's run in the same second).
            PeriodicTask.objects.create(
                name=name, task="tenants.for_each_bureau", crontab=crontab,
                args=json.dumps([task_name]), kwargs=json.dumps({"stagger_seconds": stagger}),
            )
            lines.append(f"+ schedule {name}")
    return lines
