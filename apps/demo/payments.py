"""Demo data for `make demo`: a few paying entitlements where a bureau has none, and a bank's answer."""

from __future__ import annotations

import csv
import datetime
import io
import os
import tempfile
from decimal import Decimal

from django.db import transaction

from apps.benefits.models import Entitlement, Standard
from apps.benefits.services import entitlement_create
from apps.core.idcard import make_id_number
from apps.disbursement.bankfile import bank_file_save
from apps.disbursement.models import BankFileDownload, PaymentLine, PaymentRun
from apps.disbursement.returns import bank_return_import
from apps.disbursement.rules import FAILURE_REASONS, control_record
from apps.disbursement.services import payment_run_approve, payment_run_start
from apps.people.models import Person, Town
from apps.people.services import household_create, household_member_add, person_create
from tenants.selectors import current_bureau

DEMO_SOURCE = "disbursement.demo"


@transaction.atomic
def demo_entitlements_ensure(*, period: datetime.date, count: int) -> int:
    """Give a bureau without any paying entitlement `count` deterministic ones; returns how many were created.

    Only dibao and 特困 (from applications the demo did not make, so no eligibility engine revisits
    them), with the standards in force in the period, so every entitlement pays.
    """
    paying = Entitlement.objects.filter(status="active", start_period__lte=period).exclude(end_period__lt=period)
    if count <= 0 or paying.exists():
        return 0
    in_force = set(Standard.objects.filter(effective_from__lte=period).values_list("programme_id", "variant"))
    dibao_variant = next((v for v in ("unified", "urban", "rural") if ("dibao", v) in in_force), None)
    tekun = sorted(v for p, v in in_force if p == "tekun")
    if not tekun and dibao_variant == "unified":
        tekun = ["unified"]  # derived from the unified dibao standard
    others = [("tekun", variant) for variant in tekun]
    towns = list(Town.objects.order_by("id")[:3])
    if not towns or (dibao_variant is None and not others):
        return 0
    bureau = current_bureau()
    area = bureau.area_code or (bureau.id_area_codes or ["110101"])[0]
    created = 0
    for i in range(count):
        town = towns[i % len(towns)]
        birth = datetime.date(1940 + i % 50, 1 + i % 12, 1 + i % 28)
        gender = "M" if i % 2 else "F"
        number = make_id_number(town.area_code or area, birth, i, gender)
        person = Person.objects.filter(id_number=number).first() or person_create(
            id_number=number, name=f"示例{i + 1:03d}", hukou_class="urban", town=town,
            bank_account=f"6222{bureau.pk:03d}{i:012d}", bank_name="中国农业银行")
        start = period.replace(month=1) if period.month > 1 else period
        if dibao_variant and (i % 3 == 0 or not others):
            household = household_create(code=f"DEMO-{bureau.schema_name}-{i:04d}", town=town, hukou_class="urban")
            household_member_add(household=household, person=person, relation="head")
            entitlement_create(programme="dibao", variant=dibao_variant, household=household, payee_person=person,
                               per_capita_income=Decimal(100 * (i % 4)), covered_members=1 + i % 3,
                               addon_members=i % 2, start_period=start, source=DEMO_SOURCE)
        else:
            programme, variant = others[i % len(others)]
            entitlement_create(programme=programme, variant=variant, person=person, payee_person=person,
                               start_period=start, source=DEMO_SOURCE)
        created += 1
    return created


def demo_returns_csv(*, run: PaymentRun, fail_every: int = 10) -> bytes:
    """The bank's answer to a run, deterministic: every `fail_every`-th line (4th, 14th, …) fails."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["明细编号", "账号", "金额", "结果", "失败原因", "银行流水号", "入账日期"])
    posted = run.period.replace(day=5)
    count, total, failures = 0, Decimal("0.00"), 0
    unsent = [PaymentLine.Status.CANCELLED, PaymentLine.Status.HELD]
    lines = (PaymentLine.objects.filter(run=run).exclude(status__in=unsent).order_by("id")
             .values_list("id", "bank_account", "amount"))
    for index, (line_id, account, amount) in enumerate(lines.iterator(chunk_size=5000)):
        failed = index % fail_every == 3
        reason = FAILURE_REASONS[failures % len(FAILURE_REASONS)] if failed else ""
        failures += failed
        writer.writerow([line_id, account, f"{amount:.2f}", "失败" if failed else "成功", reason,
                         "" if failed else f"DEMO{run.pk:04d}{line_id:010d}", posted.isoformat()])
        count += 1
        total += amount
    writer.writerow(control_record(run_id=run.pk, count=count, total=total))
    return ("\ufeff" + out.getvalue()).encode()


def demo_payment_cycle(*, schema: str, period: datetime.date, finance, approver, folder: str | None,
                       fail_every: int = 10, say=lambda text: None) -> dict:
    """A month's payment cycle through the disbursement services: started by `finance`, approved by
    `approver`, its bank file exported, the bank's answer (every `fail_every`-th line fails) imported.

    `folder` keeps the bank files (CSV and XLSX) and the return; None (the months of the past) writes
    the CSV into a scratch folder that is removed. A closed run is left as it is. Raises
    BankReturnRejected or ValidationError as the services do.
    """
    run = PaymentRun.objects.filter(period=period, kind=PaymentRun.Kind.REGULAR).first()
    if run is not None and run.status == PaymentRun.Status.CLOSED:
        say(f"{schema} {period:%Y-%m}: run {run.pk} was paid and closed before; nothing changed")
        return {"run": run.pk, "status": run.status, "lines": run.line_count, "again": True}
    if run is None or run.status in (PaymentRun.Status.GENERATING, PaymentRun.Status.FAILED):
        run = payment_run_start(period=period, kind=PaymentRun.Kind.REGULAR, user=finance, background=False)
    say(f"{schema} {period:%Y-%m}: run {run.pk} generated: {run.line_count} lines, total {run.total_amount:,.2f} "
        f"(started by {finance.username})")
    if run.status == PaymentRun.Status.GENERATED:
        run = payment_run_approve(run=run, user=approver)
        say(f"  approved by {approver.username}")
    with tempfile.TemporaryDirectory(prefix="demo-bankfile-") as scratch:
        for fmt in ("csv", "xlsx") if folder else ("csv",):
            path = bank_file_save(run=run, user=finance, fmt=fmt, channel=BankFileDownload.Channel.COMMAND,
                                  folder=folder or scratch)
            if folder:
                say(f"  bank file {path}")
    run.refresh_from_db()
    returns = demo_returns_csv(run=run, fail_every=fail_every)
    name = f"{schema}-run{run.pk}-{period:%Y%m}-returns.csv"
    if folder:
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(returns)
    record = bank_return_import(run=run, content=returns, file_name=name, user=finance)
    run.refresh_from_db()
    if getattr(record, "duplicate", False):
        say(f"  bank return {name} was imported before; nothing changed")
    else:
        say(f"  bank return {name}: {record.paid_count} paid, {record.failed_count} failed")
    return {"run": run.pk, "status": run.status, "lines": run.line_count, "returns": name}
