import datetime

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.jobs import job_run
from apps.core.permissions import SYSTEM
from apps.demo.registry import child_welfare_records_from_population
from apps.pensions.models import EligibilityRun
from apps.pensions.services import eligibility_run
from tenants.seeds import BUREAU_SCHEMAS


class Command(BaseCommand):
    help = ("Demo data of the pensions app for a bureau whose synthetic population exists "
            "(generate_population, then the assistance demo): the care registry sized from the report, "
            "child-welfare records for the population's orphans, then one confirmed run of the eligibility "
            "engine — longevity, elderly service, disability and orphan entitlements in proportion to the report.")

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, choices=BUREAU_SCHEMAS)
        parser.add_argument("--today", help="run the engine as of this day (YYYY-MM-DD); default today")
        parser.add_argument("--no-registry", action="store_true", help="leave the care registry as it is")

    def handle(self, *args, tenant, today=None, no_registry=False, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--today {today!r} is not a date (YYYY-MM-DD)") from exc
        if not no_registry:
            call_command("pensions_demo_registry", tenant=tenant, stdout=self.stdout)
        with schema_context(tenant), job_run(job="pensions.demo") as job:
            children = child_welfare_records_from_population(since=day.replace(month=1, day=1))
            # The demo's engine run of the day is done once; a second `make demo` the same day adds no run.
            run = EligibilityRun.objects.filter(today=day, status=EligibilityRun.Status.SUCCEEDED).first()
            again = run is not None
            if not again:
                run = eligibility_run(today=day, confirm=True, user=SYSTEM)
            job.detail = {"child_welfare_records": children, "eligibility_run": run.pk, "again": again, **run.summary}
        if again:
            self.stdout.write(f"{tenant}: {children} child-welfare records; engine run {run.pk} as of {day} "
                              "was done before; not run again")
            return
        self.stdout.write(f"{tenant}: {children} child-welfare records; engine run {run.pk} as of {day}: "
                          f"{run.summary['changes']} changes {run.summary['by_programme']}")
