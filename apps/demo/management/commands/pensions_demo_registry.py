from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django_tenants.utils import schema_context

from apps.core.jobs import job_run
from apps.demo.registry import registry_demo_populate
from apps.pensions.selectors import registry_totals
from tenants.seeds import BUREAU_SCHEMAS, SEEDS_DIR, load_seed

KEYS = ["care_institutions", "care_beds", "care_nursing_beds", "care_institutions_public_star_rated",
        "meal_sites", "meal_sites_star_rated", "meals_served"]


class Command(BaseCommand):
    help = ("Create demo care institutions and meal sites whose totals are the bureau's reported ones "
            "(seed statistics care_institutions, care_beds, care_nursing_beds, meal_sites). Deterministic; "
            "re-running creates only what is missing and deletes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, choices=BUREAU_SCHEMAS)

    def handle(self, *args, tenant, **options):
        seed = load_seed(SEEDS_DIR / f"{tenant}.yaml")
        year = seed.bureau["report_year"]
        statistics = {}
        for key in KEYS:
            # The report year's figure; a key reported for another year only (海丰's meal sites) still counts.
            rows = [r for r in seed.data["statistics"] if r["key"] == key]
            rows.sort(key=lambda r: (r["period"] != year, -r["period"]))
            statistics[key] = rows[0]["value"] if rows else None
        with schema_context(tenant):
            if connection.schema_name != tenant:
                raise CommandError(f"no schema {tenant}")
            with job_run(job="pensions.demo_registry") as run:
                run.detail = registry_demo_populate(statistics=statistics)
            totals = registry_totals()
        missing = [k for k in ("care_institutions", "care_beds", "care_nursing_beds", "meal_sites")
                   if statistics.get(k) is None]
        self.stdout.write(
            f"{tenant}: {totals['institutions']} institutions, {totals['beds']} beds, {totals['nursing_beds']} nursing "
            f"beds ({totals['nursing_share'] if totals['nursing_share'] is not None else '-'}%), "
            f"{totals['meal_sites']} meal sites")
        if missing:
            self.stdout.write(f"  not reported by {tenant} (left at 0): {', '.join(missing)}")
