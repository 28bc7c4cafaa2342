"""/healthz on every host: the database, Redis and a Celery worker; 200 when all answer, 503 naming
what is down; no login, no secret in the answer."""

import json

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.test import Client

from civaffairs import health

HOSTS = ["zhongshan.localhost", "localhost", "127.0.0.1", "nowhere.localhost"]


@pytest.fixture
def no_worker_answers(monkeypatch, settings):
    """Pings go out on a control exchange no worker listens on: a real broadcast that nobody answers."""
    settings.HEALTH_CELERY_TIMEOUT = 0.5
    # set_as_current=False: otherwise shared tasks sent later in the session would go through this app.
    nobody = Celery("nobody", broker=django_settings.REDIS_URL, set_as_current=False)
    nobody.conf.control_exchange = "civaffairs-health-test-nobody-listens"
    monkeypatch.setitem(health.CHECKS, "celery", lambda: health.check_celery(app=nobody))
    yield
    nobody.close()


def healthz(host: str):
    response = Client(HTTP_HOST=host).get("/healthz")
    return response.status_code, json.loads(response.content), response


@pytest.mark.integration
@pytest.mark.parametrize("host", HOSTS)
def test_everything_up_answers_200_on_every_host(db, celery_worker_process, host):
    status, body, response = healthz(host)

    assert status == 200
    assert body == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "celery": "ok"}}
    assert response["Cache-Control"] == "no-store"


def test_no_worker_answering_is_reported_down_with_503(db, no_worker_answers):
    status, body, _ = healthz("zhongshan.localhost")

    assert status == 503
    assert body == {"status": "down", "checks": {"database": "ok", "redis": "ok", "celery": "down"},
                    "down": ["celery"]}


def test_redis_down_is_named_and_its_address_is_not(db, settings, no_worker_answers):
    settings.REDIS_URL = "redis://:s3cret-pass@127.0.0.1:1/0"  # nothing listens on port 1

    status, body, response = healthz("localhost")

    assert status == 503
    assert body["checks"]["redis"] == "down"
    assert body["down"] == ["celery", "redis"]
    text = response.content.decode()
    assert "s3cret" not in text and "127.0.0.1" not in text and "postgresql" not in text


def test_healthz_needs_no_login_and_no_bureau(db, no_worker_answers):
    # An address no bureau owns still gets the health answer, not the unknown-host page.
    status, body, _ = healthz("10.1.2.3")

    assert status == 503 and body["checks"]["database"] == "ok"
