"""Disbursement at scale: one bureau (xcity) with 1,000,000 active entitlements.

    python -m benchmarks.disbursement [--entitlements N] [--repeat 3] [--workers 1,2] [--chunk-size N]
                                      [--no-xlsx]

Measures, on the same data, each figure `--repeat` times against its floor measured in the same
repetition, and prints the median, min and max of each with the 1-minute load average (the machine
is shared; one noisy run decides nothing). Issue 16's targets:
  (a) the generation service (chunks claimed by 1 and by 2 workers — threads with a database session
      each calling `payment_run_generate`, as Celery workers do; DISBURSEMENT_GENERATION_WORKERS is 2)
      against a hand-written single INSERT … SELECT of the same lines into an unindexed scratch table
      (the floor) — target ≤ 1.5 with 2 workers;
  (c) an idempotent re-run (a refresh: every key checked again) of the generated period — target
      ≤ 0.15 × the floor of (a);
  (b) the CSV bank file export (permission check, download log, COPY of the bank-file query, 序号,
      SHA-256, control record) against COPY … TO STDOUT of the rows: the lines' own columns (the
      stricter floor) and the bank-file query itself (the export's own overhead). Each runs in a
      fresh process whose peak RSS is reported, twice a repetition (each floor by psycopg and by
      libpq, the export twice), the faster kept — target ratio ≤ 1.2 and RSS < 300 MB; and the XLSX
      export — target ≤ 30 s, constant memory.

The service's time includes its closing VACUUM of the new lines (what lets the re-run of (c) and
the export read the indexes alone); the floor leaves that work to autovacuum.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import threading
import time

from apps.disbursement import sql
from benchmarks.common import (
    PRICED_ENTITLEMENTS,
    ensure_bureau,
    ensure_database,
    fill_columns,
    peak_rss_mb,
    print_table,
    row_count,
    run_child,
    setup_django,
)

SCHEMA = "xcity"
PERIOD = datetime.date(2024, 8, 1)
SOURCE = "benchmark"

# The floor of (a): the same lines, written by hand as one statement, no chunks, no lock, no
# anti-join, no ON CONFLICT, into a table without indexes.
FLOOR_TEMPLATE = """
INSERT INTO bench_scratch_lines (
    run_id, programme_id, line_type, key_ref, key_variant, period, entitlement_id,
    household_id, person_id, payee_person_id, payee_institution_id,
    payee_name, id_number, bank_account, bank_name, town_id,
    variant, standard_amount, per_capita_income, covered_members, addon_members,
    amount, status, failure_reason, bank_reference)
""" + PRICED_ENTITLEMENTS + """SELECT 0, p.programme_id, 'regular', p.id, 0, %(period)s, p.id,
       p.household_id, p.person_id, p.payee_person_id, p.payee_institution_id,
       coalesce(pp.name, ci.name, ''), coalesce(pp.id_number, ''),
       coalesce(pp.bank_account, ci.bank_account, ''), coalesce(pp.bank_name, ci.bank_name, ''),
       coalesce(h.town_id, bp.town_id, pp.town_id, ci.town_id),
       p.basis_variant, p.monthly, p.per_capita_income, p.covered_members, p.addon_members,
       p.amount, 'pending', '', ''
