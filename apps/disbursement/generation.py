"""Line generation: a run's lines from entitlements, grants, failed lines and retroactive standards.

`payment_run_generate` is the one entry point (Celery task, command, admin, API all call it). It is
set-based — each step is one `INSERT … SELECT` (apps/disbursement/sql/) — and exactly-once:

- the unique key (key_ref, period, line type, programme, discriminator) refuses any second line;
- a PostgreSQL advisory lock per (bureau, period) makes two generations of a period take turns,
  so the second finds every key present instead of racing for it;
- entitlements are processed in id-range chunks (`id BETWEEN lo AND hi`, never OFFSET), each chunk
  its own transaction with its progress, so a crash loses at most the chunk in flight; a resumed run
  starts again from the first chunk and skips the keys already written with an anti-join.

It deliberately runs outside any transaction of its caller (one transaction per chunk); called
inside one (tests), each chunk is a savepoint and the result is the same.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.benefits.models import Programme
from tenants.selectors import current_bureau

from . import sql
from .models import PaymentRun

DEFAULT_CHUNK_SIZE = 100_000
VACUUM_AFTER_LINES = 10_000
# Only to tell apart the arrears lock from the per-period locks (whose second key is YYYYMM).
ARREARS_LOCK = 0

ANTI_JOIN_REGULAR = """
      AND NOT EXISTS (
          SELECT 1 FROM disbursement_paymentline x
          WHERE x.period = %(period)s AND x.line_type = 'regular' AND x.key_ref = e.id
            AND x.programme_id = e.programme_id AND x.key_variant = 0)
"""
# What an INSERT … RETURNING amount, status adds to the run: the lines for the bank file, and those held.
TOTALS = """SELECT count(*) FILTER (WHERE status = 'pending'), coalesce(sum(amount) FILTER (WHERE status = 'pending'), 0),
       count(*) FILTER (WHERE status = 'held'), coalesce(sum(amount) FILTER (WHERE status = 'held'), 0)"""
# Back pay (Entitlement.back_pay_from): only the few entitlements owed a past month, each month once.
BACK_PAY_FILTER = """
      AND e.back_pay_from IS NOT NULL AND e.back_pay_from <= %(period)s
"""
EXISTING_JOIN = """
LEFT JOIN disbursement_paymentline x ON x.period = %(period)s AND x.line_type = 'regular' AND x.key_ref = e.id
                                    AND x.programme_id = e.programme_id AND x.key_variant = 0
"""




def _lock_key() -> int:
    # Advisory locks are database-wide: the schema name keeps two bureaus' periods apart.
    return zlib.crc32(f"disbursement:{connection.schema_name}".encode()) - 2**31


@contextmanager
def advisory_lock(second_key: int) -> Iterator[None]:
    """A session-level lock: held across the chunks' commits, released by PostgreSQL if we die."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [_lock_key(), second_key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_lock_key(), second_key])


