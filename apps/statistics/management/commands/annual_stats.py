from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django_tenants.utils import schema_context

from apps.core.commands import bureau_arg
from apps.core.permissions import SYSTEM
from apps.statistics import labels, selectors
from apps.statistics.services import annual_snapshot_compute


class Command(BaseCommand):
    help = (
        "Compute and store a bureau's annual statistics (年度统计) for a year from its own tables, and "
        "print them beside the figures its report quotes (--fidelity)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="schema name of the bureau")
        parser.add_argument("--year", required=True, type=int, help="the calendar year, e.g. 2024")
        parser.add_argument("--fidelity", action="store_true", help="also print the comparison with the report")

    def handle(self, *args, tenant, year, **options):
        bureau_arg(tenant)
        if not 2000 <= year <= 2100:
            raise CommandError(f"--year {year} is not a year this system keeps (2000-2100)")
        with schema_context(tenant), translation.override("zh-hans"):
            snapshot = annual_snapshot_compute(year=year, user=SYSTEM)
            for figure in snapshot.figures.all():
                value = "—" if figure.value is None else f"{figure.value.normalize():f}"
                self.stdout.write(f"{figure.key:48} {value:>16} {figure.unit:22} {figure.label}")
            self.stdout.write(self.style.SUCCESS(f"{tenant} {year}: {snapshot.figures.count()} figures stored"))
            if options.get("fidelity"):
                self.stdout.write("\nkey | computed | reported | difference | % | status | reason for the gap")
                rows = selectors.fidelity(year=year)
                for line in fidelity_lines(rows):
                    self.stdout.write(line)
                unexplained = selectors.unexplained_gaps(rows)
                if unexplained:
                    self.stderr.write(
                        self.style.WARNING(
                            f"{tenant} {year}: {len(unexplained)} figures outside the tolerance without a reason: "
                            + ", ".join(row.key for row in unexplained)
                        )
                    )


def fidelity_lines(rows: list[selectors.FidelityRow]):
    for row in rows:
        if row.status == "not_reported":
            continue
        status = f"{row.status}: {row.reason}" if row.reason else row.status
        if row.note and row.reason:
            status += f" ({row.note})"
        cells = (
            row.key,
            labels.plain(row.computed, row.unit),
            labels.plain(row.reported, row.reported_unit),
            labels.plain(row.difference, row.reported_unit),
            labels.plain(row.percent, "percent"),
            status,
            row.gap_reason or ("NO REASON GIVEN" if row.unexplained else ""),
        )
        yield " | ".join("—" if cell is None else str(cell) for cell in cells)
