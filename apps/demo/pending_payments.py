"""Demo: payments left for finance and the approver to act on, after the month's run was paid and closed.

- Some lines lack accounts: the generated population leaves about 3 in 10 payees without a bank account,
  so the month's run holds their lines. A bureau whose payees all have one gets a few one-off grants
  (临时救助) for payees without an account, in an off-cycle run: held there.
- Finance completes two held payees' accounts and corrects two failed payees' accounts, each approved by
  the approver (maker-checker, through apps.people's services), and starts the month's supplementary
  run, which re-issues those lines and waits for the approver.

Idempotent: once the month has a supplementary or off-cycle run, nothing more is done.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.benefits.services import grant_create
from apps.core.idcard import make_id_number
from apps.disbursement.models import PaymentLine, PaymentRun
from apps.disbursement.selectors import payment_line_outstanding
from apps.disbursement.services import payment_run_start
from apps.people.models import Person, Town
from apps.people.services import bank_account_change_approve, bank_account_change_request, person_create
from tenants.selectors import current_bureau

DEMO_SOURCE = "demo.pending_payments"
GRANTS = 5  # the fallback's grants: the first three payees have no account
CORRECTIONS = 2  # held and failed payees whose account is completed or corrected


def _users(schema: str):
    User = get_user_model()
    return User.objects.get(username=f"{schema}-finance"), User.objects.get(username=f"{schema}-approver")


def _account(line_id: int) -> str:
    return f"6217{current_bureau().pk % 1000:03d}{line_id % 10**12:012d}"


def _complete_accounts(*, status: str, period: datetime.date, finance, approver) -> int:
    """Give the payees of the first held (or failed) lines of the month a new account, maker-checker."""
    done = 0
    lines = (
        payment_line_outstanding(user=None, status=status, period=period)
        .filter(payee_person__isnull=False)
        .order_by("id")[:CORRECTIONS]
    )
    for line in lines:
        person = Person.objects.get(pk=line.payee_person_id)
        change = bank_account_change_request(
            payee=person, user=finance, bank_account=_account(line.pk), bank_name="中国建设银行", reason="演示数据"
        )
        if change is not None:
            bank_account_change_approve(change=change, user=approver, note="演示数据")
            done += 1
    return done


def _grants_without_accounts(*, period: datetime.date, finance) -> int:
    towns = list(Town.objects.order_by("id")[:GRANTS])
    if not towns:
        return 0
    bureau = current_bureau()
    area = bureau.area_code or (bureau.id_area_codes or ["110101"])[0]
    for i in range(GRANTS):
        town = towns[i % len(towns)]
        number = make_id_number(town.area_code or area, datetime.date(1955, 1 + i, 10 + i), 450 + i, "F")
        has_account = i >= 3
        person = Person.objects.filter(id_number=number).first() or person_create(
            id_number=number,
            name=f"待补账号{i + 1}",
            hukou_class="urban",
            town=town,
            bank_account=f"6222{bureau.pk % 1000:03d}{900 + i:012d}" if has_account else "",
            bank_name="中国农业银行" if has_account else "",
        )
        grant_create(
            programme="temporary",
            amount=Decimal(500 + 100 * i),
            period=period,
            person=person,
            payee_person=person,
            reason="演示数据",
            source=f"{DEMO_SOURCE}.{period:%Y%m}.{i}",
            user=finance,
        )
    return GRANTS


@transaction.atomic
def demo_pending_payments(*, schema: str, period: datetime.date) -> dict:
    """Leave the month with held lines and one run waiting for approval; returns what was done."""
    existing = PaymentRun.objects.filter(
        period=period, kind__in=[PaymentRun.Kind.SUPPLEMENTARY, PaymentRun.Kind.OFF_CYCLE]
    ).first()
    if existing is not None:
        return {"run": existing.pk, "kind": existing.kind, "status": existing.status, "again": True}
    finance, approver = _users(schema)
    held = payment_line_outstanding(user=None, status=PaymentLine.Status.HELD, period=period).count()
    if held:
        completed = _complete_accounts(
            status=PaymentLine.Status.HELD, period=period, finance=finance, approver=approver
        )
        corrected = _complete_accounts(
            status=PaymentLine.Status.FAILED, period=period, finance=finance, approver=approver
        )
        run = payment_run_start(period=period, kind=PaymentRun.Kind.SUPPLEMENTARY, user=finance, background=False)
        return {
            "run": run.pk,
            "kind": run.kind,
            "status": run.status,
            "held": held,
            "completed": completed,
            "corrected": corrected,
            "lines": run.line_count,
        }
    grants = _grants_without_accounts(period=period, finance=finance)
    run = payment_run_start(period=period, kind=PaymentRun.Kind.OFF_CYCLE, user=finance, background=False)
    return {
        "run": run.pk,
        "kind": run.kind,
        "status": run.status,
        "grants": grants,
        "lines": run.line_count,
        "held": run.held_count,
    }
