import datetime
import json
import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django_tenants.utils import tenant_context
from tqdm import tqdm

from apps.core.commands import bureau_arg
from apps.core.jobs import job_run
from apps.demo.caseload import CaseloadWorkerDied, candidate_count, demo_caseload, demo_caseload_processes


class Command(BaseCommand):
    help = """Take the synthetic population's assistance groups (generate_population's markers: dibao,
dibao_marginal, hardship_expense households; tekun persons) through the real application workflow:
application, acceptance, investigation (income from each member's declared income), check, 8 days of
publicity, approval by the bureau's approver. Approvals are dated over the 150 days before --as-of.

Each application is its own transaction; one that a rule refuses is counted with the reason and the
run goes on. Running it again creates nothing: a candidate with an application is skipped.
--workers N shares the candidates among N processes by id (no two touch the same household)."""

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="the bureau's schema, e.g. zhongshan")
        parser.add_argument("--limit", type=int, help="at most this many applications (per worker)")
        parser.add_argument("--as-of", help="date the approvals before this day (YYYY-MM-DD; default today)")
        parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1),
                            help="processes (default: up to 4)")

    def handle(self, *args, tenant, limit=None, as_of=None, workers=1, **options):
        bureau = bureau_arg(tenant)
        if limit is not None and limit < 0:
            raise CommandError("--limit must not be negative")
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else datetime.date.today()
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
        if day > datetime.date.today():
            raise CommandError(f"--as-of {day} is in the future")
        # One schema for the whole run: set search_path once per connection, not before every query.
        with override_settings(TENANT_LIMIT_SET_CALLS=True), tenant_context(bureau):
            total = candidate_count(None if limit is None else limit * workers)
            started = time.monotonic()
            bar = tqdm(total=total, unit="applications", disable=options["verbosity"] < 1 or total == 0,
                       file=self.stderr._out if hasattr(self.stderr, "_out") else None)
            with job_run(job="assistance_demo_caseload") as run:
                if workers == 1 or total < 50:
                    report = demo_caseload(schema=tenant, limit=limit, as_of=day, progress=bar.update).as_dict()
                else:
                    try:
                        report = demo_caseload_processes(schema=tenant, limit=limit, as_of=day, workers=workers,
                                                         progress=bar.update)
                    except CaseloadWorkerDied as exc:
                        raise CommandError(str(exc)) from exc
                elapsed = time.monotonic() - started
                run.detail = {**report, "candidates": total, "workers": workers, "seconds": round(elapsed, 1)}
            bar.close()
        done = sum(report["approved"].values()) + sum(report["rejected"].values())
        rate = done / elapsed * 60 if elapsed else 0
        self.stdout.write(f"{tenant}: {done} applications decided in {elapsed:.0f}s ({rate:.0f} a minute, "
                          f"{workers} worker{'s' if workers > 1 else ''})")
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        if report["refused"]:
            self.stderr.write(self.style.WARNING(f"{sum(report['refused'].values())} refused by a rule (see above)"))
