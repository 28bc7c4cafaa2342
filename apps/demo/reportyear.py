"""The demo lives through its bureau's report year, then the months up to the current one.

`synthetic.year` dates every marked candidate's approval and every planned stop; this module runs
them through the services in calendar order, with each step dated the day it happened:

1. the carried caseload is approved in the second half of the year before (the demo caseload); the
   children in care, the year's 流浪乞讨 cases (apps.demo.vagrants) and the year's other deaths with
   their waivers and eco-burial subsidies (synthetic.deaths) are made, so that each month's run pays
   the one-off grants made by then, as a bureau's runs do;
2. each month: the eligibility engine on the first day of each quarter of the report year, the
   month's payment run (started, approved, exported, answered by the bank), then the month's events
   — planned deaths (one in DEATH_EVERY planned stops, recorded through the burial service, with the
   fee waiver the bureau's other deaths get), planned
   stops (a 复核 that stops, or the end of 特困 support), the reviews falling due
   (unchanged), the applications approved that month, the month's 临时救助 (the report's total);
3. after the report year, a payment run each month up to the one before the current month (the
   demo's own step pays the current month).

Everything is idempotent: approvals skip candidates with an application, stops skip what has
stopped, reviews are only those still scheduled, a closed run is left as it is.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.assistance.bulk import history_at, reviews_complete_stop, reviews_complete_unchanged
from apps.assistance.models import Review
from apps.benefits import rules
from apps.benefits.models import Entitlement, Standard
from apps.benefits.selectors import StandardBook
from apps.benefits.services import entitlements_stop, standard_ensure
from apps.burial import services as burial
from apps.core.history_dates import history_dated
from apps.core.permissions import SYSTEM
from apps.pensions.models import EligibilityRun
from apps.pensions.services import eligibility_run
from apps.people.models import HouseholdMember, Person

from .caseload import HOUSEHOLD_GROUPS, candidate_sizes, demo_temporary_bulk, tekun_households
from .models import SyntheticPopulation
from .payments import demo_payment_cycle
from .registry import child_welfare_records_from_population
from .synthetic.deaths import PLANS as DEATH_PLANS
from .synthetic.deaths import caseload_death_waiver, funeral_home, generate_deaths
from .synthetic.writer import seed_statistics
from .synthetic.year import GROUPS, GroupPlan, group_flow, plan_group, temporary_plan
from .vagrants import vagrant_cases_generate

# The bank refuses one line in this many in the months of the past: the year's amounts stay near
# what was due (the current month keeps the demo's one in ten, to show the re-issue work).
PAST_FAIL_EVERY = 500
CARRY_BACK_SOURCE = (
    "演示数据：报告年度的首个标准，假定此前半年已执行（用于结转个案）"
)
STOP_NOTE = "演示数据：报告年度内停保"
# One planned stop in this many (特困, and one-member households) happens by the person's death.
DEATH_EVERY = 4


class YearPlan:
    """The bureau's plan by group, and the approval day of a candidate (what demo_caseload asks)."""

    def __init__(
        self,
        *,
        year: int,
        groups: dict[str, GroupPlan],
        sizes: dict[str, list[tuple[int, int]]],
        temporary: dict[int, tuple[datetime.date, Decimal]],
        tekun_households: dict | None = None,
    ):
        self.year, self.groups, self.sizes, self.temporary = year, groups, sizes, temporary
        self.tekun_households = tekun_households or {}

    def approval(self, group: str, key: int) -> datetime.date | None:
        return self.groups[group].approve_on.get(key)

    def summary(self) -> dict:
        summary = {group: plan.summary(dict(self.sizes[group]), self.year) for group, plan in self.groups.items()}
        summary["tekun_households"] = self.tekun_households  # 特困 by household: persons are the members
        summary["temporary"] = {
            "grants": len(self.temporary),
            "amount": str(sum((a for _d, a in self.temporary.values()), Decimal(0))),
        }
        return summary


