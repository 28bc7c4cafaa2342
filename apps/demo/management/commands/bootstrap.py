from django.core.management.base import BaseCommand, CommandError

from apps.demo.bootstrap import bootstrap
from tenants.seeds import BUREAU_SCHEMAS, SEEDS_DIR, SeedError, load_seed


class Command(BaseCommand):
    help = "Create the province (public schema), the bureaus from seeds/, their domains and demo logins. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", choices=BUREAU_SCHEMAS, help="bootstrap only these bureaus")
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args, only=None, quiet_logins=False, **options):
        try:
            seeds = [load_seed(SEEDS_DIR / f"{schema}.yaml") for schema in (only or BUREAU_SCHEMAS)]
        except SeedError as exc:
            raise CommandError(f"seeds are invalid:\n{exc}") from exc
        report = bootstrap(seeds=seeds)
        for line in report.created:
            self.stdout.write(f"  created   {line}")
        for line in report.conflicts:
            self.stdout.write(self.style.WARNING(f"  conflict  {line}"))
        self.stdout.write(
            self.style.SUCCESS(f"bootstrap: {len(report.created)} created, {len(report.unchanged)} already there")
        )
        if not quiet_logins:
            self.stdout.write("\nLogins:")
            for site, role, username, password in report.logins:
                self.stdout.write(f"  {site:<42} {role:<24} {username} / {password}")
