"""Reads of burial, scoped to the user's town (another town's record reads as not found)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from apps.core.scoping import scope_to_town

from . import rules
from .models import ECO_DISPOSITIONS, Cemetery, DeathRecord, EcoBurialSubsidy, FeeWaiver


def death_list(*, user, filters: dict | None = None) -> QuerySet[DeathRecord]:
    qs = scope_to_town(DeathRecord.objects.select_related("town", "funeral_home", "person"), user)
    filters = filters or {}
    if filters.get("year"):
        qs = qs.filter(date_of_death__year=filters["year"])
    for key in ("town", "disposition", "cause", "funeral_home"):
        if filters.get(key):
            qs = qs.filter(**{f"{key}_id" if key in ("town", "funeral_home") else key: filters[key]})
    return qs


def fee_waiver_list(*, user) -> QuerySet[FeeWaiver]:
    return scope_to_town(FeeWaiver.objects.select_related("death", "funeral_home", "grant"), user, "death__town")


def eco_burial_list(*, user) -> QuerySet[EcoBurialSubsidy]:
    return scope_to_town(EcoBurialSubsidy.objects.select_related("death", "grant"), user, "death__town")


def cemetery_list(*, user) -> QuerySet[Cemetery]:
    qs = Cemetery.objects.select_related("town").annotate(plots_sold=Count("sales"))
    return scope_to_town(qs, user).annotate(remaining=F("capacity") - F("plots_sold")).order_by("name")


def year_counts(*, year: int) -> rules.YearCounts:
    """The year's counts in three aggregate queries (deaths by their date; waivers and subsidies by
    the date of the death they belong to)."""
    deaths = DeathRecord.objects.filter(date_of_death__year=year).aggregate(
        deaths=Count("id"),
        cremations=Count("id", filter=Q(cremated_on__isnull=False)),
        exemptions=Count("id", filter=~Q(exemption="")),
        eco=Count("id", filter=Q(disposition__in=ECO_DISPOSITIONS)),
    )
    waivers = FeeWaiver.objects.filter(death__date_of_death__year=year).aggregate(
        n=Count("id"), total=Coalesce(Sum("amount"), Value(Decimal("0")))
    )
    subsidies = EcoBurialSubsidy.objects.filter(death__date_of_death__year=year).aggregate(
        n=Count("id"), total=Coalesce(Sum("amount"), Value(Decimal("0")))
    )
    return rules.YearCounts(
        deaths=deaths["deaths"],
        cremations=deaths["cremations"],
        exemptions=deaths["exemptions"],
        eco_burials=deaths["eco"],
        waivers=waivers["n"],
        waiver_total=waivers["total"],
        subsidies=subsidies["n"],
        subsidy_total=subsidies["total"],
    )


def indicators(*, year: int) -> dict:
    return rules.indicators(year_counts(year=year))


def deaths_recorded_since(*, user, since: datetime.datetime) -> QuerySet[DeathRecord]:
    return death_list(user=user).filter(created_at__gte=since)
