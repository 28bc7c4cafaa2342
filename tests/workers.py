"""Processes of our own against the test database: a real Celery worker, or a management command.

The one implementation behind tests/conftest.py's `celery_worker_process` (the session's worker) and
the disbursement tests that start, kill and restart workers of their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The URL of the database this session is connected to (the test database once it is set up)."""
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgresql://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def subprocess_env(**extra: str) -> dict:
    """The environment of a child process that works on this session's database, Redis and queue."""
    from django.conf import settings

    return {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL, "LOG_LEVEL": "WARNING",
            "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE, **extra}


def start_worker(queue: str, name: str, log_path: Path | None, *, wait: bool = True, **env: str) -> subprocess.Popen:
    """A Celery worker process (solo pool) on `queue`; with `wait`, answering a ping before we return.

    A solo worker busy with a task answers no ping: one that will pick up a task at once is not waited for.
    With no `log_path` its output is dropped.
    """
    from civaffairs.celery import app

    hostname = f"{name}-{os.getpid()}@{os.uname().nodename}"
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "civaffairs", "worker", "--pool=solo", "--loglevel=INFO",
         "-Q", queue, "-n", hostname, "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=subprocess_env(CELERY_QUEUE=queue, **env), stdout=log, stderr=subprocess.STDOUT,
    )
    if log_path:
        log.close()  # the child has its own handle
    deadline = time.monotonic() + 60
    while wait and time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker {name} exited at start; see {log_path or 'its output (not kept)'}")
        if app.control.ping(timeout=0.5, destination=[hostname]):
            return proc
    if not wait:
        return proc
    proc.kill()
    raise RuntimeError(f"worker {name} did not answer a ping within 60s; see {log_path or 'its output (not kept)'}")


def stop_worker(proc: subprocess.Popen) -> None:
    """Ask the worker to stop (warm shutdown), and kill it if it has not within 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
