"""补发: a failed line whose payee's account was corrected is re-issued once, in a supplementary run."""

import pytest
from django.db import IntegrityError, transaction

from apps.disbursement.models import PaymentLine
from apps.disbursement.returns import bank_return_import
from apps.disbursement.services import payment_run_approve, payment_run_supplementary
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db


def failed_month(cycle, users):
    """2024-06 in 中山: two longevity lines (100.00 each) failed at the bank, one paid."""
    corrected = f.person(bank_account="6222000000000000011")
    uncorrected = f.person(bank_account="6222000000000000022")
    paid = f.person()
    for person in (corrected, uncorrected, paid):
        entitlement(programme="longevity", person=person, variant="80-89")
    run = cycle("zhongshan", "2024-06")
    lines = {line.payee_person_id: line for line in PaymentLine.objects.filter(run=run)}
    rows = [f"{lines[corrected.pk].pk},,100.00,失败,卡或账号不存在,,",
            f"{lines[uncorrected.pk].pk},,100.00,失败,户名与账号不符,,",
            f"{lines[paid.pk].pk},,100.00,成功,,B1,"]
    content = ("明细编号,账号,金额,结果,失败原因,银行流水号,入账日期\n" + "\n".join(rows) + "\n").encode()
    bank_return_import(run=run, content=content, file_name="r.csv", user=users("zhongshan").finance)
    corrected.bank_account = "6222000000000000099"
    corrected.bank_name = "中国建设银行"
    corrected.save()
    return run, lines[corrected.pk], lines[uncorrected.pk]


def test_a_corrected_failed_line_is_reissued_once(in_bureau, users, cycle):
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        run, failed, still_wrong = failed_month(cycle, users)
        first = payment_run_supplementary(period=run.period, user=u.finance)
        reissued = list(PaymentLine.objects.filter(run=first))
        second = payment_run_supplementary(period=run.period, user=u.finance)
        approved = payment_run_approve(run=first, user=u.approver)
    assert first.kind == "supplementary" and first.period == run.period
    assert len(reissued) == 1
    line = reissued[0]
    assert (line.line_type, line.original_line_id, line.key_ref, line.key_variant) == (
        "reissue", failed.pk, failed.key_ref, failed.pk)
    assert (line.amount, line.bank_account, line.bank_name, line.period) == (
        failed.amount, "6222000000000000099", "中国建设银行", failed.period)
    assert first.detail == {**first.detail, "failed_lines": 2, "reissued": 1, "awaiting_correction": 1}
    assert second.line_count == 0 and second.detail["reissued"] == 0
    assert approved.status == "approved"


def test_the_database_refuses_a_second_reissue_of_a_line(in_bureau, users, cycle):
    with in_bureau("zhongshan"):
        run, failed, _ = failed_month(cycle, users)
        first = payment_run_supplementary(period=run.period, user=users("zhongshan").finance)
        line = PaymentLine.objects.get(run=first)
        line.pk = None
        with pytest.raises(IntegrityError), transaction.atomic():
            line.save()


def test_reissue_needs_the_permission(in_bureau, users, cycle):
    from django.core.exceptions import PermissionDenied

    with in_bureau("zhongshan"):
        run, _, _ = failed_month(cycle, users)
        with pytest.raises(PermissionDenied):
            payment_run_supplementary(period=run.period, user=users("zhongshan").approver)
