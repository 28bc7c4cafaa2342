"""pensions' contribution to the annual statistics (apps.core.registries.ANNUAL_FIGURES).

The registries are counted as they stand (the institutions, beds and meal sites a report lists at
the year's end are the registry's rows; the registries keep no dates of their own). Children in
care are the 孤儿 / 事实无人抚养儿童 records open at any time in the year, and those open at its end.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from apps.core.registries import Figure
from apps.people.models import CareInstitution

from .models import ChildWelfareRecord, MealSite


def nursing_share(beds: int, nursing: int) -> Decimal | None:
    """Nursing beds as a percentage of beds, to the hundredth (中山 2,934 / 3,880 = 75.62)."""
    if not beds:
        return None
    return (Decimal(nursing) * 100 / Decimal(beds)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def annual_figures(*, year: int) -> list[Figure]:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    inst = CareInstitution.objects.aggregate(n=Count("id"), beds=Sum("beds"), nursing=Sum("nursing_beds"))
    beds, nursing = inst["beds"] or 0, inst["nursing"] or 0
    meals = MealSite.objects.aggregate(
        n=Count("id"), starred=Count("id", filter=Q(star_rating__isnull=False)), meals=Sum("meals_per_month")
    )
    open_in_year = Q(since__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gte=first))
    open_at_end = Q(since__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gt=last))
    children = ChildWelfareRecord.objects.aggregate(
        in_year=Count("person", filter=open_in_year, distinct=True),
        at_end=Count("person", filter=open_at_end, distinct=True),
        new=Count("person", filter=Q(since__range=(first, last)), distinct=True),
    )
    return [
        Figure("pensions.care_institutions", inst["n"], "count", _("Care institutions"), group="elderly"),
        Figure("pensions.care_beds", beds, "bed", _("Beds in care institutions"), group="elderly"),
        Figure("pensions.care_nursing_beds", nursing, "bed", _("Nursing beds"), group="elderly"),
        Figure(
            "pensions.nursing_bed_ratio",
            nursing_share(beds, nursing),
            "percent",
            _("Nursing beds, share of beds"),
            group="elderly",
        ),
        Figure("pensions.meal_sites", meals["n"], "count", _("Meal sites (长者饭堂 / 幸福食堂)"), group="elderly"),
        Figure(
            "pensions.meal_sites_star_rated", meals["starred"], "count", _("Star-rated meal sites"), group="elderly"
        ),
        Figure(
            "pensions.meals_served",
            (meals["meals"] or 0) * 12,
            "meal",
            _("Meals served in a year (12 × monthly)"),
            group="elderly",
        ),
        Figure(
            "pensions.children_in_care",
            children["at_end"],
            "person",
            _("孤儿 and 事实无人抚养儿童 in care at the year's end"),
            group="children",
        ),
        Figure(
            "pensions.children_in_care_year",
            children["in_year"],
            "person",
            _("孤儿 and 事实无人抚养儿童 in care during the year"),
            group="children",
        ),
        Figure(
            "pensions.children_new_identified",
            children["new"],
            "person",
            _("孤儿 and 事实无人抚养儿童 newly recognised"),
            group="children",
        ),
    ]
