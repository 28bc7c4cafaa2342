"""Held lines: a payee without a bank account is kept out of the bank file, listed, and paid once the
account is completed (maker-checker), by a supplementary run of the month the line pays."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from apps.disbursement.bankfile import bank_file_open
from apps.disbursement.models import PaymentLine
from apps.disbursement.returns import BankReturnRejected, bank_return_import
from apps.disbursement.services import (
    payment_run_approve,
    payment_run_mark_exported,
    payment_run_monthly,
    payment_run_start,
    payment_run_supplementary,
)
from apps.people.services import bank_account_change_approve, bank_account_change_request
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2024, 6, 1)
RETURN_HEADER = "明细编号,账号,金额,结果,失败原因,银行流水号,入账日期\n"


def june_with_one_payee_without_account(users):
    """中山 2024-06: 李四 (longevity 90-99, 200.00) has an account; 王五 (80-89, 100.00) has none."""
    paid = f.person(name="李四", bank_account="6228480000000000001", bank_name="中国农业银行")
    unpaid = f.person(name="王五", bank_account="", bank_name="")
    entitlement(programme="longevity", person=paid, variant="90-99")
    entitlement(programme="longevity", person=unpaid, variant="80-89")
    run = payment_run_start(period=JUNE, kind="regular", user=users("zhongshan").finance, background=False)
    return run, paid, unpaid


def test_a_line_without_an_account_is_held_with_its_reason(in_bureau, users):
    with in_bureau("zhongshan"):
        run, paid, unpaid = june_with_one_payee_without_account(users)
        lines = {line.payee_person_id: line for line in PaymentLine.objects.filter(run=run)}
    held = lines[unpaid.pk]
    assert (held.status, held.failure_reason, held.amount) == ("held", "no_account", Decimal("100.00"))
    assert held.reason_label == "no bank account"
    assert lines[paid.pk].status == "pending"
    # The control figures are the bank file's; the held line is counted apart, for the approver.
    assert (run.line_count, run.total_amount) == (1, Decimal("200.00"))
    assert (run.held_count, run.held_amount) == (1, Decimal("100.00"))
    assert run.detail["held_lines"] == 1 and run.detail["regular_lines"] == 2


def test_a_held_line_is_in_neither_bank_file(in_bureau, users):
    with in_bureau("zhongshan"):
        run, paid, unpaid = june_with_one_payee_without_account(users)
        u = users("zhongshan")
        run = payment_run_approve(run=run, user=u.approver)
        held = PaymentLine.objects.get(run=run, payee_person=unpaid)
        csv_text = b"".join(bank_file_open(run=run, user=u.finance, fmt="csv", channel="api")[1]).decode("utf-8-sig")
        workbook = openpyxl.load_workbook(
            io.BytesIO(b"".join(bank_file_open(run=run, user=u.finance, fmt="xlsx", channel="api")[1]))
        )
    rows = csv_text.splitlines()
    assert len(rows) == 3  # header, 李四, control record
    assert "李四" in rows[1] and "王五" not in csv_text and unpaid.id_number not in csv_text
    assert rows[2].split(",")[:7] == ["控制记录", "批次号", str(run.pk), "笔数", "1", "总金额", "200.00"]
    sheet = list(workbook["明细"].iter_rows(values_only=True))
    assert len(sheet) == 2 and sheet[1][1] == "李四"
    assert all(row[11] != held.pk and "王五" not in row for row in sheet)
    control = {row[0]: row[1] for row in workbook["控制记录"].iter_rows(values_only=True) if row[1] is not None}
    assert (control["笔数"], control["总金额"]) == ("1", "200.00")


def test_a_bank_return_naming_a_held_line_is_rejected(in_bureau, users):
    with in_bureau("zhongshan"):
        run, paid, unpaid = june_with_one_payee_without_account(users)
        u = users("zhongshan")
        run = payment_run_mark_exported(run=payment_run_approve(run=run, user=u.approver), user=u.finance)
        held = PaymentLine.objects.get(run=run, payee_person=unpaid)
        content = (RETURN_HEADER + f"{held.pk},,100.00,成功,,B1,\n").encode()
        with pytest.raises(BankReturnRejected) as rejected:
            bank_return_import(run=run, content=content, file_name="r.csv", user=u.finance)
        status = PaymentLine.objects.get(pk=held.pk).status
    assert rejected.value.record.errors == [
        f"Row 2: line {held.pk} was held (no bank account) and never sent to the bank."
    ]
    assert status == "held"


def test_a_completed_account_is_paid_once_by_a_supplementary_run_of_the_month(in_bureau, users):
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        run, paid, unpaid = june_with_one_payee_without_account(users)
        payment_run_mark_exported(run=payment_run_approve(run=run, user=u.approver), user=u.finance)
        held = PaymentLine.objects.get(run=run, payee_person=unpaid)
        # Asked for, not yet approved: the payee still has no account, nothing is re-issued.
        change = bank_account_change_request(
            payee=unpaid, user=u.finance, bank_account="6217000000000000077", bank_name="中国建设银行"
        )
        waiting = payment_run_supplementary(period=JUNE, user=u.finance)
        bank_account_change_approve(change=change, user=u.approver)
        first = payment_run_supplementary(period=JUNE, user=u.finance)
        second = payment_run_supplementary(period=JUNE, user=u.finance)
        reissued = list(PaymentLine.objects.filter(run=first))
    assert waiting.line_count == 0
    assert waiting.detail == {**waiting.detail, "held_before": 1, "reissued": 0, "awaiting_correction": 1}
    assert len(reissued) == 1
    line = reissued[0]
    assert (line.line_type, line.original_line_id, line.key_variant, line.period, line.status) == (
        "reissue",
        held.pk,
        held.pk,
        JUNE,
        "pending",
    )
    assert (line.amount, line.bank_account, line.bank_name) == (
        Decimal("100.00"),
        "6217000000000000077",
        "中国建设银行",
    )
    assert (first.line_count, first.total_amount, first.held_count) == (1, Decimal("100.00"), 0)
    assert second.line_count == 0 and second.detail["reissued"] == 0 and second.detail["awaiting_correction"] == 0


def test_a_grant_without_an_account_is_held(in_bureau, users):
    from apps.benefits.services import grant_create

    with in_bureau("zhongshan"):
        person = f.person(bank_account="", bank_name="")
        grant_create(
            programme="temporary",
            amount="800.00",
            period=JUNE,
            person=person,
            payee_person=person,
            source="test-held-grant",
        )
        run = payment_run_start(period=JUNE, kind="off_cycle", user=users("zhongshan").finance, background=False)
        line = PaymentLine.objects.get(run=run)
        grant_status = line.grant.status
    assert (line.line_type, line.status, line.failure_reason) == ("grant", "held", "no_account")
    assert (run.line_count, run.held_count, run.held_amount) == (0, 1, Decimal("800.00"))
    assert grant_status == "pending"


def three_paid_months_then_a_raise(users):
    """xcity: elderly_service at 50.00 paid for 2027-01 and 2027-02; raised to 60.00 from 2027-01; the
    2027-03 run carries 60.00 for March and 10.00 arrears for each of January and February."""
    standard = f.standard("elderly_service", "50.00", datetime.date(2027, 1, 1))
    person = f.person(bank_account="6222000000000000501", bank_name="农业银行")
    e = entitlement(programme="elderly_service", person=person)
    u = users("xcity")
    for text in ("2027-01", "2027-02"):
        run = payment_run_monthly(period=datetime.date(int(text[:4]), int(text[5:]), 1))
        payment_run_mark_exported(run=payment_run_approve(run=run, user=u.approver), user=u.finance)
    standard.amount = Decimal("60.00")
    standard.save()
    march = payment_run_monthly(period=datetime.date(2027, 3, 1))
    march = payment_run_mark_exported(run=payment_run_approve(run=march, user=u.approver), user=u.finance)
    return march, person, e


def test_a_failed_arrears_line_belongs_to_the_month_it_pays(in_bureau, users):
    with in_bureau("xcity"):
        u = users("xcity")
        march, person, e = three_paid_months_then_a_raise(users)
        lines = {(line.line_type, line.period): line for line in PaymentLine.objects.filter(run=march)}
        january = lines[("arrears", datetime.date(2027, 1, 1))]
        rows = [
            f"{january.pk},,10.00,失败,卡或账号不存在,,",
            f"{lines[('arrears', datetime.date(2027, 2, 1))].pk},,10.00,成功,,B2,",
            f"{lines[('regular', datetime.date(2027, 3, 1))].pk},,60.00,成功,,B3,",
        ]
        bank_return_import(
            run=march, content=(RETURN_HEADER + "\n".join(rows) + "\n").encode(), file_name="r.csv", user=u.finance
        )
        person.bank_account, person.bank_name = "6222000000000000599", "中国银行"
        person.save()
        in_march = payment_run_supplementary(period=datetime.date(2027, 3, 1), user=u.finance)
        in_january = payment_run_supplementary(period=datetime.date(2027, 1, 1), user=u.finance)
        reissued = list(
            PaymentLine.objects.filter(run=in_january).values_list(
                "line_type", "period", "amount", "original_line_id", "bank_account"
            )
        )
    assert sorted(lines) == [
        ("arrears", datetime.date(2027, 1, 1)),
        ("arrears", datetime.date(2027, 2, 1)),
        ("regular", datetime.date(2027, 3, 1)),
    ]
    assert in_march.line_count == 0 and in_march.detail["failed_lines"] == 0
    assert in_january.detail["failed_lines"] == 1
    assert reissued == [("reissue", datetime.date(2027, 1, 1), Decimal("10.00"), january.pk, "6222000000000000599")]
    assert (in_january.line_count, in_january.total_amount) == (1, Decimal("10.00"))
