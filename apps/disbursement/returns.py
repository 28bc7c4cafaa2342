"""Bank returns (回盘): the bank's answer per line, taken in whole or not at all.

A return file (CSV, UTF-8 or GB18030, or XLSX) has a header naming its columns — 明细编号, 账号,
金额, 结果 (成功/失败), 失败原因, 银行流水号, 入账日期 (English names work too) — one row per line,
and optionally the control record `控制记录,批次号,<run>,笔数,<n>,总金额,<total>`.

Every row is checked before anything is written: format, duplicates, unknown lines, lines of
another run, amounts and accounts against the line, results contradicting an earlier return, and
the control totals. One error rejects the whole file, and the rejection lists every error. The
checks and the update are set-based: the rows go into a temporary table by COPY and are compared
and applied with single statements. The file's SHA-256 is stored; the same file again changes
nothing (the database refuses a second accepted import of it).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from apps.benefits.services import grants_mark_paid
from apps.core.permissions import recorded_user, require_permission
from apps.core.uploads import check_size, check_xlsx_archive

from .models import BankReturnImport, PaymentLine, PaymentRun
from .rules import CONTROL_MARK, parse_amount, parse_bank_date, parse_control_record, parse_result
from .services import payment_run_close_if_complete

HEADERS = {
    "line_id": ["明细编号", "明细号", "line id", "line_id"],
    "account": ["账号", "社保卡号/银行账号", "银行账号", "account", "bank_account"],
    "amount": ["金额", "amount"],
    "result": ["结果", "处理结果", "result"],
    "reason": ["失败原因", "reason", "failure_reason"],
    "bank_reference": ["银行流水号", "流水号", "bank reference", "bank_reference"],
    "posted_on": ["入账日期", "posted on", "posted_on"],
}
REQUIRED = ["line_id", "amount", "result"]


class BankReturnRejected(ValidationError):
    """The file was refused; `record` is the stored rejection with every error."""

    def __init__(self, record: BankReturnImport):
        super().__init__({"file": record.errors})
        self.record = record


@dataclass
class ReturnRow:
    row_no: int
    line_id: int
    account: str
    amount: Decimal
    result: str
    reason: str
    bank_reference: str
    posted_on: datetime.date | None


# --------------------------------------------------------------------------- reading


def _binary(content) -> BinaryIO:
    """A return as a seekable binary file at its start: bytes, an uploaded file or an open file."""
    if isinstance(content, bytes | bytearray | memoryview):
        return io.BytesIO(content)
    content.seek(0)
    return content


def _csv_rows(reader) -> Iterator[list[str]]:
    # csv raises mid-file on a field over its limit (131,072 characters) and lets a NUL byte through,
    # which PostgreSQL refuses; the import reports either row like any other unreadable file.
    try:
        for row in reader:
            if any("\x00" in cell for cell in row):
                raise ValidationError(_("Row %(row)s holds a NUL byte: this is not a bank return.")
                                      % {"row": reader.line_num})
            yield row
    except csv.Error as exc:
        row = reader.line_num
        if "field larger than field limit" in str(exc):
            message = _("Row %(row)s has a field longer than %(limit)s characters: this is not a bank return.") % {
                "row": row, "limit": f"{csv.field_size_limit():,}"}
        else:
            message = _("Row %(row)s is not readable as CSV (%(error)s).") % {"row": row, "error": exc}
        raise ValidationError(message) from None


def _sha256(file: BinaryIO) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def read_rows(content) -> Iterator[list[str]]:
    """The file's rows as strings, whatever its format, one at a time (a return may hold a million).

    `content`: bytes or a seekable binary file, read piece by piece, never whole.
    """
    file = _binary(content)
    head = file.read(4)
    file.seek(0)
    if head == b"PK\x03\x04":
        return _xlsx_rows(file)
    return _text_rows(file, _text_encoding(file))


def _text_rows(file: BinaryIO, encoding: str) -> Iterator[list[str]]:
    # A TextIOWrapper decodes in C (a codecs StreamReader reads line by line in Python: a third of a
    # return's parse); detached when done, so that it never closes the caller's file.
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        yield from _csv_rows(csv.reader(text))
    finally:
        text.detach()


def _text_encoding(file: BinaryIO) -> str:
    """UTF-8 (with or without BOM), else GB18030 — which many banks still write — checked piece by piece."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
        finally:
            file.seek(0)
    raise ValidationError({"file": [_("The file is neither UTF-8 nor GB18030 text nor an XLSX workbook.")]})


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.2f}"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(file: BinaryIO) -> Iterator[list[str]]:
    try:
        check_xlsx_archive(file)
    except ValidationError as refused:
        raise ValidationError({"file": refused.messages}) from None
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same error to the user
        raise ValidationError({"file": [_("The XLSX workbook cannot be read: %(error)s") % {"error": exc}]}) from exc

    def rows():
        try:
            for sheet in workbook.worksheets:
                cells = sheet.iter_rows(values_only=True)
                first = [_cell_text(v) for v in next(cells, ())]
                # The lines are on the sheet whose header names the line id; a control record may be anywhere.
                if "line_id" in _header_map(first) or (first and first[0] == CONTROL_MARK):
                    yield first
                    for row in cells:
                        yield [_cell_text(v) for v in row]
        finally:
            workbook.close()

    return rows()


