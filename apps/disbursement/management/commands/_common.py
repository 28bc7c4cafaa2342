"""Shared by the disbursement commands: bureau and user lookup with clear errors."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from apps.core.periods import PeriodError, parse_month
from apps.core.permissions import SYSTEM
from tenants.selectors import bureau_list


def check_tenant(schema: str) -> None:
    schemas = [b.schema_name for b in bureau_list()]
    if schema not in schemas:
        raise CommandError(f"no bureau {schema!r}; bureaus: {', '.join(schemas)}")


def period_arg(text: str):
    try:
        return parse_month(text)
    except PeriodError as exc:
        raise CommandError(str(exc)) from exc


def user_arg(username: str | None):
    """The user named by --user, or SYSTEM (the command acting for the bureau) when none is named."""
    if not username:
        return SYSTEM
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"no user {username!r} in this bureau") from None
