import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from apps.core.commands import bureau_arg
from apps.core.jobs import job_run
from apps.demo.synthetic.socialorgs import socialorgs_generate
from apps.socialorgs.selectors import indicators


class Command(BaseCommand):
    help = (
        "A bureau's social organisations at its report's size (apps.demo.synthetic.socialorgs): the registry, "
        "community filings, annual reports, the lists, ratings, major-event reports; then the indicators of "
        "the report year, computed from the tables. Once per bureau: a second run does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--as-of", help="the day the data reaches (YYYY-MM-DD); default today")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, tenant, as_of=None, seed=1, **options):
        bureau = bureau_arg(tenant)
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from exc
        started = time.monotonic()
        with schema_context(bureau.schema_name), job_run(job="socialorgs.demo") as run:
            result = socialorgs_generate(bureau=bureau, as_of=day, seed=seed)
            figures = indicators(year=bureau.report_year)
            run.detail = {key: value for key, value in result.items() if key != "plan"}
        if not result["created"]:
            self.stdout.write(f"{tenant}: {result['organisations']} organisations already there; nothing to do")
        else:
            self.stdout.write(
                f"{tenant}: {result['organisations']} organisations, {result['community_filings']} "
                f"community filings, {result['annual_reports']} annual reports, {result['listings']} "
                f"list entries, {result['ratings']} ratings in {time.monotonic() - started:.1f}s"
            )
            for note in result["plan"].notes:
                self.stdout.write(f"   assumed: {note}")
        self.stdout.write(
            f"   {bureau.report_year}: {figures['registered']} registered, {figures['community_filings']} community, "
            f"annual-report rate {figures['annual_report_rate']}%, {figures['abnormal_list']} on the abnormal list, "
            f"{figures['rated_3a_plus']} at 3A+, party coverage {figures['party_coverage']}%"
        )
