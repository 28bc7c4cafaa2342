"""The demo leaves work to do (issue 11): in each bureau, for each town with a demo caseworker,
applications waiting at every step, publicity periods ending this week and one over without a
decision, and reviews overdue or falling due, all through the real workflow services.

Per town: 申请 2, 受理 2, 入户调查 2, 核对 2 (waiting for the next step); 公示 ending today and ending on
Sunday, one ended three days ago with no decision; and applications approved long enough ago that
their review (复核) is overdue (approved 380 days ago: overdue whatever the household's interval) or
falls due within the month (approved 170 days ago: due in about 12 days for a household reviewed every
six months, 350 days ago for one reviewed yearly).

Households are taken lowest income first among those of the town with no application and no
entitlement. The synthetic population's poor households are all on the caseload already, so for the
applications that must pass the economic check (those under publicity and those approved) the home
visit finds each member earning at most half the 低保 standard: a household whose circumstances
changed, as real ones do. A household a rule still refuses is skipped for the next. Idempotent: a
second run plants only what a first one could not (each application's reason names its stage).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import Coalesce

from apps.assistance import services
from apps.assistance.models import Application, Review
from apps.assistance.selectors import week_end
from apps.benefits.models import Entitlement
from apps.benefits.selectors import StandardBook
from apps.people.models import Household, HouseholdMember, Person, StaffProfile
from tenants.selectors import current_bureau

REASON = "演示数据：待办"  # each application's reason names its planned stage after this, in words
STAGE_WORDS = {
    "submitted": "待受理",
    "accepted": "待入户调查",
    "investigated": "待核对",
    "checked": "待公示",
    "publicised": "公示中",
    "approved": "已审批",
}
STAGE_OF_WORDS = {words: stage for stage, words in STAGE_WORDS.items()}


def _reason(stage: str) -> str:
    return f"{REASON}（{STAGE_WORDS[stage]}）"


WAITING = [("submitted", 2), ("accepted", 2), ("investigated", 2), ("checked", 2)]
STEPS = ["submitted", "accepted", "investigated", "checked", "publicised", "approved"]
CANDIDATES_PER_TOWN = 80


def _candidates(town_id: int) -> Iterator[Household]:
    """Households of the town with no application and no entitlement, lowest per-capita income first."""
    applied = Application.objects.filter(household_id=OuterRef("pk"))
    entitled = Entitlement.objects.filter(household_id=OuterRef("pk"))
    households = (
        Household.objects.filter(town_id=town_id)
        .filter(~Exists(applied), ~Exists(entitled))
        .annotate(size=Count("members"), income=Coalesce(Sum("members__person__monthly_income"), Decimal(0)))
        .filter(size__gt=0)
        .order_by("income", "id")
    )
    yield from households[:CANDIDATES_PER_TOWN]


def _take(household: Household, *, stage: str, dates: dict, worker, approver, book: StandardBook) -> Application:
    """Take one household's dibao application through the workflow up to `stage`, with these dates."""
    app = services.application_create(
        user=worker, programme="dibao", household=household, submitted_on=dates["submitted"], reason=_reason(stage)
    )
    if stage == "submitted":
        return app
    app = services.application_transition(application=app, action="accept", user=worker, on=dates["accepted"])
    if stage == "accepted":
        return app
    members = Person.objects.filter(
        pk__in=HouseholdMember.objects.filter(household=household).values("person_id"), status=Person.Status.ALIVE
    ).order_by("id")
    cap = None
    if STEPS.index(stage) >= STEPS.index("publicised"):
        standard = book.dibao(household.hukou_class, dates["investigated"])
        cap = None if standard is None else (standard / 2).quantize(Decimal("0.01"))
    services.income_records_set(
        application=app,
        user=worker,
        records=[
            {
                "person": p,
                "income_type": "wages",
                "monthly_amount": p.monthly_income if cap is None else min(p.monthly_income, cap),
            }
            for p in members
            if p.monthly_income
        ],
    )
    services.asset_check_record(application=app, user=worker, passed=True, note="演示数据", on=dates["investigated"])
    app = services.application_transition(application=app, action="investigate", user=worker, on=dates["investigated"])
    if stage == "investigated":
        return app
    app = services.application_transition(application=app, action="check", user=worker, on=dates["checked"])
    if stage == "checked":
        return app
    if app.classification != "dibao":
        # Rolled back: the next household is tried.
        raise ValidationError(f"not eligible for dibao: {app.classification_reason}")
    app = services.application_transition(application=app, action="publicise", user=worker, on=dates["publicised"])
    if stage == "publicised":
        return app
    return services.application_transition(
        application=app, action="approve", user=approver, on=dates["approved"], note=REASON
    )


