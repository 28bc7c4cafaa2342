"""The province's dashboard and stats API over 150 bureaus with 24 months of rollups.

    python -m benchmarks.province [--bureaus 150] [--months 24] [--requests 50]

Scratch database `<DATABASE_URL's name>_bench`, migrated and bootstrapped with xcity. The other bureaus
are registry rows with rollup rows only (no schema): what the dashboard reads is the public schema's
rollup tables, so their size, not the bureaus' schemas, decides its speed. Rollup rows are bulk-inserted
by SQL: per bureau and month six programmes × eight figures; standards, health and annual figures.

Measures, warm, sequential, server time (Django's test client in process): p50/p95 of the dashboard
(`/`) and of `/api/v1/province/stats/?period=` over N requests each (target p95 < 300 ms), and the
rollup of the one real bureau (xcity) end to end.

    python -m benchmarks.province --refresh 150 [--workers 2]

times instead a full refresh over real bureau schemas: xcity (as bootstrapped) copied N-1 times with
tests/schema_clone.py (structure, rows, sequences: each copy is a bureau of xcity's size), then
`province.refresh_all` fanned out to `--workers` Celery workers of our own on a queue of our own,
timed from the send until every bureau's RollupRefresh row is newer than it (target < 2 minutes with
2 workers). The copies are dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from benchmarks.common import ensure_bureau, ensure_database, print_table, setup_django

PROGRAMMES = ["dibao", "tekun", "orphan", "longevity", "disability_living", "disability_nursing"]
KEYS = [
    "households_active",
    "persons_active",
    "new",
    "stopped",
    "amount_generated",
    "amount_paid",
    "amount_failed",
    "amount_recovered",
]


def populate(bureaus: int, months: int) -> None:
    from django.db import connection, transaction

    from tenants.models import Bureau

    with transaction.atomic():
        Bureau.objects.filter(schema_name__startswith="bench_").delete()
        # bulk_create: a registry row, no schema (save() would create and migrate one).
        Bureau.objects.bulk_create(
            [
                Bureau(
                    schema_name=f"bench_{i:03d}",
                    kind=Bureau.Kind.BUREAU,
                    name_zh=f"测试{i:03d}民政局",
                    name_en=f"Bench {i}",
                    level=Bureau.Level.COUNTY,
                    province="广东省",
                    region_class=1 + i % 4,
                )
                for i in range(bureaus - 1)
            ]
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM province_monthlyrollup; DELETE FROM province_standardrollup; "
                "DELETE FROM province_healthrollup; DELETE FROM province_annualrollup"
            )
            cursor.execute(
                """
                INSERT INTO province_monthlyrollup (bureau_id, period, programme, key, value, unit)
                SELECT b.id, (date_trunc('month', now())::date - make_interval(months => m))::date, p, k,
                       (b.id * 37 + m * 11 + length(p) * 101 + length(k)) %% 5000, 'count'
                FROM tenants_bureau b, generate_series(0, %s - 1) m, unnest(%s::text[]) p, unnest(%s::text[]) k
                WHERE b.kind = 'bureau'
            """,
                [months, PROGRAMMES, KEYS],
            )
            cursor.execute(
                """
                INSERT INTO province_standardrollup (bureau_id, programme, variant, monthly_amount, effective_from,
                                                     refreshed_at)
                SELECT b.id, p, 'unified', 900 + (b.id * 13) %% 700, DATE '2024-01-01', now()
                FROM tenants_bureau b, unnest(%s::text[]) p WHERE b.kind = 'bureau'
            """,
                [PROGRAMMES],
            )
            cursor.execute("""
                INSERT INTO province_healthrollup (bureau_id, key, value, code, refreshed_at)
                SELECT b.id, k, (b.id * 7) % 100, '', now()
                FROM tenants_bureau b, unnest(ARRAY['run.lines', 'run.failed', 'run.held', 'reviews.overdue',
                                                    'reviews.due_30_days']) k WHERE b.kind = 'bureau'
            """)
            cursor.execute("""
                INSERT INTO province_annualrollup (bureau_id, year, key, value, unit, label, "group")
                SELECT b.id, y, k, (b.id * 3) % 1000, 'count', k, ''
                FROM tenants_bureau b, generate_series(extract(year FROM now())::int - 1,
                                                       extract(year FROM now())::int) y,
                     unnest(ARRAY['socialorgs.registered', 'socialorgs.abnormal', 'burial.cremations',
                                  'burial.eco_burials']) k WHERE b.kind = 'bureau'
            """)
            cursor.execute("ANALYZE province_monthlyrollup")


def drop_extra_bureaus() -> None:
    from django.db import connection

    from tenants.models import Bureau

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.province_monthlyrollup')")
        if cursor.fetchone()[0]:
            # A queryset delete: rows and their rollups only (Bureau.delete() would drop a schema).
            Bureau.objects.filter(schema_name__startswith="bench_").delete()


REAL_PREFIX = "bench_real_"


def clones_drop() -> None:
    from django.db import connection

    from tenants.models import Bureau

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [REAL_PREFIX.replace("_", r"\_") + "%"]
        )
        for (schema,) in cursor.fetchall():
            cursor.execute(f"DROP SCHEMA {connection.ops.quote_name(schema)} CASCADE")
        cursor.execute("SELECT to_regclass('public.tenants_bureau')")
        migrated = cursor.fetchone()[0] is not None
    if migrated:
        # Registry rows and their rollups only (Bureau.delete() would drop a schema: done above).
        Bureau.objects.filter(schema_name__startswith=REAL_PREFIX).delete()


def clones_make(n: int) -> float:
    """N-1 copies of xcity's schema, each with a registry row; the seconds the copying took."""
    from django.db import connection

    from tenants.models import Bureau
    from tests.schema_clone import schema_clone

    xcity = Bureau.objects.get(schema_name="xcity")
    started = time.perf_counter()
    for i in range(1, n):
        schema = f"{REAL_PREFIX}{i:03d}"
        schema_clone(source="xcity", target=schema)
        connection.set_schema_to_public()
        # bulk_create: the row only (save() would create and migrate a schema of its own).
        Bureau.objects.bulk_create(
            [
                Bureau(
                    schema_name=schema,
                    kind=Bureau.Kind.BUREAU,
                    name_zh=f"副本{i:03d}民政局",
                    name_en=f"Copy {i}",
                    level=xcity.level,
                    province=xcity.province,
                    region_class=xcity.region_class,
                )
            ]
        )
    return time.perf_counter() - started


