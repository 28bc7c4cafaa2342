"""A real worker process, a real Redis broker, real bureau schemas."""

import pytest
from django_tenants.utils import schema_context

from apps.core.models import JobRun
from apps.core.tasks import heartbeat

pytestmark = pytest.mark.integration


def test_task_runs_in_the_schema_it_was_sent_from(committed_db, celery_worker_process):
    with schema_context("xcity"):
        result = heartbeat.delay(note="from-xcity")
    outcome = result.get(timeout=60)
    assert outcome["schema"] == "xcity"
    try:
        with schema_context("xcity"):
            run = JobRun.objects.get(pk=outcome["job_run_id"])
            assert (run.job, run.status, run.detail["note"]) == ("heartbeat", "succeeded", "from-xcity")
        with schema_context("zhongshan"):
            assert not JobRun.objects.filter(detail__note="from-xcity").exists()
    finally:
        with schema_context("xcity"):
            JobRun.objects.filter(detail__note="from-xcity").delete()

