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


def test_the_nightly_run_reissues_corrected_and_completed_lines_once(in_bureau, users, cycle):
    """2024-06: one failed line corrected, one still wrong; 2024-07: a held line (no account) whose
    payee's account was then completed. The night makes one supplementary run of each month holding
    exactly the ready line; the next night only refreshes them and adds nothing; a night with nothing
    ready creates nothing."""
    import datetime

    from apps.disbursement import nightly
    from apps.disbursement.models import PaymentRun
    from apps.disbursement.services import payment_run_start

    today = datetime.date(2024, 7, 20)
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        assert nightly.supplementary_runs(today=today) == {"created": [], "refreshed": []}
        june, failed, _still_wrong = failed_month(cycle, users)
        no_account = f.person(bank_account="", bank_name="")
        entitlement(programme="longevity", person=no_account, variant="80-89")
        july = payment_run_start(period=datetime.date(2024, 7, 1), kind="regular", user=u.finance, background=False)
        held = PaymentLine.objects.get(run=july, payee_person=no_account)
        assert held.status == "held"
        no_account.bank_account, no_account.bank_name = "6217000000000000077", "中国建设银行"
        no_account.save()

        first = nightly.supplementary_runs(today=today)
        runs = {r.period: r for r in PaymentRun.objects.filter(kind="supplementary")}
        again = nightly.supplementary_runs(today=today + datetime.timedelta(days=1))
        lines = {period: list(PaymentLine.objects.filter(run=r).values_list("original_line_id", "amount"))
                 for period, r in runs.items()}
    assert sorted(runs) == [june.period, datetime.date(2024, 7, 1)]
    assert sorted(first["created"]) == sorted(r.pk for r in runs.values()) and first["refreshed"] == []
    assert lines == {june.period: [(failed.pk, failed.amount)], datetime.date(2024, 7, 1): [(held.pk, held.amount)]}
    assert {r.status for r in runs.values()} == {"generated"}  # waiting for the approver
    # The second night: both lines are re-issued already, so nothing is ready and nothing is made.
    assert again == {"created": [], "refreshed": []}
