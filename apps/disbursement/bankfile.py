"""The bank file of a run (SPEC §5): CSV (UTF-8 with BOM) or XLSX, streamed with bounded memory.

Layout: a header line and one line per payment (序号, 姓名, 公民身份号码, 社保卡号/银行账号, 开户行,
金额, 补贴项目代码, 补贴项目名称, 发放期号, 所属区划, 备注, 明细编号), then the control record
`控制记录,批次号,<run id>,笔数,<lines>,总金额,<total>,SHA-256,<hex>`. The checksum covers the body:
the header line and the payment lines exactly as written in the CSV (UTF-8, without the BOM). The
control record comes last so the file is produced in one pass; the XLSX carries the same figures,
and the same checksum of the CSV body, on its first sheet.

PostgreSQL writes the body itself (`COPY … TO STDOUT`), which is as fast as reading the rows can
be; Python numbers the lines, turns COPY's separators into commas, hashes and forwards the bytes in
256 KB pieces (BodyStream says why the separators).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import select
import tempfile
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _
from psycopg import sql as psycopg_sql

from apps.benefits.models import Programme, ProgrammeCode
from apps.core import xlsx
from apps.core.exports import neutralise_cell, neutralise_sql
from apps.core.permissions import SYSTEM, recorded_user, require_permission
from apps.core.pii_access import personal_data_export_record
from apps.people.models import Town

from . import sql
from .models import BankFileDownload, PaymentLine, PaymentRun
from .rules import control_record
from .services import payment_run_mark_exported

BOM = "\ufeff".encode()
PIECE = 256 * 1024
COLUMNS = ["序号", "姓名", "公民身份号码", "社保卡号/银行账号", "开户行", "金额", "补贴项目代码", "补贴项目名称",
           "发放期号", "所属区划", "备注", "明细编号"]
HEADER = (",".join(COLUMNS) + "\n").encode()
# COPY's column separator, which BodyStream makes a comma. A line is 序号 and the query's seven
# columns, the sixth of which (field DETAILS of the line, counting 序号 as 0) holds five of the
# file's columns and so four commas.
SEPARATOR = b"\x1f"
DETAILS = 6
DETAILS_COMMAS = 4


def _literal(value) -> str:
    """A value as an SQL literal, quoted by psycopg (COPY … TO STDOUT takes no bound parameters)."""
    connection.ensure_connection()
    return psycopg_sql.Literal(value).as_string(connection.connection)


def _case(column: str, mapping: dict, default: str) -> str:
    """A CASE over a handful of values: per row, cheaper than any join a planner picks for a million rows."""
    return _case_sql(column, {k: _literal(v) for k, v in mapping.items()}, _literal(default))


def _case_sql(column: str, mapping: dict, default: str) -> str:
    """A CASE whose results are SQL expressions (a literal, or another CASE)."""
    if not mapping:
        return default
    whens = " ".join(f"WHEN {_literal(k)} THEN {v}" for k, v in mapping.items())
    return f"CASE {column} {whens} ELSE {default} END"


def csv_field(value: str | None) -> str:
    """`value` as COPY … (FORMAT csv) writes a column: NULL empty; empty text, or text holding a comma,
    quote, CR or LF, quoted (quotes doubled)."""
    if value is None:
        return ""
    if value == "" or any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_sql(expression: str) -> str:
    """csv_field in SQL, for a town name read per line (a bureau with more towns than a CASE is worth)."""
    return (f"CASE WHEN {expression} = '' OR {expression} ~ '[,\"\\r\\n]' "
            f"THEN '\"' || replace({expression}, '\"', '\"\"') || '\"' ELSE {expression} END")


# The biggest programmes first where the statistics say nothing: a CASE stops at its first match.
PROGRAMME_ORDER = ["longevity", "dibao", "disability_living", "disability_nursing", "elderly_service", "tekun",
                   "tekun_care", "orphan", "temporary", "eco_burial", "funeral_waiver"]
# Beyond this many towns, a line's town is read from people_town (by primary key) rather than a CASE.
TOWN_CASE_LIMIT = 500
# Up to this many programme × town pairs, a line of the run's month takes its four details columns as one
# literal, from a CASE on its programme holding a CASE on its town. Two lookups joined by `||` cost
# PostgreSQL about 0.2 s a million lines (an allocation and a copy each), a quarter of the whole COPY.
DETAILS_CASE_LIMIT = 2000


def _line_shares(column: str) -> dict[str, float]:
    """The commonest values of a payment-line column with their shares of the lines, as the planner's
    statistics (ANALYZE) have them: free to read, and a CASE stops at its first match."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT most_common_vals::text::text[], most_common_freqs FROM pg_stats "
                       "WHERE schemaname = current_schema() AND tablename = %s AND attname = %s",
                       [PaymentLine._meta.db_table, column])
        row = cursor.fetchone()
    return dict(zip(row[0], row[1], strict=True)) if row and row[0] else {}


