"""A province at scale, for the benchmarks: 150 bureau schemas sized as in the scale issue.

    from benchmarks.province_fixture import build
    report = build(bureaus=150, big=3, big_size=1_000_000, seed=1, months=1)

or `python -m benchmarks.province_fixture [--bureaus 150] [--big 3] [--big-size 1000000] [--months 1]`.

Call `benchmarks.common.setup_django()` first (the scratch database `<DATABASE_URL's name>_bench`);
`build()` creates the database objects it needs and returns a report (bureaus, entitlements, lines,
seconds, bytes).

What it makes:
- the public schema migrated and xcity bootstrapped (the template's source: towns, programmes,
  standards, users, the bureau's settings); migrate_schemas runs for xcity only, never over the
  fixture's 150 schemas;
- `prov_template`: xcity's schema copied (tenants/schema_clone.py) with its people, entitlements and
  payment runs emptied, and 特困 care standards added so that every entitlement prices to a line;
- `prov_001` … `prov_NNN`: copies of the template, each with a registry row (and a
  `prov-NNN.localhost` domain) whose settings are xcity's. Bureaus 1..`big` have `big_size`
  entitlements; the others between 5,000 and 30,000, 13,600 on average (a triangular draw from
  random.Random(seed), so the sizes are the same on every machine);
- per bureau, set-based (INSERT … SELECT over generate_series, no Python loop over rows): one person
  per entitlement (30% 低保 households of one member covering 1–4, 10% 特困, 5% 特困 care, 40% 高龄
  津贴 (80–99, or 100+ for i % 50 = 9), 10% 经济困难高龄服务, 5% 孤儿), start months spread over the 24 months up to the paid
  month, all active; then `months` paid regular runs up to `paid_through` (default: last month; a
  fixture built in an earlier month is then reused as it is),
  closed, one line per entitlement active in the month, priced by the engine's own rate SQL
  (apps.disbursement.sql), 1 in 500 failed at the bank. ID numbers are unique across bureaus except
  `shared` persons per bureau who carry the previous bureau's first ID numbers (both on 低保): the
  province's duplicate-benefit alerts have something to find.

Idempotent: each bureau's schema is stamped (table public.bench_province_fixture) with what it was
built from — its size, the seed, the months, and a digest of xcity's applied migrations — and is
rebuilt only when the stamp differs; bureaus beyond `bureaus` are dropped. `drop()` removes it all.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import random
import sys
import time

from benchmarks.common import PRICED_ENTITLEMENTS

TEMPLATE = "prov_template"
PREFIX = "prov_"
SOURCE = "province-fixture"
STAMPS = "public.bench_province_fixture"
SMALL_MIN, SMALL_MAX, SMALL_MODE = 5_000, 30_000, 6_000  # triangular: mean (5,000 + 30,000 + 6,000) / 3 ≈ 13,667

RIC_CHECK = """
CREATE OR REPLACE FUNCTION pg_temp.ric_check(body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT substr('10X98765432', (sum(substr(body, i::int, 1)::int * w) % 11)::int + 1, 1)
    FROM unnest(ARRAY[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]) WITH ORDINALITY AS t(w, i)
$$
"""

# What an entitlement is, by i % 20 (i = the person's and the entitlement's id).
PROGRAMME = (
    "CASE WHEN i %% 20 < 6 THEN 'dibao' WHEN i %% 20 < 8 THEN 'tekun' WHEN i %% 20 = 8 THEN 'tekun_care' "
    "WHEN i %% 20 < 16 THEN 'longevity' WHEN i %% 20 < 18 THEN 'elderly_service' WHEN i %% 20 = 18 THEN 'orphan' "
    "ELSE 'longevity' END"
)
VARIANT = (
    "CASE WHEN i %% 20 < 6 THEN (CASE WHEN i %% 2 = 1 THEN 'urban' ELSE 'rural' END) "
    "WHEN i %% 20 < 8 THEN (ARRAY['unified', 'urban', 'rural'])[1 + i %% 3] "
    "WHEN i %% 20 = 8 THEN 'unified' "
    "WHEN i %% 20 < 16 OR i %% 20 = 19 THEN (CASE WHEN i %% 50 = 9 THEN '100+' ELSE '80-99' END) "
    "WHEN i %% 20 = 18 THEN 'scattered' ELSE 'unified' END"
)
DIBAO = "i %% 20 < 6"
HUKOU = "CASE WHEN i %% 2 = 1 THEN 'urban' ELSE 'rural' END"

# One paid regular run's lines: the generation's own pricing (rates CTEs, amount expression), the
# bank's answer written in (paid, 1 in 500 failed). {rates} and {amount} from apps.disbursement.sql.
LINES = PRICED_ENTITLEMENTS + """INSERT INTO disbursement_paymentline ({columns})
SELECT {values}
FROM priced p
JOIN people_person pp ON pp.id = p.payee_person_id
LEFT JOIN people_household h ON h.id = p.household_id
WHERE p.amount > 0
ORDER BY p.id
"""


def sizes(*, bureaus: int = 150, big: int = 3, big_size: int = 1_000_000, seed: int = 1) -> list[int]:
    """Entitlements per bureau, bureau 1 first: `big` of big_size, the rest drawn between 5,000 and 30,000."""
    draw = random.Random(seed)
    small = [round(draw.triangular(SMALL_MIN, SMALL_MAX, SMALL_MODE)) for _ in range(max(bureaus - big, 0))]
    return [big_size] * min(big, bureaus) + small


def schema_name(number: int) -> str:
    return f"{PREFIX}{number:03d}"


def _last_month() -> datetime.date:
    first = datetime.date.today().replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def _add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def build(
    *,
    bureaus: int = 150,
    big: int = 3,
    big_size: int = 1_000_000,
    seed: int = 1,
    months: int = 1,
    paid_through: datetime.date | None = None,
    shared: int = 3,
    part: tuple[int, int] = (0, 1),
    verbose: bool = True,
) -> dict:
    """Make (or reuse) the fixture; returns {"bureaus", "built", "entitlements", "lines", "seconds", "bytes"}.

    part=(k, n): build only the bureaus whose number is k modulo n, so that n processes share the work
    (each calls build() with its own k; run part (0, 1) once afterwards to drop what is left over).
    """
    if months < 1:
        raise ValueError("months: at least one paid month")
    # Without a paid_through the bureaus built in an earlier month are reused as they are (a new month
    # is no reason to spend most of an hour rebuilding); with one, a bureau paid through another month
    # is rebuilt.
    any_month = paid_through is None
    paid_through = paid_through or _last_month()
    started = time.perf_counter()
    public_ready()
    digest = _migrations_digest()
    _template_ready(digest)
    wanted = sizes(bureaus=bureaus, big=big, big_size=big_size, seed=seed)
    stamps = _stamps()
    if part == (0, 1):
        for schema in sorted(set(stamps) - {schema_name(n) for n in range(1, bureaus + 1)}):
            _bureau_drop(schema)
    built = 0
    for number, size in enumerate(wanted, start=1):
        if number % part[1] != part[0]:
            continue
        schema = schema_name(number)
        spec = {
            "size": size,
            "seed": seed,
            "months": months,
            "paid_through": paid_through.isoformat(),
            "shared": shared if number > 1 else 0,
            "migrations": digest,
        }
        stamp = stamps.get(schema)
        if stamp == spec or (any_month and stamp and {**stamp, "paid_through": spec["paid_through"]} == spec):
            continue
        t0 = time.perf_counter()
        _bureau_drop(schema)
        _bureau_make(number, spec, paid_through)
        built += 1
        if verbose:
            print(f"  {schema}: {size:,} entitlements in {time.perf_counter() - t0:.1f} s", flush=True)
    report = {"bureaus": bureaus, "built": built, **_totals(bureaus), "seconds": time.perf_counter() - started}
    return report


def drop() -> None:
    """Every fixture schema, registry row and stamp."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [STAMPS])
        if cursor.fetchone()[0] is None:
            return
    for schema in _stamps():
        _bureau_drop(schema)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {TEMPLATE} CASCADE")
        cursor.execute(f"DROP TABLE {STAMPS}")


def schemas() -> list[str]:
    """The fixture's bureau schemas, as built."""
    return sorted(_stamps())


# --------------------------------------------------------------------------- steps


def public_ready() -> None:
    """Public schema migrated, xcity bootstrapped (once): migrate_schemas never walks the fixture's schemas."""
    import io

    from django.core.management import call_command
    from django.db import connection

    out = io.StringIO()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0, stdout=out)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'xcity'")
        exists = cursor.fetchone() is not None
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {STAMPS} (schema_name text PRIMARY KEY, spec jsonb NOT NULL)")
    if exists:
        call_command("migrate_schemas", schema_name="xcity", interactive=False, verbosity=0, stdout=out)
    else:
        call_command("bootstrap", only=["xcity"], quiet_logins=True, stdout=out)
    connection.set_schema_to_public()


