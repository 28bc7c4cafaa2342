"""A payment run's page: figures by programme and town, held lines, readable details, and only the steps
the user may take (the approver who did not start it approves; the starter does not); never an edit form."""

import datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory

from apps.disbursement.models import PaymentLine, PaymentRun
from apps.disbursement.returns import bank_return_import
from apps.disbursement.services import payment_run_approve, payment_run_mark_exported, payment_run_start
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2024, 6, 1)


def june(users, starter="finance"):
    """中山 2024-06 started by finance: 李四 200.00 (account), 王五 100.00 (no account: held)."""
    entitlement(
        programme="longevity", person=f.person(name="李四", bank_account="6228480000000000001"), variant="90-99"
    )
    entitlement(programme="longevity", person=f.person(name="王五", bank_account="", bank_name=""), variant="80-89")
    return payment_run_start(period=JUNE, kind="regular", user=getattr(users("zhongshan"), starter), background=False)


def page(client, run):
    response = client.get(f"/admin/disbursement/paymentrun/{run.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_approver_sees_approve_and_the_held_lines_the_starter_does_not_approve(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        run = june(users)
    approver = page(login_as("zhongshan", "zhongshan-approver"), run)
    starter = page(login_as("zhongshan", "zhongshan-finance"), run)
    auditor = page(login_as("zhongshan", "zhongshan-auditor"), run)
    assert 'id="approve-run"' in approver
    assert "1 line (¥100.00) is held: its payee has no bank account." in approver
    assert 'id="approve-run"' not in starter and "You started this run" in starter
    assert 'id="approve-run"' not in auditor and "You started this run" not in auditor
    for html in (approver, starter, auditor):
        assert 'name="_save"' not in html and 'name="_continue"' not in html
        assert "Download the bank file" not in html  # not approved yet
    # Figures: by programme and by town, held apart; details in words, not JSON.
    assert "¥200.00" in approver and "¥100.00" in approver and "王五" in approver
    assert "lines held: no bank account" in approver and '{"' not in approver


def test_the_bureau_admin_who_started_a_run_may_not_approve_it(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        run = june(users, starter="admin")
    admin = login_as("zhongshan", "zhongshan-admin")
    html = page(admin, run)
    assert 'id="approve-run"' not in html and "You started this run" in html
    refused = admin.post(f"/admin/disbursement/paymentrun/{run.pk}/approve/", follow=True).content.decode()
    assert "another approver must approve it (maker-checker)" in refused
    assert 'id="approve-run"' in page(login_as("zhongshan", "zhongshan-approver"), run)


def test_approve_from_the_page(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        run = june(users)
    url = f"/admin/disbursement/paymentrun/{run.pk}/approve/"
    refused = login_as("zhongshan", "zhongshan-finance").post(url, follow=True)
    assert "You may not approve payment runs." in refused.content.decode()
    with in_bureau("zhongshan"):
        assert PaymentRun.objects.get(pk=run.pk).status == "generated"
    approver = login_as("zhongshan", "zhongshan-approver")
    assert approver.get(url).status_code == 405
    done = approver.post(url)
    assert done.status_code == 302 and done["Location"] == f"/admin/disbursement/paymentrun/{run.pk}/change/"
    with in_bureau("zhongshan"):
        run = PaymentRun.objects.get(pk=run.pk)
    assert (run.status, run.approved_by.username) == ("approved", "zhongshan-approver")
    after = page(approver, run)
    assert 'id="approve-run"' not in after
    finance = page(login_as("zhongshan", "zhongshan-finance"), run)
    assert "Download the bank file (CSV)" in finance and "Download the bank file (XLSX)" in finance
    assert "Import the bank return" not in finance  # not exported yet


def test_a_closed_run_shows_its_results_and_no_form(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        run = june(users)
        run = payment_run_mark_exported(run=payment_run_approve(run=run, user=u.approver), user=u.finance)
        line = PaymentLine.objects.get(run=run, status="pending")
        content = (f"明细编号,账号,金额,结果,失败原因,银行流水号,入账日期\n{line.pk},,200.00,失败,已销户,,\n").encode()
        bank_return_import(run=run, content=content, file_name="r.csv", user=u.finance)
        run = PaymentRun.objects.get(pk=run.pk)
        # Generation took 2.5 seconds: the page says so (not 0:00).
        run.finished_at = run.started_at + datetime.timedelta(seconds=2.5)
        run.save()
    assert run.status == "closed"
    html = page(login_as("zhongshan", "zhongshan-finance"), run)
    assert 'name="_save"' not in html and "<form" not in html.split('id="run-actions"')[0].split("</h2>")[-1]
    assert "Start a supplementary run of this month" in html and "Import the bank return" not in html
    assert "2.5 s" in html and "0:00" not in html
    assert "Failed" in html or "failed" in html
    lines = login_as("zhongshan", "zhongshan-finance")
    failed = lines.get("/admin/disbursement/paymentline/?status__exact=failed&reason=已销户").content.decode()
    assert "已销户" in failed and "李四" in failed and "王五" not in failed
    held = lines.get("/admin/disbursement/paymentline/?status__exact=held&outstanding=yes").content.decode()
    assert "王五" in held and "no bank account" in held and "李四" not in held
    other = lines.get("/admin/disbursement/paymentline/?reason=卡或账号不存在").content.decode()
    assert "李四" not in other


def test_list_actions_only_for_roles_that_may_take_them(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        june(users)
    auditor = login_as("zhongshan", "zhongshan-auditor").get("/admin/disbursement/paymentrun/").content.decode()
    approver = login_as("zhongshan", "zhongshan-approver").get("/admin/disbursement/paymentrun/").content.decode()
    assert 'value="approve_runs"' not in auditor and 'value="export_csv"' not in auditor
    assert 'value="approve_runs"' in approver and 'value="export_csv"' not in approver


def test_the_finance_panel(in_bureau, users, monkeypatch):
    from django.utils import timezone

    from apps.disbursement.panels import payments_panel

    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2024, 6, 20))
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        run = june(users)
        request = RequestFactory().get("/admin/")
        request.user = u.finance
        finance = payments_panel(request=request)
        request.user = u.approver
        approver = payments_panel(request=request)
        request.user = u.caseworker1
        caseworker = payments_panel(request=request)
    assert caseworker is None
    assert [(item.label, item.count, item.url) for item in finance.items] == [
        ("Payment run of 2024-06: generated", None, f"/admin/disbursement/paymentrun/{run.pk}/change/"),
        (
            "Lines held: the payee has no bank account",
            1,
            "/admin/disbursement/paymentline/?status__exact=held&outstanding=yes",
        ),
        ("Failed lines to re-issue", 0, "/admin/disbursement/paymentline/?status__exact=failed&outstanding=yes"),
    ]
    assert finance.items[0].note == "1 lines, ¥200.00"
    assert ("Payment runs waiting for your approval", 1, "/admin/disbursement/paymentrun/?status__exact=generated") in [
        (item.label, item.count, item.url) for item in approver.items
    ]
    assert Decimal("200.00") == run.total_amount