def _programmes() -> dict[str, str]:
    """code → `补贴项目代码,补贴项目名称,` (CSV) from the catalogue, the bureau's biggest programmes first."""
    labels = dict(ProgrammeCode.choices)
    shares = _line_shares("programme_id")
    rows = sorted(Programme.objects.values_list("code", "bank_code"),
                  key=lambda row: (-shares.get(row[0], 0.0),
                                   PROGRAMME_ORDER.index(row[0]) if row[0] in PROGRAMME_ORDER else 99))
    with translation.override("zh-hans"):
        return {code: csv_field(neutralise_cell(bank_code)) + ","
                + csv_field(neutralise_cell(re.sub(r"\s*\(.*\)$", "", str(labels.get(code, code))))) + ","
                for code, bank_code in rows}


def body_query(run: PaymentRun) -> str:
    programmes = _programmes()
    period_number = f"{run.period:%Y%m},"
    shares = _line_shares("town_id")
    towns = {pk: csv_field(neutralise_cell(name)) + "," for pk, name in
             sorted(Town.objects.values_list("pk", "name"), key=lambda row: (-shares.get(str(row[0]), 0.0), row[0]))}
    town = _case("l.town_id", towns, ",") if len(towns) <= TOWN_CASE_LIMIT else (
        f"coalesce((SELECT {_csv_sql('t.name')} FROM (SELECT {neutralise_sql('name')} AS name FROM people_town "
        "WHERE id = l.town_id) t), '') || ','")
    if len(towns) <= TOWN_CASE_LIMIT and (len(programmes) + 1) * (len(towns) + 1) <= DETAILS_CASE_LIMIT:
        def in_town(prefix: str) -> str:
            return _case("l.town_id", {pk: prefix + name for pk, name in towns.items()}, prefix + ",")

        this_month = _case_sql("l.programme_id", {code: in_town(prefix + period_number)
                                                  for code, prefix in programmes.items()}, in_town(",," + period_number))
    else:
        this_month = _case("l.programme_id", {code: prefix + period_number for code, prefix in programmes.items()},
                           ",," + period_number) + " || " + town
    return sql.statement(
        "bank_file_body", payee_name=neutralise_sql("l.payee_name"),
        bank_name=f"nullif({neutralise_sql('l.bank_name')}, '')",
        programme=_case("l.programme_id", programmes, ",,"), this_month=this_month,
        period=_literal(run.period), town=town, run=_literal(int(run.pk)))


def body_copy(run: PaymentRun) -> str:
    """The COPY statement BodyStream reads: the columns separated by SEPARATOR, no header."""
    return f"COPY ({body_query(run)}) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x{SEPARATOR[0]:02x}')"


