"""Line generation: a run's lines from entitlements, grants, failed lines and retroactive standards.

`payment_run_generate` is the one entry point (Celery task, command, admin, API all call it). It is
set-based — each step is one `INSERT … SELECT` (apps/disbursement/sql/) — and exactly-once:

- the unique key (key_ref, period, line type, programme, discriminator) refuses any second line;
- a round of generation is planned as chunks (GenerationChunk: id ranges of entitlements, then one
  tail of back pay, grants and arrears), and each chunk is claimed by locking its row
  (FOR UPDATE SKIP LOCKED) in the transaction that writes its lines, counts its progress and marks it
  done. Any number of workers share a round: each takes the next free chunk, and one that dies loses
  only its open transaction, whose chunk the next worker takes. No lock is held across the run;
- the run becomes generated in one transaction, by whichever worker finds every chunk done.

Each worker holds its period's advisory lock in shared mode while it works: it excludes no other
worker, but tells the nightly job whether anybody is generating, and lets a refresh by the nightly
job (exclusive) wait for them.

It deliberately runs outside any transaction of its caller (one transaction per chunk); called
inside one (tests), each chunk is a savepoint and the result is the same.
"""

from __future__ import annotations

import os
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.benefits.models import Programme
from tenants.selectors import current_bureau

from . import sql
from .models import GenerationChunk, PaymentRun

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
def advisory_lock(second_key: int, *, shared: bool = False) -> Iterator[None]:
    """A session-level lock: held across the chunks' commits, released by PostgreSQL if we die.

    Shared, it is a sign of life that excludes nobody sharing it, only whoever asks for it exclusively.
    """
    mode = "_shared" if shared else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_lock{mode}(%s, %s)", [_lock_key(), second_key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_advisory_unlock{mode}(%s, %s)", [_lock_key(), second_key])


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


class Round:
    """The round of chunks a worker takes part in."""

    def __init__(self, number: int, *, anti_join: bool, planned_refresh: bool = False):
        self.number = number
        self.anti_join = anti_join
        self.planned_refresh = planned_refresh  # this worker planned it, as a refresh of a generated run


def _plan(run: PaymentRun, number: int, *, chunk_size: int, params: dict, anti_join: bool,
          refresh: bool = False) -> None:
    """The chunks of a round: id ranges of entitlements (regular runs) and one tail."""
    chunks, checked = [], 0
    if run.kind == PaymentRun.Kind.REGULAR:
        chunks = [GenerationChunk(run=run, round=number, part=GenerationChunk.Part.REGULAR, low=low, high=high,
                                  anti_join=anti_join)
                  for low, high in _id_chunks("benefits_entitlement", "TRUE", [], chunk_size)]
        # The month's bases, once, here: run by each chunk, the first chunk's uncommitted bases would
        # hold every other chunk's identical INSERT … ON CONFLICT until it committed.
        if chunks:
            _execute(sql.statement("basis"), params)
        if refresh and chunks:
            checked = _keys_present(chunks, params)
    chunks.append(GenerationChunk(run=run, round=number, part=GenerationChunk.Part.TAIL, low=0, high=0,
                                  anti_join=anti_join))
    GenerationChunk.objects.bulk_create(chunks)
    if checked:
        _progress(run, done=checked, lines=0, amount=0)


