"""Reads for social assistance: applications, reviews and cases, scoped to the caseworker's town."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

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
