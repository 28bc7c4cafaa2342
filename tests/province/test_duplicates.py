"""一人多保 across two real bureau schemas: open → seen on both workbenches → one side resolves → closed."""

import datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django_tenants.utils import schema_context

from apps.province.models import DuplicateAlert, PublishedHash
from apps.province.services import duplicates_reconcile
from tests import factories as f

pytestmark = pytest.mark.django_db


def _plant():
    """The same ID number on dibao in 中山 (a household member) and on 特困 in 广州."""
    from apps.people.models import Person

    with schema_context("zhongshan"):
        head, member = f.person(name="陈阿明"), f.person(name="陈小红")
        f.entitlement(
            programme="dibao",
            household=f.household(head, member),
            start_period=datetime.date(2024, 1, 1),
            per_capita_income=Decimal("0"),
            covered_members=2,
        )
        number = member.id_number
    with schema_context("guangzhou"):
        twin = Person.objects.create(
            id_number=number,
            id_hash=member.id_hash,
            name="陈小红",
            gender=member.gender,
            birth_date=member.birth_date,
            hukou_class="urban",
            town=f.town(),
            bank_account="6222000000000000001",
            bank_name="农业银行",
        )
        f.entitlement(programme="tekun", person=twin, start_period=datetime.date(2024, 6, 1), care_level="self_care")
    return number


def _panel(schema, username):
    from django.contrib.auth import get_user_model

    from apps.province.panels import duplicates_panel

    with schema_context(schema):
        request = RequestFactory().get("/admin/", HTTP_HOST=f"{schema}.localhost")
        request.user = get_user_model().objects.get(username=username)
        return duplicates_panel(request=request)


def test_duplicate_alert_lifecycle(rollup, login_as):
    number = _plant()
    rollup("zhongshan")
    assert not DuplicateAlert.objects.exists()  # one bureau alone is no duplicate
    result = rollup("guangzhou")
    assert result["alerts"]["opened"] == 1

    alert = DuplicateAlert.objects.get()
    assert alert.status == DuplicateAlert.Status.OPEN
    assert [(p["bureau"], p["programmes"]) for p in alert.parties] == [
        ("guangzhou", ["tekun"]),
        ("zhongshan", ["dibao"]),
    ]
    assert number not in str(alert.parties) and number not in alert.person_hash
    assert PublishedHash.objects.filter(person_hash=alert.person_hash).count() == 2

    # The province lists it, without the number.
    overseer = login_as("public", "overseer")
    body = overseer.get("/api/v1/province/duplicates/").content.decode()
    assert "中山市民政局" in body and "广州市民政局" in body and '"tekun"' in body and number not in body
    assert "陈小红" not in body
    page = overseer.get("/").content.decode()
    assert "中山市民政局" in page and "陈小红" not in page and number not in page

    # Each bureau sees its own person named on its workbench.
    zs_panel = _panel("zhongshan", "zhongshan-admin")
    assert (
        len(zs_panel.items) == 1 and "陈小红" in zs_panel.items[0].label and "广州市民政局" in zs_panel.items[0].label
    )
    assert "陈阿明" not in zs_panel.items[0].label
    gz_panel = _panel("guangzhou", "guangzhou-admin")
    assert "陈小红" in gz_panel.items[0].label and "中山市民政局" in gz_panel.items[0].label

    # 中山 resolves from its side with a reason: fewer than two bureaus remain, the alert closes.
    client = login_as("zhongshan", "zhongshan-admin")
    url = f"/province/duplicates/{alert.pk}/resolve/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200 and DuplicateAlert.objects.get().status == "open"
    response = client.post(url, {"reason": "经核查为同一人,本市低保已于次月停发"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == DuplicateAlert.Status.CLOSED and alert.closed_at is not None
    assert [p["resolved"] for p in alert.parties] == [False, True]
    assert _panel("guangzhou", "guangzhou-admin") is None
    assert client.get(url).status_code == 404  # nothing left to resolve on this side

    # The next rollups keep it closed while only one unresolved bureau remains.
    rollup("zhongshan")
    rollup("guangzhou")
    assert DuplicateAlert.objects.get().status == DuplicateAlert.Status.CLOSED


def test_alert_closes_when_one_bureau_stops_publishing(rollup):
    from apps.benefits.models import Entitlement

    _plant()
    rollup("zhongshan")
    rollup("guangzhou")
    assert DuplicateAlert.objects.get().status == "open"
    with schema_context("guangzhou"):
        Entitlement.objects.filter(programme_id="tekun").update(status="stopped")
    rollup("guangzhou")
    alert = DuplicateAlert.objects.get()
    assert alert.status == "closed"
    assert [p["bureau"] for p in alert.parties] == ["zhongshan"]
    assert duplicates_reconcile()["open"] == 0


def test_a_caseworker_gets_no_panel_and_no_resolve_page(rollup, login_as):
    _plant()
    rollup("zhongshan")
    rollup("guangzhou")
    alert = DuplicateAlert.objects.get()
    from django.contrib.auth import get_user_model

    with schema_context("zhongshan"):
        caseworker = get_user_model().objects.filter(groups__name="caseworker").first()
    assert _panel("zhongshan", caseworker.username) is None
    assert (
        login_as("zhongshan", caseworker.username)
        .post(f"/province/duplicates/{alert.pk}/resolve/", {"reason": "x"})
        .status_code
        == 403
    )
    # A bureau that is not a party gets nothing either.
    assert login_as("nanshan", "nanshan-admin").get(f"/province/duplicates/{alert.pk}/resolve/").status_code == 404


def test_demo_plants_one_duplicate_seen_by_the_province():
    from apps.demo.province import plant_duplicate
    from apps.province.services import bureau_rollup_write

    with schema_context("zhongshan"):
        assert plant_duplicate().startswith("- no duplicate planted")  # nothing on dibao yet
        head = f.person(name="黄大文")
        f.entitlement(
            programme="dibao",
            household=f.household(head),
            start_period=datetime.date(2024, 1, 1),
            per_capita_income=Decimal("0"),
            covered_members=1,
        )
    assert plant_duplicate().startswith("+ duplicate planted")
    assert plant_duplicate().startswith("= duplicate already planted")
    bureau_rollup_write(schema_name="zhongshan")  # today: the 特困 starts this month
    bureau_rollup_write(schema_name="guangzhou")
    alert = DuplicateAlert.objects.get(status="open")
    assert [(p["name_zh"], p["programmes"]) for p in alert.parties] == [
        ("广州市民政局", ["tekun"]),
        ("中山市民政局", ["dibao"]),
    ]
