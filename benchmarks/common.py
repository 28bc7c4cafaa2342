"""Shared set-up of the scale benchmarks: a scratch database, one bureau, bulk data made by SQL.

The benchmarks never touch the development or test databases: they run in `<database>_bench`
(from DATABASE_URL, or BENCH_DATABASE_URL when set), created, migrated and bootstrapped on first use.
Call `setup_django()` before importing anything from the project.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
# The active monthly entitlements of %(period)s priced with the generation's own rates and amount
# ({rates}, {amount} from apps.disbursement.sql): the floors and fixtures that write lines by hand.
PRICED_ENTITLEMENTS = """
WITH periods(period) AS (VALUES (%(period)s::date)),
{rates},
priced AS (
    SELECT e.*, r.monthly,
           CASE WHEN e.programme_id = 'tekun_care' THEN e.care_level ELSE e.variant END AS basis_variant,
           {amount} AS amount
    FROM benefits_entitlement e
    JOIN benefits_programme pg ON pg.code = e.programme_id AND pg.payment = 'monthly'
    JOIN rate r ON r.period = %(period)s AND r.programme_id = e.programme_id
               AND r.variant = CASE WHEN e.programme_id = 'tekun_care' THEN e.care_level ELSE e.variant END
    WHERE e.status = 'active' AND e.start_period <= %(period)s
      AND (e.end_period IS NULL OR e.end_period >= %(period)s)
)
"""
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/civaffairs"


def bench_database_url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    parsed = urlparse(os.environ.get("DATABASE_URL", DEFAULT_URL))
    name = parsed.path.lstrip("/") or "civaffairs"
    if not name.endswith("_bench"):
        name += "_bench"
    return urlunparse(parsed._replace(path=f"/{name}"))


def ensure_database(url: str) -> bool:
    """Create the scratch database if missing; True when it was created."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.endswith("_bench"):
        raise SystemExit(f"refusing to benchmark in {name!r}: the database name must end with _bench")
    admin_url = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def setup_django() -> str:
    """Point Django at the scratch database and set it up; returns the database URL."""
    url = bench_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civaffairs.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return url


def ensure_bureau(schema: str = "xcity") -> None:
    """Migrate the scratch database and bootstrap one bureau (idempotent, quiet)."""
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [schema])
        exists = cursor.fetchone() is not None
    out = io.StringIO()
    call_command("migrate_schemas", interactive=False, verbosity=0, stdout=out)
    if not exists:
        call_command("bootstrap", only=[schema], quiet_logins=True, stdout=out)


def fill_columns(cursor, table: str, given: dict[str, str]) -> tuple[str, str]:
    """Column list and SELECT expressions for an INSERT … SELECT into `table`.

    `given` maps columns to SQL expressions; any other NOT NULL column without a default (added by
    an app since this benchmark was written) gets a neutral value of its type.
    """
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s AND is_nullable = 'NO' "
        "AND column_default IS NULL AND is_identity = 'NO'", [table])
    neutral = {"boolean": "false", "date": "DATE '2000-01-01'", "timestamp with time zone": "now()",
               "jsonb": "'{}'::jsonb", "smallint": "0", "integer": "0", "bigint": "0", "numeric": "0"}
    columns = dict(given)
    for name, data_type in cursor.fetchall():
        if name not in columns:
            columns[name] = neutral.get(data_type, "''")
    return ", ".join(columns), ", ".join(columns.values())


def row_count(cursor, table: str, where: str = "TRUE") -> int:
    cursor.execute(f"SELECT count(*) FROM {table} WHERE {where}")
    return cursor.fetchone()[0]


@contextmanager
def stopwatch(results: dict, key: str):
    started = time.perf_counter()
    yield
    results[key] = time.perf_counter() - started


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(module: str, *args: str) -> dict:
    """Run `python -m <module> <args>` (a measurement in a fresh process); it prints one JSON line last."""
    env = {**os.environ}
    proc = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
