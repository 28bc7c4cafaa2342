"""Test harness: one test database per session with the real five bureaus bootstrapped from seeds/.

The session migrates one template schema and each bureau's schema is a copy of it (tenants/schema_clone.py;
tests/test_schema_clone.py keeps the copy equal to a migrated schema): migrating five schemas took
minutes and grew with every app.

Tests run in English (the message ids) unless they set LANGUAGE_CODE; the product defaults to
Chinese. Tests marked `db` run inside a transaction that is rolled back; a test switches bureau with the
`in_bureau` fixture or talks to a host through `client_for`. Tests that need committed data (a
Celery worker in another process reads it) use `committed_db` and clean up what they wrote.
"""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tenants.hosts import host_cache

ROOT = Path(__file__).resolve().parent.parent


TEMPLATE_SCHEMA = "tenant_template"


@pytest.fixture(scope="session")
def _fast_password_hashing():
    """The session's logins are hashed with MD5: PBKDF2's rounds cost about a second per demo login made."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(_fast_password_hashing, django_db_setup, django_db_blocker):
    from tests.schema_clone import bureaus_cloned_from, template_migrate

    with django_db_blocker.unblock():
        template_migrate(TEMPLATE_SCHEMA)
        with bureaus_cloned_from(TEMPLATE_SCHEMA):
            call_command("bootstrap", quiet_logins=True, stdout=io.StringIO())
    yield


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read messages in English (the msgids); tests of the Chinese UI set zh-hans themselves."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _back_to_public():
    yield
    connection.set_schema_to_public()
    # A rolled-back test's bureaus leave no signal behind: no host it routed may route the next test,
    # no table it analysed may size the next test's lists.
    from apps.core.pagination import forget_estimates

    host_cache.clear()
    forget_estimates()


@pytest.fixture
def bureau(db):
    """bureau("zhongshan") -> the Bureau row."""
    from tenants.models import Bureau

    return lambda schema: Bureau.objects.get(schema_name=schema)


@pytest.fixture
def in_bureau(db):
    """`with in_bureau("zhongshan"):` runs the block in that bureau's schema."""
    from django_tenants.utils import schema_context

    return schema_context


@pytest.fixture
def zs(in_bureau):
    """Run the test body inside 中山's schema; yields the two towns the demo caseworkers serve."""
    from apps.people.models import Town

    with in_bureau("zhongshan"):
        towns = list(Town.objects.order_by("id")[:2])
        yield towns[0], towns[1]


@pytest.fixture
def client_for(db):
    """client_for("zhongshan") -> a test Client whose requests go to zhongshan.localhost."""

    def make(schema: str | None) -> Client:
        host = "localhost" if schema in (None, "public") else f"{schema}.localhost"
        return Client(HTTP_HOST=host)

    return make


@pytest.fixture
def login_as(client_for):
    """login_as("zhongshan", "zhongshan-admin") -> a Client on that host with that user's session.

    Sessions and users live in each bureau's own schema, so the login happens inside it.
    """
    from django.contrib.auth import get_user_model
    from django_tenants.utils import schema_context

    def make(schema: str, username: str) -> Client:
        client = client_for(schema)
        with schema_context(schema if schema else "public"):
            client.force_login(get_user_model().objects.get(username=username))
        return client

    return make


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Autocommit access for tests whose data another process must see; they clean up themselves.

    Depends on django_db_setup so that, run alone, such a test still gets the test database and
    never the development one.
    """
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on this session's queue, against the test database."""
    from django.conf import settings

    from tests.workers import start_worker, stop_worker

    log = ROOT / ".run" / "test-worker.log" if (ROOT / ".run").is_dir() else None
    if log:
        log.unlink(missing_ok=True)  # this session's worker only
    proc = start_worker(settings.CELERY_TASK_DEFAULT_QUEUE, "test", log)
    yield proc
    stop_worker(proc)
