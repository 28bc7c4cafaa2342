"""Town scoping: a caseworker reads and writes only the records of their own town.

Every selector that lists people-bound records passes its queryset through `scope_to_town`, with
the path from the model to its town ("town", "household__town", "person__town", ...). Other roles
see the whole bureau. A record outside the user's scope is "not found", never "forbidden", so its
existence does not leak.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .roles import Role


def user_town_id(user) -> int | None:
    """The town a user is confined to, or None for bureau-wide roles."""
    if not user or not user.is_authenticated or user.is_superuser:
        return None
    profile = getattr(user, "staff_profile", None)
    if profile is None or profile.town_id is None:
        return None
    if user.groups.filter(name=Role.CASEWORKER).exists():
        return profile.town_id
    return None


def scope_to_town(queryset: QuerySet, user, town_path: str = "town") -> QuerySet:
    town_id = user_town_id(user)
    if town_id is None:
        return queryset
    return queryset.filter(**{f"{town_path}_id": town_id})


def in_user_town(user, town_id: int | None) -> bool:
    confined = user_town_id(user)
    return confined is None or confined == town_id
