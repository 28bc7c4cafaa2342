"""demo_pending_payments: after the month was paid, lines held for missing accounts and one run waiting for
the approver, once."""

import datetime
import io
from decimal import Decimal

from django.core.management import call_command

from apps.disbursement.models import PaymentLine, PaymentRun
from tests import factories as f

MAY = datetime.date(2024, 5, 1)


def test_held_and_failed_accounts_completed_and_a_supplementary_run_waits(in_bureau, tmp_path, monkeypatch):
    monkeypatch.setenv("DISBURSEMENT_BANKFILES_DIR", str(tmp_path))
    with in_bureau("zhongshan"):
        # Longevity 80-89 is 100.00 a month in 中山: five payees with an account, two without.
        for i in range(7):
            person = f.person(**({} if i < 5 else {"bank_account": "", "bank_name": ""}))
            f.entitlement(programme="longevity", person=person, variant="80-89")
    call_command("demo_disbursement", tenant="zhongshan", period="2024-05", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_pending_payments", tenant="zhongshan", period="2024-05", stdout=out)
    with in_bureau("zhongshan"):
        regular = PaymentRun.objects.get(period=MAY, kind="regular")
        waiting = PaymentRun.objects.get(period=MAY, kind="supplementary")
        statuses = sorted(PaymentLine.objects.filter(run=regular).values_list("status", flat=True))
        reissued = sorted(PaymentLine.objects.filter(run=waiting).values_list("original_line__status", flat=True))
        starter = waiting.started_by.username
    assert statuses == ["failed", "held", "held", "paid", "paid", "paid", "paid"]
    assert (regular.held_count, regular.held_amount, regular.line_count) == (2, Decimal("200.00"), 5)
    assert (waiting.status, starter, waiting.line_count) == ("generated", "zhongshan-finance", 3)
    assert reissued == ["failed", "held", "held"]
    assert f"supplementary run {waiting.pk} waits for approval (3 lines); held 2, completed 2, corrected 1" in (
        out.getvalue()
    )
    again = io.StringIO()
    call_command("demo_pending_payments", tenant="zhongshan", period="2024-05", stdout=again)
    assert f"supplementary run {waiting.pk} exists (generated); nothing changed" in again.getvalue()


def test_a_bureau_whose_payees_all_have_accounts_gets_held_grants(in_bureau, tmp_path, monkeypatch):
    monkeypatch.setenv("DISBURSEMENT_BANKFILES_DIR", str(tmp_path))
    call_command("demo_disbursement", tenant="nanshan", period="2024-05", sample=6, stdout=io.StringIO())
    call_command("demo_pending_payments", tenant="nanshan", period="2024-05", stdout=io.StringIO())
    with in_bureau("nanshan"):
        waiting = PaymentRun.objects.get(period=MAY, kind="off_cycle")
        lines = sorted(PaymentLine.objects.filter(run=waiting).values_list("status", "amount"))
    assert waiting.status == "generated"
    assert lines == [
        ("held", Decimal("500.00")),
        ("held", Decimal("600.00")),
        ("held", Decimal("700.00")),
        ("pending", Decimal("800.00")),
        ("pending", Decimal("900.00")),
    ]
    assert (waiting.held_count, waiting.line_count, waiting.total_amount) == (3, 2, Decimal("1700.00"))
