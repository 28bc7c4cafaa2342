"""`bootstrap`: province, bureaus, seed data, schedules and demo logins — idempotent, logins printed."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_tenants.utils import schema_context

from tenants.models import Bureau, Domain

pytestmark = pytest.mark.django_db


def _state():
    with schema_context("public"):
        bureaus = list(Bureau.objects.order_by("schema_name").values())
        domains = list(Domain.objects.order_by("domain").values_list("domain", "tenant__schema_name"))
        users = list(get_user_model().objects.order_by("username").values_list("username", "password"))
    per_bureau = {}
    for bureau in bureaus:
        if bureau["schema_name"] == "public":
            continue
        with schema_context(bureau["schema_name"]):
            per_bureau[bureau["schema_name"]] = list(
                get_user_model().objects.order_by("username").values_list("username", "password")
            )
    return bureaus, domains, users, per_bureau


def test_bootstrap_twice_changes_nothing():
    before = _state()
    out = io.StringIO()
    call_command("bootstrap", quiet_logins=True, stdout=out)
    assert "bootstrap: 0 created" in out.getvalue()
    assert _state() == before


def test_bootstrap_prints_the_logins():
    out = io.StringIO()
    call_command("bootstrap", stdout=out)
    text = out.getvalue()
    assert "zhongshan-admin / civaffairs-demo" in text
    assert "overseer / civaffairs-demo" in text
    assert "http://zhongshan.localhost:8000/admin/" in text