def _header_map(row: list[str]) -> dict[str, int]:
    names = [c.strip().lower() for c in row]
    found = {}
    for key, aliases in HEADERS.items():
        for alias in aliases:
            if alias.lower() in names:
                found[key] = names.index(alias.lower())
                break
    return found


# --------------------------------------------------------------------------- checking


class ReturnParser:
    """Reads a return's rows once: yields the well-formed ones, keeps the errors and the control figures."""

    def __init__(self):
        self.errors: list[tuple[int, str]] = []  # (row, message)
        self.control: dict[str, str] | None = None
        self.data_rows = 0  # every line row, well-formed or not: what the control record counts
        self.amounts_total: Decimal | None = Decimal("0.00")  # of every line row; None if one is unreadable
        self.valid_rows = 0

    def parse(self, rows: Iterator[list[str]]) -> Iterator[ReturnRow]:
        columns = None
        for row_no, row in enumerate(rows, start=1):
            if not any(cell.strip() for cell in row):
                continue
            if row[0].strip() == CONTROL_MARK:  # first or last: banks do both
                self.control = parse_control_record(row) | {"_row": str(row_no)}
                continue
            if columns is None:
                columns = _header_map(row)
                missing = [HEADERS[key][0] for key in REQUIRED if key not in columns]
                if missing:
                    self.errors.append((row_no, _(
                        "Row %(row)s: the header must name the columns %(columns)s (missing: %(missing)s).")
                        % {"row": row_no, "columns": ", ".join(HEADERS[k][0] for k in REQUIRED),
                           "missing": ", ".join(missing)}))
                    return
                continue
            self.data_rows += 1
            parsed = self._row(row_no, row, columns)
            if parsed is not None:
                self.valid_rows += 1
                yield parsed
        if columns is None:
            self.errors.append((0, _("The file has no header and no lines.")))

    def _row(self, row_no: int, row: list[str], columns: dict[str, int]) -> ReturnRow | None:
        def cell(key):
            index = columns.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""

        errors = []
        try:
            line_id = int(cell("line_id"))
        except ValueError:
            errors.append(_("Row %(row)s: line id %(value)r is not a number.") % {"row": row_no, "value": cell("line_id")})
            line_id = None
        try:
            amount = parse_amount(cell("amount"))
            self.amounts_total = None if self.amounts_total is None else self.amounts_total + amount
        except ValueError:
            self.amounts_total = None
            errors.append(_("Row %(row)s: amount %(value)r is not an amount.") % {"row": row_no, "value": cell("amount")})
            amount = None
        try:
            result = parse_result(cell("result"))
        except ValueError:
            errors.append(_("Row %(row)s: result %(value)r is neither 成功 nor 失败.")
                          % {"row": row_no, "value": cell("result")})
            result = None
        reason = cell("reason")
        if result == "failed" and not reason:
            errors.append(_("Row %(row)s: a failed payment needs its failure reason.") % {"row": row_no})
        if len(reason) > 100:
            errors.append(_("Row %(row)s: the failure reason is longer than 100 characters.") % {"row": row_no})
        try:
            posted_on = parse_bank_date(cell("posted_on"))
        except ValueError:
            errors.append(_("Row %(row)s: posting date %(value)r is not a date.")
                          % {"row": row_no, "value": cell("posted_on")})
            posted_on = None
        account = cell("account")
        if account and not account.isdigit():
            errors.append(_("Row %(row)s: account %(value)r is not a number.") % {"row": row_no, "value": account})
        if errors:
            self.errors += [(row_no, message) for message in errors]
            return None
        return ReturnRow(row_no, line_id, account, amount, result, reason, cell("bank_reference")[:64], posted_on)

    def control_errors(self, run: PaymentRun) -> list[tuple[int, str]]:
        control = self.control
        if control is None:
            return []
        errors = []
        row = control.get("_row")
        at = int(row)
        batch = control.get("批次号", "")
        if batch and batch != str(run.pk):
            errors.append((at, _("Row %(row)s: the control record is for batch %(batch)s, not run %(run)s.")
                           % {"row": row, "batch": batch, "run": run.pk}))
        count = control.get("笔数", "")
        if count and count != str(self.data_rows):
            errors.append((at, _("Row %(row)s: the control record counts %(count)s lines but the file has %(rows)s.")
                           % {"row": row, "count": count, "rows": self.data_rows}))
        total = control.get("总金额", "")
        if total and self.amounts_total is not None:
            try:
                stated = parse_amount(total)
            except ValueError:
                errors.append((at, _("Row %(row)s: the control total %(value)r is not an amount.")
                               % {"row": row, "value": total}))
            else:
                if stated != self.amounts_total:
                    errors.append((at, _("Row %(row)s: the control total is %(stated)s but the lines add up to "
                                         "%(actual)s.")
                                   % {"row": row, "stated": f"{stated:.2f}", "actual": f"{self.amounts_total:.2f}"}))
        return errors


