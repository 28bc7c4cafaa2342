"""A payment run approved from its page in a browser: the approver who did not start it sees the held
lines and the approve button and approves; the finance officer who started it has no such button."""

import datetime

JUNE = datetime.date(2024, 6, 1)


def _plant():
    """中山 2024-06 started by zhongshan-finance: one line paid to an account, one held (no account)."""
    from django.contrib.auth import get_user_model
    from django_tenants.utils import schema_context

    from apps.disbursement.services import payment_run_start
    from tests import factories as f

    with schema_context("zhongshan"):
        payees = [
            f.person(name="李四", bank_account="6228480000000000001"),
            f.person(name="王五", bank_account="", bank_name=""),
        ]
        entitlements = [
            f.entitlement(programme="longevity", person=payees[0], variant="90-99"),
            f.entitlement(programme="longevity", person=payees[1], variant="80-89"),
        ]
        finance = get_user_model().objects.get(username="zhongshan-finance")
        run = payment_run_start(period=JUNE, kind="regular", user=finance, background=False)
        return run.pk, [p.pk for p in payees], [e.pk for e in entitlements]


def _status(run_id):
    from django_tenants.utils import schema_context

    from apps.disbursement.models import PaymentRun

    with schema_context("zhongshan"):
        run = PaymentRun.objects.select_related("approved_by").get(pk=run_id)
        return run.status, getattr(run.approved_by, "username", None)


def _remove(run_id, persons, entitlements):
    from django_tenants.utils import schema_context

    from apps.benefits.models import Entitlement
    from apps.disbursement.models import LineBasis, PaymentLine, PaymentRun
    from apps.people.models import Person

    with schema_context("zhongshan"):
        PaymentLine.objects.filter(run_id=run_id).delete()
        LineBasis.objects.filter(period=JUNE).delete()
        PaymentRun.history.filter(id=run_id).delete()
        PaymentRun.objects.filter(pk=run_id).delete()
        Entitlement.objects.filter(pk__in=entitlements).delete()
        Person.objects.filter(pk__in=persons).delete()


def test_the_approver_approves_a_run_from_its_page_and_the_starter_cannot(page_as, committed):
    run_id, persons, entitlements = committed(_plant)
    try:
        starter = page_as("finance")
        assert starter.goto(f"/admin/disbursement/paymentrun/{run_id}/change/").status == 200
        assert starter.locator("#approve-run").count() == 0
        assert starter.locator("input[name=_save]").count() == 0

        approver = page_as("approver")
        assert approver.goto(f"/admin/disbursement/paymentrun/{run_id}/change/").status == 200
        # Before approving, the approver sees what the bank file leaves out.
        assert "¥100.00" in approver.locator("#held-warning").inner_text()
        assert "王五" in approver.locator("#held-lines").inner_text()
        approver.locator("#approve-run").click()
        approver.wait_for_load_state()
        assert approver.url.endswith(f"/admin/disbursement/paymentrun/{run_id}/change/")
        assert approver.locator("#approve-run").count() == 0
        assert committed(_status, run_id) == ("approved", "zhongshan-approver")
    finally:
        committed(_remove, run_id, persons, entitlements)