def _migrations_digest() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT string_agg(app || '.' || name, ',' ORDER BY app, name) FROM xcity.django_migrations")
        return hashlib.sha256(cursor.fetchone()[0].encode()).hexdigest()[:16]


def _stamps() -> dict[str, dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT schema_name, spec FROM {STAMPS}")
        return {schema: spec if isinstance(spec, dict) else json.loads(spec) for schema, spec in cursor.fetchall()}


def _template_ready(digest: str) -> None:
    """prov_template: xcity's schema without its people, benefits and payment runs (rebuilt on a new migration)."""
    from django.db import connection, transaction

    from tenants.schema_clone import schema_clone

    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s", [TEMPLATE])
        row = cursor.fetchone()
    if row is not None and row[0] == digest:
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {TEMPLATE} CASCADE")
        schema_clone(source="xcity", target=TEMPLATE)
        with connection.cursor() as cursor:
            cursor.execute(f"SET search_path = {TEMPLATE}")
            # CASCADE empties whatever else points at people (reviews, burials, …): the fixture's
            # bureaus hold the generated rows only, so their counts are the fixture's.
            cursor.execute(
                "TRUNCATE people_person, people_household, people_householdmember, benefits_entitlement, "
                "benefits_grant, disbursement_paymentline, disbursement_paymentrun RESTART IDENTITY CASCADE"
            )
            for level, amount in (("self_care", 100), ("partial", 300), ("full", 600)):
                cursor.execute(
                    "INSERT INTO benefits_standard (programme_id, variant, amount, unit, effective_from, source, "
                    "created_at) SELECT 'tekun_care', %s, %s, 'month', DATE '2000-01-01', %s, now() "
                    "WHERE NOT EXISTS (SELECT 1 FROM benefits_standard WHERE programme_id = 'tekun_care' "
                    "AND variant = %s)",
                    [level, amount, SOURCE, level],
                )
            cursor.execute(f"COMMENT ON SCHEMA {TEMPLATE} IS %s", [digest])
            cursor.execute("SET search_path = public")
    # Every bureau was copied from the template before: they are stale with it.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {STAMPS} SET spec = spec || '{{\"migrations\": \"stale\"}}'::jsonb")


def _bureau_drop(schema: str) -> None:
    from django.db import connection

    from tenants.models import Bureau, Domain

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {connection.ops.quote_name(schema)} CASCADE")
        cursor.execute(f"DELETE FROM {STAMPS} WHERE schema_name = %s", [schema])
    # Queryset deletes: the rows and their rollups (Bureau.delete() would drop the schema, done above).
    Domain.objects.filter(tenant__schema_name=schema).delete()
    Bureau.objects.filter(schema_name=schema).delete()


def _bureau_make(number: int, spec: dict, paid_through: datetime.date) -> None:
    from django.db import connection, transaction

    from benchmarks.common import fill_columns
    from tenants.models import Bureau, Domain
    from tenants.schema_clone import schema_clone

    schema, size = schema_name(number), spec["size"]
    xcity = Bureau.objects.get(schema_name="xcity")
    with transaction.atomic():
        schema_clone(source=TEMPLATE, target=schema)
        with connection.cursor() as cursor:
            # Built consistent by construction: no foreign-key trigger per row (their checks, deferred
            # to the commit, cost more than the inserts).
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(f"SET search_path = {schema}, public")
            first_paid = _add_months(paid_through, 1 - spec["months"])
            _people(cursor, number, size, spec["shared"], first_paid, fill_columns)
            for k in range(spec["months"]):
                _paid_run(cursor, _add_months(first_paid, k), xcity, fill_columns)
            cursor.execute("SET search_path = public")
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        connection.set_schema_to_public()
        # bulk_create: the registry row only (save() would create and migrate a schema of its own).
        skip = {"id", "schema_name", "name_zh", "name_en", "area_code", "created_at", "report_year"}
        settings = {
            f.attname: getattr(xcity, f.attname)
            for f in Bureau._meta.concrete_fields
            if f.attname not in skip and not f.primary_key
        }
        (bureau,) = Bureau.objects.bulk_create(
            [
                Bureau(
                    **settings,
                    schema_name=schema,
                    name_zh=f"省测试{number:03d}民政局",
                    name_en=f"Province fixture {number:03d}",
                    area_code=f"44{number:04d}",
                )
            ]
        )
        Domain.objects.bulk_create([Domain(tenant=bureau, domain=f"prov-{number:03d}.localhost", is_primary=True)])
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {STAMPS} VALUES (%s, %s)", [schema, json.dumps(spec)])
    with connection.cursor() as cursor:
        for table in ("people_person", "people_household", "people_householdmember", "benefits_entitlement",
                      "disbursement_paymentline", "disbursement_paymentrun"):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(schema)}.{table}")