FROM priced p
LEFT JOIN people_person pp ON pp.id = p.payee_person_id
LEFT JOIN people_careinstitution ci ON ci.id = p.payee_institution_id
LEFT JOIN people_household h ON h.id = p.household_id
LEFT JOIN people_person bp ON bp.id = p.person_id
WHERE p.amount > 0
"""
# The floor prices lines with the engine's own rate CTEs and amount expression: the rule lives once in SQL.
FLOOR_SQL = FLOOR_TEMPLATE.format(rates=sql.rates_ctes(), amount=sql.amount_expr(
    programme="e.programme_id", standard="r.monthly", income="e.per_capita_income", covered="e.covered_members",
    addon="e.addon_members"))

RIC_CHECK = """
CREATE OR REPLACE FUNCTION pg_temp.ric_check(body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT substr('10X98765432', (sum(substr(body, i::int, 1)::int * w) % 11)::int + 1, 1)
    FROM unnest(ARRAY[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]) WITH ORDINALITY AS t(w, i)
$$
"""


def _cursor():
    from django.db import connection

    return connection.cursor()


def populate(n: int) -> bool:
    """n persons, each the beneficiary and payee of one active entitlement (30% dibao households).

    Rebuilt only when the bureau does not hold exactly n benchmark entitlements. Returns True if built.
    """
    with _cursor() as cursor:
        if row_count(cursor, "benefits_entitlement", f"source = '{SOURCE}'") == n == row_count(
                cursor, "benefits_entitlement"):
            return False
        print(f"building {n:,} entitlements in {SCHEMA} (once) …", flush=True)
        started = time.perf_counter()
        cursor.execute("TRUNCATE disbursement_paymentline, disbursement_linebasis, disbursement_paymentlineevent, "
                       "disbursement_overpayment, disbursement_bankfiledownload, disbursement_bankreturnimport, "
                       "disbursement_paymentrun, disbursement_historicalpaymentrun CASCADE")
        cursor.execute("TRUNCATE benefits_entitlement, benefits_grant, people_householdmember, people_household, "
                       "people_person RESTART IDENTITY CASCADE")
        cursor.execute("SELECT id, coalesce(nullif(area_code, ''), '522601') FROM people_town ORDER BY id")
        towns = cursor.fetchall()
        town_case = "CASE i %% {} {} END".format(len(towns), " ".join(
            f"WHEN {k} THEN {town_id}" for k, (town_id, _) in enumerate(towns)))
        area_case = "CASE i %% {} {} END".format(len(towns), " ".join(
            f"WHEN {k} THEN '{area}'" for k, (_, area) in enumerate(towns)))
        cursor.execute(RIC_CHECK)
        body = (f"{area_case} || to_char(DATE '1925-01-01' + (i / 1000)::int, 'YYYYMMDD') "
                f"|| lpad((i %% 1000)::text, 3, '0')")
        columns, values = fill_columns(cursor, "people_person", {
            "id_number": f"({body}) || pg_temp.ric_check({body})",
            "id_hash": f"md5(({body})) || md5(({body}) || 'h')",
            "name": "'基准' || i", "gender": "CASE WHEN i %% 2 = 1 THEN 'M' ELSE 'F' END",
            "birth_date": "DATE '1925-01-01' + (i / 1000)::int",
            "hukou_class": "CASE WHEN i %% 2 = 1 THEN 'urban' ELSE 'rural' END", "local_hukou": "true",
            "town_id": town_case, "phone": "''", "bank_account": "'6222' || lpad(i::text, 15, '0')",
            "bank_name": "'中国农业银行'", "is_student": "false", "seriously_ill": "false", "status": "'alive'",
            "created_at": "now()", "updated_at": "now()",
        })
        cursor.execute(f"INSERT INTO people_person ({columns}) SELECT {values} FROM generate_series(1, %s) AS g(i) "
                       f"ORDER BY g.i", [n])
        dibao = "i %% 20 < 6"
        columns, values = fill_columns(cursor, "people_household", {
            "code": "'B' || i", "town_id": town_case, "hukou_class": "CASE WHEN i %% 2 = 1 THEN 'urban' ELSE 'rural' END",
            "address": "''", "single_parent": "false", "created_at": "now()", "updated_at": "now()",
        })
        cursor.execute(f"INSERT INTO people_household ({columns}) SELECT {values} FROM generate_series(1, %s) AS g(i) "
                       f"WHERE {dibao} ORDER BY g.i", [n])
        columns, values = fill_columns(cursor, "people_householdmember", {
            "household_id": "h.id", "person_id": "substr(h.code, 2)::bigint", "relation": "'head'"})
        cursor.execute(f"INSERT INTO people_householdmember ({columns}) SELECT {values} FROM people_household h")
        programme = ("CASE WHEN i %% 20 < 6 THEN 'dibao' WHEN i %% 20 < 8 THEN 'tekun' WHEN i %% 20 = 8 THEN "
                     "'tekun_care' WHEN i %% 20 < 16 THEN 'longevity' WHEN i %% 20 < 18 THEN 'elderly_service' "
                     "WHEN i %% 20 = 18 THEN 'orphan' ELSE 'longevity' END")
        variant = ("CASE WHEN i %% 20 < 6 THEN (CASE WHEN i %% 2 = 1 THEN 'urban' ELSE 'rural' END) "
                   "WHEN i %% 20 < 8 THEN (ARRAY['unified', 'urban', 'rural'])[1 + i %% 3] "
                   "WHEN i %% 20 = 8 THEN 'unified' "
                   "WHEN i %% 20 < 16 OR i %% 20 = 19 THEN (CASE WHEN i %% 50 = 9 THEN '100+' ELSE '80-99' END) "
                   "WHEN i %% 20 = 18 THEN 'scattered' ELSE 'unified' END")
        columns, values = fill_columns(cursor, "benefits_entitlement", {
            "programme_id": programme, "variant": variant,
            "household_id": f"CASE WHEN {dibao} THEN (SELECT h.id FROM people_household h WHERE h.code = 'B' || i) END",
            "person_id": f"CASE WHEN {dibao} THEN NULL ELSE i END", "payee_person_id": "i",
            "per_capita_income": f"CASE WHEN {dibao} THEN (i %% 5) * 50 END",
            "covered_members": f"CASE WHEN {dibao} THEN 1 + i %% 4 END",
            "addon_members": f"CASE WHEN {dibao} THEN i %% 2 ELSE 0 END",
            "care_level": "CASE WHEN i %% 20 = 8 THEN (ARRAY['self_care', 'partial', 'full'])[1 + i %% 3] ELSE '' END",
            "start_period": "DATE '2024-01-01'", "status": "'active'", "reason": "''", "source": f"'{SOURCE}'",
            "created_at": "now()", "updated_at": "now()",
        })
        cursor.execute(f"INSERT INTO benefits_entitlement ({columns}) SELECT {values} FROM generate_series(1, %s) AS g(i) "
                       f"ORDER BY g.i", [n])
        # xcity quotes no 特困 care standards; the benchmark gives it some so every entitlement pays.
        for level, amount in (("self_care", 100), ("partial", 300), ("full", 600)):
            cursor.execute(
                "INSERT INTO benefits_standard (programme_id, variant, amount, unit, effective_from, source, created_at) "
                "VALUES ('tekun_care', %s, %s, 'month', DATE '2024-01-01', 'benchmark', now()) ON CONFLICT DO NOTHING",
                [level, amount])
        for table in ("people_person", "people_household", "people_householdmember", "benefits_entitlement",
                      "benefits_standard"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        print(f"  built in {time.perf_counter() - started:.0f}s", flush=True)
        return True


def reset_lines(*, keep_scratch: bool = False) -> None:
    with _cursor() as cursor:
        cursor.execute("TRUNCATE disbursement_paymentline, disbursement_linebasis, disbursement_paymentlineevent, "
                       "disbursement_overpayment, disbursement_bankfiledownload, disbursement_bankreturnimport, "
                       "disbursement_paymentrun, disbursement_historicalpaymentrun CASCADE")
        if not keep_scratch:  # the floor's lines, which same_lines() compares the service's with
            cursor.execute("DROP TABLE IF EXISTS bench_scratch_lines")
        # Warm the caches the same way for both contenders.
        for table in ("people_person", "people_household", "benefits_entitlement"):
            cursor.execute(f"SELECT count(*) FROM {table}")


def checkpoint() -> None:
    with _cursor() as cursor:
        cursor.execute("CHECKPOINT")


def floor_generation() -> tuple[float, int, str]:
    from tenants.selectors import current_bureau

    bureau = current_bureau()
    with _cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_scratch_lines")
        cursor.execute("CREATE TABLE bench_scratch_lines (LIKE disbursement_paymentline INCLUDING DEFAULTS "
                       "INCLUDING IDENTITY)")
    checkpoint()
    started = time.perf_counter()
    with _cursor() as cursor:
        cursor.execute(FLOOR_SQL, {"period": PERIOD, "multiplier": bureau.tekun_multiplier,
                                   "share": bureau.classified_share})
    seconds = time.perf_counter() - started
    with _cursor() as cursor:
        cursor.execute("SELECT count(*), sum(amount) FROM bench_scratch_lines")
        count, total = cursor.fetchone()
    return seconds, count, f"{total:.2f}"


def same_lines(run_id: int) -> bool:
    """The service's lines and the floor's are the same set (key, amount, payee, account, town)."""
    cols = "key_ref, programme_id, period, amount, payee_name, id_number, bank_account, town_id, standard_amount"
    with _cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM (SELECT {cols} FROM disbursement_paymentline WHERE run_id = %s "
                       f"EXCEPT SELECT {cols} FROM bench_scratch_lines) d", [run_id])
        one = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM (SELECT {cols} FROM bench_scratch_lines EXCEPT "
                       f"SELECT {cols} FROM disbursement_paymentline WHERE run_id = %s) d", [run_id])
        return one == 0 and cursor.fetchone()[0] == 0


def child(kind: str, run_id: int) -> None:
    """One export measurement in this (fresh) process; prints a JSON line."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from apps.core.permissions import SYSTEM
    from apps.disbursement.bankfile import CopyOut, bank_file_open, body_copy
    from apps.disbursement.models import PaymentRun

    size = 0
    raw = kind.endswith("-raw")
    kind = kind.removesuffix("-raw")
    with schema_context(SCHEMA), open(os.devnull, "wb") as sink:
        run = PaymentRun.objects.get(pk=run_id)
        started = time.perf_counter()
        if kind in ("csv", "xlsx"):
            _name, chunks = bank_file_open(run=run, user=SYSTEM, fmt=kind, channel="command")
            for piece in chunks:
                sink.write(piece)
                size += len(piece)
        else:
            statement = body_copy(run) if kind == "copy-same" else (
                "COPY (SELECT id, payee_name, id_number, bank_account, bank_name, amount, programme_id, period, "
                f"town_id, line_type FROM disbursement_paymentline WHERE run_id = {int(run_id)} ORDER BY id) "
                "TO STDOUT WITH (FORMAT csv, HEADER true)")
            if raw:
                with CopyOut(statement) as copy:
                    get, fill = copy.get, copy.fill
                    while True:
                        length, data = get(1)
                        if length <= 0:
                            if length < 0:
                                copy.done = length == -1
                                break
                            fill()
                            continue
                        sink.write(data)
                        size += length
            else:
                with connection.cursor() as cursor, cursor.copy(statement) as copy:
                    for data in copy:
                        sink.write(data)
                        size += len(data)
        seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "bytes": size, "peak_rss_mb": round(peak_rss_mb(), 1)}))


