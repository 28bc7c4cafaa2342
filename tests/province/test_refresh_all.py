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


def test_a_bureaus_monthly_run_sends_its_rollup_to_the_province(committed_db, celery_worker_process):
    from celery import current_app
    from django.conf import settings

    from apps.disbursement.models import PaymentRun

    with schema_context("public"):
        _clean()
    try:
        result = current_app.send_task("disbursement.monthly_run", kwargs={"period": "2031-01"},
                                       queue=settings.CELERY_TASK_DEFAULT_QUEUE, headers={"_schema_name": "xcity"})
        assert result.get(timeout=120)["period"] == "2031-01"
        deadline = time.monotonic() + 60
        with schema_context("public"):
            while time.monotonic() < deadline and not RollupRefresh.objects.filter(bureau__schema_name="xcity").exists():
                time.sleep(0.5)
            assert list(RollupRefresh.objects.values_list("bureau__schema_name", flat=True)) == ["xcity"]
    finally:
        with schema_context("xcity"):
            PaymentRun.objects.filter(period="2031-01-01").delete()
        with schema_context("public"):
            _clean()
