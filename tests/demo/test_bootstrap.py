"""`bootstrap`: province, bureaus, seed data, schedules and demo logins — idempotent, logins printed."""

import copy
import io
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from apps.demo.bootstrap import bootstrap
from tenants import schema_clone
from tenants.models import Bureau, Domain
from tenants.seeds import SEEDS_DIR, Seed, load_seed
from tests.conftest import TEMPLATE_SCHEMA
from tests.schema_clone import bureaus_cloned_from

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


def test_bootstrap_migrates_one_new_schema_and_copies_it_for_the_other_new_bureaus():
    zhongshan = load_seed(SEEDS_DIR / "zhongshan.yaml")
    seeds = []
    for schema in ("bs_first", "bs_second", "bs_third"):
        data = copy.deepcopy(zhongshan.data)
        data["bureau"]["schema"] = schema
        seeds.append(Seed(path=zhongshan.path, data=data))
    # The session's bureaus come from a template (a migration here would take half a minute): the first
    # new bureau is "migrated" as a copy of it; what matters is where the other two come from.
    spy = mock.patch("tenants.models.schema_clone", wraps=schema_clone.schema_clone)
    with bureaus_cloned_from(TEMPLATE_SCHEMA), spy as cloned:
        report = bootstrap(seeds=[load_seed(SEEDS_DIR / "nanshan.yaml"), *seeds])
    assert [call.kwargs for call in cloned.call_args_list] == [
        {"source": TEMPLATE_SCHEMA, "target": "bs_first"},
        {"source": "bs_first", "target": "bs_second"},
        {"source": "bs_first", "target": "bs_third"},
    ]
    assert "bureau nanshan" in report.unchanged and "bureau bs_third" in report.created
    # Each copy holds only its own bureau's seed rows: the first one's were loaded after the copies.
    with connection.cursor() as cursor:
        for schema in ("bs_first", "bs_second", "bs_third"):
            cursor.execute(f"SELECT count(*) FROM {schema}.benefits_standard")
            assert cursor.fetchone()[0] == len(zhongshan.data["standards"]), schema
