"""Shared by the disbursement commands: the acting user, looked up with a clear error."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from apps.core.permissions import SYSTEM


def user_arg(username: str | None):
    """The user named by --user, or SYSTEM (the command acting for the bureau) when none is named."""
    if not username:
        return SYSTEM
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"no user {username!r} in this bureau") from None
