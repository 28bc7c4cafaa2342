"""Exactly once across processes: two runs at once, and a real Celery worker SIGKILLed mid-run.

These tests commit their data (other processes must see it) and remove it afterwards.

pytest-django sets up the test database only when a collected test is marked django_db (or asks for
`db`); committed_db alone would otherwise reach the development database. The first test below is
such a test, and the `test_database` fixture refuses to go on without it.
"""

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from apps.disbursement.models import GenerationChunk, PaymentLine, PaymentRun
from tests.disbursement.conftest import bulk_cleanup, bulk_entitlements
from tests.workers import ROOT, start_worker, stop_worker, subprocess_env

SCHEMA = "guangzhou"  # 长寿保健金 80–89: 100.00 a month


@pytest.fixture
def test_database(django_db_setup, committed_db):
    if not connection.settings_dict["NAME"].startswith("test_"):
        pytest.fail("no test database in this session: run the whole module (its first test is django_db)")


@pytest.mark.django_db
def test_this_module_runs_on_the_test_database():
    assert connection.settings_dict["NAME"].startswith("test_")


def lines_summary():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT (key_ref, period, line_type)), coalesce(sum(amount), 0) "
                       "FROM disbursement_paymentline")
        return cursor.fetchone()


@pytest.mark.integration
def test_two_runs_at_once_give_one_set_of_lines(test_database):
    with schema_context(SCHEMA):
        bulk_entitlements(3000, marker="two")
    try:
        command = [sys.executable, "manage.py", "run_disbursement", "--tenant", SCHEMA, "--period", "2024-06",
                   "--chunk-size", "250"]
        procs = [subprocess.Popen(command, cwd=ROOT, env=subprocess_env(), stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True) for _ in range(2)]
        outputs = [p.communicate(timeout=120)[0] for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outputs
        with schema_context(SCHEMA):
            runs = list(PaymentRun.objects.values_list("status", "line_count", "total_amount"))
            assert lines_summary() == (3000, 3000, Decimal("300000.00"))
        assert runs == [("generated", 3000, Decimal("300000.00"))]
        assert all("3,000 lines, total 300,000.00" in out for out in outputs), outputs
    finally:
        with schema_context(SCHEMA):
            bulk_cleanup("two")


@pytest.mark.integration
def test_a_worker_killed_mid_run(test_database, tmp_path):
    """50,000 entitlements; the worker dies by SIGKILL after a few chunks; the broker redelivers the task
    to a second worker once the visibility timeout has passed; every entitlement ends with one line."""
    from civaffairs.celery import app

    n = 50_000
    with schema_context(SCHEMA):
        bulk_entitlements(n, marker="kill")
    queue = f"disbursement-kill-{os.getpid()}"
    log = tmp_path / "worker.log"
    visibility = 4
    workers = []
    try:
        # One worker a run: the second worker gets the run only by the broker's redelivery, not as a helper.
        alone = {"CELERY_VISIBILITY_TIMEOUT": str(visibility), "DISBURSEMENT_GENERATION_WORKERS": "1"}
        workers.append(start_worker(queue, "kill1", log, **alone))
        app.send_task("disbursement.monthly_run", kwargs={"period": "2024-06", "chunk_size": 500}, queue=queue,
                      headers={"_schema_name": SCHEMA})
        sent = time.monotonic()
        done_at_kill = 0
        deadline = time.monotonic() + 90
        with schema_context(SCHEMA):
            while time.monotonic() < deadline:
                run = PaymentRun.objects.filter(kind="regular").first()
                if run and run.lines_done >= 2000:
                    workers[0].send_signal(signal.SIGKILL)
                    workers[0].wait(timeout=10)
                    done_at_kill = run.lines_done
                    break
                time.sleep(0.02)
            assert done_at_kill, "the run never got going"
            killed = PaymentRun.objects.get(pk=run.pk)
            kept = PaymentLine.objects.count()
        assert killed.status == "generating" and 0 < kept < n, (killed.status, kept)

        time.sleep(max(0.0, visibility + 1 - (time.monotonic() - sent)))
        workers.append(start_worker(queue, "kill2", log, wait=False, **alone))
        deadline = time.monotonic() + 120
        with schema_context(SCHEMA):
            while time.monotonic() < deadline:
                run = PaymentRun.objects.get(pk=killed.pk)
                if run.status != "generating":
                    break
                assert workers[1].poll() is None, f"the second worker exited; see {log}"
                time.sleep(0.2)
            assert run.status == "generated", run.error
            assert lines_summary() == (n, n, Decimal("5000000.00"))
            assert (run.line_count, run.total_amount, run.lines_done, run.lines_total) == (
                n, Decimal("5000000.00"), n, n)
            assert run.detail["resumed"] is True
    finally:
        for worker in workers:
            if worker.poll() is None:
                stop_worker(worker)
        with schema_context(SCHEMA):
            bulk_cleanup("kill")
        from kombu import Connection

        with Connection(settings.CELERY_BROKER_URL) as conn:
            conn.default_channel.client.delete(queue)


@pytest.mark.integration
def test_two_workers_share_a_run_and_one_is_killed(test_database, tmp_path):
    """50,000 entitlements in chunks of 500 offered to two workers (the monthly task and its helper);
    once both have finished chunks, one dies by SIGKILL; the other takes the rest (the dead one's chunk
    in flight, if any, is rolled back and taken again), and the run ends with exactly one line per
    entitlement: 50,000 × 100.00."""
    from civaffairs.celery import app

    n = 50_000
    with schema_context(SCHEMA):
        bulk_entitlements(n, marker="pair")
    queue = f"disbursement-pair-{os.getpid()}"
    log = tmp_path / "workers.log"
    workers = []
    try:
        workers = [start_worker(queue, name, log, DISBURSEMENT_GENERATION_WORKERS="2") for name in ("pair1", "pair2")]
        app.send_task("disbursement.monthly_run", kwargs={"period": "2024-06", "chunk_size": 500}, queue=queue,
                      headers={"_schema_name": SCHEMA})
        pids = {worker.pid for worker in workers}
        deadline = time.monotonic() + 90
        killed = None
        with schema_context(SCHEMA):
            while time.monotonic() < deadline and killed is None:
                run = PaymentRun.objects.filter(kind="regular").first()
                done_by = {int(name.rsplit(":", 1)[1]) for name in GenerationChunk.objects.filter(
                    part="regular", done=True).values_list("done_by", flat=True).distinct()}
                if run and done_by == pids and run.lines_done >= 2000:
                    killed = workers[0]
                    killed.send_signal(signal.SIGKILL)
                    killed.wait(timeout=10)
                    break
                time.sleep(0.02)
            assert killed is not None, "the two workers never both took chunks"
            at_kill = PaymentRun.objects.get(pk=run.pk)
            kept = PaymentLine.objects.count()
            assert at_kill.status == "generating" and 0 < kept < n, (at_kill.status, kept)

            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                run = PaymentRun.objects.get(pk=at_kill.pk)
                if run.status != "generating":
                    break
                assert workers[1].poll() is None, f"the surviving worker exited; see {log}"
                time.sleep(0.2)
            assert run.status == "generated", run.error
            assert lines_summary() == (n, n, Decimal("5000000.00"))
            assert (run.line_count, run.total_amount, run.lines_done, run.lines_total) == (
                n, Decimal("5000000.00"), n, n)
            chunks = GenerationChunk.objects.filter(run=run)
            assert chunks.filter(done=False).count() == 0
            assert chunks.filter(part="regular").count() == run.detail["chunks"] == 100
            assert {int(name.rsplit(":", 1)[1]) for name in chunks.values_list("done_by", flat=True)} == pids
            assert run.detail["workers"] == 2 and run.detail["regular_lines"] == n
    finally:
        for worker in workers:
            if worker.poll() is None:
                stop_worker(worker)
        with schema_context(SCHEMA):
            bulk_cleanup("pair")
        from kombu import Connection

        with Connection(settings.CELERY_BROKER_URL) as conn:
            conn.default_channel.client.delete(queue)