DUPLICATES = """
SELECT row_no, line_id, first_row FROM (
    SELECT row_no, line_id, min(row_no) OVER (PARTITION BY line_id) AS first_row FROM bank_return_rows
) d
WHERE row_no <> first_row
"""

CHECK = """
SELECT r.row_no, r.line_id, l.id IS NULL, l.run_id, l.amount, r.amount, l.bank_account, r.account, l.status, r.result
FROM bank_return_rows r
LEFT JOIN disbursement_paymentline l ON l.id = r.line_id
WHERE l.id IS NULL OR l.run_id <> %(run)s OR l.amount <> r.amount
   OR (r.account <> '' AND r.account <> l.bank_account)
   OR l.status IN ('cancelled', 'held') OR (l.status IN ('paid', 'failed') AND l.status <> r.result)
ORDER BY r.row_no
"""

APPLY = """
WITH old AS (
    SELECT l.id, r.result, r.reason, r.bank_reference, r.posted_on
    FROM disbursement_paymentline l
    JOIN bank_return_rows r ON r.line_id = l.id
    WHERE l.run_id = %(run)s AND l.status IN ('pending', 'exported')
),
upd AS (
    UPDATE disbursement_paymentline l
    SET status = o.result,
        failure_reason = CASE WHEN o.result = 'failed' THEN o.reason ELSE '' END,
        bank_reference = o.bank_reference, posted_on = o.posted_on, return_import_id = %(import)s
    FROM old o WHERE l.id = o.id
    RETURNING l.status, l.grant_id
),
events AS (
    INSERT INTO disbursement_paymentlineevent (line_id, from_status, to_status, at, by_id, note)
    SELECT o.id, 'exported', o.result, now(), %(user)s, %(note)s FROM old o
)
SELECT count(*) FILTER (WHERE status = 'paid'), count(*) FILTER (WHERE status = 'failed'),
       array_agg(grant_id) FILTER (WHERE status = 'paid' AND grant_id IS NOT NULL)
FROM upd
"""


