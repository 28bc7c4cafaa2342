"""Test harness: one test database per session with the real five bureaus bootstrapped from seeds/.

Tests run in English (the message ids) unless they set LANGUAGE_CODE; the product defaults to
Chinese. Tests marked `db` run inside a transaction that is rolled back; a test switches bureau with the
`in_bureau` fixture or talks to a host through `client_for`. Tests that need committed data (a
Celery worker in another process reads it) use `committed_db` and clean up what they wrote.
"""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
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


def _database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgresql://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on this session's queue, against the test database."""
    from django.conf import settings

    from civaffairs.celery import app

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
    }
    log = open(ROOT / ".run" / "test-worker.log", "w") if (ROOT / ".run").is_dir() else subprocess.DEVNULL
    hostname = f"test-{os.getpid()}@%h"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "civaffairs", "worker", "--pool=solo", "--loglevel=INFO",
         "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-n", hostname, "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the Celery worker exited at start; see .run/test-worker.log")
        replies = app.control.ping(timeout=0.5, destination=[hostname.replace("%h", os.uname().nodename)])
        if replies:
            break
    else:
        proc.kill()
        raise RuntimeError("the Celery worker did not answer a ping within 60s")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
