import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Sum
from django_tenants.utils import schema_context

from apps.core.commands import bureau_arg, month_arg
from apps.core.jobs import job_run
from apps.core.permissions import recorded_user
from apps.disbursement.generation import payment_run_generate
from apps.disbursement.models import PaymentLine, PaymentRun
from apps.disbursement.services import payment_run_create, payment_run_monthly

from ._common import user_arg


class Command(BaseCommand):
    help = ("Generate a bureau's payment run for a month (the service the monthly Celery task calls): "
            "creates or resumes the regular run; prints progress and totals.")

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="schema name of the bureau")
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")
        parser.add_argument("--kind", choices=PaymentRun.Kind.values, default=PaymentRun.Kind.REGULAR,
                            help="regular (default; one a month, resumed if it exists), off_cycle or supplementary")
        parser.add_argument("--user", help="username recorded as the run's starter (off_cycle/supplementary)")
        parser.add_argument("--chunk-size", type=int, help="entitlements per chunk (default 100000)")
        parser.add_argument("--refresh", action="store_true",
                            help="regular run already generated (not approved): add the lines of what started "
                                 "paying since")

    def handle(self, *args, tenant, period, kind, user=None, chunk_size=None, refresh=False, **options):
        bureau_arg(tenant)
        day = month_arg(period)
        started = time.monotonic()

        def report(run):
            run = PaymentRun.objects.get(pk=run.pk)
            share = f" {100 * run.lines_done / run.lines_total:.0f}%" if run.lines_total else ""
            self.stdout.write(f"  run {run.pk}: {run.lines_done:,}/{run.lines_total:,}{share}, "
                              f"{run.line_count:,} lines, {run.total_amount:,.2f}, {time.monotonic() - started:.1f}s")

        with schema_context(tenant):
            try:
                with job_run(job="disbursement.run_disbursement") as job:
                    if kind == PaymentRun.Kind.REGULAR:
                        run = payment_run_monthly(period=day, chunk_size=chunk_size, report=report)
                        if refresh and run.status == PaymentRun.Status.GENERATED:
                            run = payment_run_generate(run=run, chunk_size=chunk_size, report=report)
                    else:
                        run, _ = payment_run_create(period=day, kind=kind, started_by=recorded_user(user_arg(user)))
                        run = payment_run_generate(run=run, chunk_size=chunk_size, report=report)
                    job.detail = {"run": run.pk, "lines": run.line_count, "total": f"{run.total_amount:.2f}"}
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stdout.write(self.style.SUCCESS(
                f"{tenant} {day:%Y-%m} run {run.pk} ({run.kind}): {run.status}, {run.line_count:,} lines, "
                f"total {run.total_amount:,.2f} in {time.monotonic() - started:.1f}s"))
            rows = (PaymentLine.objects.filter(run=run).exclude(status=PaymentLine.Status.CANCELLED)
                    .values("programme_id", "line_type").annotate(n=Count("id"), total=Sum("amount"))
                    .order_by("programme_id", "line_type"))
            for row in rows:
                self.stdout.write(f"  {row['programme_id']:<20} {row['line_type']:<8} {row['n']:>9,} "
                                  f"{row['total']:>16,.2f}")
            for key, value in (run.detail or {}).items():
                self.stdout.write(f"  {key}: {value}")
