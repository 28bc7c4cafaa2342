from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from apps.core.jobs import job_run
from apps.demo.synthetic.deaths import generate_deaths
from tenants.seeds import BUREAU_SCHEMAS


class Command(BaseCommand):
    help = (
        "The deaths of the bureau's report year at scale 1 (whatever the population's scale), with their "
        "cremations, exemptions, fee waivers and eco-burial subsidies adding up to the report; their grants "
        "wait for the next payment run. demo_report_year makes them before the year's months (so that the "
        "year's runs pay them); a year that already has deaths is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, choices=BUREAU_SCHEMAS)

    def handle(self, *args, tenant, **options):
        with schema_context(tenant), job_run(job="burial.demo") as job:
            job.detail = generate_deaths(schema=tenant)
        self.stdout.write(f"{tenant}: {job.detail}")