def _database_errors(run: PaymentRun) -> list[tuple[int, str]]:
    errors = []
    with connection.cursor() as cursor:
        cursor.execute(DUPLICATES)
        for row_no, line_id, first_row in cursor.fetchall():
            errors.append((row_no, _("Row %(row)s: line %(line)s is already on row %(first)s (duplicate row).")
                           % {"row": row_no, "line": line_id, "first": first_row}))
        cursor.execute(CHECK, {"run": run.pk})
        for row_no, line_id, unknown, line_run, amount, file_amount, account, file_account, status, result in (
                cursor.fetchall()):
            where = {"row": row_no, "line": line_id}
            if unknown:
                errors.append((row_no, _("Row %(row)s: there is no payment line %(line)s.") % where))
                continue
            if line_run != run.pk:
                errors.append((row_no, _("Row %(row)s: line %(line)s belongs to run %(other)s, not to run %(run)s.")
                              % {**where, "other": line_run, "run": run.pk}))
                continue
            if amount != file_amount:
                errors.append((row_no, _("Row %(row)s: line %(line)s is for %(amount)s, the file says %(file)s.")
                              % {**where, "amount": f"{amount:.2f}", "file": f"{file_amount:.2f}"}))
            if file_account and file_account != account:
                errors.append((row_no, _("Row %(row)s: line %(line)s was paid to another account than %(file)s.")
                              % {**where, "file": file_account}))
            if status == PaymentLine.Status.CANCELLED:
                errors.append((row_no, _("Row %(row)s: line %(line)s was cancelled and never sent to the bank.") % where))
            elif status == PaymentLine.Status.HELD:
                errors.append((row_no, _("Row %(row)s: line %(line)s was held (no bank account) and never sent to the "
                                         "bank.") % where))
            elif status in (PaymentLine.Status.PAID, PaymentLine.Status.FAILED) and status != result:
                errors.append((row_no, _("Row %(row)s: line %(line)s is already recorded as %(status)s by an earlier return.")
                              % {**where, "status": PaymentLine.Status(status).label}))
    return errors


