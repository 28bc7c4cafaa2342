"""The demo leaves work to do: applications at every step, publicity ending and over, reviews due and
overdue, in each demo caseworker's town, through the real workflow."""

import datetime

import pytest
from django.test import RequestFactory

from apps.assistance import panels
from apps.assistance.models import Application
from apps.demo.pending_work import pending_work_plant
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 25)  # a Wednesday: publicity ending today and on Sunday the 29th


def _request(username):
    from django.contrib.auth import get_user_model

    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username=username)
    return request


def _counts(panel):
    return {item.url.rsplit("=", 1)[-1]: item.count for item in panel.items}


def test_each_caseworker_town_gets_work_at_every_step(zs, monkeypatch):
    from django.utils import timezone

    town1, town2 = zs
    for town in (town1, town2):
        for _ in range(25):  # one working-age member each: reviewed every six months
            factories.household(factories.person(town_name=town.name, monthly_income=0))

    report = pending_work_plant(schema="zhongshan", today=TODAY)

    assert report["applications"] == {
        "submitted": 4,
        "accepted": 4,
        "investigated": 4,
        "checked": 4,
        "publicised": 6,
        "approved": 10,
    }
    # approved 380, 380 and 350 days ago: due six months later, long past; 170 days ago: due in 12 days
    assert report["reviews_overdue"] == 6
    assert report["reviews_due_30_days"] == 4
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    request = _request("zhongshan-caseworker1")
    assert _counts(panels.applications_panel(request=request)) == {
        "submitted": 2,
        "accepted": 2,
        "investigated": 2,
        "checked": 2,
        "ending": 2,
        "ended": 1,
    }
    assert _counts(panels.reviews_panel(request=request)) == {"yes": 3, "due30": 2}


def test_a_second_run_plants_nothing(zs):
    town1, _town2 = zs
    for _ in range(25):
        factories.household(factories.person(town_name=town1.name, monthly_income=0))
    pending_work_plant(schema="zhongshan", today=TODAY)
    before = Application.objects.count()

    assert pending_work_plant(schema="zhongshan", today=TODAY)["applications"] == {}
    assert Application.objects.count() == before
