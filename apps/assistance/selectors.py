"""Reads for social assistance: applications, reviews and cases, scoped to the caseworker's town."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from apps.benefits import rules
from apps.core.scoping import scope_to_town, user_town_id
from apps.people.models import DisabilityCertificate, HouseholdMember, Person

from .models import Application, Review, VagrantCase


def severe_disability_q(on: datetime.date, person_ref: str = "pk") -> Exists:
    """Exists(...) for a person holding a level 1–2 certificate valid on the day."""
    return Exists(DisabilityCertificate.objects.filter(
        person_id=OuterRef(person_ref), level__lte=2, valid_from__lte=on,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on)))


def member_facts(*, household_id: int, on: datetime.date) -> list[tuple[Person, rules.MemberFacts]]:
    """The household's current members with what the 分类施保 and review rules read of them."""
    # Member ids first: a primary-key lookup stays fast even before the planner has statistics on a
    # freshly generated registry.
    ids = list(HouseholdMember.objects.filter(household_id=household_id).values_list("person_id", flat=True))
    persons = (Person.objects.filter(pk__in=ids, status=Person.Status.ALIVE)
               .annotate(severe=severe_disability_q(on)).order_by("id"))
    return [(p, rules.MemberFacts(birth_date=p.birth_date, is_student=p.is_student, seriously_ill=p.seriously_ill,
                                  severely_disabled=p.severe)) for p in persons]


def household_head(household_id: int) -> Person | None:
    members = (HouseholdMember.objects.filter(household_id=household_id, person__status=Person.Status.ALIVE)
               .select_related("person").order_by("id"))
    head = members.filter(relation=HouseholdMember.Relation.HEAD).first() or members.first()
    return head.person if head else None


