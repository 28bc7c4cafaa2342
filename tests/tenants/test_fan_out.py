"""tenants.tasks.for_each_bureau: a task sent once in the public schema runs once in every bureau (real worker)."""

import time

import pytest
from django_tenants.utils import schema_context

from apps.core.models import JobRun
from tenants.tasks import for_each_bureau

pytestmark = pytest.mark.integration


def test_fan_out_reaches_every_bureau_once(committed_db, celery_worker_process):
    with schema_context("public"):
        sent = for_each_bureau.delay("core.heartbeat", {"note": "fan-out"}).get(timeout=60)
    assert sorted(sent) == ["guangzhou", "haifeng", "nanshan", "xcity", "zhongshan"]
    try:
        deadline = time.monotonic() + 60
        counts = {}
        while time.monotonic() < deadline:
            counts = {}
            for schema in sent:
                with schema_context(schema):
                    counts[schema] = JobRun.objects.filter(detail__note="fan-out", status="succeeded").count()
            if all(c == 1 for c in counts.values()):
                break
            time.sleep(0.3)
        assert counts == {schema: 1 for schema in sent}
    finally:
        for schema in sent:
            with schema_context(schema):
                JobRun.objects.filter(detail__note="fan-out").delete()