def generate_with(workers: int, chunk_size: int | None) -> tuple[float, object]:
    """A new run of the benchmark's period generated by `workers` sessions at once; (seconds, run)."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from apps.disbursement.generation import payment_run_generate
    from apps.disbursement.models import PaymentRun
    from apps.disbursement.services import payment_run_create

    run, _ = payment_run_create(period=PERIOD)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with schema_context(SCHEMA):
                payment_run_generate(run=run, chunk_size=chunk_size, refresh=False)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    return seconds, PaymentRun.objects.get(pk=run.pk)


def summary(values: list[float], digits: int = 2) -> str:
    """median (min–max)"""
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def generate_against_floor(workers: int, chunk_size: int | None, *, floor: tuple[float, int, str], label: str,
                           load: float) -> tuple[float, object]:
    """A generation by `workers`, refused unless it wrote the floor's lines and total; printed as a ratio."""
    seconds, count, total = floor
    took, run = generate_with(workers, chunk_size)
    if (run.status, run.line_count, f"{run.total_amount:.2f}") != ("generated", count, total):
        raise SystemExit(f"{workers} worker(s): run {run.status}, {run.line_count} lines / {run.total_amount}; "
                         f"the floor {count} / {total}")
    print(f"  {label} {workers} worker(s): {took:.2f}s = {took / seconds:.2f} × floor, {run.detail.get('chunks')} "
          f"chunks by {run.detail.get('workers')} worker(s), load {load:.1f}", flush=True)
    return took, run


