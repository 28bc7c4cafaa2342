"""Bank returns: the whole file or nothing, every error listed, the same file twice changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.disbursement.models import BankReturnImport, PaymentLine, PaymentLineEvent, PaymentRun
from apps.disbursement.returns import BankReturnRejected, bank_return_import
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db

HEADER = "明细编号,账号,金额,结果,失败原因,银行流水号,入账日期\n"


def three_lines(cycle):
    """Three exported 中山 lines for 2024-06: longevity 100.00, 200.00 and 500.00."""
    made = [entitlement(programme="longevity", person=f.person(), variant=v) for v in ("80-89", "90-99", "100+")]
    run = cycle("zhongshan", "2024-06")
    lines = [PaymentLine.objects.get(run=run, entitlement=e) for e in made]
    return run, lines


def csv_file(rows: list[str], control: str | None = None) -> bytes:
    text = HEADER + "".join(row + "\n" for row in rows) + (control + "\n" if control else "")
    return ("\ufeff" + text).encode("utf-8")


def test_one_wrong_amount_rejects_the_whole_file_then_the_corrected_file_applies_once(in_bureau, users, cycle):
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        run, (a, b, c) = three_lines(cycle)
        rows = [
            f"{a.pk},{a.bank_account},100.00,成功,,B001,2024-06-05",
            f"{b.pk},{b.bank_account},210.00,成功,,B002,2024-06-05",  # the line is for 200.00
            f"{c.pk},{c.bank_account},500.00,失败,卡或账号不存在,,2024-06-05",
        ]
        wrong = csv_file(rows, f"控制记录,批次号,{run.pk},笔数,3,总金额,810.00")
        with pytest.raises(BankReturnRejected) as rejected:
            bank_return_import(run=run, content=wrong, file_name="wrong.csv", user=u.finance)
        after_rejection = sorted(PaymentLine.objects.filter(run=run).values_list("status", flat=True))

        rows[1] = f"{b.pk},{b.bank_account},200.00,成功,,B002,2024-06-05"
        good = csv_file(rows, f"控制记录,批次号,{run.pk},笔数,3,总金额,800.00")
        applied = bank_return_import(run=run, content=good, file_name="good.csv", user=u.finance)
        statuses = {line.pk: (line.status, line.failure_reason, line.bank_reference, line.posted_on)
                    for line in PaymentLine.objects.filter(run=run)}
        events = PaymentLineEvent.objects.filter(line__run=run).count()
        closed = PaymentRun.objects.get(pk=run.pk)

        again = bank_return_import(run=run, content=good, file_name="good-again.csv", user=u.finance)
        events_again = PaymentLineEvent.objects.filter(line__run=run).count()
        imports = list(BankReturnImport.objects.filter(run=run).order_by("id").values_list("status", flat=True))

    assert rejected.value.record.errors == [f"Row 3: line {b.pk} is for 200.00, the file says 210.00."]
    assert rejected.value.message_dict == {"file": [f"Row 3: line {b.pk} is for 200.00, the file says 210.00."]}
    assert after_rejection == ["pending", "pending", "pending"]  # as before: awaiting the bank (the run is exported)

    assert (applied.paid_count, applied.failed_count, applied.unchanged_count) == (2, 1, 0)
    day = datetime.date(2024, 6, 5)
    assert statuses == {a.pk: ("paid", "", "B001", day), b.pk: ("paid", "", "B002", day),
                        c.pk: ("failed", "卡或账号不存在", "", day)}
    assert events == 3
    assert closed.status == PaymentRun.Status.CLOSED  # every line has the bank's answer

    assert again.pk == applied.pk and again.duplicate is True
    assert events_again == 3
    assert imports == ["rejected", "accepted"]


def test_every_error_is_listed(in_bureau, users, cycle):
    with in_bureau("zhongshan"):
        u = users("zhongshan")
        run, (a, b, c) = three_lines(cycle)
        entitlement(programme="longevity", person=f.person(), variant="80-89")
        other_run = cycle("zhongshan", "2024-07")
        other = PaymentLine.objects.filter(run=other_run).first()
        content = csv_file([
            f"{a.pk},{a.bank_account},100.00,成功,,B001,2024-06-05",
            f"{a.pk},{a.bank_account},100.00,成功,,B001,2024-06-05",       # duplicate row
            "99999999,6222000000000000,10.00,成功,,B003,2024-06-05",        # unknown line
            f"{other.pk},{other.bank_account},{other.amount},成功,,B004,2024-06-05",  # another run's line
            f"{b.pk},6222999999999999,200.00,成功,,B005,2024-06-05",       # another account
            f"{c.pk},{c.bank_account},500.00,退回,,B006,2024-06-05",        # unknown result
            f"abc,{c.bank_account},500.00,失败,,,06/05",                     # three format errors at once
        ], f"控制记录,批次号,{run.pk},笔数,9,总金额,1.00")
        with pytest.raises(BankReturnRejected) as rejected:
            bank_return_import(run=run, content=content, file_name="bad.csv", user=u.finance)
        untouched = set(PaymentLine.objects.filter(run=run).values_list("status", flat=True))
    errors = rejected.value.record.errors
    every_row = Decimal("100.00") * 2 + Decimal("10.00") + other.amount + Decimal("200.00") + Decimal("500.00") * 2
    assert errors == [
        f"Row 3: line {a.pk} is already on row 2 (duplicate row).",
        "Row 4: there is no payment line 99999999.",
        f"Row 5: line {other.pk} belongs to run {other_run.pk}, not to run {run.pk}.",
        f"Row 6: line {b.pk} was paid to another account than 6222999999999999.",
        "Row 7: result '退回' is neither 成功 (success) nor 失败 (failure).",
        "Row 8: line id 'abc' is not a number.",
        "Row 8: a failed payment needs its failure reason.",
        "Row 8: posting date '06/05' is not a date.",
        "Row 9: the control record counts 9 lines but the file has 7.",
        f"Row 9: the control total is 1.00 but the lines add up to {every_row:.2f}.",
    ]
    assert untouched == {"pending"}


def test_a_return_for_a_run_not_yet_exported_is_refused(in_bureau, users, cycle):
    with in_bureau("zhongshan"):
        entitlement(programme="longevity", person=f.person(), variant="80-89")
        run = cycle("zhongshan", "2024-06", export=False)
        line = PaymentLine.objects.get(run=run)
        with pytest.raises(ValidationError) as error:
            bank_return_import(run=run, content=csv_file([f"{line.pk},,100.00,成功,,,"]), file_name="r.csv",
                               user=users("zhongshan").finance)
    assert "exported" in " ".join(error.value.messages)


def test_a_paid_grant_is_marked_paid(in_bureau, users, cycle):
    from apps.benefits.models import Grant

    with in_bureau("zhongshan"):
        payee = f.person()
        grant = Grant.objects.create(programme_id="eco_burial", person=payee, payee_person=payee,
                                     amount=Decimal("3000.00"), period=datetime.date(2024, 6, 1))
        run = cycle("zhongshan", "2024-06")
        line = PaymentLine.objects.get(run=run, grant=grant)
        bank_return_import(run=run, content=csv_file([f"{line.pk},{line.bank_account},3000.00,成功,,G1,20240605"]),
                           file_name="g.csv", user=users("zhongshan").finance)
        grant.refresh_from_db()
        history = grant.history.first()
    assert grant.status == "paid" and history.status == "paid"


def test_an_xlsx_return_is_read_too(in_bureau, users, cycle):
    import io

    import openpyxl

    with in_bureau("zhongshan"):
        run, (a, b, c) = three_lines(cycle)
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["明细编号", "金额", "结果", "失败原因"])
        sheet.append([a.pk, 100.0, "成功", None])
        sheet.append([b.pk, 200, "成功", None])
        sheet.append([c.pk, "500.00", "失败", "已销户"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        record = bank_return_import(run=run, content=buffer.getvalue(), file_name="r.xlsx",
                                    user=users("zhongshan").finance)
    assert (record.paid_count, record.failed_count) == (2, 1)


def test_importing_needs_the_permission(in_bureau, users, cycle):
    from django.core.exceptions import PermissionDenied

    with in_bureau("zhongshan"):
        run, (a, b, c) = three_lines(cycle)
        with pytest.raises(PermissionDenied):
            bank_return_import(run=run, content=csv_file([f"{a.pk},,100.00,成功,,,"]), file_name="r.csv",
                               user=users("zhongshan").approver)


def test_a_gb18030_return_is_read_and_garbage_is_rejected(in_bureau, users, cycle):
    with in_bureau("zhongshan"):
        run, (a, b, c) = three_lines(cycle)
        u = users("zhongshan")
        garbage = b"\xff\xfe\x00\x81not a bank file\x00\xff"
        with pytest.raises(BankReturnRejected) as rejected:
            bank_return_import(run=run, content=garbage, file_name="x.bin", user=u.finance)
        text = HEADER + f"{a.pk},,100.00,成功,,,\n{b.pk},,200.00,失败,冻结/挂失,,\n{c.pk},,500.00,成功,,,\n"
        record = bank_return_import(run=run, content=text.encode("gb18030"), file_name="gbk.csv", user=u.finance)
        reason = PaymentLine.objects.get(pk=b.pk).failure_reason
    assert rejected.value.record.errors == ["The file is neither UTF-8 nor GB18030 text nor an XLSX workbook."]
    assert (record.paid_count, record.failed_count, reason) == (2, 1, "冻结/挂失")
