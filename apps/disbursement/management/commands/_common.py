"""Shared by the disbursement commands: bureau and user lookup with clear errors."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from apps.core.permissions import SYSTEM
from apps.disbursement.rules import parse_period


def check_tenant(schema: str) -> None:
    from tenants.selectors import bureau_list

    schemas = [b.schema_name for b in bureau_list()]
    if schema not in schemas:
        raise CommandError(f"no bureau {schema!r}; bureaus: {', '.join(schemas)}")


def period_arg(text: str):
    try:
        return parse_period(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def user_arg(username: str | None):
    """The user named by --user, or SYSTEM (the command acting for the bureau) when none is named."""
    if not username:
        return SYSTEM
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"no user {username!r} in this bureau") from None
