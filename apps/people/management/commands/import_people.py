from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from apps.core.commands import bureau_arg
from apps.core.jobs import job_run
from apps.people.importing import people_import, write_template


class Command(BaseCommand):
    help = ("Import persons and households from an .xlsx workbook (one row per person, grouped by 户编号) into a "
            "bureau. Every row is checked first; if any fails, nothing is imported and every problem is listed. "
            "--template FILE writes an empty workbook with the columns.")

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="the bureau's schema, e.g. zhongshan")
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--template", action="store_true", help="write an empty workbook to FILE and stop")

    def handle(self, *args, tenant, file, template=False, **options):
        if template:
            write_template(file)
            self.stdout.write(f"wrote {file}")
            return
        if not Path(file).is_file():
            raise CommandError(f"{file}: no such file")
        bureau = bureau_arg(tenant)
        with tenant_context(bureau):
            with job_run(job="import_people") as run:
                result = people_import(file=file, source=Path(file).name)
                run.detail = {"file": Path(file).name, "rows": result.rows, "errors": len(result.errors),
                              "persons": result.persons_created, "households": result.households_created}
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} problem(s) in {result.rows} rows: nothing was imported")
        self.stdout.write(self.style.SUCCESS(
            f"{bureau.schema_name}: {result.rows} rows: {result.persons_created} persons created, "
            f"{result.persons_linked} registered persons added to households, {result.households_created} households, "
            f"{result.communities_created} communities; {result.seconds:.1f}s"))
