"""The province's nightly step (settings.NIGHTLY_STEPS): the bureau's rollup, last, after every other step."""

from __future__ import annotations

import datetime

from django.db import connection

from .services import bureau_rollup_write


def rollup_step(*, today: datetime.date) -> dict:
    # The service reads in this schema and writes public inside schema_context, which puts us back here.
    return bureau_rollup_write(schema_name=connection.schema_name, today=today)
