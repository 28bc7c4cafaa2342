import datetime
import json
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.benefits.rules import add_months, first_of_month
from apps.core.commands import bureau_arg
from apps.core.jobs import job_run
from apps.demo.caseload import demo_caseload_bulk
from apps.demo.models import SyntheticPopulation
from apps.demo.reportyear import report_year_live, report_year_plan
from apps.disbursement.returns import BankReturnRejected


class Command(BaseCommand):
    help = """Live a bureau's report year (Bureau.report_year) month by month, then the months up to the
one before this month: the synthetic population's caseload approved through the workflow's bulk path
(apps.assistance.bulk: the same rules and rows, set-based) on the days the plan gives (the carried caseload in the half-year before, the report's new cases over the
year), planned stops and due reviews, the eligibility engine each quarter, and every month's payment
run started, approved, exported and answered by the bank. Needs generate_population and bootstrap;
idempotent (a second run finds everything done)."""

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="the bureau's schema, e.g. zhongshan")
        parser.add_argument("--plan", action="store_true", help="print the year's plan and stop")

    def handle(self, *args, tenant, plan=False, **options):
        bureau = bureau_arg(tenant)
        if not bureau.report_year:
            raise CommandError(f"{tenant} has no report year")
        until = add_months(first_of_month(timezone.localdate()), -1)
        started = time.monotonic()
        with override_settings(TENANT_LIMIT_SET_CALLS=True), tenant_context(bureau):
            if not SyntheticPopulation.objects.exists():
                raise CommandError(f"{tenant} has no synthetic population: run generate_population first")
            year_plan = report_year_plan(bureau=bureau)
            if plan:
                self.stdout.write(json.dumps(year_plan.summary(), indent=2))
                return

            def approve(day: datetime.date) -> dict:
                report = demo_caseload_bulk(schema=tenant, as_of=day, approvals=year_plan.approval).as_dict()
                for reason, count in report["refused"].items():
                    self.stderr.write(self.style.WARNING(f"{tenant} by {day}: {count} refused: {reason}"))
                return {**report["approved"], **{f"rejected {k}": v for k, v in report["rejected"].items()}}

            with job_run(job="demo.report_year") as run:
                try:
                    detail = report_year_live(
                        bureau=bureau,
                        plan=year_plan,
                        approve=approve,
                        until=until,
                        say=self.stdout.write if options["verbosity"] > 1 else lambda t: None,
                    )
                except BankReturnRejected as exc:
                    raise CommandError(
                        "a generated return file was rejected:\n" + "\n".join(exc.record.errors)
                    ) from exc
                except ValidationError as exc:
                    raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
                detail["seconds"] = round(time.monotonic() - started, 1)
                run.detail = detail
        totals = detail["totals"]
        self.stdout.write(
            f"{tenant}: report year {year_plan.year} lived: {totals.get('decided', 0)} applications "
            f"decided, {totals.get('runs', 0)} monthly runs to {until:%Y-%m} "
            f"({totals.get('runs_again', 0)} done before) in {detail['seconds']:.0f}s"
        )
        self.stdout.write(json.dumps(detail, ensure_ascii=False, default=str))
