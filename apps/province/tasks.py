"""Celery tasks of the province: one bureau's rollup, and the refresh of all that fans them out.

Both are sent from and run in the public schema; the service switches to the bureau's schema to read
and back to public to write. Rewriting a bureau's rows is idempotent, so a redelivery is harmless.
"""

from __future__ import annotations

import datetime

from celery import shared_task

from tenants.selectors import bureau_list

from .services import bureau_rollup_write


@shared_task(name="province.bureau_rollup", acks_late=True, reject_on_worker_lost=True)
def bureau_rollup(schema_name: str, today: str | None = None) -> dict:
    return bureau_rollup_write(schema_name=schema_name, today=datetime.date.fromisoformat(today) if today else None)


@shared_task(name="province.refresh_all")
def refresh_all(today: str | None = None) -> list[str]:
    """One task per bureau, so the workers share the bureaus and one slow bureau holds up no other."""
    schemas = list(bureau_list().values_list("schema_name", flat=True))
    for schema in schemas:
        bureau_rollup.apply_async(args=[schema, today], _schema_name="public")
    return schemas
