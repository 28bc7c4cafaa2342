"""The province's part of the demo, after every bureau is built: reference rows, a planted duplicate, rollups.

The duplicate (一人多保) is a person on dibao in 中山 whose ID number also draws 特困 in 广州; both sides
see it named on their workbench, the province sees the bureaus and programmes only. Idempotent.
"""

from django.core.management.base import BaseCommand

from apps.demo.province import plant_duplicate
from apps.province.seeding import reference_standards_load
from apps.province.services import bureau_rollup_write
from tenants.selectors import bureau_list


class Command(BaseCommand):
    help = "Load the province's reference standards, plant the demo duplicate, roll up every bureau."

    def handle(self, *args, **options):
        for line in reference_standards_load():
            self.stdout.write(f"   {line}")
        self.stdout.write(f"   {plant_duplicate()}")
        for bureau in bureau_list():
            result = bureau_rollup_write(schema_name=bureau.schema_name)
            self.stdout.write(
                f"   rollup {bureau.schema_name}: {result['standards']} standards, "
                f"{result['monthly']} monthly figures, {result['hashes']} hashes"
            )
