"""Issue 10 defect 6: a grant whose payment line may be with the bank is never silently cancelled."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.benefits.models import Grant
from apps.benefits.services import grant_cancel
from apps.disbursement.models import PaymentLine, PaymentLineEvent, PaymentRun
from apps.disbursement.services import payment_run_start
from tests import factories as f
from tests.disbursement.conftest import month

pytestmark = pytest.mark.django_db


def a_grant() -> Grant:
    payee = f.person()
    return Grant.objects.create(programme_id="temporary", person=payee, payee_person=payee,
                                amount=Decimal("1500.00"), period=datetime.date(2024, 6, 1))


def test_a_grant_no_run_has_picked_up_is_cancelled(in_bureau, users):
    with in_bureau("zhongshan"):
        grant = a_grant()
        grant_cancel(grant=grant, user=users("zhongshan").caseworker1, reason="duplicate application")
        grant.refresh_from_db()
    assert grant.status == "cancelled" and grant.reason == "duplicate application"


def test_a_grant_in_a_generated_run_is_cancelled_with_its_line(in_bureau, users):
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        grant = a_grant()
        run = payment_run_start(period=month("2024-06"), kind="regular", user=u.finance, background=False)
        line = PaymentLine.objects.get(run=run, grant=grant)
        assert (run.line_count, run.total_amount) == (1, Decimal("1500.00"))

        grant_cancel(grant=grant, user=u.caseworker1, reason="duplicate application")
        grant.refresh_from_db()
        line.refresh_from_db()
        run.refresh_from_db()
        event = PaymentLineEvent.objects.get(line=line)
    assert grant.status == "cancelled"
    assert line.status == "cancelled" and line.failure_reason == "duplicate application"
    assert (run.line_count, run.total_amount) == (0, Decimal("0.00"))
    assert (event.from_status, event.to_status, event.by) == ("pending", "cancelled", u.caseworker1)


@pytest.mark.parametrize("export", [False, True], ids=["approved", "exported"])
def test_a_grant_in_an_approved_or_exported_run_is_refused_and_nothing_changes(in_bureau, users, cycle, export):
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        grant = a_grant()
        run = cycle("zhongshan", "2024-06", export=export)
        line = PaymentLine.objects.get(run=run, grant=grant)
        with pytest.raises(ValidationError) as refused:
            grant_cancel(grant=grant, user=u.caseworker1, reason="duplicate application")
        grant.refresh_from_db()
        line.refresh_from_db()
        run_after = PaymentRun.objects.get(pk=run.pk)
        events = PaymentLineEvent.objects.filter(line=line).count()
    status = "exported" if export else "approved"
    assert refused.value.messages == [
        f"Grant #{grant.pk} is in payment run {run.pk}, which is {status}: the bank may already have the payment. "
        f"It cannot be cancelled; if the bank returns the payment as failed it is not paid, otherwise record a "
        f"recovery (追回) of line {line.pk}."]
    assert grant.status == "pending" and grant.reason == ""
    assert line.status == "pending" and events == 0
    assert (run_after.status, run_after.line_count, run_after.total_amount) == (status, 1, Decimal("1500.00"))


def test_the_grant_api_answers_400_with_the_message_after_export(in_bureau, users, cycle, login_as):
    with in_bureau("zhongshan"):
        grant = a_grant()
        run = cycle("zhongshan", "2024-06")
    response = login_as("zhongshan", "zhongshan-admin").post(
        f"/api/v1/grants/{grant.pk}/cancel/", {"reason": "duplicate"}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert f"payment run {run.pk}" in response.content.decode()
    with in_bureau("zhongshan"):
        grant.refresh_from_db()
    assert grant.status == "pending"
