"""Password rules for a government system, beside Django's length, common-password and similarity checks.

- `CharacterClassesValidator`: at least 3 of the 4 classes (lower case, upper case, digits, symbols).
- `PasswordHistoryValidator`: not one of the user's last N passwords; its `password_changed` hook (Django
  calls it on every save after `set_password`) records the new hash and revokes the user's API tokens,
  so a changed password ends every session a token opened.
- `password_expired(user)`: older than the bureau's `password_max_age_days` (0: never). The token
  endpoint refuses such a user; `PasswordExpiryMiddleware` sends them to the admin's password change.

The history lives in the schema of the user's site: a bureau's, or the public schema for the
province's users (apps.core is a shared app for this), whose lifetime is the province row's
`password_max_age_days`.
"""

from __future__ import annotations

import hashlib
import re
import time
from datetime import timedelta

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import Token

from tenants.selectors import current_bureau

from .models import PasswordRecord

CLASSES = [
    (re.compile(r"[a-z]"), "lower case letters"),
    (re.compile(r"[A-Z]"), "upper case letters"),
    (re.compile(r"[0-9]"), "digits"),
    (re.compile(r"[^a-zA-Z0-9]"), "symbols"),
]


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = sum(1 for pattern, _label in CLASSES if pattern.search(password))
        if found < self.min_classes:
            raise ValidationError(
                _("This password uses %(found)d of the 4 kinds of character; use at least %(min)d of: lower "
                  "case letters, upper case letters, digits and symbols.") % {"found": found, "min": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("Your password must use at least %(min)d of: lower case letters, upper case letters, digits "
                 "and symbols.") % {"min": self.min_classes}


class PasswordHistoryValidator:
    def __init__(self, remember: int = 5):
        self.remember = remember

    def _recent(self, user):
        return PasswordRecord.objects.filter(user=user).values_list("password", flat=True)[: self.remember]

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        if any(check_password(password, old) for old in self._recent(user)):
            raise ValidationError(
                ngettext("You used this password before; choose one different from your last password.",
                         "You used this password before; choose one different from your last %(n)d passwords.",
                         self.remember) % {"n": self.remember},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        # Every API token dies with the password it was obtained under (DRF tokens exist on every host).
        Token.objects.filter(user=user).delete()
        PasswordRecord.objects.create(user=user, password=user.password)

    def get_help_text(self):
        return ngettext("Your password must differ from your last password.",
                        "Your password must differ from your last %(n)d passwords.", self.remember) % {"n": self.remember}


def password_set_at(user):
    """When the user's current password was set: its record, else when the account was made."""
    record = PasswordRecord.objects.filter(user=user).first()
    return record.set_at if record else user.date_joined


def password_expired(user, *, now=None) -> bool:
    days = current_bureau().password_max_age_days
    if not days:
        return False
    set_at = password_set_at(user)
    return set_at is not None and set_at + timedelta(days=days) <= (now or timezone.now())


# A password found unexpired is not looked at again for this long in the same session (two queries saved
# on every admin page); an expiry is noticed at most this late. A new password starts a new check.
PASSWORD_RECHECK_SECONDS = 300
SESSION_KEY = "_password_unexpired"


def _fingerprint(user) -> str:
    # Not the hash itself in the session store: a digest of it, enough to tell a changed password.
    return hashlib.sha256(user.password.encode()).hexdigest()[:16]


class PasswordExpiryMiddleware:
    """An admin user whose password has expired can do nothing but change it (or log out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and request.path.startswith("/admin/")
                and self._expired(request, user)):
            allowed = (reverse("admin:password_change"), reverse("admin:password_change_done"), reverse("admin:logout"))
            if request.path not in allowed:
                return redirect(allowed[0])
        return self.get_response(request)

    def _expired(self, request, user) -> bool:
        session = getattr(request, "session", None)
        now = time.time()
        checked = session.get(SESSION_KEY) if session is not None else None
        if checked and checked[0] == _fingerprint(user) and checked[1] > now:
            return False
        expired = password_expired(user)
        if not expired and session is not None:
            session[SESSION_KEY] = [_fingerprint(user), now + PASSWORD_RECHECK_SECONDS]
        return expired
