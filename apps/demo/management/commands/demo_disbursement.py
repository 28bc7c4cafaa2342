from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from apps.core.commands import bureau_arg, month_arg
from apps.core.jobs import job_run
from apps.demo.payments import demo_entitlements_ensure, demo_payment_cycle
from apps.disbursement.models import PaymentRun
from apps.disbursement.nightly import bank_files_dir
from apps.disbursement.returns import BankReturnRejected


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
            try:
                detail = demo_payment_cycle(schema=tenant, period=day, finance=finance, approver=approver,
                                            folder=bank_files_dir(), say=self.stdout.write)
            except BankReturnRejected as exc:
                raise CommandError("the generated return file was rejected:\n" + "\n".join(exc.record.errors)) from exc
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            run = PaymentRun.objects.get(pk=detail["run"])
            if not detail.get("again"):
                self.stdout.write(self.style.SUCCESS(f"{tenant} {day:%Y-%m}: run {run.pk} is {run.get_status_display()}"))
            job.detail = {"run": run.pk, "status": run.status, "lines": run.line_count,
                          **({"again": True} if detail.get("again") else {})}