def _people(cursor, number: int, size: int, shared: int, start: datetime.date, fill_columns) -> None:
    """Persons 1..size, 低保 households, entitlements 1..size (person i draws entitlement i)."""
    cursor.execute("SELECT id FROM people_town ORDER BY id")
    towns = [row[0] for row in cursor.fetchall()]
    town = "CASE i %% {} {} END".format(len(towns), " ".join(f"WHEN {k} THEN {t}" for k, t in enumerate(towns)))
    # Area code per bureau (44NNNN), the previous bureau's for the first `shared` persons: their ID
    # numbers are that bureau's persons 1..shared.
    area = f"CASE WHEN i <= {shared} THEN '44{number - 1:04d}' ELSE '44{number:04d}' END"
    body = f"{area} || to_char(DATE '1925-01-01' + (i / 1000)::int, 'YYYYMMDD') || lpad((i %% 1000)::text, 3, '0')"
    cursor.execute(RIC_CHECK)
    params = {"n": size}
    columns, values = fill_columns(cursor, "people_person", {
        "id": "i",
        "id_number": f"({body}) || pg_temp.ric_check({body})",
        "id_hash": f"md5(({body})) || md5(({body}) || 'h')",
        "name": "'省测' || i", "gender": "CASE WHEN i %% 2 = 1 THEN 'M' ELSE 'F' END",
        "birth_date": "DATE '1925-01-01' + (i / 1000)::int",
        "hukou_class": HUKOU, "local_hukou": "true", "town_id": town, "phone": "''",
        "bank_account": "'6222' || lpad(i::text, 15, '0')", "bank_name": "'中国农业银行'",
        "is_student": "false", "seriously_ill": "false", "status": "'alive'",
        "created_at": "now()", "updated_at": "now()",
    })
    cursor.execute(f"INSERT INTO people_person ({columns}) SELECT {values} FROM generate_series(1, %(n)s) g(i)", params)
    columns, values = fill_columns(cursor, "people_household", {
        "id": "i", "code": "'P' || i", "town_id": town, "hukou_class": HUKOU, "address": "''",
        "single_parent": "false", "created_at": "now()", "updated_at": "now()",
    })
    cursor.execute(
        f"INSERT INTO people_household ({columns}) SELECT {values} FROM generate_series(1, %(n)s) g(i) WHERE {DIBAO}",
        params,
    )
    columns, values = fill_columns(cursor, "people_householdmember", {
        "household_id": "i", "person_id": "i", "relation": "'head'",
    })
    cursor.execute(
        f"INSERT INTO people_householdmember ({columns}) SELECT {values} FROM generate_series(1, %(n)s) g(i) "
        f"WHERE {DIBAO}",
        params,
    )
    columns, values = fill_columns(cursor, "benefits_entitlement", {
        "id": "i", "programme_id": PROGRAMME, "variant": VARIANT,
        "household_id": f"CASE WHEN {DIBAO} THEN i END",
        "person_id": f"CASE WHEN {DIBAO} THEN NULL ELSE i END", "payee_person_id": "i",
        "per_capita_income": f"CASE WHEN {DIBAO} THEN (i %% 5) * 50 END",
        "covered_members": f"CASE WHEN {DIBAO} THEN 1 + i %% 4 END",
        "addon_members": f"CASE WHEN {DIBAO} THEN i %% 2 ELSE 0 END",
        "care_level": "CASE WHEN i %% 20 = 8 THEN (ARRAY['self_care', 'partial', 'full'])[1 + i %% 3] ELSE '' END",
        # Spread over the 24 months up to the first paid month: the caseload grows month by month.
        "start_period": "(%(start)s::date - make_interval(months => (i * 7) %% 24))::date",
        "status": "'active'", "reason": "''", "source": f"'{SOURCE}'",
        "created_at": "now()", "updated_at": "now()",
    })
    cursor.execute(
        f"INSERT INTO benefits_entitlement ({columns}) SELECT {values} FROM generate_series(1, %(n)s) g(i)",
        {**params, "start": start},
    )
    for table in ("people_person", "people_household", "people_householdmember", "benefits_entitlement"):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), greatest((SELECT max(id) FROM {table}), 1))", [table]
        )


