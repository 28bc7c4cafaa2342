"""The province's users live by the same password rules as a bureau's: history and expiry (issue 10)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from apps.core.models import PasswordRecord
from tenants.models import Bureau

pytestmark = pytest.mark.django_db


@pytest.fixture
def province_admin(in_bureau):
    with in_bureau("public"):
        yield get_user_model().objects.get(username="province-admin")


def test_a_province_user_cannot_take_back_a_recent_password(province_admin, in_bureau):
    with in_bureau("public"):
        for password in ("Qu4rtz-Meadow-1", "Qu4rtz-Meadow-2"):
            province_admin.set_password(password)
            province_admin.save()
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            validate_password("Qu4rtz-Meadow-1", province_admin)
        assert refused.value.messages == [
            "You used this password before; choose one different from your last 5 passwords."]
        # Recorded in the public schema, where the province's users are: bootstrap's password and these two.
        assert PasswordRecord.objects.filter(user=province_admin).count() == 3


def test_an_expired_province_password_leaves_only_the_password_change(province_admin, in_bureau, client_for):
    with in_bureau("public"):
        Bureau.objects.filter(schema_name="public").update(password_max_age_days=30)
        province_admin.set_password("Nov-2026-province!")
        province_admin.save()
        PasswordRecord.objects.filter(user=province_admin).update(set_at=timezone.now() - timedelta(days=31))
    client = client_for("public")
    with in_bureau("public"):
        client.force_login(province_admin)
    assert client.get("/admin/tenants/bureau/")["Location"] == "/admin/password_change/"
    assert client.get("/admin/password_change/").status_code == 200
    response = client_for("public").post(
        "/api/v1/auth/token/", {"username": "province-admin", "password": "Nov-2026-province!"},
        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