def _keys_present(chunks: list[GenerationChunk], params: dict) -> int:
    """A refresh's regular chunks whose every entitlement has its line, made done as planned (one
    statement checks every key of the run; the others are generated as usual); how many entitlements
    they hold. Their unpriced and zero figures are 0: like a chunk's own check in a refresh, they
    count the entitlements left without a line for that reason."""
    lows = [chunk.low for chunk in chunks]
    with connection.cursor() as cursor:
        # The planner takes the chunks for as many groups as entitlements: left to itself it spills
        # the hash to disk and stays in one process (2.8–3.6 s on a million keys at load 3.5, against
        # 1.7–2.1 s in memory on parallel workers). SET LOCAL: until _begin's transaction ends.
        for setting in ("work_mem = '64MB'", "parallel_setup_cost = 0", "parallel_tuple_cost = 0"):
            cursor.execute(f"SET LOCAL {setting}")
        cursor.execute(sql.statement("regular_keys"), {**params, "lows": lows, "lo": lows[0], "hi": chunks[-1].high})
        found = {place: (entitlements, missing) for place, entitlements, missing in cursor.fetchall()}
    now, participant, checked = timezone.now(), _participant(), 0
    for place, chunk in enumerate(chunks, start=1):
        entitlements, missing = found.get(place, (0, 0))
        if missing:
            continue
        chunk.done, chunk.done_at, chunk.done_by = True, now, participant
        chunk.figures = {"entitlements": entitlements, "unpriced": 0, "zero_amount": 0, "regular_lines": 0,
                         "held_lines": 0}
        checked += entitlements
    return checked


def _alone(period) -> bool:
    """Whether no other session holds the period's lock (workers hold it shared while they work)."""
    return not _fetchone(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND classid = %s AND objid = %s AND objsubid = 2)",
        [_lock_key() % 2**32, period_lock(period) % 2**32])[0]


def _begin(run: PaymentRun, *, monthly: list[str], one_off: list[str], chunk_size: int, params: dict,
           refresh: bool) -> tuple[PaymentRun, Round | None]:
    """The run locked into generating and the round this worker joins or plans; no round when a
    generated run is not to be refreshed (another worker finished it meanwhile)."""
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        latest = run.chunks.aggregate(latest=Max("round"))["latest"] or 0
        if run.status == PaymentRun.Status.GENERATED:
            if not refresh:
                return run, None
            # A refresh: line_count and total_amount are exact, each chunk having moved them with its
            # lines, and the last generation's count of records is the progress denominator.
            run.move_to(PaymentRun.Status.GENERATING, error="")
            PaymentRun.objects.filter(pk=run.pk).update(lines_done=0, error="", detail={})
            _plan(run, latest + 1, chunk_size=chunk_size, params=params, anti_join=True, refresh=True)
            return run, Round(latest + 1, anti_join=True, planned_refresh=True)
        if run.status not in (PaymentRun.Status.GENERATING, PaymentRun.Status.FAILED):
            raise ValidationError(
                _("Payment run %(run)s is %(status)s: its lines are final and cannot be generated again.")
                % {"run": run.pk, "status": run.get_status_display()}
            )
        failed = run.status == PaymentRun.Status.FAILED
        if failed:
            run.move_to(PaymentRun.Status.GENERATING, error="")
        if latest:
            # A round is open until its run is generated: join it. Nobody else at work in it (or the
            # run failed) means this worker picks up after an interruption; the chunks done stay done.
            if failed or _alone(run.period):
                PaymentRun.objects.filter(pk=run.pk).update(error="", detail={"resumed": True})
            anti_join = run.chunks.filter(round=latest).values_list("anti_join", flat=True).first()
            return run, Round(latest, anti_join=anti_join)
        # New: counted, the figures the control record will carry.
        fields = {"lines_done": 0, "error": ""}
        (fields["line_count"], fields["total_amount"], fields["held_count"],
         fields["held_amount"]) = _line_totals(run.pk)
        fields["lines_total"] = _candidates(run, monthly=monthly, one_off=one_off)
        # Lines of the period already there (an off-cycle run's month, lines older than chunks): each
        # chunk skips existing keys by anti-join. Otherwise ON CONFLICT alone guards the chunks.
        existing = _fetchone(
            "SELECT EXISTS (SELECT 1 FROM disbursement_paymentline WHERE line_type = 'regular' AND period = %(p)s "
            "AND run_id IN (SELECT id FROM disbursement_paymentrun WHERE period = %(p)s))", {"p": run.period})[0]
        fields["detail"] = {"resumed": True} if existing else {}
        PaymentRun.objects.filter(pk=run.pk).update(**fields)
        _plan(run, 1, chunk_size=chunk_size, params=params, anti_join=existing)
        return run, Round(1, anti_join=existing)


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


