"""Fixtures of the disbursement tests: bureau users, runs taken through their states, bulk data by SQL."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection

BUREAUS = ("zhongshan", "guangzhou", "haifeng", "nanshan", "xcity")


@pytest.fixture(autouse=True)
def _only_the_tests_own_sources(request):
    """The numbers written out in these tests are over the entitlements and grants each test makes.

    Nothing else is there to pay: bootstrap loads towns, standards and logins only, every other test
    runs in a transaction that is rolled back, and the tests that commit (integration) remove what
    they made. Should anything be left behind, the test stops here instead of adding it to its totals.
    """
    if request.node.get_closest_marker("integration") or not request.node.get_closest_marker("django_db"):
        yield
        return
    request.getfixturevalue("db")
    from django_tenants.utils import schema_context

    from apps.benefits.models import Entitlement, Grant

    for schema in BUREAUS:
        with schema_context(schema):
            left = (Entitlement.objects.filter(status="active").count(), Grant.objects.filter(status="pending").count())
        assert left == (0, 0), f"{schema} holds {left[0]} active entitlements, {left[1]} pending grants no test made"
    yield


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are asserted word for word in English (the UI's default language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def login_as(login_as):
    """tests/conftest.py's login_as, asking the site for English."""

    def make(schema: str, username: str):
        client = login_as(schema, username)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def month(text: str) -> datetime.date:
    return datetime.date(int(text[:4]), int(text[5:7]), 1)


@pytest.fixture
def users():
    """users("haifeng") -> object with finance, approver, admin, caseworker1 of that bureau (in its schema)."""
    from django.contrib.auth import get_user_model

    class Users:
        def __init__(self, schema):
            User = get_user_model()
            for role in ("finance", "approver", "admin", "caseworker1", "caseworker2", "auditor", "reviewer"):
                setattr(self, role, User.objects.get(username=f"{schema}-{role}"))

    return Users


@pytest.fixture
def cycle(users):
    """cycle(schema, period) -> a run generated, approved, exported (lines exported), in the current schema."""
    from apps.disbursement.services import payment_run_approve, payment_run_mark_exported, payment_run_start

    def make(schema: str, period: str, *, export: bool = True):
        u = users(schema)
        run = payment_run_start(period=month(period), kind="regular", user=u.finance, background=False)
        run = payment_run_approve(run=run, user=u.approver)
        if export:
            run = payment_run_mark_exported(run=run, user=u.finance)
        return run

    return make


def bulk_entitlements(n: int, *, programme: str = "longevity", variant: str = "80-89", marker: str = "bulk",
                      start: str = "2024-01-01") -> tuple[int, int]:
    """n persons with one active entitlement each, written by SQL in the current schema; (first, last) id."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM people_town ORDER BY id LIMIT 1")
        town = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO people_person (id_number, id_hash, name, gender, birth_date, hukou_class, local_hukou, phone, "
            "bank_account, bank_name, is_student, seriously_ill, status, created_at, updated_at, town_id) "
            "SELECT %(m)s || lpad(g.i::text, 17 - length(%(m)s), '0'), md5(%(m)s || g.i), %(m)s || g.i, 'M', "
            "DATE '1940-01-01', 'urban', true, '', '6222' || lpad(g.i::text, 15, '0'), 'bank', false, false, "
            "'alive', now(), now(), %(town)s FROM generate_series(1, %(n)s) AS g(i) ORDER BY g.i RETURNING id",
            {"m": marker[:1].upper(), "n": n, "town": town})
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "INSERT INTO benefits_entitlement (programme_id, variant, person_id, payee_person_id, addon_members, "
            "care_level, start_period, status, reason, source, created_at, updated_at) "
            "SELECT %(p)s, %(v)s, p, p, 0, '', %(start)s, 'active', '', %(marker)s, now(), now() "
            "FROM unnest(%(ids)s::bigint[]) AS p ORDER BY p RETURNING id",
            {"p": programme, "v": variant, "start": start, "marker": marker, "ids": ids})
        entitlement_ids = [row[0] for row in cursor.fetchall()]
        # What autovacuum would do after such an import: the planner needs to know the rows exist.
        cursor.execute("ANALYZE benefits_entitlement")
        cursor.execute("ANALYZE people_person")
    return min(entitlement_ids), max(entitlement_ids)


def bulk_cleanup(marker: str = "bulk") -> None:
    """Remove what bulk_entitlements wrote (and the runs over it) in the current schema."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM disbursement_paymentlineevent")
        cursor.execute("DELETE FROM disbursement_paymentline")
        cursor.execute("DELETE FROM disbursement_linebasis")
        cursor.execute("DELETE FROM disbursement_overpayment")
        cursor.execute("DELETE FROM disbursement_bankfiledownload")
        cursor.execute("DELETE FROM disbursement_bankreturnimport")
        cursor.execute("DELETE FROM disbursement_historicalpaymentrun")
        cursor.execute("DELETE FROM disbursement_generationchunk")
        cursor.execute("DELETE FROM disbursement_paymentrun")
        cursor.execute("DELETE FROM core_jobrun WHERE job LIKE 'disbursement%%'")
        cursor.execute("SELECT person_id FROM benefits_entitlement WHERE source = %s", [marker])
        persons = [row[0] for row in cursor.fetchall()]
        cursor.execute("DELETE FROM benefits_entitlement WHERE source = %s", [marker])
        cursor.execute("DELETE FROM people_person WHERE id = ANY(%s)", [persons])


def money(text: str) -> Decimal:
    return Decimal(text)


def entitlement(**fields):
    """tests.factories.entitlement, paying since 2020 unless told otherwise (the seeds go back to 2022)."""
    from tests import factories

    fields.setdefault("start_period", datetime.date(2020, 1, 1))
    return factories.entitlement(**fields)