def load() -> float:
    return os.getloadavg()[0]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.disbursement", description=__doc__.split("\n")[0])
    parser.add_argument("--entitlements", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", default="1,2", help="worker counts generating (a), e.g. 1,2")
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--no-xlsx", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "RUN"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    counts = [int(part) for part in args.workers.split(",")]

    from benchmarks.common import bench_database_url

    url = bench_database_url()
    ensure_database(url)
    setup_django()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return {}

    from django.contrib.auth import get_user_model
    from django_tenants.utils import schema_context

    from apps.core.permissions import SYSTEM
    from apps.disbursement.generation import payment_run_generate
    from apps.disbursement.services import payment_run_approve, payment_run_mark_exported

    ensure_bureau(SCHEMA)
    figures: dict = {"database": url.rsplit("/", 1)[-1], "entitlements": args.entitlements, "repeat": args.repeat}
    print(f"disbursement benchmark: {args.entitlements:,} entitlements in {SCHEMA} ({figures['database']}), "
          f"{args.repeat} repetitions, workers {counts}", flush=True)
    floors, loads, reruns, rerun_ratios = [], [], [], []
    seconds: dict[int, list[float]] = {count: [] for count in counts}
    ratios: dict[int, list[float]] = {count: [] for count in counts}
    identical = True
    with schema_context(SCHEMA):
        populate(args.entitlements)
        for repetition in range(1, args.repeat + 1):
            reset_lines()
            loads.append(load())
            floor, floor_count, floor_total = floor_generation()
            floors.append(floor)
            print(f"  [{repetition}] (a) floor: {floor_count:,} lines in {floor:.2f}s, load {loads[-1]:.1f}", flush=True)
            for count in (counts if repetition % 2 else list(reversed(counts))):
                reset_lines(keep_scratch=True)
                checkpoint()
                loads.append(load())
                took, run = generate_against_floor(count, args.chunk_size, floor=(floor, floor_count, floor_total),
                                                   label=f"[{repetition}] (a)", load=loads[-1])
                seconds[count].append(took)
                ratios[count].append(took / floor)
            identical = identical and same_lines(run.pk)
            checkpoint()
            loads.append(load())
            started = time.perf_counter()
            rerun = payment_run_generate(run=run, chunk_size=args.chunk_size)
            took = time.perf_counter() - started
            if (rerun.status, rerun.line_count, rerun.total_amount) != ("generated", run.line_count, run.total_amount):
                raise SystemExit("the re-run changed the run's lines")
            reruns.append(took)
            rerun_ratios.append(took / floor)
            print(f"  [{repetition}] (c) re-run: {took:.2f}s = {took / floor:.3f} × floor, load {loads[-1]:.1f}",
                  flush=True)

        approver = get_user_model().objects.get(username=f"{SCHEMA}-approver")
        run = payment_run_approve(run=rerun, user=approver)
        checkpoint()
        started = time.perf_counter()
        payment_run_mark_exported(run=run, user=SYSTEM)
        mark_seconds = time.perf_counter() - started
        with _cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_scratch_lines")
            cursor.execute("VACUUM ANALYZE disbursement_paymentline")

    module = "benchmarks.disbursement"
    exports: dict[str, list[dict]] = {"copy_plain": [], "copy_same": [], "csv": [], "csv_first": [], "xlsx": []}
    export_loads = []
    for repetition in range(1, args.repeat + 1):
        export_loads.append(load())
        # Each floor read both ways — psycopg's Copy iterator and libpq directly — and the faster kept;
        # the export is drawn as often and its faster kept too, so that noise favours neither side.
        exports["copy_plain"].append(min((run_child(module, "--child", kind, str(run.pk))
                                          for kind in ("copy-plain", "copy-plain-raw")),
                                         key=lambda figure: figure["seconds"]))
        exports["copy_same"].append(min((run_child(module, "--child", kind, str(run.pk))
                                         for kind in ("copy-same", "copy-same-raw")),
                                        key=lambda figure: figure["seconds"]))
        draws = [run_child(module, "--child", "csv", str(run.pk)) for _ in range(2)]
        exports["csv_first"].append(draws[0])
        exports["csv"].append(min(draws, key=lambda figure: figure["seconds"]))
        if not args.no_xlsx:
            exports["xlsx"].append(run_child(module, "--child", "xlsx", str(run.pk)))
        print(f"  [{repetition}] (b) COPY {exports['copy_plain'][-1]['seconds']:.2f}s, bank-file query "
              f"{exports['copy_same'][-1]['seconds']:.2f}s, CSV export {exports['csv'][-1]['seconds']:.2f}s"
              + (f", XLSX {exports['xlsx'][-1]['seconds']:.2f}s" if exports["xlsx"] else "")
              + f", load {export_loads[-1]:.1f}", flush=True)

    def secs(kind: str) -> list[float]:
        return [figure["seconds"] for figure in exports[kind]]

    b_ratios = [c / f for c, f in zip(secs("csv"), secs("copy_plain"), strict=True)]
    b_first = [c / f for c, f in zip(secs("csv_first"), secs("copy_plain"), strict=True)]
    b_same = [c / f for c, f in zip(secs("csv"), secs("copy_same"), strict=True)]
    csv_rss = max(figure["peak_rss_mb"] for figure in exports["csv"])
    rounded = lambda values, digits=2: [round(value, digits) for value in values]  # noqa: E731
    figures.update({
        "lines": run.line_count, "total": f"{run.total_amount:.2f}", "identical_lines": identical,
        "a_floor_seconds": rounded(floors),
        "a_service_seconds": {count: rounded(values) for count, values in seconds.items()},
        "a_ratio": {count: rounded(values) for count, values in ratios.items()},
        "c_rerun_seconds": rounded(reruns), "c_ratio_to_floor": rounded(rerun_ratios, 3),
        "mark_exported_seconds": round(mark_seconds, 2),
        "b_copy_plain_seconds": rounded(secs("copy_plain")), "b_copy_same_seconds": rounded(secs("copy_same")),
        "b_csv_seconds": rounded(secs("csv")), "b_csv_bytes": exports["csv"][-1]["bytes"],
        "b_ratio": rounded(b_ratios), "b_ratio_first_draw": rounded(b_first), "b_ratio_same_query": rounded(b_same),
        "b_csv_peak_rss_mb": csv_rss,
        "xlsx_seconds": rounded(secs("xlsx")),
        "xlsx_peak_rss_mb": max((figure["peak_rss_mb"] for figure in exports["xlsx"]), default=None),
        "load_1min_generation": rounded(loads, 1), "load_1min_exports": rounded(export_loads, 1),
    })
    ok = lambda good: "ok" if good else "MISSED"  # noqa: E731
    target_workers = 2 if 2 in counts else counts[-1]
    rows = [
        ("lines / total", f"{run.line_count:,} / {run.total_amount:,.2f} (same lines as the floor: {identical})"),
        ("(a) floor: one INSERT … SELECT", f"{summary(floors)} s"),
    ]
    for count in counts:
        median = statistics.median(ratios[count])
        target = f"  (target ≤ 1.5: {ok(median <= 1.5)})" if count == target_workers else ""
        rows.append((f"(a) generation service, {count} worker(s)",
                     f"{summary(seconds[count])} s; ratio to floor {summary(ratios[count])}{target}"))
    rows += [
        ("(c) idempotent re-run", f"{summary(reruns)} s; ratio to floor {summary(rerun_ratios, 3)}  "
                                  f"(target ≤ 0.15: {ok(statistics.median(rerun_ratios) <= 0.15)})"),
        ("    approved → exported (1 UPDATE)", f"{mark_seconds:.2f}s"),
        ("(b) COPY TO STDOUT, line columns", f"{summary(secs('copy_plain'))} s"),
        ("(b) COPY TO STDOUT, bank-file query", f"{summary(secs('copy_same'))} s"),
        ("(b) CSV bank file export", f"{summary(secs('csv'))} s, {exports['csv'][-1]['bytes'] / 1e6:.0f} MB; ratio "
                                     f"{summary(b_ratios)} (target ≤ 1.2: {ok(statistics.median(b_ratios) <= 1.2)}); "
                                     f"first draw alone {summary(b_first)}; {summary(b_same)} against the same query"),
        ("(b) peak RSS of the exporting process", f"{csv_rss:.0f} MB  (target < 300: {ok(csv_rss < 300)})"),
        ("XLSX bank file export", "skipped" if not exports["xlsx"] else
         f"{summary(secs('xlsx'))} s (target ≤ 30: {ok(statistics.median(secs('xlsx')) <= 30)}), "
         f"peak RSS {figures['xlsx_peak_rss_mb']:.0f} MB"),
        ("1-minute load average", f"generation {min(loads):.1f}–{max(loads):.1f} (median "
                                  f"{statistics.median(loads):.1f}); exports {min(export_loads):.1f}–"
                                  f"{max(export_loads):.1f}"),
    ]
    print(f"\nresults: median (min–max) of {args.repeat}")
    print_table(rows)
    print("\n" + json.dumps(figures))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
