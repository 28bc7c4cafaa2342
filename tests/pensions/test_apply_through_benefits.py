"""The engine's confirmed changes are written by benefits (entitlements_apply_changes), with the same
rows and history rows the engine wrote itself before: sources, reasons, ids and change reasons."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection

from apps.benefits import services as benefits
from apps.benefits.models import Entitlement, Grant
from apps.core.permissions import SYSTEM
from apps.pensions.models import EligibilityChange
from tests import factories

D = datetime.date


def test_a_start_and_a_rebracket_write_the_rows_and_history_the_engine_wrote(in_bureau, run_engine, entitlements):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1924, 12, 1))
        run_engine(D(2024, 6, 10))
        [old] = entitlements(person, "longevity")
        start = EligibilityChange.objects.get(person=person, action="start")
        assert (start.status, start.created_entitlement_id) == ("confirmed", old.pk)
        assert (old.source, old.reason, old.status) == (f"pensions.eligibility:{start.pk}", "reached the age bracket",
                                                        "active")
        [created] = old.history.all()
        assert (created.history_type, created.history_change_reason, created.history_user_id) == (
            "+", f"pensions.eligibility:{start.pk}", None)
        assert (created.variant, created.start_period, created.end_period) == ("80-99", D(2024, 6, 1), None)

        run_engine(D(2024, 12, 1))
        old, new = entitlements(person, "longevity")
        move = EligibilityChange.objects.get(person=person, action="rebracket")
        assert (move.entitlement_id, move.created_entitlement_id) == (old.pk, new.pk)
        assert (old.end_period, old.status) == (D(2024, 12, 1), "active")
        assert old.reason == f"reached the age bracket (pensions.eligibility:{move.pk})"
        ended = old.history.order_by("-history_id").first()
        assert (ended.history_type, ended.history_change_reason, ended.end_period) == (
            "~", f"pensions.eligibility:{move.pk}", D(2024, 12, 1))
        assert old.history.count() == 2
        [opened] = new.history.all()
        assert (opened.history_type, opened.history_change_reason, opened.start_period) == (
            "+", f"pensions.eligibility:{move.pk}", D(2025, 1, 1))
        assert (new.source, new.variant) == (f"pensions.eligibility:{move.pk}", "100+")


def test_a_staff_confirmation_is_recorded_as_that_user(in_bureau, run_engine, entitlements, approver):
    from apps.pensions.services import eligibility_changes_confirm

    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1940, 1, 1))
        run_engine(D(2024, 12, 1), confirm=False)
        change = EligibilityChange.objects.get(person=person, action="start")
        user = approver("xcity")
        result = eligibility_changes_confirm(change_ids=[change.pk], user=user)
        assert (result["confirmed"], result["created"], result["skipped"]) == (1, 1, 0)
        [ent] = entitlements(person, "longevity")
        change.refresh_from_db()
        assert change.created_entitlement_id == ent.pk
        assert ent.history.get().history_user_id == user.pk


def _one_open_row(person):
    table = benefits.entitlement_changes_table(table="test_changes")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (op, programme_id, variant, person_id, payee_person_id, period, reason,"
                       " source) VALUES ('open', 'longevity', '80-99', %s, %s, DATE '2024-12-01', 'test', 'test:1')",
                       [person.pk, person.pk])
    return table


def test_the_set_based_entry_point_refuses_nobody_and_a_user_without_the_permission(in_bureau):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1940, 1, 1))
        caseworker = get_user_model().objects.get(username="xcity-caseworker1")
        for user in (None, caseworker):
            table = _one_open_row(person)
            with pytest.raises(PermissionDenied):
                benefits.entitlements_apply_changes(table=table, user=user)
        assert not Entitlement.objects.filter(person=person).exists()
        table = _one_open_row(person)
        assert benefits.entitlements_apply_changes(table=table, user=SYSTEM) == {"ended": 0, "created": 1, "grants": 0}
        [ent] = Entitlement.objects.filter(person=person)
        assert (ent.source, ent.start_period, ent.history.get().history_change_reason) == (
            "test:1", D(2024, 12, 1), "test:1")
        # The same rows again: the months are covered, nothing is written twice.
        assert benefits.entitlements_apply_changes(table=table, user=SYSTEM) == {"ended": 0, "created": 0, "grants": 0}


def test_grants_are_created_and_marked_paid_by_benefits_with_history(in_bureau):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1920, 1, 1))
        table = benefits.entitlement_changes_table(table="test_changes")
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} (op, programme_id, variant, person_id, payee_person_id, period,"
                           " amount, reason, source) VALUES ('grant', 'longevity', 'grant:100+:10', %s, %s,"
                           " DATE '2024-10-01', 1000.00, 'annual grant', 'test-grant:1')", [person.pk, person.pk])
        assert benefits.entitlements_apply_changes(table=table, user=SYSTEM) == {"ended": 0, "created": 0, "grants": 1}
        assert benefits.entitlements_apply_changes(table=table, user=SYSTEM)["grants"] == 0  # source is unique
        grant = Grant.objects.get(source="test-grant:1")
        assert (grant.status, grant.amount, grant.history.get().history_type) == ("pending", Decimal("1000.00"), "+")
        assert benefits.grants_mark_paid(grant_ids=[grant.pk], user=SYSTEM, reason="bank return #1") == 1
        grant.refresh_from_db()
        assert grant.status == "paid"
        assert grant.history.order_by("-history_id").first().history_change_reason == "bank return #1"
        assert benefits.grants_mark_paid(grant_ids=[grant.pk], user=SYSTEM, reason="bank return #2") == 0
