"""The personal-data read log refuses UPDATE and DELETE in the database itself (等保 2.0: an audit trail
nobody can edit, whatever the application lets them do). The one function lives in public, beside the
bureau registry, so that every bureau schema's trigger calls the same code and a schema copy carries
only the trigger."""

from django.db import migrations

FUNCTION = """
DO $$
BEGIN
    IF to_regprocedure('public.civ_append_only()') IS NULL THEN
        CREATE FUNCTION public.civ_append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
            RAISE EXCEPTION '% is append-only: its rows are never changed or deleted', TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END
        $body$;
    END IF;
END
$$;
"""

TRIGGER = """
CREATE TRIGGER personaldataaccess_append_only BEFORE UPDATE OR DELETE ON core_personaldataaccess
FOR EACH ROW EXECUTE FUNCTION public.civ_append_only();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_password_records_and_personal_data_access"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION + TRIGGER,
                          reverse_sql="DROP TRIGGER personaldataaccess_append_only ON core_personaldataaccess;"),
    ]