def refresh_timed(n: int, workers: int) -> int:
    """Copies, workers, one refresh_all, the wall time until every bureau has its rollup."""
    from celery import current_app
    from django.utils import timezone

    from apps.province.models import RollupRefresh
    from tenants.selectors import bureau_list
    from tests.workers import start_worker

    clones_drop()
    print(f"copying xcity {n - 1} times ...", flush=True)
    copy_s = clones_make(n)
    bureaus = bureau_list().count()
    queue = os.environ["CELERY_QUEUE"]
    procs = [start_worker(queue, f"bench-province-{i}", None) for i in range(workers)]
    try:
        sent = timezone.now()
        started = time.perf_counter()
        current_app.send_task("province.refresh_all", queue=queue)
        done = 0
        while time.perf_counter() - started < 1800:
            done = RollupRefresh.objects.filter(refreshed_at__gte=sent).count()
            if done >= bureaus:
                break
            time.sleep(0.5)
        refresh_s = time.perf_counter() - started
        failed = RollupRefresh.objects.filter(refreshed_at__gte=sent).exclude(failed_contributors=[]).count()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
        clones_drop()
    print_table(
        [
            ("bureaus (xcity and its copies)", f"{bureaus} ({n - 1} copies made in {copy_s:.0f} s)"),
            ("workers", str(workers)),
            ("refreshed / with a failed contributor", f"{done} / {failed}"),
            ("full refresh (send to last rollup written)", f"{refresh_s:.1f} s"),
        ]
    )
    return 0 if done >= bureaus and refresh_s < 120 else 1


def timed(client, path: str, n: int) -> tuple[float, float]:
    client.get(path)  # warm
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * len(samples)) - 1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bureaus", type=int, default=150)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--refresh", type=int, metavar="N", help="time a full refresh over N real bureau schemas")
    parser.add_argument("--workers", type=int, default=2, help="Celery workers of the --refresh run")
    args = parser.parse_args()
    # Our own queue: no other worker on this Redis picks up the benchmark's tasks.
    os.environ.setdefault("CELERY_QUEUE", f"bench-province-{os.getpid()}")
    url = setup_django()
    ensure_database(url)
    drop_extra_bureaus()  # migrate_schemas would look for their (absent) schemas
    if args.refresh:
        clones_drop()
    ensure_bureau("xcity")
    if args.refresh:
        return refresh_timed(args.refresh, args.workers)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from apps.province.services import bureau_rollup_write

    started = time.perf_counter()
    rollup = bureau_rollup_write(schema_name="xcity")
    rollup_s = time.perf_counter() - started
    populate(args.bureaus, args.months)
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username="overseer"))
    period = timezone.localdate().strftime("%Y-%m")
    home = timed(client, "/", args.requests)
    stats = timed(client, f"/api/v1/province/stats/?period={period}", args.requests)
    drill = timed(client, "/bureaus/bench_001/", args.requests)
    from apps.province.models import MonthlyRollup

    print_table(
        [
            ("bureaus / monthly rollup rows", f"{args.bureaus} / {MonthlyRollup.objects.count():,}"),
            ("rollup of xcity (one real bureau)", f"{rollup_s:.2f} s ({rollup['monthly']} monthly figures)"),
            ("dashboard /  p50 / p95", f"{home[0]:.0f} ms / {home[1]:.0f} ms"),
            ("stats API ?period=  p50 / p95", f"{stats[0]:.0f} ms / {stats[1]:.0f} ms"),
            ("bureau page  p50 / p95", f"{drill[0]:.0f} ms / {drill[1]:.0f} ms"),
        ]
    )
    drop_extra_bureaus()
    return 0 if max(home[1], stats[1]) < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
