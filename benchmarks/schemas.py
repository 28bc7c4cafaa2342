"""Bureau schemas at provincial scale: migrated by django-tenants' parallel executor, or copied from a template.

    python -m benchmarks.schemas --bureaus 150 [--processes 2] [--migrate-sample 4] [--clone-sample 10]
                                 [--all] [--repeat 3]

In the benchmark database (`<database>_bench`), each repetition:
  (1) migrates one empty schema with the standard executor (`migrate_schemas --schema`, as `bootstrap`
      does for a new bureau): the cost of one schema's migrations, and the template of (3);
  (2) migrates N empty schemas at once with django-tenants' multiprocessing executor
      (TENANT_MULTIPROCESSING_MAX_PROCESSES = --processes);
  (3) copies the template into N schemas (tenants/schema_clone.py: catalog-driven CREATE TABLE … LIKE,
      rows, sequences, foreign keys; one transaction each), one after another;
then checks that a copy and a migrated schema have the same catalog and migration records
(tests/test_schema_clone.py's comparison) and drops what it made. Only schemas: a bureau's row,
domain, seeds and logins (`bootstrap`) come on top of either.

Migrating a schema takes half a minute to a minute on the shared 2-core machine, so by default 4
schemas are migrated and 10 copied (`--migrate-sample`, `--clone-sample`) and the figures scaled to
`--bureaus` (printed as such); `--all` makes every one of them (hours at 150).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from benchmarks.common import bench_database_url, ensure_database, print_table, setup_django

PREFIX = "bench_schema_"
TEMPLATE = f"{PREFIX}template"


def _drop_ours() -> None:
    from django.db import connection

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [PREFIX + "%"])
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP SCHEMA {connection.ops.quote_name(name)} CASCADE")


def migrate_one(schema: str) -> float:
    from tests.schema_clone import template_migrate

    started = time.perf_counter()
    template_migrate(schema)
    return time.perf_counter() - started


def migrate_parallel(schemas: list[str], processes: int) -> float:
    """django-tenants' multiprocessing executor over `schemas` (created empty first, as auto_create_schema does)."""
    from django.conf import settings
    from django.core.management import load_command_class
    from django.db import connection
    from django_tenants.management.commands import SyncCommon
    from django_tenants.migration_executors import get_executor

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f"CREATE SCHEMA {connection.ops.quote_name(schema)}")
    settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = processes
    settings.TENANT_MULTIPROCESSING_CHUNKS = 1  # one schema per task: the processes stay busy to the end
    command = load_command_class("django_tenants", "migrate_schemas")
    options = vars(command.create_parser("manage.py", "migrate_schemas").parse_args(
        ["--tenant", "--executor", "multiprocessing", "--noinput", "--verbosity", "0"]))
    # The options as migrate_schemas reads them (SyncCommon.handle), without its choice of every tenant.
    SyncCommon.handle(command, **options)
    executor = get_executor(codename="multiprocessing")(command.args, command.options)
    started = time.perf_counter()
    executor.run_migrations(tenants=list(schemas))
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def clone_all(schemas: list[str]) -> list[float]:
    from django.db import connection, transaction

    from tenants.schema_clone import schema_clone

    each = []
    for schema in schemas:
        started = time.perf_counter()
        with transaction.atomic():
            schema_clone(source=TEMPLATE, target=schema)
        connection.set_schema_to_public()
        each.append(time.perf_counter() - started)
    return each


