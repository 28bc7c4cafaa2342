"""Stand-in MONTHLY_FIGURES / ANNUAL_FIGURES contributors for the province's tests, until the statistics
branch's apps/*/figures.py land: real functions reading real rows of the bureau's schema."""

from __future__ import annotations

import datetime

from django.db.models import Count, Sum

from apps.benefits.models import Entitlement
from apps.benefits.selectors import entitlement_active_q
from apps.core.periods import format_month, parse_month
from apps.core.registries import Figure, MonthlyFigure
from apps.disbursement.models import PaymentLine
from apps.people.models import HouseholdMember, Person


def _months(first: str, last: str):
    month, end = parse_month(first), parse_month(last)
    while month <= end:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def monthly(*, first: str, last: str) -> list[MonthlyFigure]:
    out = []
    for month in _months(first, last):
        period = format_month(month)
        active = Entitlement.objects.filter(entitlement_active_q(month))
        for row in active.values("programme_id").annotate(n=Count("id")):
            programme = row["programme_id"]
            mine = active.filter(programme_id=programme)
            households = mine.filter(household__isnull=False).count()
            persons = (
                mine.filter(person__isnull=False).count()
                + HouseholdMember.objects.filter(household__in=mine.values("household")).count()
            )
            out += [
                MonthlyFigure(period, programme, "households_active", households, "household"),
                MonthlyFigure(period, programme, "persons_active", persons, "person"),
            ]
        for row in PaymentLine.objects.filter(period=month).values("programme_id").annotate(total=Sum("amount")):
            out.append(MonthlyFigure(period, row["programme_id"], "amount_generated", row["total"], "yuan"))
    return out


def annual(*, year: int) -> list[Figure]:
    deaths = Person.objects.filter(status=Person.Status.DECEASED, date_of_death__year=year).count()
    return [Figure("burial.deaths_registered", deaths, "person", "deaths of registered persons")]
