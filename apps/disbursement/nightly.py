"""The disbursement's nightly steps (settings.NIGHTLY_STEPS): `step(*, today) -> dict`."""

from __future__ import annotations

import datetime
import os

from django.conf import settings
from django.db import connection

from apps.core.permissions import SYSTEM

from .bankfile import bank_file_save
from .generation import advisory_lock_free, payment_run_generate, period_lock
from .models import BankFileDownload, PaymentRun
from .selectors import recovery_totals


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

    A generation holds its period's advisory lock for as long as it lives; a generating run whose
    lock is free has nobody working on it.
    """
    resumed = []
    for run in PaymentRun.objects.filter(status=PaymentRun.Status.GENERATING).order_by("id"):
        if advisory_lock_free(period_lock(run.period)):
            run = payment_run_generate(run=run)
            resumed.append(run.pk)
    return {"resumed": resumed}
