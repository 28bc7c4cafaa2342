"""The bank file: CSV with BOM and XLSX, control record with the checksum of the body, gated and logged."""

import datetime
import hashlib
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from apps.core.models import PersonalDataAccess
from apps.disbursement import bankfile
from apps.disbursement.bankfile import COLUMNS, bank_file_open
from apps.disbursement.models import BankFileDownload, PaymentLine, PaymentRun
from apps.disbursement.services import payment_run_approve, payment_run_start
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db


def two_lines():
    """Two 中山 lines for 2024-06: a dibao household (2665.00) and a longevity allowance (200.00)."""
    head = f.person(name="张三", bank_account="6222020200112233445", bank_name="中国工商银行中山分行")
    household = f.household(head, f.person(), f.person())
    dibao = entitlement(programme="dibao", household=household, variant="unified",
                          per_capita_income=Decimal("500"), covered_members=3, addon_members=1)
    elder = f.person(name="李四", bank_account="6228480000000000001", bank_name="中国农业银行")
    longevity = entitlement(programme="longevity", person=elder, variant="90-99")
    return head, elder, dibao, longevity


def approved_run(users):
    u = users("zhongshan")
    run = payment_run_start(period=datetime.date(2024, 6, 1), kind="regular", user=u.finance, background=False)
    return payment_run_approve(run=run, user=u.approver), u


def test_csv_bank_file(in_bureau, users):
    with in_bureau("zhongshan"):
        head, elder, dibao, longevity = two_lines()
        run, u = approved_run(users)
        name, chunks = bank_file_open(run=run, user=u.finance, fmt="csv", channel="api")
        content = b"".join(chunks)
        run = PaymentRun.objects.get(pk=run.pk)
        lines = {line.entitlement_id: line for line in PaymentLine.objects.filter(run=run).select_related("run")}
        download = BankFileDownload.objects.select_related("user").get(run=run)
        town = head.town.name
    assert name == f"zhongshan-run{run.pk}-202406.csv"
    assert content.startswith(b"\xef\xbb\xbf")
    text = content[3:].decode("utf-8")
    rows = text.splitlines()
    assert rows[0].split(",") == COLUMNS == ["序号", "姓名", "公民身份号码", "社保卡号/银行账号", "开户行", "金额",
                                             "补贴项目代码", "补贴项目名称", "发放期号", "所属区划", "备注", "明细编号"]
    assert rows[1].split(",") == ["1", "张三", head.id_number, "6222020200112233445", "中国工商银行中山分行", "2665.00",
                                  "MZ01", "最低生活保障", "202406", town, "", str(lines[dibao.pk].pk)]
    assert rows[2].split(",") == ["2", "李四", elder.id_number, "6228480000000000001", "中国农业银行", "200.00",
                                  "MZ07", "高龄津贴", "202406", elder.town.name, "", str(lines[longevity.pk].pk)]
    body = content[3:content.rindex("控制记录".encode())]
    checksum = hashlib.sha256(body).hexdigest()
    assert rows[3].split(",") == ["控制记录", "批次号", str(run.pk), "笔数", "2", "总金额", "2865.00", "SHA-256", checksum]
    # The personal-data read log holds one entry for the file, not one per payee.
    with in_bureau("zhongshan"):
        assert list(PersonalDataAccess.objects.values_list(
            "username", "channel", "field", "file_name", "row_count", "sha256", "person_id")) == [
            ("zhongshan-finance", "export", "file", name, 2, checksum, None)]
    assert len(rows) == 4
    # The first export moves the run and its lines on, and is logged with what was handed out.
    assert run.status == PaymentRun.Status.EXPORTED and run.exported_at is not None
    assert {line.effective_status for line in lines.values()} == {"exported"}
    assert (download.user, download.format, download.channel, download.completed) == (u.finance, "csv", "api", True)
    assert (download.line_count, download.total_amount, download.sha256) == (2, Decimal("2865.00"), checksum)
    assert run.bank_file_sha256 == checksum


