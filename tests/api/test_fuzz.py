"""Schemathesis over every operation of a bureau's API: no 500 and no response outside its schema.

The requests go in-process to Django's WSGI application (no network), as 中山's admin with a token,
inside the test's transaction, so whatever a generated POST or DELETE writes is rolled back. The
number of examples per operation is FUZZ_EXAMPLES (the suite's default keeps it to a few minutes
on two cores; `make fuzz` runs a deeper pass). No operation is skipped: the admin may call them
all, and the rollback makes the destructive ones harmless.
"""

import json
import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

BUREAU = "zhongshan"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
# The explicit phase holds schemathesis' coverage cases (every boundary and bad value of every
# parameter): several dozen requests per operation, too many for the suite's three minutes, so
# the suite generates only and `make fuzz` (FUZZ_DEEP=1) adds them.
PHASES = [Phase.explicit, Phase.generate] if os.environ.get("FUZZ_DEEP") else [Phase.generate]



def bureau_openapi() -> dict:
    """The document /api/schema/ serves on a bureau host (no database needed to build it)."""
    generated = SchemaGenerator(urlconf="civaffairs.urls_tenant").get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


# Built at collection: one test per operation, named after it.
schema = schemathesis.openapi.from_dict(bureau_openapi())


@pytest.fixture
def admin_token(db):
    with schema_context(BUREAU):
        user = get_user_model().objects.get(username=f"{BUREAU}-admin")
        return Token.objects.get_or_create(user=user)[0].key


@pytest.fixture
def wsgi_app():
    # Django's own test Client does the same: a request must not close the test's connection, whose
    # open transaction holds the fixtures and rolls back what the fuzzer wrote.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=PHASES,
    suppress_health_check=list(HealthCheck),
)
def test_api_operation(case, wsgi_app, admin_token):
    case.call_and_validate(
        app=wsgi_app,
        base_url=f"http://{BUREAU}.localhost",
        headers={"Authorization": f"Token {admin_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
