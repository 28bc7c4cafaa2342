import datetime
import json
import multiprocessing
import os
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test.utils import override_settings
from django_tenants.utils import tenant_context
from tqdm import tqdm

from apps.core.commands import bureau_arg
from apps.core.jobs import job_run
from apps.demo.caseload import candidate_count, demo_caseload
from tenants.models import Bureau


def _worker(schema: str, limit, as_of, shard, counter, results) -> None:
    """One process of the run: its own connection, its share of the candidates."""
    connections.close_all()
    bureau = Bureau.objects.get(schema_name=schema)

    def tick(n: int) -> None:
        with counter.get_lock():
            counter.value += n

    with tenant_context(bureau):
        report = demo_caseload(schema=schema, limit=limit, as_of=as_of, progress=tick, shard=shard)
    results.put(report.as_dict())
    connections.close_all()


def _merge(reports: list[dict]) -> dict:
    merged: dict = {"approved": Counter(), "rejected": Counter(), "refused": Counter(), "skipped_existing": 0,
                    "notes": Counter()}
    for report in reports:
        for key in ("approved", "rejected", "refused", "notes"):
            merged[key].update(report[key])
        merged["skipped_existing"] += report["skipped_existing"]
    return {key: dict(value) if isinstance(value, Counter) else value for key, value in merged.items()}


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
                    report = self._parallel(tenant, limit, day, workers, bar)
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

    def _parallel(self, schema, limit, day, workers, bar) -> dict:
        context = multiprocessing.get_context("fork")
        counter, results = context.Value("i", 0), context.Queue()
        connections.close_all()  # children must not share the parent's socket
        processes = [context.Process(target=_worker, args=(schema, limit, day, (k, workers), counter, results))
                     for k in range(workers)]
        for p in processes:
            p.start()
        reports, seen = [], 0
        while len(reports) < workers:
            time.sleep(0.5)
            with counter.get_lock():
                now = counter.value
            bar.update(now - seen)
            seen = now
            while not results.empty():
                reports.append(results.get())
            if len(reports) < workers and all(not p.is_alive() for p in processes) and results.empty():
                raise CommandError("a worker process died; see its traceback above (rerun to finish: done work stays)")
        for p in processes:
            p.join()
        with counter.get_lock():
            bar.update(counter.value - seen)
        return _merge(reports)