def same_structure(migrated: str, copied: list[str]) -> bool:
    from tests.test_schema_clone import CATALOG, catalog, migrations

    reference = catalog(migrated)
    for schema in copied:
        other = catalog(schema)
        if any(other[kind] != reference[kind] for kind in CATALOG) or migrations(schema) != migrations(migrated):
            return False
    return True


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.schemas", description=__doc__.split("\n")[0])
    parser.add_argument("--bureaus", type=int, default=150)
    parser.add_argument("--processes", type=int, default=2, help="the multiprocessing executor's processes")
    parser.add_argument("--migrate-sample", type=int, default=4, help="schemas migrated, the figure scaled")
    parser.add_argument("--clone-sample", type=int, default=10, help="schemas copied, the figure scaled")
    parser.add_argument("--all", action="store_true", help="migrate and copy --bureaus schemas each")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    migrate_n = args.bureaus if args.all else min(args.migrate_sample, args.bureaus)
    clone_n = args.bureaus if args.all else min(args.clone_sample, args.bureaus)

    url = bench_database_url()
    ensure_database(url)
    setup_django()
    from django.core.management import call_command

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    print(f"schemas: {args.bureaus} bureaus ({url.rsplit('/', 1)[-1]}); migrated {migrate_n} with "
          f"{args.processes} processes, copied {clone_n}; {args.repeat} repetitions", flush=True)
    one, parallel, cloned, per_clone, loads, same = [], [], [], [], [], True
    try:
        for repetition in range(args.repeat):
            _drop_ours()
            loads.append(os.getloadavg()[0])
            one.append(migrate_one(TEMPLATE))
            print(f"  [{repetition + 1}] one schema migrated: {one[-1]:.1f}s (load {loads[-1]:.1f})", flush=True)

            loads.append(os.getloadavg()[0])
            migrated = [f"{PREFIX}m{k:03d}" for k in range(1, migrate_n + 1)]
            parallel.append(migrate_parallel(migrated, args.processes))
            print(f"  [{repetition + 1}] {migrate_n} schemas migrated, {args.processes} processes: "
                  f"{parallel[-1]:.1f}s (load {loads[-1]:.1f})", flush=True)

            loads.append(os.getloadavg()[0])
            copies = [f"{PREFIX}c{k:03d}" for k in range(1, clone_n + 1)]
            each = clone_all(copies)
            cloned.append(sum(each))
            per_clone.extend(each)
            print(f"  [{repetition + 1}] {clone_n} schemas copied: {cloned[-1]:.1f}s, each {summary(each)}s "
                  f"(load {loads[-1]:.1f})", flush=True)
            same = same and same_structure(migrated[0], [copies[0], copies[-1]])
    finally:
        _drop_ours()

    scale_migrate = args.bureaus / migrate_n
    scale_clone = args.bureaus / clone_n
    figures = {
        "bureaus": args.bureaus, "processes": args.processes, "migrate_sample": migrate_n, "clone_sample": clone_n,
        "one_migrated_seconds": [round(v, 1) for v in one],
        "parallel_migrated_seconds": [round(v, 1) for v in parallel],
        "cloned_seconds": [round(v, 1) for v in cloned],
        "per_clone_seconds": [round(v, 2) for v in per_clone],
        "load_1min": [round(v, 1) for v in loads], "same_structure": same,
    }
    serial = statistics.median(one) * args.bureaus
    migrate_total = statistics.median(parallel) * scale_migrate
    clone_total = statistics.median(cloned) * scale_clone
    note = lambda n: "" if n == args.bureaus else f" (measured on {n}, scaled)"  # noqa: E731
    print("\nresults (median (min–max) of the repetitions)")
    print_table([
        ("one schema migrated (standard executor)", f"{summary(one)} s → {args.bureaus} one by one ≈ {serial:.0f} s"),
        (f"{migrate_n} migrated, multiprocessing ×{args.processes}", f"{summary(parallel)} s"),
        (f"→ {args.bureaus} migrated{note(migrate_n)}", f"≈ {migrate_total:.0f} s"),
        (f"{clone_n} copied from the template", f"{summary(cloned)} s; one copy {summary(per_clone)} s"),
        (f"→ {args.bureaus} copied{note(clone_n)}", f"≈ {clone_total:.0f} s (+ one template migrated)"),
        ("copy / parallel migration", f"{clone_total / migrate_total:.2f}"),
        ("a copy has the migrated catalog", str(same)),
        ("1-minute load average", f"{min(loads):.1f}–{max(loads):.1f}"),
    ])
    figures.update({"migrated_total_seconds": round(migrate_total), "cloned_total_seconds": round(clone_total)})
    print("\n" + json.dumps(figures))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
