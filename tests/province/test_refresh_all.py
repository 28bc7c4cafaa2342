"""Refresh all: one task in the public schema fans out one rollup task per bureau to a real Celery worker."""

import time

import pytest
from django_tenants.utils import schema_context

from apps.province.models import (
    AnnualRollup,
    DuplicateAlert,
    HealthRollup,
    MonthlyRollup,
    PublishedHash,
    RollupRefresh,
    StandardRollup,
)
from apps.province.tasks import refresh_all

pytestmark = pytest.mark.integration

BUREAUS = ["guangzhou", "haifeng", "nanshan", "xcity", "zhongshan"]


def _clean():
    for model in (
        StandardRollup,
        MonthlyRollup,
        AnnualRollup,
        HealthRollup,
        PublishedHash,
        RollupRefresh,
        DuplicateAlert,
    ):
        model.objects.all().delete()


def test_refresh_all_fans_out_one_task_per_bureau(committed_db, celery_worker_process):
    with schema_context("public"):
        _clean()
        try:
            sent = refresh_all.delay("2024-12-15").get(timeout=60)
            assert sorted(sent) == BUREAUS
            deadline = time.monotonic() + 90
            done = []
            while time.monotonic() < deadline:
                done = sorted(RollupRefresh.objects.values_list("bureau__schema_name", flat=True))
                if done == BUREAUS:
                    break
                time.sleep(0.5)
            assert done == BUREAUS
            assert set(
                StandardRollup.objects.filter(programme="dibao").values_list("bureau__schema_name", flat=True)
            ) == set(BUREAUS)
            assert StandardRollup.objects.get(bureau__schema_name="zhongshan", programme="dibao").monthly_amount == 1225
            assert all(not failed for failed in RollupRefresh.objects.values_list("failed_contributors", flat=True))
        finally:
            _clean()
