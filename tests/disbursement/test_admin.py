"""The bureau admin of runs, lines, recoveries and bank files: pages render, actions go through services."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.disbursement.models import BankFileDownload, PaymentLine, PaymentRun
from apps.disbursement.services import payment_run_start
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db


def a_run(users):
    entitlement(programme="longevity", person=f.person(bank_account="6222000011112222333"), variant="80-89")
    return payment_run_start(period=datetime.date(2024, 6, 1), kind="regular", user=users("zhongshan").finance,
                             background=False)


@pytest.mark.parametrize("url", [
    "/admin/disbursement/paymentrun/", "/admin/disbursement/paymentline/", "/admin/disbursement/recoveryline/",
    "/admin/disbursement/overpayment/", "/admin/disbursement/bankreturnimport/",
    "/admin/disbursement/bankfiledownload/", "/admin/disbursement/paymentrun/start/",
])
def test_pages_render(in_bureau, users, login_as, url):
    with in_bureau("zhongshan"):
        a_run(users)
    response = login_as("zhongshan", "zhongshan-admin").get(url)
    assert response.status_code == 200


def test_run_list_shows_progress_and_line_list_masks(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        run = a_run(users)
        line = PaymentLine.objects.get(run=run)
    client = login_as("zhongshan", "zhongshan-auditor")
    runs = client.get("/admin/disbursement/paymentrun/").content.decode()
    assert "1 / 1" in runs
    detail = client.get(f"/admin/disbursement/paymentrun/{run.pk}/change/")
    assert detail.status_code == 200
    lines = client.get("/admin/disbursement/paymentline/").content.decode()
    assert line.payee_name in lines
    history = client.get(f"/admin/disbursement/paymentrun/{run.pk}/history/")
    assert history.status_code == 200


def test_start_approve_export_and_import_through_the_admin(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        entitlement(programme="longevity", person=f.person(), variant="80-89")
    finance = login_as("zhongshan", "zhongshan-finance")
    started = finance.post("/admin/disbursement/paymentrun/start/", {"period": "2024-06", "kind": "regular"})
    assert started.status_code == 302
    with in_bureau("zhongshan"):
        run = PaymentRun.objects.get(period=datetime.date(2024, 6, 1))
        assert run.status == "generating"  # a worker generates it (none in this test: do it here)
        from apps.disbursement.generation import payment_run_generate

        payment_run_generate(run=run)
    # Finance is not offered the approve action; posting it anyway changes nothing.
    assert 'value="approve_runs"' not in finance.get("/admin/disbursement/paymentrun/").content.decode()
    finance.post("/admin/disbursement/paymentrun/", {"action": "approve_runs", "_selected_action": [run.pk]})
    with in_bureau("zhongshan"):
        assert PaymentRun.objects.get(pk=run.pk).status == "generated"
    approver = login_as("zhongshan", "zhongshan-approver")
    approver.post("/admin/disbursement/paymentrun/", {"action": "approve_runs", "_selected_action": [run.pk]})
    with in_bureau("zhongshan"):
        assert PaymentRun.objects.get(pk=run.pk).status == "approved"
    export = finance.get(f"/admin/disbursement/paymentrun/{run.pk}/export/csv/")
    assert export.status_code == 200 and b"".join(export.streaming_content).startswith(b"\xef\xbb\xbf")
    with in_bureau("zhongshan"):
        assert BankFileDownload.objects.filter(run=run, channel="admin", completed=True).count() == 1
        line = PaymentLine.objects.get(run=run)
    header = "明细编号,账号,金额,结果,失败原因,银行流水号,入账日期\n"
    bad = SimpleUploadedFile("r.csv", (header + f"{line.pk},,1.00,成功,,,\n").encode())
    page = finance.post(f"/admin/disbursement/paymentrun/{run.pk}/returns/", {"file": bad})
    assert page.status_code == 200 and "is for 100.00, the file says 1.00" in page.content.decode()
    good = SimpleUploadedFile("r.csv", (header + f"{line.pk},,100.00,成功,,,\n").encode())
    assert finance.post(f"/admin/disbursement/paymentrun/{run.pk}/returns/", {"file": good}).status_code == 302
    with in_bureau("zhongshan"):
        assert PaymentRun.objects.get(pk=run.pk).status == "closed"


def test_a_caseworker_cannot_start_runs_or_import_returns(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        run = a_run(users)
    client = login_as("zhongshan", "zhongshan-caseworker1")
    assert client.get("/admin/disbursement/paymentrun/start/").status_code == 403
    assert client.get(f"/admin/disbursement/paymentrun/{run.pk}/returns/").status_code == 403


def test_line_search_finds_a_persons_lines_by_whole_id_or_name_and_never_by_part(in_bureau, users, login_as):
    """Lines are found through the people they pay: 欧阳明月's longevity line (her ID number, 欧阳 or 明月)
    and the dibao line of the household she belongs to; a part of her ID number finds nothing."""
    with in_bureau("zhongshan"):
        her = f.person(name="欧阳明月", bank_account="6222000011112222444")
        other = f.person(name="李四", bank_account="6222000011112222555")
        household = f.household(other, her)
        entitlement(programme="longevity", person=her, variant="80-89")
        dibao = f.entitlement(programme="dibao", household=household, per_capita_income="100", covered_members=2,
                              start_period=datetime.date(2024, 1, 1))
        a_run(users)
        lines = dict(PaymentLine.objects.values_list("key_ref", "id"))
        hers = PaymentLine.objects.get(payee_person=her).pk
    client = login_as("zhongshan", "zhongshan-admin")

    def found(term):
        page = client.get("/admin/disbursement/paymentline/", {"q": term})
        assert page.status_code == 200
        return {line.pk for line in page.context["cl"].result_list}

    assert found(her.id_number) == {hers, lines[dibao.pk]}
    assert found("欧阳") == found("明月") == {hers, lines[dibao.pk]}
    assert found(her.id_number[:10]) == set()
    assert found("no-such-person") == set()
