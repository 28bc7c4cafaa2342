"""The database health check runs on a connection that sat idle, not on one used a moment ago.

Each test opens its own connection to the test database (a request's connection, outside the test's
transaction) and plays the request boundaries Django plays: `close_if_unusable_or_obsolete()` at each
request's start and end.
"""

import time

import pytest
from django.db import OperationalError, connection, connections

from tenants.postgresql_backend import base

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept_connection():
    wrapper = connections.create_connection("default")
    wrapper.set_schema_to_public()
    checks = []
    is_usable = wrapper.is_usable
    wrapper.is_usable = lambda: checks.append(1) or is_usable()
    wrapper.checks = checks
    yield wrapper
    wrapper.close()


def _request(wrapper) -> int:
    """One request's first query; returns the server process that answered it."""
    wrapper.close_if_unusable_or_obsolete()
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _idle(wrapper) -> None:
    wrapper.used_at = time.monotonic() - base.HEALTH_CHECK_IDLE_SECONDS - 0.1


def test_a_connection_used_a_moment_ago_is_not_checked_again(kept_connection):
    assert kept_connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    first = _request(kept_connection)
    second = _request(kept_connection)
    third = _request(kept_connection)
    assert first == second == third
    assert kept_connection.checks == []


def test_an_idle_connection_is_checked_once_per_request(kept_connection):
    first = _request(kept_connection)
    _idle(kept_connection)
    assert _request(kept_connection) == first
    assert kept_connection.checks == [1]  # once: the request's second query trusts the first


def test_an_idle_connection_the_server_dropped_is_replaced_before_the_request_uses_it(kept_connection):
    dropped = _request(kept_connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
    _idle(kept_connection)
    replaced = _request(kept_connection)
    assert replaced != dropped
    assert kept_connection.checks == [1]


def test_a_connection_dropped_while_in_use_fails_that_request_and_is_closed_at_its_end(kept_connection):
    # What the shortcut gives up: without a check, the request that meets the dead connection fails
    # (as it would if the server went away mid-request); the next request gets a new connection.
    dropped = _request(kept_connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
    with pytest.raises(OperationalError):
        _request(kept_connection)
    kept_connection.close_if_unusable_or_obsolete()  # the failed request's end
    assert _request(kept_connection) != dropped
