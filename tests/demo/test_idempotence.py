"""A second `make demo` only serves: every set-up step finds its work done and changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db

# Each command records its own run (core.JobRun): the job log grows by design, nothing else may.
LOGS = {"core_jobrun"}


def _row_counts(schemas: tuple[str, ...]) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_schema, table_name FROM information_schema.tables "
                       "WHERE table_schema = ANY(%s) AND table_type = 'BASE TABLE' ORDER BY 1, 2", [list(schemas)])
        tables = [(schema, name) for schema, name in cursor.fetchall() if name not in LOGS]
        counts = {}
        for schema, name in tables:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{name}"')
            counts[f"{schema}.{name}"] = cursor.fetchone()[0]
    return counts


def test_a_second_demo_set_up_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("DISBURSEMENT_BANKFILES_DIR", str(tmp_path))
    args = ("demo", "--no-serve", "--scale", "tiny", "--only", "xcity")
    first = io.StringIO()
    call_command(*args, stdout=first, stderr=io.StringIO())
    before = _row_counts(("public", "xcity"))
    # The first run made a population, a caseload, a care registry, allowances and a paid month.
    for table in ("people_person", "assistance_application", "benefits_entitlement", "people_careinstitution",
                  "disbursement_paymentline", "demo_populationmarker"):
        assert before[f"xcity.{table}"] > 0, table

    second = io.StringIO()
    call_command(*args, stdout=second, stderr=io.StringIO())
    assert _row_counts(("public", "xcity")) == before
    text = second.getvalue()
    assert "bootstrap: 0 created" in text
    assert "0 applications decided" in text
    assert "was done before; not run again" in text
    assert "was paid and closed before; nothing changed" in text
