"""Maker-checker: a run is approved by an approver who did not start it; the state machine refuses the rest."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from apps.disbursement.models import PaymentRun
from apps.disbursement.services import (
    payment_run_approve,
    payment_run_mark_exported,
    payment_run_start,
    payment_run_transition,
)
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db

MAY = datetime.date(2024, 5, 1)


def started_by_finance(u):
    entitlement(programme="longevity", person=f.person(), variant="80-89")
    return payment_run_start(period=MAY, kind="regular", user=u.finance, background=False)


def test_the_starter_may_not_approve_even_with_the_permission(in_bureau, users):
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        run = started_by_finance(u)
        # Whatever roles the starter holds: a bureau admin who starts a run cannot approve it either.
        admin_run = payment_run_start(period=datetime.date(2024, 6, 1), kind="regular", user=u.admin,
                                      background=False)
        u.finance.user_permissions.add(Permission.objects.get(codename="approve_paymentrun"))
        finance = get_user_model().objects.get(pk=u.finance.pk)  # without the cached permissions
        assert finance.has_perm("disbursement.approve_paymentrun")
        with pytest.raises(ValidationError) as finance_error:
            payment_run_approve(run=run, user=finance)
        with pytest.raises(ValidationError) as admin_error:
            payment_run_approve(run=admin_run, user=u.admin)
        unchanged = PaymentRun.objects.get(pk=run.pk)
    assert "maker-checker" in " ".join(finance_error.value.messages)
    assert "maker-checker" in " ".join(admin_error.value.messages)
    assert unchanged.status == PaymentRun.Status.GENERATED and unchanged.approved_by is None


def test_an_approver_approves(in_bureau, users):
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        run = payment_run_approve(run=started_by_finance(u), user=u.approver)
        assert (run.status, run.approved_by, run.started_by) == (PaymentRun.Status.APPROVED, u.approver, u.finance)
        assert run.approved_at is not None


def test_approval_needs_the_permission(in_bureau, users):
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        run = started_by_finance(u)
        for user in (u.caseworker1, u.reviewer, u.auditor):
            with pytest.raises(PermissionDenied):
                payment_run_approve(run=run, user=user)


def test_starting_needs_the_permission(in_bureau, users):
    with in_bureau("zhongshan"), pytest.raises(PermissionDenied):
        payment_run_start(period=MAY, kind="regular", user=users("zhongshan").approver, background=False)


def test_illegal_transitions_are_refused_and_change_nothing(in_bureau, users):
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        run = started_by_finance(u)
        with pytest.raises(ValidationError):
            payment_run_mark_exported(run=run, user=u.finance)   # not approved yet
        with pytest.raises(ValidationError):
            payment_run_transition(run=run, status=PaymentRun.Status.CLOSED)
        approved = payment_run_approve(run=run, user=u.approver)
        with pytest.raises(ValidationError):
            payment_run_approve(run=approved, user=u.approver)   # twice
        still = PaymentRun.objects.get(pk=run.pk)
    assert still.status == PaymentRun.Status.APPROVED


def test_history_records_who_moved_the_run(in_bureau, users):
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        run = payment_run_approve(run=started_by_finance(u), user=u.approver)
        statuses = list(run.history.order_by("history_id").values_list("status", flat=True))
    assert statuses[-1] == "approved" and "generated" in statuses and statuses[0] == "generating"