class CopyOut:
    """`COPY … TO STDOUT` read straight from libpq: `get(1)` → (size, row); size 0 when no whole row has
    arrived yet (then `fill()` waits for the socket and takes in what came), -1 at the end.

    psycopg's Copy iterator spends several Python calls per row, and a bank file is a million rows; here
    the caller's loop makes one libpq call per row (psycopg.pq is psycopg's documented libpq wrapper):
    with the bank file's numbering, 0.80–0.86 s a million lines against 0.90–0.96 s through the iterator. The reads don't block inside libpq: waiting on
    the socket and taking in all that is there, as psycopg does, read a million-line bank file about 5%
    faster than libpq's blocking read. The caller sets `done` when it saw -1. Left early (a download cut off,
    an error), the rest is read and dropped, so that the connection is usable again.

    The statement runs without JIT compilation: PostgreSQL compiles a statement whose estimated cost
    passes `jit_above_cost`, as a million-line run's does, and the bank file's CASEs made that
    compilation cost a tenth of the whole COPY while each line's expressions cost next to nothing.
    """

    def __init__(self, query: str):
        self.query = query
        self.done = False

    def __enter__(self) -> CopyOut:
        from django.db import DatabaseError
        from psycopg import pq

        with connection.cursor() as cursor:  # also sets the bureau's search_path
            cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', false)")
            self.jit = cursor.fetchone()[0]
            self.pgconn = cursor.cursor.connection.pgconn
        self.poller = select.poll()  # not select(): a process may hold more than 1,024 descriptors
        self.poller.register(self.pgconn.socket, select.POLLIN)
        self.pgconn.send_query(self.query.encode())
        result = self.pgconn.get_result()
        if result is None or result.status != pq.ExecStatus.COPY_OUT:
            message = result.error_message.decode(errors="replace") if result is not None else ""
            while self.pgconn.get_result() is not None:
                pass
            raise DatabaseError(message or "COPY did not start")
        self.get = self.pgconn.get_copy_data
        return self

    def fill(self) -> None:
        self.poller.poll()
        self.pgconn.consume_input()

    def __exit__(self, exc_type, exc, traceback) -> None:
        from django.db import DatabaseError
        from psycopg import pq

        while not self.done and self.pgconn.get_copy_data(0)[0] >= 0:
            pass
        result = self.pgconn.get_result()
        while self.pgconn.get_result() is not None:
            pass
        # The session's setting as it was (a kept connection serves other requests next). A failed
        # transaction block takes none, and its rollback restores the setting anyway; a broken
        # connection is not asked.
        if self.pgconn.transaction_status in (pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS):
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('jit', %s, false)", [self.jit])
        if exc_type is None and (not self.done or result is None or result.status != pq.ExecStatus.COMMAND_OK):
            message = result.error_message.decode(errors="replace") if result is not None else ""
            raise DatabaseError(message or self.pgconn.error_message.decode(errors="replace"))


class BodyStream:
    """Iterates the CSV body in pieces while hashing and counting it; `sha256`/`rows` when done.

    COPY separates the columns with SEPARATOR so that five of the file's columns can leave
    PostgreSQL as one column already laid out as CSV (the query says why). A piece without a quote
    or a comma in any value (almost every piece) is then the file once each separator is a comma;
    any other piece goes line by line (`comma_lines`).
    """

    def __init__(self, run: PaymentRun):
        self.run = run
        self.hasher = hashlib.sha256()
        self.rows = 0
        self.done = False

    def __iter__(self) -> Iterator[bytes]:
        self.hasher.update(HEADER)
        yield HEADER
        piece = bytearray()
        number = first = 0
        with CopyOut(body_copy(self.run)) as copy:
            get, fill = copy.get, copy.fill
            while True:
                size, data = get(1)
                if size <= 0:
                    if size < 0:
                        break
                    fill()
                    continue
                number += 1
                piece += b"%d\x1f" % number
                piece += data
                if len(piece) >= PIECE:
                    yield self._comma_separated(piece, number - first)
                    piece.clear()
                    first = number
            copy.done = size == -1
        if piece:
            yield self._comma_separated(piece, number - first)
        self.rows = number
        self.done = True

    def _comma_separated(self, piece: bytearray, lines: int) -> bytes:
        # Without a quote no value holds a separator, quote, CR or LF, nor is empty text (COPY would have
        # quoted it), and any comma beyond the details' is in a value.
        if b'"' not in piece and piece.count(b",") == DETAILS_COMMAS * lines:
            piece = piece.replace(SEPARATOR, b",")
        else:
            piece = comma_lines(piece)
        self.hasher.update(piece)
        return bytes(piece)

    @property
    def sha256(self) -> str:
        return self.hasher.hexdigest()


