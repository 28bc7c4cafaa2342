"""Copy a migrated tenant schema into a new one, read from the PostgreSQL catalog.

Migrating a bureau schema runs every tenant migration (tens of seconds, more with each app); a copy
of a freshly migrated schema takes a few. `bootstrap` migrates the first new bureau's schema and
copies it for the others (`Bureau.schema_source`); the test session migrates one template schema and
copies it for each bureau. Nothing here names a table: the tables, columns, sequences, constraints
and indexes come from the catalog, so migrations may be squashed and models added or removed freely. Rows come along (migration records, content types,
permissions, what data migrations wrote) and every sequence continues where the template's stands.

How: each table is made with CREATE TABLE … (LIKE template.table INCLUDING …), which copies columns,
defaults, identity, check/unique/primary-key constraints and indexes as parse trees (so partial
indexes come out exactly as migrated); the indexes then get the template's names back, identity
sequences their names and types, and foreign keys are added from pg_get_constraintdef, read with
only the template on the search path so that they point inside the new schema, and so are triggers
whose function lives outside it. What a copy cannot carry (functions, views, triggers of its own functions,
custom types, partitioned tables) is refused loudly rather than left out; tests/test_schema_clone.py
compares a copy with a freshly migrated schema so any drift shows up as a failing test.

A bureau created on its own (the admin, django-tenants' auto_create_schema) is migrated as before.
"""

from __future__ import annotations

from django.db import connection, transaction

UNSUPPORTED = """
SELECT 'function ' || p.proname FROM pg_proc p WHERE p.pronamespace = %(ns)s
UNION ALL
SELECT 'relation ' || c.relname || ' (relkind ' || c.relkind::text || ')' FROM pg_class c
 WHERE c.relnamespace = %(ns)s AND c.relkind NOT IN ('r', 'S', 'i')
UNION ALL
SELECT 'type ' || t.typname FROM pg_type t
 WHERE t.typnamespace = %(ns)s AND t.typtype IN ('e', 'd', 'r', 'm')
UNION ALL
SELECT 'trigger ' || tg.tgname || ' (its function is in the schema)' FROM pg_trigger tg
  JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_proc p ON p.oid = tg.tgfoid
 WHERE c.relnamespace = %(ns)s AND NOT tg.tgisinternal AND p.pronamespace = %(ns)s
UNION ALL
SELECT 'policy ' || pol.polname FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid
 WHERE c.relnamespace = %(ns)s
UNION ALL
SELECT 'inherited table ' || c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE c.relnamespace = %(ns)s
"""

TABLES = """
SELECT c.relname, c.relpersistence, c.reloptions, obj_description(c.oid, 'pg_class')
  FROM pg_class c WHERE c.relnamespace = %(ns)s AND c.relkind = 'r' ORDER BY c.relname
"""

# Every sequence with what owns it: 'i' an identity column, 'a' a serial / OWNED BY column, none.
SEQUENCES = """
SELECT s.relname, format_type(q.seqtypid, NULL), q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache,
       q.seqcycle, d.deptype, t.relname, a.attname
  FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid
  LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
       AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
  LEFT JOIN pg_class t ON t.oid = d.refobjid
  LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
 WHERE s.relnamespace = %(ns)s AND s.relkind = 'S' ORDER BY s.relname
"""

# Column defaults that call nextval(): copied by LIKE with the source's sequence in them.
SEQUENCE_DEFAULTS = """
SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid)
  FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
 WHERE c.relnamespace = %(ns)s AND pg_get_expr(d.adbin, d.adrelid) LIKE '%%nextval(%%'
"""

COLUMNS = """
SELECT c.relname, array_agg(quote_ident(a.attname) ORDER BY a.attnum)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = %(ns)s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
 GROUP BY c.relname
"""

# LIKE copies primary keys, unique, exclusion and check constraints; foreign keys are added afterwards.
FOREIGN_KEYS = """
SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
 WHERE c.relnamespace = %(ns)s AND k.contype = 'f'
 ORDER BY c.relname, k.conname
"""

# Every index, its name and its definition without the name: LIKE copies the index (its expression
# trees untouched, so partial and expression indexes stay exactly as migrated) under a name of its own.
INDEXES = """
SELECT t.relname, x.relname,
       i.indisunique || substr(d.def, strpos(d.def, ' ON ' || quote_ident(n.nspname) || '.') + 5 + length(quote_ident(n.nspname))),
       i.indisclustered
  FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  CROSS JOIN LATERAL (SELECT pg_get_indexdef(i.indexrelid) AS def) d
 WHERE t.relnamespace = %(ns)s
 ORDER BY 1, 2
"""


# Triggers calling a function outside the schema (public.civ_append_only): re-created by definition,
# its table name unqualified (pg_get_triggerdef always qualifies it) to land in the copy.
TRIGGERS = """
SELECT replace(pg_get_triggerdef(tg.oid), ' ON ' || quote_ident(n.nspname) || '.', ' ON ')
  FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relnamespace = %(ns)s AND NOT tg.tgisinternal ORDER BY tg.tgname
"""


