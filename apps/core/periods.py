"""Months as the system speaks of them: one parser for every period typed by a user or a client.

A period is a month, stored as the date of its first day. Wherever a period is typed — an API
query parameter or body, a management command, an admin form — it is written `YYYY-MM`; `YYYYMM`
(the bank files' form) and the stored form `YYYY-MM-01` are read too, so a client can send back
what the API gave it. A full date on any other day is refused rather than silently moved to the
first: a parameter that means a day is a date parameter, not a period.
"""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext as _

_PERIOD = re.compile(r"^(\d{4})-?(\d{2})(?:-(\d{2}))?$")
EARLIEST_YEAR = 2000


class PeriodError(ValueError):
    """The text is not a month; str() is the user-facing message."""


def parse_month(value) -> datetime.date:
    """'2025-04', '202504' or '2025-04-01' → date(2025, 4, 1); a date on the 1st passes through.

    >>> parse_month("2026-11")
    datetime.date(2026, 11, 1)
    """
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        if value.day != 1:
            raise PeriodError(_("%(value)s is not a month: a period is written YYYY-MM.") % {"value": value.isoformat()})
        return value
    text = str(value or "").strip()
    match = _PERIOD.match(text)
    if match and (match.group(3) is None or match.group(3) == "01"):
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and year >= EARLIEST_YEAR:
            return datetime.date(year, month, 1)
    raise PeriodError(_("%(value)r is not a month: a period is written YYYY-MM, e.g. 2026-11.") % {"value": text})


def format_month(period: datetime.date) -> str:
    return f"{period:%Y-%m}"
