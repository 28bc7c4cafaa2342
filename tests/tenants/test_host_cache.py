"""The host → bureau routing is remembered per process, and forgotten when a bureau or domain changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants.hosts import host_cache
from tenants.models import Domain

pytestmark = pytest.mark.django_db


def _domain_lookups(queries) -> int:
    return sum('FROM "tenants_domain"' in q["sql"] for q in queries)


def test_a_host_is_looked_up_once_then_remembered(login_as):
    host_cache.clear()
    client = login_as("zhongshan", "zhongshan-admin")
    with CaptureQueriesContext(connection) as first:
        assert client.get("/api/v1/persons/").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get("/api/v1/persons/").status_code == 200
    assert _domain_lookups(first.captured_queries) == 1
    assert _domain_lookups(second.captured_queries) == 0


def test_a_changed_domain_routes_at_once_and_an_unknown_host_is_never_remembered(login_as, client_for):
    client = login_as("zhongshan", "zhongshan-admin")
    assert client.get("/api/v1/persons/").status_code == 200  # remembered now
    domain = Domain.objects.get(domain="zhongshan.localhost")
    domain.domain = "zs-renamed.localhost"
    domain.save()
    try:
        assert client.get("/api/v1/persons/").status_code == 404  # the old host names no bureau any more
        assert host_cache.get("zhongshan.localhost") is None
        renamed = client.get("/api/v1/persons/", HTTP_HOST="zs-renamed.localhost")
        assert renamed.status_code == 200
    finally:
        domain.domain = "zhongshan.localhost"
        domain.save()
    assert client.get("/api/v1/persons/").status_code == 200
