import os

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from apps.core.commands import bureau_arg, month_arg
from apps.core.jobs import job_run
from apps.demo.payments import demo_entitlements_ensure, demo_returns_csv
from apps.disbursement.bankfile import bank_file_save
from apps.disbursement.models import BankFileDownload, PaymentRun
from apps.disbursement.nightly import bank_files_dir
from apps.disbursement.returns import BankReturnRejected, bank_return_import
from apps.disbursement.services import payment_run_approve, payment_run_start


class Command(BaseCommand):
    help = ("The month's payment cycle of a bureau for `make demo`: the run started by <schema>-finance, "
            "approved by <schema>-approver, its bank file written to .run/bankfiles/<schema>/, a bank return "
            "with a few failures generated and imported. Idempotent: steps already done are skipped, a closed run is "
            "left as it is.")

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="schema name of the bureau")
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")
        parser.add_argument("--sample", type=int, default=24,
                            help="entitlements to create when the bureau has none paying in the month (default 24)")

    def handle(self, *args, tenant, period, sample, **options):
        bureau_arg(tenant)
        day = month_arg(period)
        User = get_user_model()
        with schema_context(tenant), job_run(job="disbursement.demo") as job:
            try:
                finance = User.objects.get(username=f"{tenant}-finance")
                approver = User.objects.get(username=f"{tenant}-approver")
            except User.DoesNotExist as exc:
                raise CommandError("run `bootstrap` first: the demo users are missing") from exc
            created = demo_entitlements_ensure(period=day, count=sample)
            if created:
                self.stdout.write(f"{tenant}: {created} demo entitlements created")
            run = PaymentRun.objects.filter(period=day, kind=PaymentRun.Kind.REGULAR).first()
            if run is not None and run.status == PaymentRun.Status.CLOSED:
                # The month's cycle went through before: no second bank file, no second return.
                self.stdout.write(f"{tenant} {day:%Y-%m}: run {run.pk} was paid and closed before; nothing changed")
                job.detail = {"run": run.pk, "status": run.status, "lines": run.line_count, "again": True}
                return
            try:
                if run is None or run.status in (PaymentRun.Status.GENERATING, PaymentRun.Status.FAILED):
                    run = payment_run_start(period=day, kind=PaymentRun.Kind.REGULAR, user=finance, background=False)
                self.stdout.write(f"{tenant} {day:%Y-%m}: run {run.pk} generated: {run.line_count} lines, "
                                  f"total {run.total_amount:,.2f} (started by {finance.username})")
                if run.status == PaymentRun.Status.GENERATED:
                    run = payment_run_approve(run=run, user=approver)
                    self.stdout.write(f"  approved by {approver.username}")
                folder = bank_files_dir()
                for fmt in ("csv", "xlsx"):
                    path = bank_file_save(run=run, user=finance, fmt=fmt, channel=BankFileDownload.Channel.COMMAND,
                                          folder=folder)
                    self.stdout.write(f"  bank file {path}")
                run.refresh_from_db()
                returns = demo_returns_csv(run=run)
                returns_path = os.path.join(folder, f"{tenant}-run{run.pk}-{day:%Y%m}-returns.csv")
                with open(returns_path, "wb") as handle:
                    handle.write(returns)
                record = bank_return_import(run=run, content=returns, file_name=os.path.basename(returns_path),
                                            user=finance)
            except BankReturnRejected as exc:
                raise CommandError("the generated return file was rejected:\n" + "\n".join(exc.record.errors)) from exc
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            run.refresh_from_db()
            if getattr(record, "duplicate", False):
                self.stdout.write(f"  bank return {returns_path} was imported before; nothing changed")
            else:
                self.stdout.write(f"  bank return {returns_path}: {record.paid_count} paid, "
                                  f"{record.failed_count} failed")
            self.stdout.write(self.style.SUCCESS(f"{tenant} {day:%Y-%m}: run {run.pk} is {run.get_status_display()}"))
            job.detail = {"run": run.pk, "status": run.status, "lines": run.line_count}