def _dates(*, publicised: datetime.date, approved: datetime.date | None = None) -> dict:
    return {
        "submitted": publicised - datetime.timedelta(days=12),
        "accepted": publicised - datetime.timedelta(days=11),
        "investigated": publicised - datetime.timedelta(days=5),
        "checked": publicised - datetime.timedelta(days=1),
        "publicised": publicised,
        "approved": approved,
    }


def plan(today: datetime.date) -> list[tuple[str, dict]]:
    """(stage, dates) of every application planted in one town."""
    recent = today - datetime.timedelta(days=1)  # steps waiting: the last one done yesterday
    planned = [(stage, _dates(publicised=recent)) for stage, n in WAITING for _ in range(n)]
    # The last day of publicity is publicised_on + 6.
    planned += [
        ("publicised", _dates(publicised=today - datetime.timedelta(days=6))),
        ("publicised", _dates(publicised=week_end(today) - datetime.timedelta(days=6))),
        ("publicised", _dates(publicised=today - datetime.timedelta(days=9))),
    ]
    for days_ago in (380, 380, 170, 170, 350):
        approved = today - datetime.timedelta(days=days_ago)
        planned.append(("approved", _dates(publicised=approved - datetime.timedelta(days=8), approved=approved)))
    return planned


def pending_work_plant(*, schema: str, today: datetime.date) -> dict:
    """Plant the work in the current bureau; returns what was done (counts by stage, reviews)."""
    User = get_user_model()
    approver = User.objects.get(username=f"{schema}-approver")
    workers = {
        p.town_id: p.user
        for p in StaffProfile.objects.select_related("user")
        .filter(town__isnull=False, user__groups__name="caseworker")
        .order_by("town_id")
    }
    book = StandardBook.load(current_bureau())
    done, refused = Counter(), Counter()
    for town_id, worker in workers.items():
        # What an earlier run planted in the town, by stage: only the shortfall is planted again.
        planted = Counter(
            STAGE_OF_WORDS.get(reason.removeprefix(f"{REASON}（").removesuffix("）"))
            for reason in Application.objects.filter(town_id=town_id, reason__startswith=REASON).values_list(
                "reason", flat=True
            )
        )
        candidates = _candidates(town_id)
        for stage, dates in plan(today):
            if planted[stage] > 0:
                planted[stage] -= 1
                continue
            for household in candidates:
                try:
                    with transaction.atomic():
                        _take(household, stage=stage, dates=dates, worker=worker, approver=approver, book=book)
                except (ValidationError, PermissionDenied) as exc:
                    refused[" ".join(getattr(exc, "messages", [str(exc)]))[:80]] += 1
                    continue
                done[stage] += 1
                break
    pending = Review.objects.filter(
        status__in=["scheduled", "overdue"], household__applications__reason__startswith=REASON
    )
    return {
        "applications": dict(done),
        "refused": dict(refused),
        "reviews_overdue": pending.filter(due_on__lt=today).distinct().count(),
        "reviews_due_30_days": pending.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=30))
        .distinct()
        .count(),
    }
