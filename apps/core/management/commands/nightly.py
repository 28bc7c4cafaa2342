import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.commands import bureau_arg
from apps.core.nightly import run_nightly
from tenants.selectors import bureau_list


class Command(BaseCommand):
    help = "Run the nightly steps (life events, eligibility, reviews, exports, rollups) for bureaus."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--tenant", help="schema name of one bureau")
        group.add_argument("--all", action="store_true", help="every bureau")
        parser.add_argument("--today", help="the date to run as (YYYY-MM-DD); default today in Asia/Shanghai")

    def handle(self, *args, tenant=None, all=False, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--today {today!r} is not a date (YYYY-MM-DD)") from exc
        schemas = [bureau_arg(tenant).schema_name] if tenant else [b.schema_name for b in bureau_list()]
        for schema in schemas:
            with schema_context(schema):
                results = run_nightly(today=day)
            for step, detail in results.items():
                status = "FAILED" if "error" in detail else "ok"
                self.stdout.write(f"{schema}: {step}: {status} {detail}")
