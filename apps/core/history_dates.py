"""History rows dated by the business day they record, not the clock: a batch of past events entered
as they happened (the demo's report year). `at_noon(day)` is the moment such a row carries.

Set-based writers date their rows themselves (simple_history's bulk_history_create reads each
object's `_history_date`; benefits' changes table has a `history_date` column). Inside
`history_dated(moment)`, every history row a one-by-one save writes (simple_history's post_save)
carries `moment` too, and benefits' set-based writers take it (`moment_in_force`) for the rows not
dated otherwise, so a service called as it is for a live event (the burial service recording a
death, the eligibility engine run as of a past day) can be dated without a parameter of its own.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_moment: ContextVar[datetime.datetime | None] = ContextVar("history_moment", default=None)


def at_noon(day: datetime.date) -> datetime.datetime:
    """The moment a dated history row carries: the noon of its business day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@contextmanager
def history_dated(moment: datetime.datetime) -> Iterator[None]:
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)


def moment_in_force() -> datetime.datetime | None:
    return _moment.get()


def date_history_row(sender, *, history_instance, **kwargs) -> None:
    """simple_history's pre_create_historical_record: the row takes the moment in force, if any."""
    moment = _moment.get()
    if moment is not None:
        history_instance.history_date = moment
