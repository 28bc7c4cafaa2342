"""Name search by a name's beginning or end (selectors.name_search_q), each a b-tree range scan.

Written in SQL: Django 5.2 puts an index's expression with its operator class inside one pair of
parentheses (`((UPPER("name") text_pattern_ops))`), which PostgreSQL refuses. The expressions are the
ones the ORM's lookups produce: `UPPER("name"::text) LIKE 'X%'` and `REVERSE(UPPER("name"))::text LIKE`.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_funeralhome"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX person_name_prefix ON people_person (upper(name::text) text_pattern_ops)",
            "DROP INDEX person_name_prefix",
        ),
        migrations.RunSQL(
            "CREATE INDEX person_name_suffix ON people_person (reverse(upper(name::text)) text_pattern_ops)",
            "DROP INDEX person_name_suffix",
        ),
    ]
