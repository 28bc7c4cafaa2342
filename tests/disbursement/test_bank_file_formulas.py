"""Spreadsheet formulas in the bank file are neutralised; amounts, accounts and totals stay exact (issue 10 defect 3)."""

import csv
import datetime
import hashlib
import io

import openpyxl
import pytest

from apps.disbursement.bankfile import bank_file_open
from apps.disbursement.models import PaymentLine
from apps.disbursement.services import payment_run_approve, payment_run_start
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db

# name, bank name -> name, bank name as the file must carry them
PAYEES = [
    ('=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", '\'=HYPERLINK("http://x","y")', "'=cmd|' /C calc'!A0"),
    ("+1", "+银行", "'+1", "'+银行"),
    ("-2", "-银行", "'-2", "'-银行"),
    ("@SUM(A1)", "@银行", "'@SUM(A1)", "'@银行"),
    ("\t制表", "\r回车银行", "'\t制表", "'\r回车银行"),
    ("王=五", "中国银行", "王=五", "中国银行"),  # only the first character counts
]
ACCOUNTS = [f"62284800000000{n:05d}" for n in range(len(PAYEES))]


def _run_with_formula_payees(users):
    for (name, bank, _, _), account in zip(PAYEES, ACCOUNTS, strict=True):
        entitlement(programme="longevity", person=f.person(name=name, bank_account=account, bank_name=bank),
                    variant="90-99")
    u = users("zhongshan")
    run = payment_run_start(period=datetime.date(2024, 6, 1), kind="regular", user=u.finance, background=False)
    return payment_run_approve(run=run, user=u.approver), u


def test_csv_and_xlsx_bank_files_neutralise_formulas(in_bureau, users):
    with in_bureau("zhongshan"):
        run, u = _run_with_formula_payees(users)
        csv_content = b"".join(bank_file_open(run=run, user=u.finance, fmt="csv", channel="api")[1])
        xlsx = openpyxl.load_workbook(io.BytesIO(b"".join(bank_file_open(run=run, user=u.finance, fmt="xlsx",
                                                                         channel="api")[1])))
        line_ids = list(PaymentLine.objects.filter(run=run).order_by("id").values_list("id", flat=True))
    expected = [(name, account, bank, "200.00") for (_, _, name, bank), account in zip(PAYEES, ACCOUNTS, strict=True)]

    rows = list(csv.reader(io.StringIO(csv_content[3:].decode("utf-8"), newline="")))
    body = rows[1:-1]
    # The file is in line order; which payee got which line id is the generation's business.
    assert sorted((r[1], r[3], r[4], r[5]) for r in body) == sorted(expected)
    assert [int(r[11]) for r in body] == line_ids and [r[0] for r in body] == ["1", "2", "3", "4", "5", "6"]
    # No text cell of a line starts a formula.
    assert not [cell for r in body for cell in r if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    checksum = hashlib.sha256(csv_content[3:csv_content.rindex("控制记录".encode())]).hexdigest()
    assert rows[-1] == ["控制记录", "批次号", str(run.pk), "笔数", "6", "总金额", "1200.00", "SHA-256", checksum]

    sheet = list(xlsx["明细"].iter_rows(values_only=True))[1:]
    # xlsxwriter stores a CR as _x000D_ (the OOXML escape), which openpyxl leaves as it is.
    assert sorted((r[1], r[3], r[4], r[5]) for r in sheet) == sorted(
        (n, a, b, 200.0) for n, a, b, _ in expected)
    assert [r[11] for r in sheet] == line_ids
    control = {row[0]: row[1] for row in xlsx["控制记录"].iter_rows(values_only=True) if row[1] is not None}
    assert control == {"批次号": str(run.pk), "笔数": "6", "总金额": "1200.00", "SHA-256": checksum}
    # Written as text, never as formulas: openpyxl would read a formula cell back as data_type "f".
    assert {cell.data_type for row in xlsx["明细"].iter_rows(min_row=2) for cell in row[1:5]} <= {"s", "n"}


def test_a_town_named_like_a_formula_is_neutralised(in_bureau, users):
    from apps.people.models import Town

    with in_bureau("zhongshan"):
        run, u = _run_with_formula_payees(users)
        town = f.town()
        Town.objects.filter(pk=town.pk).update(name="=1+1")
        content = b"".join(bank_file_open(run=run, user=u.finance, fmt="csv", channel="api")[1])
    rows = list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))[1:-1]
    assert {r[9] for r in rows} == {"'=1+1"}
