"""The bureau schemas of the test session are copies of a migrated template (tenants/schema_clone.py);
these tests keep a copy equal to a migrated schema, so a new kind of object in a migration cannot
make the suite run against something production never has."""

import pytest
from django.db import connection

from tenants.schema_clone import schema_clone
from tests.conftest import TEMPLATE_SCHEMA

pytestmark = pytest.mark.django_db

BUREAUS = ("zhongshan", "guangzhou", "haifeng", "nanshan", "xcity")

# Read with only the schema itself on the search path: its own objects come out unqualified, anything
# elsewhere (a foreign key into the template, say) comes out with its schema name.
CATALOG = {
    "tables": """
        SELECT c.relname, c.relpersistence, c.reloptions, obj_description(c.oid, 'pg_class')
          FROM pg_class c WHERE c.relnamespace = %(ns)s AND c.relkind = 'r' ORDER BY 1""",
    "relations": """
        SELECT c.relname, c.relkind FROM pg_class c WHERE c.relnamespace = %(ns)s ORDER BY 1""",
    "columns": """
        SELECT c.relname, row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum), a.attname,
               format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity, a.attgenerated,
               pg_get_expr(d.adbin, d.adrelid), co.collname, a.attstorage, a.attcompression,
               col_description(c.oid, a.attnum)
          FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
          LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
          LEFT JOIN pg_collation co ON co.oid = a.attcollation
         WHERE c.relnamespace = %(ns)s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY 1, 2""",
    "constraints": """
        SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.convalidated,
               k.condeferrable, k.condeferred, i.relname
          FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
          LEFT JOIN pg_class i ON i.oid = k.conindid
         WHERE c.relnamespace = %(ns)s ORDER BY 1, 2""",
    "indexes": """
        SELECT t.relname, x.relname, replace(pg_get_indexdef(i.indexrelid), %(prefix)s, ' ON <schema>.'),
               i.indisclustered, i.indisreplident, i.indisvalid
          FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid
         WHERE t.relnamespace = %(ns)s ORDER BY 1, 2""",
    "sequences": """
        SELECT s.relname, format_type(q.seqtypid, NULL), q.seqstart, q.seqincrement, q.seqmin, q.seqmax,
               q.seqcache, q.seqcycle, d.deptype, t.relname, a.attname
          FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid
          LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
               AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
          LEFT JOIN pg_class t ON t.oid = d.refobjid
          LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE s.relnamespace = %(ns)s ORDER BY 1""",
    "triggers": """
        SELECT c.relname, tg.tgname, replace(pg_get_triggerdef(tg.oid), %(prefix)s, ' ON <schema>.')
          FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
         WHERE c.relnamespace = %(ns)s AND NOT tg.tgisinternal ORDER BY 1, 2""",
    "functions": """
        SELECT p.proname, pg_get_function_identity_arguments(p.oid) FROM pg_proc p
         WHERE p.pronamespace = %(ns)s ORDER BY 1, 2""",
    "types": """
        SELECT t.typname, t.typtype FROM pg_type t WHERE t.typnamespace = %(ns)s ORDER BY 1""",
}


def catalog(schema: str) -> dict:
    """The schema's structure as comparable rows, with the schema's own name taken out."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        search_path = cursor.fetchone()[0]
        cursor.execute("SELECT oid, ' ON ' || quote_ident(nspname) || '.' FROM pg_namespace WHERE nspname = %s",
                       [schema])
        ns, prefix = cursor.fetchone()
        params = {"ns": ns, "prefix": prefix}
        cursor.execute(f"SET search_path = {connection.ops.quote_name(schema)}")
        result = {}
        for name, sql in CATALOG.items():
            cursor.execute(sql, params)
            result[name] = cursor.fetchall()
        cursor.execute(f"SET search_path = {search_path}")
    return result


def foreign_key_targets(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT r.relnamespace::regnamespace::text FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid "
            "WHERE k.contype = 'f' AND c.relnamespace = %s::regnamespace", [schema])
        return {row[0] for row in cursor.fetchall()}


def migrations(schema: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {connection.ops.quote_name(schema)}.django_migrations ORDER BY 1, 2")
        return cursor.fetchall()


def contents(schema: str) -> dict:
    """Every table's rows (as text) and every sequence's position."""
    q = connection.ops.quote_name
    tables = [row[0] for row in catalog(schema)["relations"] if row[1] == "r"]
    sequences = [row[0] for row in catalog(schema)["sequences"]]
    result = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT t::text FROM {q(schema)}.{q(table)} t ORDER BY 1")
            result[table] = cursor.fetchall()
        for sequence in sequences:
            cursor.execute(f"SELECT last_value, is_called FROM {q(schema)}.{q(sequence)}")
            result[sequence] = cursor.fetchone()
    return result


def test_a_copy_of_the_template_is_the_migrated_template():
    """The template is a freshly migrated tenant schema; its copy matches it object for object, row for row."""
    migrated = catalog(TEMPLATE_SCHEMA)
    assert migrated["tables"] and migrated["constraints"] and migrated["indexes"] and migrated["sequences"]
    schema_clone(source=TEMPLATE_SCHEMA, target="clone_check")  # rolled back with the test's transaction

    copied = catalog("clone_check")
    for kind in CATALOG:
        assert copied[kind] == migrated[kind], kind
    assert foreign_key_targets("clone_check") <= {"clone_check", "public"}
    assert migrations("clone_check") == migrations(TEMPLATE_SCHEMA)
    assert contents("clone_check") == contents(TEMPLATE_SCHEMA)


@pytest.mark.parametrize("schema", BUREAUS)
def test_each_bureau_schema_has_the_structure_of_a_migrated_one(schema):
    migrated = catalog(TEMPLATE_SCHEMA)
    bureau = catalog(schema)
    for kind in CATALOG:
        assert bureau[kind] == migrated[kind], kind
    assert foreign_key_targets(schema) <= {schema, "public"}
    assert migrations(schema) == migrations(TEMPLATE_SCHEMA)


def test_a_copied_table_takes_new_rows_after_the_copied_ones():
    """Sequences continue where the template's stopped: the first new content type gets a fresh id."""
    from django.contrib.contenttypes.models import ContentType
    from django_tenants.utils import schema_context

    with schema_context("zhongshan"):
        before = ContentType.objects.order_by("-id").values_list("id", flat=True).first()
        created = ContentType.objects.create(app_label="clonecheck", model="probe")
    assert created.id > before