def _load_rows(parser: ReturnParser, rows: Iterator[list[str]]) -> None:
    """The file's well-formed rows into a temporary table, by COPY, as they are read."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.bank_return_rows")
        cursor.execute(
            "CREATE TEMP TABLE bank_return_rows (row_no integer, line_id bigint, account text, amount numeric(12,2), "
            "result text, reason text, bank_reference text, posted_on date) ON COMMIT DROP")
        with cursor.copy("COPY bank_return_rows FROM STDIN") as copy:
            try:
                for r in parser.parse(rows):
                    copy.write_row((r.row_no, r.line_id, r.account, r.amount, r.result, r.reason, r.bank_reference,
                                    r.posted_on))
            except csv.Error as exc:  # e.g. a field longer than the csv module allows
                raise ValidationError({"file": [_("The file cannot be read as CSV after row %(row)s: %(error)s")
                                                % {"row": parser.data_rows, "error": exc}]}) from None
        cursor.execute("CREATE INDEX ON bank_return_rows (line_id)")
        cursor.execute("ANALYZE bank_return_rows")


class _Rejected(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors


def bank_return_import(*, run: PaymentRun, content, file_name: str, user) -> BankReturnImport:
    """Validate the whole file, then apply it in one transaction; raises BankReturnRejected listing every error.

    `content`: bytes or a seekable binary file (an upload), read piece by piece. Its size and the run's
    state are checked before a byte is read. The same file a second time returns the first import (its
    `duplicate` attribute set) and changes nothing.
    """
    require_permission(user, "disbursement.import_bankreturn", message=_("You may not import bank returns."))
    file = _binary(content)
    try:
        check_size(file, limit=settings.UPLOAD_MAX_BYTES_BANK_RETURN, what=_("bank return file"))
    except ValidationError as refused:
        raise ValidationError({"file": refused.messages}) from None
    if run.status not in (PaymentRun.Status.EXPORTED, PaymentRun.Status.CLOSED):
        raise ValidationError({"file": [
            _("Payment run %(run)s is %(status)s: the bank answers only for an exported run.")
            % {"run": run.pk, "status": run.get_status_display()}]})
    digest = _sha256(file)
    earlier = BankReturnImport.objects.filter(sha256=digest, status=BankReturnImport.Status.ACCEPTED).first()
    if earlier is not None:
        if earlier.run_id != run.pk:
            raise ValidationError({"file": [_("This file was already imported for run %(run)s.") % {"run": earlier.run_id}]})
        earlier.duplicate = True
        return earlier
    if run.status == PaymentRun.Status.CLOSED:
        raise ValidationError({"file": [
            _("Payment run %(run)s is closed: the bank has answered for every line, so no further return file is "
              "taken. A correction of a paid line is a recovery (追回).") % {"run": run.pk}]})

    parser = ReturnParser()
    try:
        with transaction.atomic():
            try:
                _load_rows(parser, read_rows(file))
            except ValidationError as unreadable:
                raise _Rejected(unreadable.messages) from None
            errors = parser.errors + parser.control_errors(run) + _database_errors(run)
            if errors:
                raise _Rejected([message for _row, message in sorted(errors, key=lambda error: error[0])])
            try:
                with transaction.atomic():
                    record = BankReturnImport.objects.create(
                        run=run, file_name=file_name[:200], sha256=digest, status=BankReturnImport.Status.ACCEPTED,
                        rows=parser.valid_rows, imported_by=recorded_user(user))
            except IntegrityError:  # the same file accepted by a concurrent import a moment ago
                record = BankReturnImport.objects.get(sha256=digest, status=BankReturnImport.Status.ACCEPTED)
                record.duplicate = True
                return record
            paid, failed = _apply(run, record, user)
            record.paid_count, record.failed_count = paid, failed
            record.unchanged_count = parser.valid_rows - paid - failed
            record.save(update_fields=["paid_count", "failed_count", "unchanged_count"])
    except _Rejected as rejected:
        record = BankReturnImport.objects.create(
            run=run, file_name=file_name[:200], sha256=digest, status=BankReturnImport.Status.REJECTED,
            rows=parser.data_rows, errors=rejected.errors, imported_by=recorded_user(user))
        raise BankReturnRejected(record) from None
    payment_run_close_if_complete(run=run)
    record.duplicate = False
    return record


def _apply(run: PaymentRun, record: BankReturnImport, user) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(APPLY, {"run": run.pk, "import": record.pk, "user": getattr(recorded_user(user), "pk", None),
                               "note": f"bank return #{record.pk}"})
        paid, failed, grant_ids = cursor.fetchone()
    if grant_ids:
        # A grant is paid when the bank has paid its line (or the re-issue of it).
        grants_mark_paid(grant_ids=grant_ids, user=user, reason=f"bank return #{record.pk}")
    return paid, failed


def return_file_run_id(content) -> int | None:
    """The run a return file answers: the run of its first line, else its control record's 批次号."""
    parser = ReturnParser()
    try:
        for row in parser.parse(read_rows(content)):
            return PaymentLine.objects.filter(pk=row.line_id).values_list("run_id", flat=True).first()
    except ValidationError:
        return None
    batch = (parser.control or {}).get("批次号", "")
    return int(batch) if batch.isdigit() else None