def application_list(*, user, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = scope_to_town(Application.objects.select_related("town", "household", "person", "investigated_by",
                                                          "decided_by"), user, "town")
    for key in ("programme", "status", "town", "household", "person", "classification"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("open"):
        qs = qs.filter(status__in=Application.OPEN_STATUSES)
    return qs


def application_get(*, user, pk: int) -> Application:
    """The application, or Application.DoesNotExist when it is outside the user's town (a 404)."""
    return application_list(user=user).get(pk=pk)


def review_list(*, user, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = scope_to_town(Review.objects.select_related("household", "town", "entitlement"), user, "town")
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("town"):
        qs = qs.filter(town=filters["town"])
    return qs


def reviews_overdue_list(*, user, today: datetime.date) -> QuerySet:
    """Pending reviews past their due date (overdue on the day after it falls due)."""
    return review_list(user=user).filter(status__in=[Review.Status.SCHEDULED, Review.Status.OVERDUE],
                                         due_on__lt=today)


def vagrant_case_list(*, user) -> QuerySet:
    return scope_to_town(VagrantCase.objects.select_related("town", "person"), user, "town")


def in_town(user, town_id: int | None) -> bool:
    """apps.core.scoping.in_user_town, with the user's town looked up once per user object.

    A request or a command holds one user object, whose groups and profile do not change while it
    runs; a workflow step asks several times.
    """
    if not hasattr(user, "_assistance_town_id"):
        user._assistance_town_id = user_town_id(user)
    confined = user._assistance_town_id
    return confined is None or confined == town_id


# --------------------------------------------------------------------------- what waits (workbench)

# The status an application waits in, and the step it waits for.
WAITING_STEPS = [
    (Application.Status.SUBMITTED, "accept"),
    (Application.Status.ACCEPTED, "investigate"),
    (Application.Status.INVESTIGATED, "check"),
    (Application.Status.CHECKED, "publicise"),
]
PUBLICITY_LAST_DAY_OFFSET = datetime.timedelta(days=6)  # 7 calendar days, the day of posting included
REVIEW_DUE_SOON_DAYS = 30


def week_end(today: datetime.date) -> datetime.date:
    """The Sunday of today's week (the working week the workbench speaks of)."""
    return today + datetime.timedelta(days=6 - today.weekday())


def applications_waiting_counts(*, user) -> dict[str, int]:
    """Open applications per status before publicity, in the user's scope: {"submitted": 3, ...}."""
    statuses = [status for status, _action in WAITING_STEPS]
    rows = (application_list(user=user).filter(status__in=statuses).order_by()
            .values_list("status").annotate(n=Count("id")))
    counts = dict.fromkeys(statuses, 0)
    counts.update(dict(rows))
    return counts


def publicity_ending_q(today: datetime.date) -> Q:
    """Under publicity whose last day falls from today to Sunday."""
    return Q(status=Application.Status.PUBLICISED,
             publicised_on__gte=today - PUBLICITY_LAST_DAY_OFFSET,
             publicised_on__lte=week_end(today) - PUBLICITY_LAST_DAY_OFFSET)


def publicity_ended_q(today: datetime.date) -> Q:
    """Publicity over (its last day before today) and still no decision."""
    return Q(status=Application.Status.PUBLICISED, publicised_on__lt=today - PUBLICITY_LAST_DAY_OFFSET)


def publicity_counts(*, user, today: datetime.date) -> dict[str, int]:
    qs = application_list(user=user).filter(status=Application.Status.PUBLICISED)
    return qs.aggregate(ending=Count("id", filter=publicity_ending_q(today)),
                        ended=Count("id", filter=publicity_ended_q(today)))


def review_pending_q() -> Q:
    return Q(status__in=[Review.Status.SCHEDULED, Review.Status.OVERDUE])


def review_due_soon_q(today: datetime.date) -> Q:
    return review_pending_q() & Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS))


def review_overdue_q(today: datetime.date) -> Q:
    return review_pending_q() & Q(due_on__lt=today)


def review_counts(*, user, today: datetime.date) -> dict[str, int]:
    return review_list(user=user).filter(review_pending_q()).aggregate(
        due_soon=Count("id", filter=review_due_soon_q(today)), overdue=Count("id", filter=review_overdue_q(today)))


def application_lifecycle(app: Application, today: datetime.date) -> tuple[str, str]:
    """(level, note) of where an application stands: ("danger", ...) when its publicity is over and no
    decision came, ("warning", ...) when its publicity ends this week; ("", "") otherwise."""
    if app.status != Application.Status.PUBLICISED or app.publicised_on is None:
        return "", ""
    last_day = app.publicised_on + PUBLICITY_LAST_DAY_OFFSET
    if last_day < today:
        return "danger", "ended"
    if last_day <= week_end(today):
        return "warning", "ending"
    return "", ""


def review_lifecycle(review: Review, today: datetime.date) -> str:
    """"danger" for an overdue review, "warning" for one due within 30 days, "" otherwise."""
    if review.status not in (Review.Status.SCHEDULED, Review.Status.OVERDUE):
        return ""
    if review.due_on < today:
        return "danger"
    if review.due_on <= today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS):
        return "warning"
    return ""


# --------------------------------------------------------------------------- a person's story


def story_applications(*, user, person=None, household=None) -> QuerySet:
    """The applications of a person (as applicant or as household head) or of a household, newest first."""
    qs = application_list(user=user)
    if household is not None:
        return qs.filter(household=household).order_by("-submitted_on", "-id")
    # The household id first: each branch of the OR is then an index lookup, with no join inside it.
    household_ids = list(HouseholdMember.objects.filter(person=person).values_list("household_id", flat=True))
    return qs.filter(Q(person=person) | Q(household_id__in=household_ids)).order_by("-submitted_on", "-id")


def story_reviews(*, user, person=None, household=None) -> QuerySet:
    qs = review_list(user=user)
    if household is not None:
        return qs.filter(household=household).order_by("-due_on", "-id")
    household_ids = list(HouseholdMember.objects.filter(person=person).values_list("household_id", flat=True))
    return qs.filter(Q(household_id__in=household_ids) | Q(entitlement__person=person)).order_by("-due_on", "-id")
