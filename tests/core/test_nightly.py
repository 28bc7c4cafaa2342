import datetime

import pytest
from django.core.management import call_command
from django.test import override_settings

from apps.core.models import JobRun
from apps.core.nightly import run_nightly

pytestmark = pytest.mark.django_db

CALLS = []


def step_ok(*, today):
    CALLS.append(("ok", today))
    return {"stopped": 3}


def step_broken(*, today):
    raise RuntimeError("rollup table missing")


def step_after(*, today):
    CALLS.append(("after", today))
    return {}


@override_settings(NIGHTLY_STEPS=[f"{__name__}.step_ok", f"{__name__}.step_broken", f"{__name__}.step_after"])
def test_a_failing_step_is_recorded_and_the_next_still_runs(in_bureau):
    CALLS.clear()
    with in_bureau("haifeng"):
        results = run_nightly(today=datetime.date(2025, 3, 11))
        runs = {r.job: r for r in JobRun.objects.filter(job__startswith="nightly:")}
    assert CALLS == [("ok", datetime.date(2025, 3, 11)), ("after", datetime.date(2025, 3, 11))]
    assert results[f"{__name__}.step_ok"] == {"today": "2025-03-11", "stopped": 3}
    assert results[f"{__name__}.step_broken"] == {"error": "RuntimeError: rollup table missing"}
    assert runs["nightly:step_ok"].status == "succeeded"
    assert runs["nightly:step_broken"].status == "failed"
    assert runs["nightly:step_broken"].detail["error"] == "RuntimeError: rollup table missing"


@override_settings(NIGHTLY_STEPS=[f"{__name__}.step_ok"])
def test_nightly_command_runs_one_bureau_or_all(capsys):
    CALLS.clear()
    call_command("nightly", "--tenant", "xcity", "--today", "2025-01-02")
    assert CALLS == [("ok", datetime.date(2025, 1, 2))]
    CALLS.clear()
    call_command("nightly", "--all", "--today", "2025-01-02")
    assert len(CALLS) == 5


def test_nightly_command_refuses_unknown_bureau_and_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no bureau 'atlantis'"):
        call_command("nightly", "--tenant", "atlantis")
    with pytest.raises(CommandError, match="is not a date"):
        call_command("nightly", "--all", "--today", "2025-13-01")
