"""The province's dashboard and stats API over 150 bureaus with 24 months of rollups.

    python -m benchmarks.province [--bureaus 150] [--months 24] [--requests 50]

Scratch database `<DATABASE_URL's name>_bench`, migrated and bootstrapped with xcity. The other bureaus
are registry rows with rollup rows only (no schema): what the dashboard reads is the public schema's
rollup tables, so their size, not the bureaus' schemas, decides its speed. Rollup rows are bulk-inserted
by SQL: per bureau and month six programmes × eight figures; standards, health and annual figures.

Measures, warm, sequential, server time (Django's test client in process): p50/p95 of the dashboard
(`/`) and of `/api/v1/province/stats/?period=` over N requests each (target p95 < 300 ms), and the
rollup of the one real bureau (xcity) end to end.
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args()
    url = setup_django()
    ensure_database(url)
    drop_extra_bureaus()  # migrate_schemas would look for their (absent) schemas
    ensure_bureau("xcity")
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