def _participant() -> str:
    # A Celery worker (solo or prefork pool) works in its process's main thread; threads of one process
    # (a threads pool, the benchmark) are told apart by their thread id.
    thread = "" if threading.current_thread() is threading.main_thread() else f"/{threading.get_native_id()}"
    return f"{socket.gethostname()}:{os.getpid()}{thread}"[:100]


def _work(run: PaymentRun, rnd: Round, part: str, process: Callable[[GenerationChunk], dict],
          report: Callable | None) -> bool:
    """Claim, process and mark done the round's chunks of `part` until none is left; False if the run
    stopped generating meanwhile (another worker's chunk failed it)."""
    chunks = GenerationChunk.objects.filter(run=run, round=rnd.number, part=part, done=False).order_by("low")
    while True:
        with transaction.atomic():
            if not PaymentRun.objects.filter(pk=run.pk, status=PaymentRun.Status.GENERATING).exists():
                return False
            # A free chunk; else wait for one another worker holds: it comes back done (skipped) or,
            # its worker dead, not done (ours). None at all: every chunk of the part is done.
            chunk = (chunks.select_for_update(skip_locked=True).first()
                     or chunks.select_for_update().first())
            if chunk is None:
                return True
            chunk.figures = process(chunk)
            chunk.done, chunk.done_at, chunk.done_by = True, timezone.now(), _participant()
            chunk.save(update_fields=["figures", "done", "done_at", "done_by"])
        if report:
            report(run)


def _regular_chunk(run: PaymentRun, params: dict) -> Callable[[GenerationChunk], dict]:
    amount = sql.amount_expr(programme="e.programme_id", standard="r.monthly", income="e.per_capita_income",
                             covered="e.covered_members", addon="e.addon_members")
    statements = {
        anti_join: (
            sql.statement("regular_check", amount=amount, existing=EXISTING_JOIN if anti_join else "",
                          missing="AND x.key_ref IS NULL" if anti_join else ""),
            sql.statement("regular", amount=amount, anti_join=ANTI_JOIN_REGULAR if anti_join else "",
                          totals=TOTALS),
        )
        for anti_join in (False, True)
    }

    def process(chunk: GenerationChunk) -> dict:
        check, insert = statements[chunk.anti_join]
        chunk_params = {**params, "lo": chunk.low, "hi": chunk.high}
        candidates, unpriced, zero, missing = _fetchone(check, chunk_params)
        if missing:
            if chunk.anti_join:
                _execute(sql.statement("basis"), chunk_params)
            lines, amount_sum, held, held_sum = _fetchone(insert, chunk_params)
        else:
            lines, amount_sum, held, held_sum = 0, 0, 0, 0
        _progress(run, done=candidates, lines=lines, amount=amount_sum, held=held, held_amount=held_sum)
        return {"entitlements": candidates, "unpriced": unpriced, "zero_amount": zero,
                "regular_lines": lines + held, "held_lines": held}

    return process


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


REGULAR_FIGURES = ("entitlements", "unpriced", "zero_amount", "regular_lines", "held_lines")


def _finish(run: PaymentRun, rnd: Round) -> tuple[PaymentRun, bool]:
    """Generated, in one transaction, once every chunk of the round is done; whether this worker did it."""
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        if run.status != PaymentRun.Status.GENERATING:
            return run, False  # another worker finished it (or failed it) first
        chunks = list(GenerationChunk.objects.filter(run=run, round=rnd.number).order_by("part", "low"))
        if not all(chunk.done for chunk in chunks):
            raise RuntimeError(f"run {run.pk} round {rnd.number}: a chunk is not done")
        regular = [chunk for chunk in chunks if chunk.part == GenerationChunk.Part.REGULAR]
        tail = next(chunk.figures for chunk in chunks if chunk.part == GenerationChunk.Part.TAIL)
        detail = {}
        if run.kind == PaymentRun.Kind.REGULAR:
            detail = {key: sum(chunk.figures.get(key, 0) for chunk in regular) for key in REGULAR_FIGURES}
            detail |= {"chunks": len(regular), "resumed": bool((run.detail or {}).get("resumed"))}
            detail["held_lines"] += tail.pop("held_lines", 0)
            detail["workers"] = len({chunk.done_by for chunk in chunks})
        detail |= tail
        # From the round's planning to its end: with several workers, no single one saw it all.
        detail["seconds"] = round((timezone.now() - min(chunk.planned_at for chunk in chunks)).total_seconds(), 3)
        run.move_to(PaymentRun.Status.GENERATED, lines_total=run.lines_done, finished_at=timezone.now(),
                    detail=detail)
    return run, True


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