def advisory_lock_free(second_key: int) -> bool:
    """Whether nobody holds the lock right now (taken and released at once if free)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_lock_key(), second_key])
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_lock_key(), second_key])
    return True


def period_lock(period) -> int:
    return period.year * 100 + period.month


def _programmes(*, payments: tuple[str, ...]) -> list[str]:
    return list(Programme.objects.filter(payment__in=payments).values_list("code", flat=True))


def _fetchone(statement: str, params: dict | list) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()


def _execute(statement: str, params: dict | list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _line_totals(run_id: int) -> tuple[int, Decimal, int, Decimal]:
    """(lines, total) of the bank file and (lines, total) held, of what the run holds now."""
    return _fetchone(
        "SELECT count(*) FILTER (WHERE status NOT IN ('cancelled', 'held')), "
        "coalesce(sum(amount) FILTER (WHERE status NOT IN ('cancelled', 'held')), 0), "
        "count(*) FILTER (WHERE status = 'held'), coalesce(sum(amount) FILTER (WHERE status = 'held'), 0) "
        "FROM disbursement_paymentline WHERE run_id = %s", [run_id])


def _candidates(run: PaymentRun, *, monthly: list[str], one_off: list[str]) -> int:
    """How many source records the run will look at (its progress denominator)."""
    if run.kind == PaymentRun.Kind.SUPPLEMENTARY:
        return _fetchone(
            "SELECT count(*) FROM disbursement_paymentline WHERE status IN ('failed', 'held') AND period = %s",
            [run.period])[0]
    if run.kind == PaymentRun.Kind.OFF_CYCLE:
        entitlements = 0
    else:
        entitlements = _fetchone(
            "SELECT count(*) FROM benefits_entitlement WHERE (status = 'active' OR (status IN ('stopped', 'ended') "
            "AND end_period IS NOT NULL)) AND start_period <= %(p)s "
            "AND (end_period IS NULL OR end_period >= %(p)s) AND programme_id = ANY(%(codes)s)",
            {"p": run.period, "codes": monthly})[0]
    grants = _fetchone(
        "SELECT count(*) FROM benefits_grant WHERE status = 'pending' AND period <= %(p)s AND amount > 0 "
        "AND programme_id = ANY(%(codes)s)", {"p": run.period, "codes": one_off})[0]
    return entitlements + grants


def _begin(run: PaymentRun, *, monthly: list[str], one_off: list[str]) -> tuple[PaymentRun, bool]:
    """The run locked into generating; and whether this is a refresh of a generated run."""
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        fields = {"lines_done": 0, "error": ""}
        refresh = run.status == PaymentRun.Status.GENERATED
        if refresh:
            # A refresh: line_count and total_amount are exact, each chunk having moved them with its
            # lines, and the last generation's count of records is the progress denominator.
            run.move_to(PaymentRun.Status.GENERATING, error="")
        elif run.status in (PaymentRun.Status.GENERATING, PaymentRun.Status.FAILED):
            if run.status == PaymentRun.Status.FAILED:
                run.move_to(PaymentRun.Status.GENERATING, error="")
            # New, or resumed after a crash: counted, the figures the control record will carry.
            (fields["line_count"], fields["total_amount"], fields["held_count"],
             fields["held_amount"]) = _line_totals(run.pk)
            fields["lines_total"] = _candidates(run, monthly=monthly, one_off=one_off)
        else:
            raise ValidationError(
                _("Payment run %(run)s is %(status)s: its lines are final and cannot be generated again.")
                % {"run": run.pk, "status": run.get_status_display()}
            )
        PaymentRun.objects.filter(pk=run.pk).update(**fields)
    return run, refresh


def _progress(run: PaymentRun, *, done: int, lines: int, amount, held: int = 0, held_amount=0) -> None:
    PaymentRun.objects.filter(pk=run.pk).update(
        lines_done=F("lines_done") + done, line_count=F("line_count") + lines,
        total_amount=F("total_amount") + amount, held_count=F("held_count") + held,
        held_amount=F("held_amount") + held_amount,
    )


def _id_chunks(table: str, where: str, params: list, size: int) -> Iterator[tuple[int, int]]:
    low, high = _fetchone(f"SELECT min(id), max(id) FROM {table} WHERE {where}", params)
    if low is None:
        return
    for start in range(low, high + 1, size):
        yield start, min(start + size - 1, high)


def _regular_lines(run: PaymentRun, params: dict, chunk_size: int, report: Callable | None, *,
                   refresh: bool) -> dict:
    # Fresh when no regular line of the period exists yet: ON CONFLICT alone guards the chunks.
    # Otherwise (a resumed, refreshed or off-cycle run) every chunk skips existing keys by anti-join.
    existing = _fetchone(
        "SELECT EXISTS (SELECT 1 FROM disbursement_paymentline WHERE line_type = 'regular' AND period = %(p)s "
        "AND run_id IN (SELECT id FROM disbursement_paymentrun WHERE period = %(p)s))", {"p": run.period})[0]
    amount = sql.amount_expr(programme="e.programme_id", standard="r.monthly", income="e.per_capita_income",
                             covered="e.covered_members", addon="e.addon_members")
    check = sql.statement("regular_check", amount=amount, existing=EXISTING_JOIN if existing else "",
                          missing="AND x.key_ref IS NULL" if existing else "")
    insert = sql.statement("regular", amount=amount, anti_join=ANTI_JOIN_REGULAR if existing else "", totals=TOTALS)
    if existing and not refresh:
        # The anti-join probes the key once per entitlement only if the planner knows how many lines
        # the month has; lines a crashed run wrote are not in the statistics yet, and planned as
        # "none", each probe would read every line of the month. (A generated run's own lines were
        # analysed when it finished.)
        _execute("ANALYZE disbursement_paymentline", [])
    basis = sql.statement("basis")
    totals = {"entitlements": 0, "unpriced": 0, "zero_amount": 0, "regular_lines": 0, "held_lines": 0,
              "chunks": 0, "resumed": bool(existing)}
    for low, high in _id_chunks("benefits_entitlement", "TRUE", [], chunk_size):
        chunk = {**params, "lo": low, "hi": high}
        with transaction.atomic():
            candidates, unpriced, zero, missing = _fetchone(check, chunk)
            if missing:
                _execute(basis, chunk)
                lines, amount_sum, held, held_sum = _fetchone(insert, chunk)
            else:
                lines, amount_sum, held, held_sum = 0, 0, 0, 0
            _progress(run, done=candidates, lines=lines, amount=amount_sum, held=held, held_amount=held_sum)
        totals["entitlements"] += candidates
        totals["unpriced"] += unpriced
        totals["zero_amount"] += zero
        totals["regular_lines"] += lines + held
        totals["held_lines"] += held
        totals["chunks"] += 1
        if report:
            report(run)
    return totals


def _back_pay_lines(run: PaymentRun, params: dict, chunk_size: int) -> dict:
    """Past months owed to entitlements that took over from another (a death's recomputed dibao from a
    month already paid on the old size; a withdrawn death): a regular line of each such month that has
    none, carried by this run, priced with the standard in force in that month. Only months that had a
    regular run: a month still to come is its own run's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT r.period FROM disbursement_paymentrun r WHERE r.kind = 'regular' AND r.period < %(p)s "
            "AND r.period >= (SELECT min(back_pay_from) FROM benefits_entitlement WHERE back_pay_from IS NOT NULL) "
            "ORDER BY 1", {"p": run.period})
        months = [row[0] for row in cursor.fetchall()]
    amount = sql.amount_expr(programme="e.programme_id", standard="r.monthly", income="e.per_capita_income",
                             covered="e.covered_members", addon="e.addon_members")
    insert = sql.statement("regular", amount=amount, anti_join=ANTI_JOIN_REGULAR + BACK_PAY_FILTER, totals=TOTALS)
    basis = sql.statement("basis")
    totals = {"back_pay_lines": 0, "back_pay_amount": Decimal("0.00"), "held_lines": 0}
    for month in months:
        month_params = {**params, "period": month}
        _execute(basis, month_params)
        for low, high in _id_chunks("benefits_entitlement", "back_pay_from IS NOT NULL AND back_pay_from <= %s",
                                    [month], chunk_size):
            with transaction.atomic():
                lines, amount_sum, held, held_sum = _fetchone(insert, {**month_params, "lo": low, "hi": high})
                _progress(run, done=0, lines=lines, amount=amount_sum, held=held, held_amount=held_sum)
            totals["back_pay_lines"] += lines + held
            totals["back_pay_amount"] += amount_sum + held_sum
            totals["held_lines"] += held
    return {**totals, "back_pay_amount": f"{totals['back_pay_amount']:.2f}"}