def comma_lines(piece: bytes) -> bytes:
    """Whole lines of COPY's CSV with SEPARATOR as COPY writes them with commas.

    Line by line: a line without a quote or a comma in a value only has its separators replaced,
    so that a bureau where a few names hold a comma does not pay the careful way for every line.
    """
    lines, line = [], b""
    for part in piece.split(b"\n")[:-1]:
        line += part + b"\n"
        if line.count(b'"') % 2:  # a quoted value holding a line break: the line goes on
            continue
        if b'"' not in line and line.count(b",") == DETAILS_COMMAS:
            lines.append(line.replace(SEPARATOR, b","))
        else:
            lines.append(_rewritten(line.decode("utf-8")))
        line = b""
    return b"".join(lines)


def _rewritten(line: str) -> bytes:
    """One line read field by field and written with commas; details as they are.

    An empty field unquoted is NULL, quoted it is empty text; each goes through csv_field, so a
    field quoted only for holding the separator loses its quotes and one holding a comma gains them.
    """
    separator, fields, start = SEPARATOR.decode(), [], 0
    while start < len(line):
        if line[start] == '"':
            stop = start + 1
            while line[(stop := line.index('"', stop)) + 1] == '"':
                stop += 2
            value, quoted, start = line[start + 1:stop].replace('""', '"'), True, stop + 1
        else:
            stop = line.find(separator, start)
            stop = len(line) - 1 if stop < 0 else stop  # the last field ends at the line break
            value, quoted, start = line[start:stop], False, stop
        fields.append(value if len(fields) == DETAILS else csv_field(value if quoted or value else None))
        start += 1  # the separator or the line's end
    return (",".join(fields) + "\n").encode("utf-8")


def _check_exportable(run: PaymentRun, user) -> None:
    require_permission(user, "disbursement.export_paymentrun", message=_("You may not export payment runs."))
    if run.status not in (PaymentRun.Status.APPROVED, PaymentRun.Status.EXPORTED, PaymentRun.Status.CLOSED):
        raise ValidationError(
            _("Payment run %(run)s is %(status)s: only an approved run has a bank file.")
            % {"run": run.pk, "status": run.get_status_display()}
        )


def bank_file_name(run: PaymentRun, fmt: str) -> str:
    return f"{connection.schema_name}-run{run.pk}-{run.period:%Y%m}.{fmt}"


def _finish(download: BankFileDownload, run: PaymentRun, body: BodyStream) -> list[str]:
    """Check the body against the run, record the download, and give the control record."""
    if body.rows != run.line_count:
        raise RuntimeError(f"run {run.pk}: {body.rows} lines written but the run has {run.line_count}")
    BankFileDownload.objects.filter(pk=download.pk).update(
        completed=True, line_count=body.rows, total_amount=run.total_amount, sha256=body.sha256)
    # The file carries every payee's whole ID number and account: one entry in the read log names it.
    personal_data_export_record(user=download.user or SYSTEM, file_name=bank_file_name(run, download.format),
                                row_count=body.rows, sha256=body.sha256)
    if not run.bank_file_sha256:
        PaymentRun.objects.filter(pk=run.pk, bank_file_sha256="").update(bank_file_sha256=body.sha256)
    return control_record(run_id=run.pk, count=body.rows, total=run.total_amount, sha256=body.sha256)


def bank_file_open(*, run: PaymentRun, user, fmt: str, channel: str) -> tuple[str, Iterator[bytes]]:
    """(file name, bytes iterator) of the run's bank file; the first export marks the run exported.

    Permission-gated (export_paymentrun) and logged (BankFileDownload: who, when, run, format,
    and — once the last byte is out — line count, total and checksum).
    """
    if fmt not in BankFileDownload.Format.values:
        raise ValidationError({"format": _("Choose csv or xlsx.")})
    run = PaymentRun.objects.get(pk=run.pk)  # the status now, not the caller's copy
    _check_exportable(run, user)
    if run.status == PaymentRun.Status.APPROVED:
        run = payment_run_mark_exported(run=run, user=user)
    download = BankFileDownload.objects.create(run=run, user=recorded_user(user), format=fmt, channel=channel)
    name = bank_file_name(run, fmt)
    return name, (_csv_chunks(run, download) if fmt == "csv" else _xlsx_chunks(run, download))


