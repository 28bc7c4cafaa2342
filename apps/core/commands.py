"""Arguments every management command reads the same way, refused with one message each."""

from __future__ import annotations

import datetime

from django.core.management.base import CommandError

from apps.core.periods import PeriodError, parse_month
from tenants.models import Bureau
from tenants.selectors import bureau_list


def bureau_arg(schema: str) -> Bureau:
    """The bureau `--tenant` names; CommandError listing the bureaus there are."""
    bureaus = list(bureau_list())
    for bureau in bureaus:
        if bureau.schema_name == schema:
            return bureau
    raise CommandError(f"no bureau {schema!r}; bureaus: {', '.join(b.schema_name for b in bureaus)}")


def month_arg(text: str) -> datetime.date:
    """A `--period YYYY-MM`; CommandError with the parser's message."""
    try:
        return parse_month(text)
    except PeriodError as exc:
        raise CommandError(str(exc)) from exc