def _grant_lines(run: PaymentRun, params: dict, chunk_size: int, report: Callable | None) -> dict:
    statement = sql.statement("grants", totals=TOTALS)
    totals = {"grants": 0, "grant_lines": 0, "held_lines": 0}
    where = "status = 'pending' AND period <= %s"
    for low, high in _id_chunks("benefits_grant", where, [run.period], chunk_size):
        with transaction.atomic():
            lines, amount, held, held_sum, candidates = _fetchone(statement, {**params, "lo": low, "hi": high})
            _progress(run, done=candidates, lines=lines, amount=amount, held=held, held_amount=held_sum)
        totals["grants"] += candidates
        totals["grant_lines"] += lines + held
        totals["held_lines"] += held
        if report:
            report(run)
    return totals


def _arrears_lines(run: PaymentRun, params: dict) -> dict:
    # One bureau-wide lock: two runs of different periods may both look at the same past month.
    with advisory_lock(ARREARS_LOCK):
        stale = _fetchone(sql.statement("stale"), params)[0]
        if not stale:
            return {"arrears_lines": 0, "arrears_amount": "0.00", "overpayments": 0}
        _execute("ANALYZE disbursement_paymentline", [])  # as for the anti-join: a plan per month's lines
        statement = sql.statement(
            "arrears", totals=TOTALS,
            amount=sql.amount_expr(programme="l.programme_id", standard="s.new_standard",
                                   income="l.per_capita_income", covered="l.covered_members",
                                   addon="l.addon_members"),
        )
        with transaction.atomic():
            lines, amount, held, held_sum, looked_at, overpayments, _bases = _fetchone(statement, params)
            PaymentRun.objects.filter(pk=run.pk).update(lines_total=F("lines_total") + looked_at)
            _progress(run, done=looked_at, lines=lines, amount=amount, held=held, held_amount=held_sum)
    return {"arrears_lines": lines + held, "arrears_amount": f"{amount + held_sum:.2f}", "overpayments": overpayments,
            "held_lines": held}


