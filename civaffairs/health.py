"""`/healthz` on every host, for load balancers: the database, Redis and a Celery worker.

200 with every check "ok", or 503 naming what is down. No login, and nothing in the answer but the
names of the checks: an error's text (it may hold the database URL) goes to the log only.
"""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse

from civaffairs.celery import app as celery_app

logger = logging.getLogger(__name__)

PATH = "/healthz"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def check_celery(app=celery_app) -> None:
    # limit=1: the first worker's answer ends the wait; with none the ping waits the whole timeout.
    replies = app.control.ping(timeout=settings.HEALTH_CELERY_TIMEOUT, limit=1)
    if not replies:
        raise RuntimeError("no Celery worker answered the ping")


CHECKS = {"database": check_database, "redis": check_redis, "celery": check_celery}


def health_report(checks=None) -> tuple[int, dict]:
    results = {}
    for name, check in (checks or CHECKS).items():
        try:
            check()
        except Exception:
            logger.exception("health check %s failed", name)
            results[name] = "down"
        else:
            results[name] = "ok"
    down = sorted(name for name, result in results.items() if result != "ok")
    body = {"status": "down" if down else "ok", "checks": results}
    if down:
        body["down"] = down
    return (503 if down else 200), body


class HealthMiddleware:
    """Answers /healthz before the bureau is looked up: a probe by IP address names no bureau."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.rstrip("/") != PATH:
            return self.get_response(request)
        status, body = health_report()
        response = JsonResponse(body, status=status)
        response["Cache-Control"] = "no-store"
        return response
