import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.jobs import job_run
from apps.core.permissions import SYSTEM
from apps.pensions.services import eligibility_run
from tenants.seeds import BUREAU_SCHEMAS


class Command(BaseCommand):
    help = "Run the pensions eligibility engine (政策主动找人) for a bureau, as the nightly job does."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, choices=BUREAU_SCHEMAS)
        parser.add_argument("--today", help="run as of this day (YYYY-MM-DD); default today in Asia/Shanghai")
        confirm = parser.add_mutually_exclusive_group()
        confirm.add_argument("--confirm", dest="confirm", action="store_true", default=None,
                             help="confirm and apply every change now, whatever the bureau's setting")
        confirm.add_argument("--no-confirm", dest="confirm", action="store_false",
                             help="leave every change pending for staff, whatever the bureau's setting")

    def handle(self, *args, tenant, today=None, confirm=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--today {today!r} is not a date (YYYY-MM-DD)") from exc
        with schema_context(tenant), job_run(job="pensions.eligibility_run") as job:
            run = eligibility_run(today=day, confirm=confirm, user=SYSTEM)
            job.detail = {"eligibility_run": run.pk, **run.summary}
        self.stdout.write(f"{tenant}: run {run.pk} as of {day}: {run.summary}")
