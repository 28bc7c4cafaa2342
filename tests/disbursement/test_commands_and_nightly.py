"""run_disbursement, import_bank_returns, the nightly steps and the monthly task."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from apps.disbursement.models import BankFileDownload, BankReturnImport, PaymentLine, PaymentRun
from apps.disbursement.nightly import export_approved_runs, recovery_listing
from apps.disbursement.tasks import monthly_run
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db


def test_run_disbursement_prints_progress_and_totals(in_bureau):
    with in_bureau("xcity"):
        entitlement(programme="elderly_service", person=f.person())
        entitlement(programme="longevity", person=f.person(), variant="100+")
    out = io.StringIO()
    call_command("run_disbursement", tenant="xcity", period="2024-07", chunk_size=1, stdout=out)
    text = out.getvalue()
    assert "2 lines, total 1,050.00" in text
    assert "elderly_service" in text and "1,000.00" in text and "  run " in text
    again = io.StringIO()
    call_command("run_disbursement", tenant="xcity", period="2024-07", stdout=again)
    assert "2 lines, total 1,050.00" in again.getvalue()
    with in_bureau("xcity"):
        assert PaymentLine.objects.count() == 2 and PaymentRun.objects.count() == 1
        entitlement(programme="elderly_service", person=f.person())  # starts paying after the run was made
    untouched = io.StringIO()
    call_command("run_disbursement", tenant="xcity", period="2024-07", stdout=untouched)
    refreshed = io.StringIO()
    call_command("run_disbursement", tenant="xcity", period="2024-07", refresh=True, stdout=refreshed)
    assert "2 lines, total 1,050.00" in untouched.getvalue()
    assert "3 lines, total 1,100.00" in refreshed.getvalue()


def test_run_disbursement_refuses_bad_arguments():
    with pytest.raises(CommandError, match="no bureau"):
        call_command("run_disbursement", tenant="atlantis", period="2024-07")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("run_disbursement", tenant="xcity", period="July")


def test_import_bank_returns_from_a_folder(in_bureau, cycle, tmp_path):
    with in_bureau("xcity"):
        entitlement(programme="elderly_service", person=f.person())
        run = cycle("xcity", "2024-07")
        line = PaymentLine.objects.get(run=run)
    header = "明细编号,账号,金额,结果,失败原因,银行流水号,入账日期\n"
    (tmp_path / "a-returns.csv").write_text(header + f"{line.pk},,50.00,失败,已销户,,2024-07-03\n"
                                            f"控制记录,批次号,{run.pk},笔数,1,总金额,50.00\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a return file")
    out = io.StringIO()
    call_command("import_bank_returns", tenant="xcity", folder=str(tmp_path), stdout=out)
    assert f"a-returns.csv: run {run.pk}: 0 paid, 1 failed" in out.getvalue()
    again = io.StringIO()
    call_command("import_bank_returns", tenant="xcity", folder=str(tmp_path), stdout=again)
    assert "already imported" in again.getvalue()
    (tmp_path / "b-wrong.csv").write_text(header + f"{line.pk},,51.00,成功,,,\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 files rejected"):
        call_command("import_bank_returns", tenant="xcity", folder=str(tmp_path), stdout=io.StringIO(), stderr=err)
    # The run closed with a-returns.csv: a further file is refused before it is read (issue 10, defect 4).
    assert f"b-wrong.csv: REJECTED: Payment run {run.pk} is closed" in err.getvalue()
    with in_bureau("xcity"):
        assert PaymentLine.objects.get(pk=line.pk).status == "failed"
        assert BankReturnImport.objects.filter(status="accepted").count() == 1


def test_nightly_exports_approved_runs_and_lists_recoveries(in_bureau, cycle, tmp_path, monkeypatch):
    monkeypatch.setenv("DISBURSEMENT_BANKFILES_DIR", str(tmp_path))
    with in_bureau("xcity"):
        person = f.person()
        entitlement(programme="longevity", person=person, variant="80-99")
        run = cycle("xcity", "2024-07", export=False)
        result = export_approved_runs(today=datetime.date(2024, 7, 2))
        run.refresh_from_db()
        download = BankFileDownload.objects.get(run=run)
        assert run.status == "exported" and (download.channel, download.user) == ("nightly", None)
        assert result == {"exported": 1, "files": [str(tmp_path / "xcity" / f"xcity-run{run.pk}-202407.csv")]}
        assert export_approved_runs(today=datetime.date(2024, 7, 3)) == {"exported": 0, "files": []}
        PaymentLine.objects.filter(run=run).update(status="paid")
        person.status, person.date_of_death = "deceased", datetime.date(2024, 6, 20)
        person.save()
        assert recovery_listing(today=datetime.date(2024, 7, 3)) == {
            "recoveries": 1, "recovery_amount": "50.00", "overpayments": 0}


def test_monthly_task_creates_then_leaves_the_run(in_bureau):
    with in_bureau("xcity"):
        entitlement(programme="elderly_service", person=f.person())
        first = monthly_run.run(period="2024-07")
        second = monthly_run.run(period="2024-07")
        assert PaymentLine.objects.count() == 1
    assert (first["status"], first["lines"], first["total"]) == ("generated", 1, "50.00")
    assert second["run"] == first["run"] and second["lines"] == 1
    assert Decimal(first["total"]) == Decimal("50.00")


def test_nightly_resumes_a_run_nobody_is_generating(in_bureau):
    from apps.disbursement.nightly import resume_stalled_runs
    from apps.disbursement.services import payment_run_create

    with in_bureau("xcity"):
        entitlement(programme="elderly_service", person=f.person())
        stalled, _ = payment_run_create(period=datetime.date(2024, 7, 1))   # its worker died before a chunk
        result = resume_stalled_runs(today=datetime.date(2024, 7, 2))
        stalled.refresh_from_db()
        assert result == {"resumed": [stalled.pk]}
        assert (stalled.status, stalled.line_count, stalled.total_amount) == ("generated", 1, Decimal("50.00"))
        assert resume_stalled_runs(today=datetime.date(2024, 7, 3)) == {"resumed": []}