def test_xlsx_bank_file_carries_the_same_figures(in_bureau, users):
    with in_bureau("zhongshan"):
        head, elder, dibao, longevity = two_lines()
        run, u = approved_run(users)
        csv_content = b"".join(bank_file_open(run=run, user=u.finance, fmt="csv", channel="api")[1])
        name, chunks = bank_file_open(run=run, user=u.finance, fmt="xlsx", channel="admin")
        workbook = openpyxl.load_workbook(io.BytesIO(b"".join(chunks)))
        downloads = BankFileDownload.objects.filter(run=run).count()
    checksum = hashlib.sha256(csv_content[3:csv_content.rindex("控制记录".encode())]).hexdigest()
    assert name.endswith(".xlsx") and workbook.sheetnames == ["控制记录", "明细"]
    control = {row[0]: row[1] for row in workbook["控制记录"].iter_rows(values_only=True) if row[1] is not None}
    assert control == {"批次号": str(run.pk), "笔数": "2", "总金额": "2865.00", "SHA-256": checksum}
    rows = list(workbook["明细"].iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert rows[1][:8] == (1, "张三", head.id_number, "6222020200112233445", "中国工商银行中山分行", 2665.0, "MZ01",
                           "最低生活保障")
    assert rows[2][5] == 200.0 and rows[2][8] == "202406" and len(rows) == 3
    assert downloads == 2


def test_export_needs_the_permission_and_an_approved_run(in_bureau, users):
    with in_bureau("zhongshan"):
        two_lines()
        u = users("zhongshan")
        run = payment_run_start(period=datetime.date(2024, 6, 1), kind="regular", user=u.finance, background=False)
        with pytest.raises(ValidationError):
            bank_file_open(run=run, user=u.finance, fmt="csv", channel="api")      # generated, not approved
        run = payment_run_approve(run=run, user=u.approver)
        with pytest.raises(PermissionDenied):
            bank_file_open(run=run, user=u.caseworker1, fmt="csv", channel="api")
        with pytest.raises(ValidationError):
            bank_file_open(run=run, user=u.finance, fmt="pdf", channel="api")
        assert not BankFileDownload.objects.exists()
        assert PaymentRun.objects.get(pk=run.pk).status == PaymentRun.Status.APPROVED


def test_xlsx_continues_on_a_second_sheet_past_the_row_limit(in_bureau, users, monkeypatch):
    from apps.disbursement import bankfile

    monkeypatch.setattr(bankfile, "XLSX_ROWS_PER_SHEET", 1)
    with in_bureau("zhongshan"):
        two_lines()
        run, u = approved_run(users)
        _name, chunks = bank_file_open(run=run, user=u.finance, fmt="xlsx", channel="api")
        workbook = openpyxl.load_workbook(io.BytesIO(b"".join(chunks)))
    assert workbook.sheetnames == ["控制记录", "明细", "明细2"]
    assert [row[0] for row in workbook["明细2"].iter_rows(values_only=True)] == ["序号", 2]


@pytest.mark.parametrize("whole", [True, False], ids=["whole file", "cut off mid-COPY"])
def test_the_bank_file_leaves_the_sessions_jit_setting_as_it_was(in_bureau, users, monkeypatch, whole):
    """The COPY runs without JIT; a kept connection then serves other requests with the setting it had."""
    monkeypatch.setattr(bankfile, "PIECE", 1)  # a piece a line: the download can stop inside the COPY
    with in_bureau("zhongshan"):
        two_lines()
        run, u = approved_run(users)
        with connection.cursor() as cursor:
            cursor.execute("SET jit = on")
        chunks = bank_file_open(run=run, user=u.finance, fmt="csv", channel="api")[1]
        next(chunks), next(chunks), next(chunks)  # the BOM, the header, the first line
        if whole:
            assert len(list(chunks)) == 2  # the second line, the control record
        else:
            chunks.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('jit')")
            assert cursor.fetchone()[0] == "on"