def _paid_run(cursor, period: datetime.date, xcity, fill_columns) -> None:
    """A closed regular run of `period` whose lines the bank answered: paid, 1 in 500 failed."""
    from apps.disbursement import sql

    columns, values = fill_columns(cursor, "disbursement_paymentrun", {
        "period": "%(period)s", "kind": "'regular'", "status": "'closed'", "started_at": "%(period)s::timestamptz",
        "finished_at": "%(period)s::timestamptz", "approved_at": "%(period)s::timestamptz + interval '2 days'",
        "exported_at": "%(period)s::timestamptz + interval '2 days'",
        "closed_at": "%(period)s::timestamptz + interval '9 days'", "error": "''", "detail": "'{}'::jsonb",
        "bank_file_sha256": "''",
    })
    cursor.execute(f"INSERT INTO disbursement_paymentrun ({columns}) SELECT {values} RETURNING id",
                   {"period": period})
    run_id = cursor.fetchone()[0]
    failed = "p.id %% 500 = 7"
    columns, values = fill_columns(cursor, "disbursement_paymentline", {
        "run_id": "%(run)s", "programme_id": "p.programme_id", "line_type": "'regular'", "key_ref": "p.id",
        "key_variant": "0", "period": "%(period)s", "entitlement_id": "p.id", "household_id": "p.household_id",
        "person_id": "p.person_id", "payee_person_id": "p.payee_person_id", "payee_name": "pp.name",
        "id_number": "pp.id_number", "bank_account": "pp.bank_account", "bank_name": "pp.bank_name",
        "town_id": "coalesce(h.town_id, pp.town_id)", "variant": "p.basis_variant", "standard_amount": "p.monthly",
        "per_capita_income": "p.per_capita_income", "covered_members": "p.covered_members",
        "addon_members": "p.addon_members", "amount": "p.amount",
        "status": f"CASE WHEN {failed} THEN 'failed' ELSE 'paid' END",
        "failure_reason": f"CASE WHEN {failed} THEN '账户不存在' ELSE '' END",
        "bank_reference": "'R' || p.id", "posted_on": "%(period)s::date + 9",
    })
    statement = LINES.format(
        rates=sql.rates_ctes(),
        amount=sql.amount_expr(programme="e.programme_id", standard="r.monthly", income="e.per_capita_income",
                               covered="e.covered_members", addon="e.addon_members"),
        columns=columns, values=values,
    )
    cursor.execute(statement, {"period": period, "run": run_id, "multiplier": xcity.tekun_multiplier,
                               "share": xcity.classified_share})
    cursor.execute(
        "UPDATE disbursement_paymentrun r SET line_count = s.n, total_amount = s.total, lines_total = s.n, "
        "lines_done = s.n FROM (SELECT count(*) AS n, coalesce(sum(amount), 0) AS total "
        "FROM disbursement_paymentline WHERE run_id = %(run)s) s WHERE r.id = %(run)s",
        {"run": run_id},
    )