def _csv_chunks(run: PaymentRun, download: BankFileDownload) -> Iterator[bytes]:
    yield BOM
    body = BodyStream(run)
    yield from body
    control = _finish(download, run, body)
    yield (",".join(control) + "\n").encode()


XLSX_ROWS_PER_SHEET = xlsx.MAX_ROWS - 1  # lines a sheet holds under its header; larger runs go on to 明细2, …
XLSX_KINDS = ("number", "text", "text", "text", "text", "money", "text", "text", "text", "text", "text", "number")


def write_xlsx(run: PaymentRun, path: str, download: BankFileDownload) -> None:
    """The XLSX bank file: sheet 控制记录 with the control figures, then the lines on 明细 (明细2, …).

    The lines are the CSV body's rows as PostgreSQL wrote them (the same bytes the checksum covers),
    each turned into one row of sheet XML: amounts and numbers keep their exact decimal text. A piece
    of the body with nothing to quote, escape or preserve (almost all of them) is split on its commas;
    any other piece is read by csv.reader and each row checked (xlsx.RowFormat)."""
    control_name = "控制记录"
    workbook = xlsx.Workbook(path, order=[control_name])
    body = BodyStream(run)
    header = None
    sheet, row_number, sheets = None, XLSX_ROWS_PER_SHEET + 1, 0
    row_xml, line_xml = xlsx.row_xml, xlsx.RowFormat(XLSX_KINDS)
    for piece in body:
        # A piece always ends at the end of a row, so decoding piece by piece never splits a character.
        text = piece.decode("utf-8")
        if header is None:
            first, text = text.split("\n", 1)
            header = next(csv.reader([first]))
        if xlsx.plain_csv(text):
            rows, write_row = [line.split(",") for line in text.split("\n")[:-1]], line_xml.plain
        else:
            rows, write_row = list(csv.reader(_split_lines([text]))), _checked(line_xml)
        while rows:
            if row_number > XLSX_ROWS_PER_SHEET:
                sheets += 1
                sheet = workbook.sheet("明细" if sheets == 1 else f"明细{sheets}")
                sheet.write(row_xml(1, header, ["text"] * len(header), style=xlsx.BOLD))
                row_number = 1
            room = XLSX_ROWS_PER_SHEET + 1 - row_number
            taken, rows = rows[:room], rows[room:]
            numbers = map(str, range(row_number + 1, row_number + 1 + len(taken)))
            sheet.write_rows(list(map(write_row, numbers, taken)))
            row_number += len(taken)
    if sheet is None:
        workbook.sheet("明细").write(row_xml(1, header or COLUMNS, ["text"] * len(COLUMNS), style=xlsx.BOLD))
    control = _finish(download, run, body)
    control_sheet = workbook.sheet(control_name)
    for number, (key, value) in enumerate(zip(control[1::2], control[2::2], strict=False), start=1):
        control_sheet.write(row_xml(number, [key, value], ["text", "text"]))
    control_sheet.write(row_xml(len(control) // 2 + 2, [_("The SHA-256 is that of the CSV bank file's body "
                                                         "(its header and lines, UTF-8, without BOM).")], ["text"]))
    workbook.close()


def _checked(line_xml: xlsx.RowFormat):
    """The row writer of the careful path: RowFormat's own check, with the row number as a number."""
    return lambda number, values: line_xml(int(number), values)


def _split_lines(pieces) -> Iterator[str]:
    rest = ""
    for piece in pieces:
        rest += piece
        *complete, rest = rest.split("\n")
        for line in complete:
            yield line + "\n"
    if rest:
        yield rest


def _xlsx_chunks(run: PaymentRun, download: BankFileDownload) -> Iterator[bytes]:
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(run, path, download)
        with open(path, "rb") as file:
            while piece := file.read(PIECE):
                yield piece
    finally:
        os.unlink(path)


def bank_file_save(*, run: PaymentRun, user, fmt: str, channel: str, folder: str) -> str:
    """Write the bank file into `folder` (nightly export, demo); returns its path."""
    name, chunks = bank_file_open(run=run, user=user, fmt=fmt, channel=channel)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path + ".part", "wb") as file:
        for piece in chunks:
            file.write(piece)
    os.replace(path + ".part", path)
    return path
