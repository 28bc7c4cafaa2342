"""The disbursement's nightly steps (settings.NIGHTLY_STEPS): `step(*, today) -> dict`."""

from __future__ import annotations

import datetime
import os

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from apps.core.permissions import SYSTEM

from . import sql
from .bankfile import bank_file_save
from .generation import advisory_lock, advisory_lock_free, payment_run_generate, period_lock
from .models import BankFileDownload, PaymentRun
from .selectors import recovery_totals
from .services import payment_run_create


def bank_files_dir() -> str:
    """Where exported bank files are written for the bank interface, one folder per bureau (env or settings
    DISBURSEMENT_BANKFILES_DIR, default .run/bankfiles)."""
    base = (os.environ.get("DISBURSEMENT_BANKFILES_DIR")
            or getattr(settings, "DISBURSEMENT_BANKFILES_DIR", None)
            or os.path.join(settings.BASE_DIR, ".run", "bankfiles"))
    return os.path.join(str(base), connection.schema_name)


def export_approved_runs(*, today: datetime.date) -> dict:
    """Approved runs leave for the bank: their CSV bank file is written and the runs become exported."""
    files = []
    for run in PaymentRun.objects.filter(status=PaymentRun.Status.APPROVED).order_by("id"):
        files.append(bank_file_save(run=run, user=SYSTEM, fmt=BankFileDownload.Format.CSV,
                                    channel=BankFileDownload.Channel.NIGHTLY, folder=bank_files_dir()))
    return {"exported": len(files), "files": files}


def recovery_listing(*, today: datetime.date) -> dict:
    """How much is on the recovery (追回) list tonight, and how many overpayments await a decision."""
    return recovery_totals(user=None)


def resume_stalled_runs(*, today: datetime.date) -> dict:
    """Runs left generating by a worker that died and whose task is gone are generated to the end.

    Each worker generating a run holds its period's advisory lock (shared) for as long as it lives; a
    generating run whose lock is free has nobody working on it.
    """
    resumed = []
    for run in PaymentRun.objects.filter(status=PaymentRun.Status.GENERATING).order_by("id"):
        if advisory_lock_free(period_lock(run.period)):
            run = payment_run_generate(run=run, refresh=False)
            resumed.append(run.pk)
    return {"resumed": resumed}


def lines_cancel_ended(*, today: datetime.date | None = None) -> dict:
    """Unsent lines of months their entitlement no longer pays (a death, a stop) are cancelled.

    Reached at once by the task a recorded death sends (by name) and every night as a safety net;
    set-based and idempotent. Paid lines of those months are the recovery list (selectors.recovery_list).
    """
    reason = _("the entitlement no longer pays this month (death or stop)")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.statement("cancel_ended"), {"reason": reason})
        lines, amount, _events, runs = cursor.fetchone()
    return {"cancelled": lines, "amount": f"{amount:.2f}", "runs": runs, **recovery_totals(user=None)}


def _offcycle_candidates() -> list[datetime.date]:
    """The months of approved one-off grants not yet on any line."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT g.period FROM benefits_grant g WHERE g.status = 'pending' AND g.amount > 0 "
            # The grant line's exactly-once key, as grants.sql probes it.
            "AND NOT EXISTS (SELECT 1 FROM disbursement_paymentline x WHERE x.key_ref = g.id AND x.period = g.period "
            "AND x.line_type = 'grant' AND x.programme_id = g.programme_id AND x.key_variant = 0) ORDER BY 1")
        return [row[0] for row in cursor.fetchall()]


def supplementary_runs(*, today: datetime.date) -> dict:
    """补发 does not wait for someone to start it (SPEC §5): each night, every month with failed lines
    whose account has since been corrected, or held lines whose payee now has one, gets a supplementary
    run of that month, generated and left for the approver; a supplementary run of the month still
    waiting for approval is refreshed instead. Each line is re-issued at most once (the re-issue's key
    is the original line); nothing ready creates nothing."""
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {sql.reissue_ready(one_month=False)} "
                       "SELECT DISTINCT period FROM ready WHERE corrected AND NOT reissued ORDER BY 1")
        periods = [row[0] for row in cursor.fetchall()]
    return _runs_for(periods, kind=PaymentRun.Kind.SUPPLEMENTARY)


def offcycle_runs(*, today: datetime.date) -> dict:
    """One-offs do not wait for the month (SPEC §5): each night the approved grants not yet on a line
    go into an off-cycle run of their month of approval, generated and left for the approver (the next
    night exports it once approved). A month whose off-cycle run still waits for approval gets its
    new grants added to that run (a refresh); nothing to pay creates nothing. Exactly-once as any run:
    the period's advisory lock and the grant line's unique key."""
    return _runs_for(_offcycle_candidates(), kind=PaymentRun.Kind.OFF_CYCLE)


def _runs_for(periods: list[datetime.date], *, kind: str) -> dict:
    """A run of `kind` generated for each period: the period's run of that kind still waiting for
    approval is refreshed, else a new one is created."""
    made, refreshed = [], []
    for period in periods:
        with advisory_lock(period_lock(period)):
            waiting = (PaymentRun.objects.filter(kind=kind, period=period,
                                                 status__in=[PaymentRun.Status.GENERATING, PaymentRun.Status.GENERATED,
                                                             PaymentRun.Status.FAILED])
                       .order_by("id").first())
            if waiting is None:
                waiting, _created = payment_run_create(period=period, kind=kind)
                made.append(waiting.pk)
            else:
                refreshed.append(waiting.pk)
            payment_run_generate(run=waiting)
    return {"created": made, "refreshed": refreshed}