def _totals(bureaus: int) -> dict:
    from django.db import connection

    entitlements = lines = size = 0
    with connection.cursor() as cursor:
        for schema in sorted(_stamps()):
            cursor.execute(
                f"SELECT (SELECT count(*) FROM {schema}.benefits_entitlement), "
                f"(SELECT count(*) FROM {schema}.disbursement_paymentline), "
                "(SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'm'))",
                [schema],
            )
            e, n, b = cursor.fetchone()
            entitlements, lines, size = entitlements + e, lines + n, size + int(b)
        cursor.execute("SELECT pg_database_size(current_database())")
        database = cursor.fetchone()[0]
    return {"entitlements": entitlements, "lines": lines, "bytes": size, "database_bytes": database}


def _cli() -> int:
    from benchmarks.common import ensure_database, setup_django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bureaus", type=int, default=150)
    parser.add_argument("--big", type=int, default=3)
    parser.add_argument("--big-size", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--months", type=int, default=1)
    parser.add_argument("--part", default="0/1", help="k/n: the bureaus whose number is k modulo n (n processes)")
    parser.add_argument("--drop", action="store_true", help="remove the fixture instead")
    args = parser.parse_args()
    url = setup_django()
    ensure_database(url)
    if args.drop:
        drop()
        return 0
    k, n = (int(x) for x in args.part.split("/"))
    report = build(
        bureaus=args.bureaus, big=args.big, big_size=args.big_size, seed=args.seed, months=args.months, part=(k, n)
    )
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(_cli())