class CloneUnsupported(Exception):
    """The source schema holds an object the copy does not know how to carry."""


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def schema_clone(*, source: str, target: str) -> None:
    """Create schema `target` as a copy of `source`: structure, rows, sequence positions; one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        search_path = cursor.fetchone()[0]
        _clone(cursor, source, target)
        # On an error the rollback undoes the SETs as well.
        cursor.execute(f"SET search_path = {search_path}")


def _clone(cursor, source: str, target: str) -> None:
    ns = {"ns": _namespace(cursor, source)}
    cursor.execute(UNSUPPORTED, ns)
    if unsupported := [row[0] for row in cursor.fetchall()]:
        raise CloneUnsupported(f"schema {source} holds what schema_clone cannot copy: {', '.join(unsupported)}")

    # Definitions are read with only the source on the search path, so that a reference to one of its
    # own objects comes out unqualified and is applied below with only the target on the path.
    cursor.execute(f"SET search_path = {_q(source)}")
    cursor.execute(TABLES, ns)
    tables = cursor.fetchall()
    cursor.execute(SEQUENCES, ns)
    sequences = cursor.fetchall()
    cursor.execute(SEQUENCE_DEFAULTS, ns)
    sequence_defaults = cursor.fetchall()
    cursor.execute(COLUMNS, ns)
    columns = dict(cursor.fetchall())
    cursor.execute(FOREIGN_KEYS, ns)
    foreign_keys = cursor.fetchall()
    cursor.execute(INDEXES, ns)
    indexes = cursor.fetchall()
    cursor.execute(TRIGGERS, ns)
    triggers = [row[0] for row in cursor.fetchall()]
    positions = {}
    for name, *_ in sequences:
        cursor.execute(f"SELECT last_value, is_called FROM {_q(source)}.{_q(name)}")
        positions[name] = cursor.fetchone()

    src, dst = _q(source), _q(target)
    cursor.execute(f"CREATE SCHEMA {dst}")
    target_ns = {"ns": _namespace(cursor, target)}
    cursor.execute(f"SET search_path = {dst}")
    for name, type_, start, increment, minimum, maximum, cache, cycle, deptype, _t, _c in sequences:
        if deptype != "i":  # identity sequences come with their tables
            cursor.execute(
                f"CREATE SEQUENCE {dst}.{_q(name)} AS {type_} INCREMENT {increment} MINVALUE {minimum} "
                f"MAXVALUE {maximum} START {start} CACHE {cache} {'' if cycle else 'NO '}CYCLE"
            )
    for name, persistence, options, comment in tables:
        unlogged = "UNLOGGED " if persistence == "u" else ""
        cursor.execute(
            f"CREATE {unlogged}TABLE {dst}.{_q(name)} (LIKE {src}.{_q(name)} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS "
            "INCLUDING CONSTRAINTS INCLUDING INDEXES)"
        )
        if options:
            cursor.execute(f"ALTER TABLE {dst}.{_q(name)} SET ({', '.join(options)})")
        if comment is not None:
            cursor.execute(f"COMMENT ON TABLE {dst}.{_q(name)} IS %s", [comment])
        cols = ", ".join(columns[name])
        cursor.execute(
            f"INSERT INTO {dst}.{_q(name)} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols} FROM {src}.{_q(name)}"
        )
    for table, column, expression in sequence_defaults:
        cursor.execute(f"ALTER TABLE {dst}.{_q(table)} ALTER COLUMN {_q(column)} SET DEFAULT {expression}")
    for name, type_, _s, _i, minimum, maximum, *_, deptype, table, column in sequences:
        if deptype == "i":
            # LIKE names the new identity sequence after the table as it is now, and gives it the
            # column's type; a migrated schema keeps a renamed model's old name and an altered
            # column's old type.
            cursor.execute(
                "SELECT s.relname, format_type(q.seqtypid, NULL) FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid "
                "JOIN pg_depend d ON d.objid = s.oid AND d.deptype = 'i' "
                "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
                "WHERE s.relkind = 'S' AND d.refobjid = %s::regclass AND a.attname = %s",
                [f"{dst}.{_q(table)}", column])
            current, current_type = cursor.fetchone()
            if current != name:
                cursor.execute(f"ALTER SEQUENCE {dst}.{_q(current)} RENAME TO {_q(name)}")
            if current_type != type_:
                cursor.execute(f"ALTER SEQUENCE {dst}.{_q(name)} AS {type_} MINVALUE {minimum} MAXVALUE {maximum}")
        elif deptype == "a":
            cursor.execute(f"ALTER SEQUENCE {dst}.{_q(name)} OWNED BY {dst}.{_q(table)}.{_q(column)}")
        last_value, is_called = positions[name]
        cursor.execute("SELECT setval(%s, %s, %s)", [f"{dst}.{_q(name)}", last_value, is_called])
    _indexes_renamed(cursor, indexes, target_ns, target)
    for table, name, definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {dst}.{_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    for definition in triggers:  # after the rows: none fires on INSERT … SELECT anyway
        cursor.execute(definition)


def _namespace(cursor, schema: str) -> int:
    cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema])
    return cursor.fetchone()[0]


def _indexes_renamed(cursor, source_indexes, target_ns, target: str) -> None:
    """Give each index LIKE made the name of the source index it copies (same table, same definition)."""
    dst = _q(target)
    cursor.execute(INDEXES, target_ns)
    made: dict[tuple, list[str]] = {}
    for table, name, definition, _ in cursor.fetchall():
        made.setdefault((table, definition), []).append(name)
    renames = []
    for table, name, definition, clustered in source_indexes:
        key = (table, definition)
        if not made.get(key):
            raise CloneUnsupported(f"no copy of index {name} on {table}")
        current = made[key].pop()
        if current != name or clustered:
            renames.append((current, name, table, clustered))
    # Through temporary names: a name LIKE chose may be the name of another index of the source.
    for i, (current, _, _, _) in enumerate(renames):
        cursor.execute(f"ALTER INDEX {dst}.{_q(current)} RENAME TO {_q(f'schema_clone_{i}')}")
    for i, (_, name, table, clustered) in enumerate(renames):
        cursor.execute(f"ALTER INDEX {dst}.{_q(f'schema_clone_{i}')} RENAME TO {_q(name)}")
        if clustered:
            cursor.execute(f"ALTER TABLE {dst}.{_q(table)} CLUSTER ON {_q(name)}")
