"""The test session's template schema: migrated once, copied for every bureau (tenants.schema_clone)."""

from __future__ import annotations

from unittest import mock

from django.core.management import call_command
from django.db import connection

from tenants.models import Bureau


def bureaus_cloned_from(template: str):
    """While active, a new Bureau's schema is a copy of `template` instead of a migrated one."""
    return mock.patch.object(Bureau, "schema_source", template)


def template_migrate(template: str) -> None:
    """Create (if need be) and migrate the template schema, as django-tenants migrates a new tenant's."""
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {connection.ops.quote_name(template)}")
    call_command("migrate_schemas", tenant=True, schema_name=template, interactive=False, verbosity=0)
    connection.set_schema_to_public()
