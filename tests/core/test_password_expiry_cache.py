"""The admin's password-expiry check is remembered in the session for a few minutes (two queries less on
every page), and never past that: a lapsed recheck or a new password looks again (issue 10 load)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core import passwords
from apps.core.models import PasswordRecord
from tenants.models import Bureau

pytestmark = pytest.mark.django_db


def _expire(in_bureau):
    Bureau.objects.filter(schema_name="zhongshan").update(password_max_age_days=30)
    with in_bureau("zhongshan"):
        user = get_user_model().objects.get(username="zhongshan-admin")
        PasswordRecord.objects.filter(user=user).update(set_at=timezone.now() - timedelta(days=31))


def test_an_unexpired_password_is_checked_once_per_recheck_period(login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    assert client.get("/admin/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/admin/").status_code == 200
    assert not [q for q in captured.captured_queries if "core_passwordrecord" in q["sql"]]


def test_an_expiry_is_seen_once_the_recheck_period_has_passed(login_as, in_bureau, monkeypatch):
    monkeypatch.setattr(passwords, "PASSWORD_RECHECK_SECONDS", 0)  # remembered until the next request
    client = login_as("zhongshan", "zhongshan-admin")
    assert client.get("/admin/").status_code == 200
    _expire(in_bureau)
    assert client.get("/admin/")["Location"] == "/admin/password_change/"


def test_an_expired_password_is_never_remembered_as_good(login_as, in_bureau):
    _expire(in_bureau)
    client = login_as("zhongshan", "zhongshan-admin")
    for _ in range(2):
        assert client.get("/admin/")["Location"] == "/admin/password_change/"
