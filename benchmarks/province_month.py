"""A province's month: every bureau's regular run generated, approved and exported on real Celery workers.

    python -m benchmarks.province_month [--workers 1,2] [--repeat 1] [--period YYYY-MM]

Runs over the fixture of benchmarks.province_fixture as it stands (150 bureaus: three of 1,000,000
entitlements, 147 of 5,000–30,000; plus xcity), in `<DATABASE_URL's name>_bench`; it never builds it.

Each repetition, with N Celery worker processes of our own (solo pool, a queue of our own,
DISBURSEMENT_GENERATION_WORKERS=N so a big bureau's chunks are shared), is timed from the send of the
beat entry's task (`tenants.for_each_bureau("disbursement.monthly_run")`, as beat sends it but without
its 30 s stagger) to the last bank file written:
- each bureau's monthly_run generates its run (and sends the province rollup, as in production);
- as each run becomes generated, the benchmark approves it as the bureau's approver would
  (payment_run_approve, user `xcity-approver` of that schema) and sends that bureau's core.nightly, whose
  export step writes the CSV bank file (the workers' settings keep only that step:
  benchmarks/province_month_settings.py).
Printed: wall time, per-bureau latency (send → its bank file: first, median, last), the peak of
pg_stat_activity connections, the load average, and whether every bureau has exactly one line per payable
entitlement of the period (counted by SQL). Then every row the repetition made is deleted (set-based,
one transaction a bureau: the period's run and what hangs off it, the jobs and read-log entries since its
start) and the province's rollup tables, rewritten by the runs' rollups, are put back from a copy.

The fixture's schemas must have every migration of the code (disbursement 0003 brought the generation
chunks after the fixture of 2026-11 was built); the benchmark stops if they lack its table.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import sys
import tempfile
import time

from benchmarks.common import PRICED_ENTITLEMENTS, print_table, setup_django

# What a month writes into a bureau's schema, deleted after each repetition: its run's rows by the period
# (which had no run before), the jobs and the read log's entries by time. The read log is append-only
# (a trigger refuses deletes): only this clean-up, as superuser, steps around it.
CLEAN = """
DELETE FROM "{s}".disbursement_paymentlineevent WHERE line_id IN (
    SELECT l.id FROM "{s}".disbursement_paymentline l JOIN "{s}".disbursement_paymentrun r ON r.id = l.run_id
    WHERE r.period = %(p)s);
DELETE FROM "{s}".disbursement_paymentline
    WHERE run_id IN (SELECT id FROM "{s}".disbursement_paymentrun WHERE period = %(p)s);
DELETE FROM "{s}".disbursement_generationchunk
    WHERE run_id IN (SELECT id FROM "{s}".disbursement_paymentrun WHERE period = %(p)s);
DELETE FROM "{s}".disbursement_bankfiledownload
    WHERE run_id IN (SELECT id FROM "{s}".disbursement_paymentrun WHERE period = %(p)s);