def report_year_plan(*, bureau) -> YearPlan:
    """The plan of the current bureau's synthetic population (it must exist)."""
    population = SyntheticPopulation.objects.get()
    stats = seed_statistics(bureau.schema_name)
    sizes = candidate_sizes(since=datetime.date(bureau.report_year, 1, 1))
    scale = Decimal(population.scale)
    # 特困 is applied for person by person but planned by household (x市 counts its flows both ways):
    # the persons of a household are approved and stopped together.
    tekun_members = tekun_households()
    units = {"tekun": sorted((key, len(persons)) for key, persons in tekun_members.items())}
    groups = {
        group: plan_group(
            candidates=units.get(group, sizes[group]),
            year=bureau.report_year,
            flow=group_flow(stats=stats, group=group, scale=scale, candidates=len(units.get(group, sizes[group]))),
        )
        for group in GROUPS
    }
    tekun_by_household = groups["tekun"]
    groups["tekun"] = tekun_by_household.per_member(tekun_members)
    # 临时救助 for households on 低保 or 边缘 from before the year (approved by the time they apply).
    carried = [
        key
        for group in ("dibao", "dibao_marginal")
        for key, day in groups[group].approve_on.items()
        if day.year < bureau.report_year and key not in groups[group].stop_on
    ]
    standard = StandardBook.load(bureau).dibao("urban", datetime.date(bureau.report_year, 1, 1))
    temporary = temporary_plan(
        households=carried,
        paid_wan=stats.get("temporary_paid"),
        standard=standard,
        scale=scale,
        year=bureau.report_year,
    )
    return YearPlan(year=bureau.report_year, groups=groups, sizes=sizes, temporary=temporary,
                    tekun_households=tekun_by_household.summary(dict(units["tekun"]), bureau.report_year))