def _reissue_lines(run: PaymentRun, params: dict) -> dict:
    with transaction.atomic():
        failed, held, lines, amount, awaiting = _fetchone(
            sql.statement("reissue", ready=sql.reissue_ready(one_month=True)), params)
        _progress(run, done=failed + held, lines=lines, amount=amount)
    return {"failed_lines": failed, "held_before": held, "reissued": lines, "awaiting_correction": awaiting}


def _finish(run: PaymentRun, detail: dict) -> PaymentRun:
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        run.move_to(PaymentRun.Status.GENERATED, lines_total=run.lines_done, finished_at=timezone.now(),
                    detail=detail)
    return run


def _vacuum_lines() -> None:
    """Set the new lines' visibility and statistics now (autovacuum would, at a time of its choosing).

    Until then every reader of a fresh line — a re-run's anti-join, the export, the bank return —
    visits the table to learn the line is committed; afterwards the index alone answers. Only the
    pages written since the last vacuum are read. Inside a transaction (tests) only the statistics are
    taken; when another vacuum holds the table, nothing.
    """
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute("ANALYZE disbursement_paymentline")
            return
        cursor.execute("VACUUM (ANALYZE, SKIP_LOCKED) disbursement_paymentline")


def _fail(run: PaymentRun, exc: Exception) -> None:
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        if run.status == PaymentRun.Status.GENERATING:
            run.move_to(PaymentRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
                        finished_at=timezone.now())


def payment_run_generate(*, run: PaymentRun, chunk_size: int | None = None,
                         report: Callable[[PaymentRun], None] | None = None) -> PaymentRun:
    """Generate (or resume, or refresh before approval) the lines of a run; returns the run, generated.

    `report(run)` is called after each chunk (progress for a command's output).
    """
    chunk_size = chunk_size or getattr(settings, "DISBURSEMENT_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)
    bureau = current_bureau()
    monthly = _programmes(payments=("monthly",))
    one_off = _programmes(payments=("monthly", "one_off"))
    params = {"run": run.pk, "period": run.period, "multiplier": bureau.tekun_multiplier,
              "share": bureau.classified_share, "programmes": monthly}
    started = time.monotonic()
    with advisory_lock(period_lock(run.period)):
        run, refresh = _begin(run, monthly=monthly, one_off=one_off)
        try:
            if run.kind == PaymentRun.Kind.SUPPLEMENTARY:
                detail = _reissue_lines(run, params)
            elif run.kind == PaymentRun.Kind.OFF_CYCLE:
                # One-offs only: the month's recurring lines and arrears are the regular run's.
                detail = _grant_lines(run, {**params, "programmes": one_off}, chunk_size, report)
            else:
                detail = _regular_lines(run, params, chunk_size, report, refresh=refresh)
                back_pay = _back_pay_lines(run, params, chunk_size)
                grants = _grant_lines(run, {**params, "programmes": one_off}, chunk_size, report)
                arrears = _arrears_lines(run, params)
                held = (detail["held_lines"] + back_pay.pop("held_lines") + grants.pop("held_lines")
                        + arrears.pop("held_lines", 0))
                detail |= back_pay | grants | arrears | {"held_lines": held}
            detail["seconds"] = round(time.monotonic() - started, 3)
            run = _finish(run, detail)
        except Exception as exc:
            _fail(run, exc)
            raise
    written = sum(detail.get(key, 0) for key in ("regular_lines", "back_pay_lines", "grant_lines", "arrears_lines",
                                                 "reissued"))
    if written >= VACUUM_AFTER_LINES:
        _vacuum_lines()
    elif written:
        _execute("ANALYZE disbursement_paymentline", [])  # the statistics a refresh's anti-join plans with
    return run