DELETE FROM "{s}".disbursement_linebasis WHERE period = %(p)s;
DELETE FROM "{s}".disbursement_historicalpaymentrun WHERE period = %(p)s;
DELETE FROM "{s}".disbursement_paymentrun WHERE period = %(p)s;
DELETE FROM "{s}".core_jobrun WHERE started_at >= %(since)s;
SET LOCAL session_replication_role = replica;
DELETE FROM "{s}".core_personaldataaccess WHERE at >= %(since)s;
"""
# What province.bureau_rollup rewrites (sent by each monthly_run): copied before, put back after.
ROLLUP_TABLES = ["province_monthlyrollup", "province_standardrollup", "province_annualrollup",
                 "province_healthrollup", "province_rolluprefresh"]
SNAPSHOT = "bench_month_snapshot"
SAMPLES = ["prov_001", "prov_075", "xcity"]


def _load() -> str:
    return "{:.1f}/{:.1f}".format(*os.getloadavg()[:2])


def _union(schemas: list[str], select: str) -> str:
    """One statement over every bureau: `select` with {s} for the schema, rows tagged with its name."""
    return " UNION ALL ".join(f"SELECT '{s}' AS schema, * FROM ({select.format(s=s)}) q" for s in schemas)


def _period(cursor, schemas: list[str], wanted: str | None) -> datetime.date:
    """The month after the latest run of any bureau (or `wanted`), checked to have no run anywhere."""
    cursor.execute(_union(schemas, 'SELECT max(period) AS p, count(*) FILTER (WHERE period = %(w)s) AS n '
                                   'FROM "{s}".disbursement_paymentrun'),
                   {"w": datetime.date.fromisoformat(f"{wanted}-01") if wanted else datetime.date(1900, 1, 1)})
    rows = cursor.fetchall()
    if wanted:
        period = datetime.date.fromisoformat(f"{wanted}-01")
        if any(n for _s, _p, n in rows):
            raise SystemExit(f"some bureau already has a run of {wanted}: pick another --period")
        return period
    latest = max(p for _s, p, _n in rows if p)
    return (latest.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _payable(schemas: list[str], period: datetime.date) -> dict[str, int]:
    """Per bureau, the entitlements the month pays: active, monthly, priced, a positive amount (the
    generation's own rate SQL)."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from apps.disbursement import sql
    from tenants.models import Bureau

    statement = PRICED_ENTITLEMENTS.format(
        rates=sql.rates_ctes(),
        amount=sql.amount_expr(programme="e.programme_id", standard="r.monthly", income="e.per_capita_income",
                               covered="e.covered_members", addon="e.addon_members"),
    ) + "SELECT count(*) FILTER (WHERE amount > 0) FROM priced"
    payable = {}
    for schema in schemas:
        bureau = Bureau.objects.get(schema_name=schema)
        with schema_context(schema), connection.cursor() as cursor:
            cursor.execute(statement, {"period": period, "multiplier": bureau.tekun_multiplier,
                                       "share": bureau.classified_share})
            payable[schema] = cursor.fetchone()[0]
    return payable


def _sample_counts(cursor) -> dict[str, tuple[int, int]]:
    counts = {}
    for schema in SAMPLES:
        cursor.execute(f'SELECT (SELECT count(*) FROM "{schema}".disbursement_paymentrun), '
                       f'(SELECT count(*) FROM "{schema}".disbursement_paymentline)')
        counts[schema] = cursor.fetchone()
    return counts


def _clean(schemas: list[str], period: datetime.date, since: datetime.datetime) -> None:
    """Every row of the repetition goes (set-based, one transaction a bureau); the rollups come back."""
    from django.db import connection, transaction

    for schema in schemas:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(CLEAN.format(s=schema), {"p": period, "since": since})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.core_jobrun WHERE started_at >= %s", [since])
        for table in ROLLUP_TABLES:
            cursor.execute(f"DELETE FROM public.{table}")
            cursor.execute(f"INSERT INTO public.{table} SELECT * FROM {SNAPSHOT}.{table}")


def _month(schemas: list[str], period: datetime.date, folder: str, queue: str) -> dict:
    """One month on the running workers: the fan-out sent, runs approved as they come, until every bank file."""
    from celery import current_app
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django_tenants.utils import schema_context

    from apps.disbursement.models import PaymentRun
    from apps.disbursement.services import payment_run_approve

    status_sql = _union(schemas, 'SELECT id, status FROM "{s}".disbursement_paymentrun '
                                 "WHERE period = %(p)s AND kind = 'regular'")
    load_before = _load()
    sent = time.time()
    started = time.perf_counter()
    # What beat sends for the entry "disbursement: monthly run of every bureau", with no stagger.
    current_app.send_task("tenants.for_each_bureau", args=["disbursement.monthly_run"],
                          kwargs={"kwargs": {"period": f"{period:%Y-%m}"}, "stagger_seconds": 0}, queue=queue)
    approved, files, peak, failed = set(), {}, 0, []
    with connection.cursor() as cursor:
        while len(files) < len(schemas) and time.perf_counter() - started < 3600:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            peak = max(peak, cursor.fetchone()[0])
            cursor.execute(status_sql, {"p": period})
            for schema, run_id, status in cursor.fetchall():
                if status == PaymentRun.Status.FAILED:
                    failed.append(schema)
                if status != PaymentRun.Status.GENERATED or schema in approved:
                    continue
                with schema_context(schema):
                    approver = get_user_model().objects.get(username="xcity-approver")
                    payment_run_approve(run=PaymentRun.objects.get(pk=run_id), user=approver)
                    current_app.send_task("core.nightly", headers={"_schema_name": schema}, queue=queue)
                approved.add(schema)
            for schema in schemas:
                if schema not in files:
                    done = [n for n in os.listdir(os.path.join(folder, schema)) if n.endswith(".csv")] \
                        if os.path.isdir(os.path.join(folder, schema)) else []
                    if done:
                        files[schema] = os.path.getmtime(os.path.join(folder, schema, done[0]))
            if failed:
                break
            time.sleep(0.25)
    seconds = max(files.values()) - sent if len(files) == len(schemas) else float("nan")
    latencies = sorted(t - sent for t in files.values())
    return {"seconds": seconds, "latencies": latencies, "files": len(files), "peak": peak, "failed": failed,
            "load": f"{load_before} → {_load()}", "sent": sent}


def _rollups_done(schemas: list[str], sent: float) -> float:
    """Wait for the rollups the runs sent (they write the public tables the clean-up restores)."""
    from apps.province.models import RollupRefresh

    since = datetime.datetime.fromtimestamp(sent, tz=datetime.UTC)
    started = time.perf_counter()
    while time.perf_counter() - started < 300:
        if RollupRefresh.objects.filter(refreshed_at__gte=since).count() >= len(schemas):
            break
        time.sleep(1)
    return time.time() - sent


def _verify(cursor, schemas: list[str], period: datetime.date, payable: dict[str, int]) -> list[str]:
    """Bureaus whose month is not exactly one exported line per payable entitlement (nothing else)."""
    cursor.execute(_union(schemas, """
        SELECT r.status, count(l.id) AS lines, count(DISTINCT l.entitlement_id) AS entitlements,
               count(l.id) FILTER (WHERE l.line_type <> 'regular') AS other
        FROM "{s}".disbursement_paymentrun r LEFT JOIN "{s}".disbursement_paymentline l ON l.run_id = r.id
        WHERE r.period = %(p)s GROUP BY r.id, r.status"""), {"p": period})
    rows = {schema: rest for schema, *rest in cursor.fetchall()}
    wrong = []
    for schema in schemas:
        status, lines, entitlements, other = rows.get(schema, (None, 0, 0, 0))
        if status != "exported" or lines != payable[schema] or entitlements != lines or other:
            wrong.append(f"{schema}: {status}, {lines} lines, {entitlements} entitlements, payable {payable[schema]}")
    return wrong


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="1,2", help="numbers of worker processes, e.g. 1,2")
    parser.add_argument("--repeat", type=int, default=1, help="months per number of workers")
    parser.add_argument("--period", help="YYYY-MM with no run in any bureau (default: the month after the latest)")
    args = parser.parse_args()
    queue = os.environ.setdefault("CELERY_QUEUE", f"bench-month-{os.getpid()}")
    setup_django()
    import redis
    from django.conf import settings
    from django.db import connection

    from tenants.selectors import bureau_list
    from tests.workers import start_worker, stop_worker

    schemas = list(bureau_list().values_list("schema_name", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM unnest(%s::text[]) s "
                       "WHERE to_regclass(quote_ident(s) || '.disbursement_generationchunk') IS NULL", [schemas])
        if cursor.fetchone()[0]:
            raise SystemExit("the fixture's schemas predate disbursement 0003 (generation chunks): migrate them first")
        period = _period(cursor, schemas, args.period)
        cursor.execute(f"CREATE SCHEMA {SNAPSHOT}")  # fails if a failed run left one: restore from it first
        for table in ROLLUP_TABLES:
            cursor.execute(f"CREATE TABLE {SNAPSHOT}.{table} AS SELECT * FROM public.{table}")
        samples_before = _sample_counts(cursor)
    print(f"{len(schemas)} bureaus, period {period:%Y-%m}; counting payable entitlements ...", flush=True)
    payable = _payable(schemas, period)
    print(f"  {sum(payable.values()):,} payable entitlements", flush=True)
    medians, rows, ok = {}, [], True
    try:
        for workers in [int(w) for w in args.workers.split(",")]:
            runs = []
            for rep in range(args.repeat):
                folder = tempfile.mkdtemp(prefix="bench-month-")
                env = {"DISBURSEMENT_GENERATION_WORKERS": str(workers), "DISBURSEMENT_BANKFILES_DIR": folder,
                       "DJANGO_SETTINGS_MODULE": "benchmarks.province_month_settings"}
                since = datetime.datetime.now(tz=datetime.UTC)
                procs, run, wrong = [], None, ["not run"]
                try:
                    procs = [start_worker(queue, f"bench-month-{workers}-{i}", None, **env) for i in range(workers)]
                    run = _month(schemas, period, folder, queue)
                    run["rollups"] = _rollups_done(schemas, run["sent"])
                    with connection.cursor() as cursor:
                        wrong = _verify(cursor, schemas, period, payable)
                finally:
                    for proc in procs:
                        stop_worker(proc)
                    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(
                        queue, *(f"{queue}\x06\x16{p}" for p in (3, 6, 9)))
                    if run is not None:
                        lat = run["latencies"] or [float("nan")]
                        print(f"  {workers} worker(s), month {rep + 1}: {run['seconds']:.1f} s to the last bank file "
                              f"({run['files']}/{len(schemas)} files), per bureau first/median/last "
                              f"{lat[0]:.1f}/{statistics.median(lat):.1f}/{lat[-1]:.1f} s, rollups done at "
                              f"{run['rollups']:.1f} s, peak connections {run['peak']}, load {run['load']}, "
                              + ("every bureau one line per payable entitlement" if not wrong else str(wrong[:5])),
                              flush=True)
                    _clean(schemas, period, since)
                    shutil.rmtree(folder, ignore_errors=True)
                ok = ok and not wrong and not run["failed"]
                runs.append(run)
            seconds = sorted(r["seconds"] for r in runs)
            medians[workers] = statistics.median(seconds)
            rows.append((f"month, {workers} worker process(es): median (min–max) of {len(runs)}",
                         f"{medians[workers]:.1f} s ({seconds[0]:.1f}–{seconds[-1]:.1f}); peak connections "
                         f"{max(r['peak'] for r in runs)}; load " + ", ".join(r["load"] for r in runs)))
    finally:
        with connection.cursor() as cursor:
            samples_after = _sample_counts(cursor)
    with connection.cursor() as cursor:  # kept when a clean-up failed: the rollups are put back from it
        cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT} CASCADE")
    if 1 in medians and 2 in medians:
        rows.append(("1 worker / 2 workers (medians)", f"{medians[1] / medians[2]:.2f}×"))
    rows.append(("runs / lines in " + ", ".join(SAMPLES) + " before → after",
                 f"{samples_before} → {samples_after}"))
    print_table(rows)
    ok = ok and samples_before == samples_after
    return 0 if ok and medians.get(2, min(medians.values())) < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
