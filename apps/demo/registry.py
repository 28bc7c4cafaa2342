"""The pensions demo: a care registry sized from the bureau's report, child-welfare records for the
synthetic population's orphans. Both create what is missing and never delete: the caseload's 特困
entitlements reference the demo care institutions, so a second `make demo` must leave them be.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.pensions import rules
from apps.pensions.models import ChildWelfareRecord, MealSite
from apps.pensions.services import child_welfare_record_create, meal_site_create
from apps.people.models import CareInstitution, HouseholdMember, Person, Town
from apps.people.services import care_institution_create

from .models import PopulationMarker

DEMO_MARK = " (demo)"


@transaction.atomic
def registry_demo_populate(*, statistics: dict[str, Decimal | None]) -> dict:
    """Care institutions and meal sites whose totals are the bureau's reported ones (deterministic).

    statistics: care_institutions, care_beds, care_nursing_beds, care_institutions_public_star_rated,
    meal_sites, meal_sites_star_rated, meals_served (a year's meals). Missing figures give no rows
    (institutions) or zero (beds). The rows are named deterministically ("… (demo)"); a name already
    in the registry is left as it is (the unique name refuses a concurrent duplicate), so a second
    run creates nothing and never deletes a row that entitlements may reference.
    Returns the figures and how many rows this run created.
    """
    towns = list(Town.objects.order_by("id"))
    if not towns:
        raise ValidationError(_("The bureau has no towns; load its seed first."))

    def figure(key: str) -> int:
        value = statistics.get(key)
        return int(Decimal(str(value))) if value is not None else 0

    institutions, beds, nursing = figure("care_institutions"), figure("care_beds"), figure("care_nursing_beds")
    if nursing > beds:
        raise ValidationError(_("The reported nursing beds (%(n)d) exceed the beds (%(b)d).") % {"n": nursing, "b": beds})
    public_star = figure("care_institutions_public_star_rated")
    ownerships = [CareInstitution.Ownership.PUBLIC, CareInstitution.Ownership.PUBLIC_PRIVATE,
                  CareInstitution.Ownership.PRIVATE]
    bed_split = rules.split_evenly(beds, institutions)
    nursing_split = split_capped(nursing, bed_split)
    existing = set(CareInstitution.objects.filter(name__endswith=DEMO_MARK).values_list("name", flat=True))
    created_institutions = 0
    for i in range(institutions):
        town = towns[i % len(towns)]
        name = f"{town.name}养老院{i + 1:03d}{DEMO_MARK}"
        if name in existing:
            continue
        rated = i < public_star
        # With the account its 集中供养 特困 support is paid to (without one every line is held).
        care_institution_create(
            name=name, town=town, ownership=CareInstitution.Ownership.PUBLIC if rated else ownerships[i % 3],
            beds=bed_split[i], nursing_beds=nursing_split[i], star_rating=(3 + i % 3) if rated else None,
            bank_account=f"62284800{town.pk:05d}{i + 1:06d}", bank_name="农业银行")
        created_institutions += 1
    sites, star_sites = figure("meal_sites"), figure("meal_sites_star_rated")
    meals = rules.split_evenly(figure("meals_served") // 12, sites)
    kinds = [MealSite.Kind.ELDER_CANTEEN, MealSite.Kind.HAPPINESS_CANTEEN]
    existing = set(MealSite.objects.filter(name__endswith=DEMO_MARK).values_list("name", flat=True))
    created_sites = 0
    for i in range(sites):
        town = towns[i % len(towns)]
        name = f"{town.name}长者饭堂{i + 1:04d}{DEMO_MARK}"
        if name in existing:
            continue
        meal_site_create(name=name, town=town, kind=kinds[i % 2], star_rating=(3 + i % 3) if i < star_sites else None,
                         meals_per_month=meals[i])
        created_sites += 1
    return {"institutions": institutions, "beds": beds, "nursing_beds": nursing, "meal_sites": sites,
            "created": {"institutions": created_institutions, "meal_sites": created_sites}}


def split_capped(total: int, capacities: list[int]) -> list[int]:
    """Spread `total` over the rows in proportion to their capacities, never above a row's capacity."""
    whole = sum(capacities)
    if not whole:
        return [0] * len(capacities)
    shares = [total * c // whole for c in capacities]
    left = total - sum(shares)
    for i in range(len(shares)):
        if left == 0:
            break
        if shares[i] < capacities[i]:
            shares[i] += 1
            left -= 1
    return shares


@transaction.atomic
def child_welfare_records_from_population(*, since: datetime.date, new_in_year: int | None = None) -> int:
    """A child-welfare record for every child the synthetic population marks as an orphan (marker group
    "orphan", variant = placement); scattered children get the head of their household as guardian.
    Children already on record are left alone. Returns how many records were created.

    Every record starts on `since` (or the child's birth), unless `new_in_year` is given: then `since`
    is the report year's first day and that many children are recognised in the year (the report's
    新增发现; those born in the year first, then the last by id, on days spread over January to
    November), the others are in care from before it (the month before the year, or their birth).
    """
    markers = list(
        PopulationMarker.objects.filter(group="orphan", person__isnull=False, person__status=Person.Status.ALIVE)
        .exclude(person__child_welfare_records__isnull=False)
        .select_related("person")
        .order_by("person_id")
    )
    starts = record_starts([m.person for m in markers], since=since, new_in_year=new_in_year)
    created = 0
    for marker in markers:
        child = marker.person
        start = starts[child.pk]
        if rules.age_on(child.birth_date, start) >= rules.ADULT_AGE:
            continue
        institutional = marker.variant == ChildWelfareRecord.Placement.INSTITUTIONAL
        head = None if institutional else (
            HouseholdMember.objects.filter(household__members__person=child, relation="head")
            .exclude(person=child).select_related("person").first())
        child_welfare_record_create(
            person=child, kind=ChildWelfareRecord.Kind.DE_FACTO if child.pk % 4 == 0 else ChildWelfareRecord.Kind.ORPHAN,
            placement=marker.variant or ChildWelfareRecord.Placement.SCATTERED, since=start,
            guardian=head.person if head else None,
            note="演示数据：模拟人口")
        created += 1
    return created


# The children recognised in the year are dated over its first 334 days (January to November).
NEW_CHILD_DAYS = 334


def record_starts(children: list[Person], *, since: datetime.date, new_in_year: int | None) -> dict[int, datetime.date]:
    """Each child's first day in care (see child_welfare_records_from_population)."""
    if new_in_year is None:
        return {child.pk: max(since, child.birth_date) for child in children}
    year_end = datetime.date(since.year, 12, 31)
    before = _month_before(since)
    born_in_year = [c for c in children if since <= c.birth_date <= year_end]
    # A child recognised in the year is still a child on the year's last day (one turning 18 in it
    # would get no record, and the year one child short of the report's count).
    others = [c for c in children if c.birth_date < since and rules.age_on(c.birth_date, year_end) < rules.ADULT_AGE]
    picked = others[max(0, len(others) - max(0, new_in_year - len(born_in_year))):]
    starts = {child.pk: max(before, child.birth_date) for child in children}
    for i, child in enumerate(picked):
        starts[child.pk] = since + datetime.timedelta(days=(i * 37) % NEW_CHILD_DAYS)
    return starts


def _month_before(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