def months(first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    period = rules.first_of_month(first)
    while period <= last:
        yield period
        period = rules.add_months(period, 1)


def standards_carry_back(*, year: int, user) -> int:
    """Each dibao standard first in force in the report year, also from June 1st of the year before.

    The seeds date a standard the report gives without a day January 1st of the report year, so the
    carried caseload, approved the half-year before, would find no standard to be checked against.
    The copy says where it came from (source); its months are never paid (no run precedes the year).
    """
    since = datetime.date(year - 1, 6, 1)
    created = 0
    for variant in Standard.objects.filter(programme_id="dibao").values_list("variant", flat=True).distinct():
        ours = Standard.objects.filter(programme_id="dibao", variant=variant)
        if ours.filter(effective_from__lte=since).exists():
            continue
        first = ours.filter(effective_from__lte=datetime.date(year, 1, 1)).order_by("effective_from").first()
        if first is None:
            continue
        _standard, new = standard_ensure(
            user=user,
            programme="dibao",
            variant=variant,
            amount=first.amount,
            unit=first.unit,
            effective_from=since,
            source=CARRY_BACK_SOURCE,
        )
        created += new
    return created


def engine_run(*, today: datetime.date) -> dict:
    """The eligibility engine as of `today`, once (allowances start from that month)."""
    run = EligibilityRun.objects.filter(today=today, status=EligibilityRun.Status.SUCCEEDED).first()
    if run is not None:
        return {"again": True}
    # Run as of a day of the report year: what it writes is dated that day.
    with history_dated(history_at(today)):
        run = eligibility_run(today=today, confirm=True, user=SYSTEM)
    return {"changes": run.summary["changes"]}


def _stop_day(day: datetime.date) -> datetime.date:
    return min(day, datetime.date.today())


def deaths_planned(plan: YearPlan) -> dict[int, tuple[str, datetime.date]]:
    """Planned stops that happen by a death instead: every DEATH_EVERY-th 特困 stop and every
    DEATH_EVERY-th stop of a one-member household, on the stop's day → (group, day) by key.

    A death ends the same months as the stop it replaces (the month of death is the last paid), so
    the year's counts stay the report's; the caseload's deaths fall over the year as the stops do.
    """
    chosen: dict[int, tuple[str, datetime.date]] = {}
    for group in GROUPS:
        sizes = dict(plan.sizes[group])
        keys = sorted(k for k in plan.groups[group].stop_on if group == "tekun" or sizes.get(k) == 1)
        for i, key in enumerate(keys):
            if i % DEATH_EVERY == 0:
                chosen[key] = (group, plan.groups[group].stop_on[key])
    return chosen


def deaths_apply(*, plan: YearPlan, period: datetime.date, schema: str) -> int:
    """The month's planned deaths, recorded through the burial service as a caseworker would (the
    death ends the person's support and their household's dibao): idempotent (a person with a
    death record is left alone)."""
    last = rules.add_months(period, 1) - datetime.timedelta(days=1)
    todo = {k: v for k, v in deaths_planned(plan).items() if period <= v[1] <= last}
    if not todo:
        return 0
    persons = {k: k for k, (group, _d) in todo.items() if group == "tekun"}
    households = [k for k, (group, _d) in todo.items() if group != "tekun"]
    for household_id, person_id in (HouseholdMember.objects.filter(
            household_id__in=households, person__status=Person.Status.ALIVE).values_list("household_id", "person_id")):
        persons[household_id] = person_id
    home = funeral_home()
    count = 0
    alive = Person.objects.in_bulk([pid for pid in persons.values()])
    for key, person_id in sorted(persons.items()):
        person, day = alive.get(person_id), todo[key][1]
        if person is None or person.status != Person.Status.ALIVE:
            continue
        # The burial service writes as for a death recorded today: its history rows take the day of death.
        recorded = _stop_day(day + datetime.timedelta(days=5))
        with transaction.atomic(), history_dated(history_at(day)):
            record = burial.death_record_create(user=SYSTEM, person=person, date_of_death=day, funeral_home=home,
                                                cremated_on=day + datetime.timedelta(days=2), disposition="plot",
                                                today=recorded)
            caseload_death_waiver(schema=schema, death=record, today=recorded)
        count += 1
    return count


def stops_apply(*, plan: YearPlan, period: datetime.date, user) -> Counter:
    """The month's planned stops, set-based: a household's support by a 复核 that stops it, 特困 by
    ending it (benefits.entitlements_stop), each history row dated the stop's day."""
    done: Counter = Counter()
    last = rules.add_months(period, 1) - datetime.timedelta(days=1)
    for group in GROUPS:
        stop_on = plan.groups[group].stop_on
        keys = [k for k, day in stop_on.items() if period <= day <= last]
        if not keys:
            continue
        if group == "tekun":
            open_ = (Entitlement.objects.filter(programme_id__in=["tekun", "tekun_care"], person_id__in=keys,
                                                status=Entitlement.Status.ACTIVE)
                     .order_by("id").values_list("id", "person_id", "programme_id"))
            stops = [(pk, period, STOP_NOTE, history_at(_stop_day(stop_on[person_id])))
                     for pk, person_id, _programme in open_]
            refused = entitlements_stop(stops=stops, user=user)
            if refused:
                raise ValidationError(" ".join(sorted(set(refused.values()))))
            done.update(programme for _pk, _person, programme in open_)
            continue
        reviews = (
            Review.objects.filter(
                household_id__in=keys,
                status__in=[Review.Status.SCHEDULED, Review.Status.OVERDUE],
                entitlement__status=Entitlement.Status.ACTIVE,
                entitlement__programme_id__in=HOUSEHOLD_GROUPS,
            )
            .select_related("entitlement")
            .order_by("id")
        )
        todo = [(review, _stop_day(stop_on[review.household_id])) for review in reviews]
        refused = reviews_complete_stop(reviews=todo, user=user, note=STOP_NOTE, history_dated=True)
        if refused:
            raise ValidationError(" ".join(sorted(set(refused.values()))))
        done.update(review.entitlement.programme_id for review, _day in todo)
    return done


def reviews_complete(*, plan: YearPlan, period: datetime.date, user) -> int:
    """The reviews falling due in the month, found unchanged (households planned to stop excepted)."""
    last = rules.add_months(period, 1) - datetime.timedelta(days=1)
    stopping = set()
    for group in HOUSEHOLD_GROUPS:
        stopping |= set(plan.groups[group].stop_on)
    due = (
        Review.objects.filter(
            status__in=[Review.Status.SCHEDULED, Review.Status.OVERDUE],
            due_on__gte=period,
            due_on__lte=last,
            entitlement__status=Entitlement.Status.ACTIVE,
        )
        .exclude(household_id__in=stopping)
        .order_by("due_on", "id")
    )
    todo = [(review, _stop_day(review.due_on)) for review in due]
    refused = reviews_complete_unchanged(reviews=todo, user=user, note="演示数据：报告年度复核", history_dated=True)
    if refused:
        raise ValidationError(" ".join(sorted(set(refused.values()))))
    return len(todo)


def report_year_live(
    *,
    bureau,
    plan: YearPlan,
    approve: Callable[[datetime.date], dict],
    until: datetime.date,
    bank_folder: str | None = None,
    say: Callable[[str], None] = lambda text: None,
) -> dict:
    """Live through the report year and the months after it, up to the month `until` (included).

    `approve(day)` approves every candidate whose planned day is on or before `day` (the demo
    caseload, in parallel processes as the command chooses).
    """
    schema, year = bureau.schema_name, plan.year
    User = get_user_model()
    admin, reviewer = User.objects.get(username=f"{schema}-admin"), User.objects.get(username=f"{schema}-reviewer")
    finance, approver = User.objects.get(username=f"{schema}-finance"), User.objects.get(username=f"{schema}-approver")
    detail: dict = {"plan": plan.summary(), "carried_back_standards": standards_carry_back(year=year, user=admin)}
    totals: Counter = Counter()
    seconds: Counter = Counter()
    clock = time.monotonic()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.monotonic()
        seconds[phase] += now - clock
        clock = now

    carried = approve(datetime.date(year - 1, 12, 31))
    lap("approvals")
    totals["decided"] += sum(carried.values())
    say(f"{schema}: caseload carried into {year}: {carried}")
    stats = seed_statistics(schema)
    scale = Decimal(SyntheticPopulation.objects.get().scale)
    new_children = stats.get("children_new_identified")
    detail["child_welfare_records"] = child_welfare_records_from_population(
        since=datetime.date(year, 1, 1),
        new_in_year=int((new_children * scale).to_integral_value(ROUND_HALF_UP)) if new_children is not None else 0,
    )
    detail["vagrant_cases"] = vagrant_cases_generate(schema=schema, year=year)
    # The year's deaths (at scale 1: deaths are cheap) before its months, so that each month's run pays
    # the waivers and eco-burial subsidies granted by then, as a bureau's would: the caseload's planned
    # deaths are part of the year's total and get their waivers when recorded (deaths_apply).
    caseload_deaths = sum(1 for _group, day in deaths_planned(plan).values() if day.year == year)
    if getattr(DEATH_PLANS.get(schema), "year", None) == year:
        detail["deaths"] = generate_deaths(schema=schema, caseload_deaths=caseload_deaths)
    for period in months(datetime.date(year, 1, 1), until):
        in_year = period.year == year
        if in_year and period.month in (1, 4, 7, 10):
            engine = engine_run(today=period)
            lap("eligibility engine")
            say(f"{schema} {period:%Y-%m}: eligibility engine {engine}")
        try:
            cycle = demo_payment_cycle(
                schema=schema,
                period=period,
                finance=finance,
                approver=approver,
                folder=bank_folder,
                fail_every=PAST_FAIL_EVERY,
                say=say,
            )
        except ValidationError as exc:
            raise ValidationError(f"{schema} {period:%Y-%m}: {' '.join(exc.messages)}") from exc
        lap("payment runs")
        totals["runs"] += 1
        totals["runs_again"] += bool(cycle.get("again"))
        if not in_year:
            continue
        totals["deaths"] += deaths_apply(plan=plan, period=period, schema=schema)
        lap("deaths")
        stopped = stops_apply(plan=plan, period=period, user=reviewer)
        lap("stops")
        reviewed = reviews_complete(plan=plan, period=period, user=reviewer)
        lap("reviews")
        last = rules.add_months(period, 1) - datetime.timedelta(days=1)
        approved = approve(last)
        lap("approvals")
        totals["decided"] += sum(approved.values())
        temporary = demo_temporary_bulk(schema=schema, grants=plan.temporary, as_of=last)
        lap("temporary")
        totals["temporary"] += temporary.created["temporary"]
        totals["decided"] += temporary.created["temporary"]
        totals.update({f"refused {k}": v for k, v in temporary.refused.items()})
        totals.update({f"stopped {k}": v for k, v in stopped.items()})
        totals["reviews"] += reviewed
        say(f"{schema} {period:%Y-%m}: stopped {dict(stopped)}, {reviewed} reviews, approved {approved}")
    detail["totals"] = dict(totals)
    detail["phase_seconds"] = {phase: round(value, 1) for phase, value in seconds.items()}
    return detail