def _tail(run: PaymentRun, params: dict, chunk_size: int, one_off: list[str],
          report: Callable | None) -> Callable[[GenerationChunk], dict]:
    def process(chunk: GenerationChunk) -> dict:
        if run.kind == PaymentRun.Kind.SUPPLEMENTARY:
            return _reissue_lines(run, params)
        if run.kind == PaymentRun.Kind.OFF_CYCLE:
            # One-offs only: the month's recurring lines and arrears are the regular run's.
            grants = _grant_lines(run, {**params, "programmes": one_off}, chunk_size, report)
            return grants
        back_pay = _back_pay_lines(run, params, chunk_size)
        grants = _grant_lines(run, {**params, "programmes": one_off}, chunk_size, report)
        arrears = _arrears_lines(run, params)
        held = back_pay.pop("held_lines") + grants.pop("held_lines") + arrears.pop("held_lines", 0)
        return back_pay | grants | arrears | {"held_lines": held}

    return process


def payment_run_generate(*, run: PaymentRun, chunk_size: int | None = None,
                         report: Callable[[PaymentRun], None] | None = None, refresh: bool = True) -> PaymentRun:
    """Generate (or resume, or refresh before approval) the lines of a run, or take part in its
    generation with other workers; returns the run, generated (or as another worker left it).

    `report(run)` is called after each chunk this worker did (progress for a command's output).
    `refresh=False`: a run found generated is left as it is (a worker that came to help, too late).
    """
    chunk_size = chunk_size or getattr(settings, "DISBURSEMENT_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)
    bureau = current_bureau()
    monthly = _programmes(payments=("monthly",))
    one_off = _programmes(payments=("monthly", "one_off"))
    params = {"run": run.pk, "period": run.period, "multiplier": bureau.tekun_multiplier,
              "share": bureau.classified_share, "programmes": monthly}
    with advisory_lock(period_lock(run.period), shared=True):
        run, rnd = _begin(run, monthly=monthly, one_off=one_off, chunk_size=chunk_size, params=params,
                          refresh=refresh)
        if rnd is None:
            return run
        finished = False
        try:
            if rnd.anti_join and not rnd.planned_refresh:
                # The anti-join probes the key once per entitlement only if the planner knows how many
                # lines the month has; lines written since the last statistics (another run of the
                # month, another worker) planned as "none", each probe would read every line of the month.
                # (A generated run's own lines were analysed when it finished.)
                _execute("ANALYZE disbursement_paymentline", [])
            if (_work(run, rnd, GenerationChunk.Part.REGULAR, _regular_chunk(run, params), report)
                    and _work(run, rnd, GenerationChunk.Part.TAIL, _tail(run, params, chunk_size, one_off, report),
                              None)):
                run, finished = _finish(run, rnd)
            else:
                run = PaymentRun.objects.get(pk=run.pk)
        except Exception as exc:
            _fail(run, exc)
            raise
    if not finished:
        return run
    written = sum(run.detail.get(key, 0) for key in ("regular_lines", "back_pay_lines", "grant_lines",
                                                     "arrears_lines", "reissued"))
    if written >= VACUUM_AFTER_LINES:
        _vacuum_lines()
    elif written:
        _execute("ANALYZE disbursement_paymentline", [])  # the statistics a refresh's anti-join plans with
    return run
