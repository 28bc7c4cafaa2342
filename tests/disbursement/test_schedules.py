"""Beat schedules: the monthly and nightly fan-outs, in django-celery-beat, created once."""

import json

import pytest
from django_tenants.utils import schema_context

from apps.disbursement.schedules import MONTHLY, NIGHTLY, schedules_ensure

pytestmark = pytest.mark.django_db


def test_schedules_are_created_once_and_admin_edits_are_kept():
    from django_celery_beat.models import PeriodicTask

    with schema_context("public"):
        PeriodicTask.objects.filter(name__in=[MONTHLY, NIGHTLY]).delete()  # bootstrap may have made them
    first = schedules_ensure()
    with schema_context("public"):
        monthly = PeriodicTask.objects.select_related("crontab").get(name=MONTHLY)
        nightly = PeriodicTask.objects.select_related("crontab").get(name=NIGHTLY)
        assert (monthly.task, json.loads(monthly.args)) == ("tenants.for_each_bureau", ["disbursement.monthly_run"])
        assert (nightly.task, json.loads(nightly.args)) == ("tenants.for_each_bureau", ["core.nightly"])
        c = monthly.crontab
        assert (c.minute, c.hour, c.day_of_month, c.month_of_year, c.day_of_week, str(c.timezone)) == (
            "0", "1", "1", "*", "*", "Asia/Shanghai")
        c = nightly.crontab
        assert (c.minute, c.hour, c.day_of_month, str(c.timezone)) == ("0", "2", "*", "Asia/Shanghai")
        nightly.enabled = False  # an administrator's edit
        nightly.save()
    second = schedules_ensure()
    with schema_context("public"):
        assert PeriodicTask.objects.get(name=NIGHTLY).enabled is False
        assert PeriodicTask.objects.filter(name__in=[MONTHLY, NIGHTLY]).count() == 2
    assert [line[0] for line in first] == ["+", "+"] and [line[0] for line in second] == ["=", "="]
