"""POST eligibility/run/ without waiting: a real worker runs the engine in the bureau's schema."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context

from apps.core.models import JobRun
from apps.pensions.models import EligibilityRun

pytestmark = pytest.mark.integration


def test_queued_run_is_done_by_the_worker(committed_db, celery_worker_process):
    client = Client(HTTP_HOST="nanshan.localhost")
    with schema_context("nanshan"):
        client.force_login(get_user_model().objects.get(username="nanshan-admin"))
    try:
        response = client.post("/api/v1/eligibility/run/", {"today": "2024-12-01"}, content_type="application/json")
        assert response.status_code == 202, response.content
        run_id = response.json()["id"]
        deadline = time.monotonic() + 60
        with schema_context("nanshan"):
            while time.monotonic() < deadline:
                run = EligibilityRun.objects.get(pk=run_id)
                if run.status in ("succeeded", "failed"):
                    break
                time.sleep(0.3)
            assert run.status == "succeeded", run.summary
            assert run.summary["today"] == "2024-12-01"
            assert JobRun.objects.filter(job="pensions.eligibility_run", status="succeeded",
                                         detail__eligibility_run=run_id).exists()
    finally:
        with schema_context("nanshan"):
            client.logout()
            JobRun.objects.filter(job="pensions.eligibility_run").delete()
            EligibilityRun.objects.all().delete()
