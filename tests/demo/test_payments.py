"""demo_disbursement: a month's payment cycle of a bureau, once."""

import datetime
import io

from django.core.management import call_command

from apps.disbursement.models import BankFileDownload, PaymentLine, PaymentRun


def test_demo_disbursement_runs_a_whole_month(in_bureau, tmp_path, monkeypatch):
    monkeypatch.setenv("DISBURSEMENT_BANKFILES_DIR", str(tmp_path))
    out = io.StringIO()
    call_command("demo_disbursement", tenant="nanshan", period="2024-05", sample=12, stdout=out)
    text = out.getvalue()
    assert "12 demo entitlements created" in text and "approved by nanshan-approver" in text
    files = sorted(p.name for p in (tmp_path / "nanshan").iterdir())
    with in_bureau("nanshan"):
        run = PaymentRun.objects.get(period=datetime.date(2024, 5, 1), kind="regular")
        statuses = sorted(PaymentLine.objects.filter(run=run).values_list("status", flat=True))
        assert (run.started_by.username, run.approved_by.username, run.status) == (
            "nanshan-finance", "nanshan-approver", "closed")
        downloads = BankFileDownload.objects.count()
    assert files == [f"nanshan-run{run.pk}-202405-returns.csv", f"nanshan-run{run.pk}-202405.csv",
                     f"nanshan-run{run.pk}-202405.xlsx"]
    assert statuses.count("failed") == 1 and statuses.count("paid") == 11  # every 10th from the 4th fails
    again = io.StringIO()
    call_command("demo_disbursement", tenant="nanshan", period="2024-05", stdout=again)
    assert f"run {run.pk} was paid and closed before; nothing changed" in again.getvalue()
    with in_bureau("nanshan"):
        assert BankFileDownload.objects.count() == downloads
