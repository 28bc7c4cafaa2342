"""The burial API: deaths, refusals as JSON field errors, town scoping, indicators, and the admin."""

import datetime

import pytest

from apps.burial.models import Cemetery, DeathRecord
from tests import factories

pytestmark = pytest.mark.django_db


def test_deaths_through_the_api(login_as, in_bureau):
    client = login_as("zhongshan", "zhongshan-admin")
    with in_bureau("zhongshan"):
        p = factories.person(birth_date=datetime.date(1940, 6, 1))
        town = factories.town()
    r = client.post(
        "/api/v1/deaths/",
        {"person": p.pk, "date_of_death": "2025-03-10", "cremated_on": "2025-03-12", "disposition": "sea"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    first = r.json()
    assert (first["name"], first["town"], first["id_number"][:3]) == (p.name, p.town_id, p.id_number[:3])
    assert "*" in first["id_number"]  # masked in answers
    r = client.post("/api/v1/deaths/", {"person": p.pk, "date_of_death": "2025-03-11"}, content_type="application/json")
    assert (r.status_code, r.json()) == (
        400,
        {
            "non_field_errors": [
                f"The death of {p.name} is already recorded: death record #{first['id']} of 2025-03-10."
            ]
        },
    )
    r = client.post(
        "/api/v1/deaths/",
        {"name": "无名氏", "town": town.pk, "date_of_death": "2999-01-01"},
        content_type="application/json",
    )
    assert (r.status_code, r.json()) == (400, {"date_of_death": ["The date of death 2999-01-01 is in the future."]})
    r = client.get("/api/v1/burial/indicators/?year=2025")
    assert r.status_code == 200
    assert {k: r.json()[k] for k in ("deaths", "cremations", "eco_burials", "cremation_rate")} == {
        "deaths": 1,
        "cremations": 1,
        "eco_burials": 1,
        "cremation_rate": "100.00",
    }
    assert client.get("/api/v1/burial/indicators/?year=abc").status_code == 400
    r = client.delete(f"/api/v1/deaths/{first['id']}/", {"reason": "录入错误"}, content_type="application/json")
    assert r.status_code == 204
    with in_bureau("zhongshan"):
        p.refresh_from_db()
        assert p.status == "alive"


def test_a_caseworker_sees_only_their_towns_deaths(login_as, in_bureau):
    with in_bureau("zhongshan"):
        towns = list(factories.town().__class__.objects.order_by("id")[:2])
        other = DeathRecord.objects.create(name="外镇某", town=towns[1], date_of_death=datetime.date(2025, 1, 2))
    client = login_as("zhongshan", "zhongshan-caseworker1")
    assert client.get(f"/api/v1/deaths/{other.pk}/").status_code == 404
    assert (
        client.get("/api/v1/deaths/").json()["count"] == 0
        if "count" in client.get("/api/v1/deaths/").json()
        else client.get("/api/v1/deaths/").json() == []
    )


def test_a_plot_sale_above_the_cap_through_the_api(login_as, in_bureau):
    client = login_as("haifeng", "haifeng-admin")
    with in_bureau("haifeng"):
        cemetery = Cemetery.objects.get(name="海丰县镇级公益性公墓二")
    r = client.post(
        f"/api/v1/cemeteries/{cemetery.pk}/sell/",
        {"price": "16000", "sold_on": "2023-05-01"},
        content_type="application/json",
    )
    assert (r.status_code, r.json()) == (
        400,
        {"price": ["¥16,000.00 is above the price cap of ¥15,000.00 per plot at 海丰县镇级公益性公墓二."]},
    )
    r = client.post(
        f"/api/v1/cemeteries/{cemetery.pk}/sell/",
        {"price": "9800", "sold_on": "2023-05-01"},
        content_type="application/json",
    )
    assert (r.status_code, r.json()["plots_sold"], r.json()["remaining"]) == (201, 1, 1999)


def test_the_admin_records_a_death_in_chinese(login_as, in_bureau):
    client = login_as("xcity", "xcity-admin")
    with in_bureau("xcity"):
        p = factories.person(birth_date=datetime.date(1936, 2, 2))
    r = client.get("/admin/burial/deathrecord/add/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200
    r = client.post(
        "/admin/burial/deathrecord/add/",
        {
            "person": p.pk,
            "name": "",
            "local_hukou": "on",
            "date_of_death": "2024-05-01",
            "cause": "age",
            "exemption": "ethnic",
            "disposition": "burial",
        },
    )
    assert r.status_code == 302, r.context["adminform"].form.errors
    with in_bureau("xcity"):
        record = DeathRecord.objects.get(person=p)
        assert (record.exemption, record.history.count()) == ("ethnic", 2)  # recorded, then its benefits effect
    assert client.get("/admin/burial/deathrecord/").status_code == 200
    assert client.get(f"/admin/burial/deathrecord/{record.pk}/history/").status_code == 200


def _workbook(rows):
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["姓名", "公民身份号码", "镇街", "死亡日期", "火化日期", "骨灰安放方式", "免于火化情形"])
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "deaths.xlsx"
    return out


def test_the_excel_import_is_all_or_nothing(login_as, in_bureau):
    client = login_as("xcity", "xcity-admin")
    with in_bureau("xcity"):
        p = factories.person(birth_date=datetime.date(1936, 2, 2))
        town = factories.town().name
    good = [
        ["", p.id_number, town, "2024-05-01", "2024-05-03", "树葬", None],
        ["马某", None, town, "2024-05-02", None, None, "少数民族土葬习俗（如回族）"],
    ]
    bad = good + [["李某", None, "不存在镇", "2024-13-01", None, None, None]]
    r = client.post("/api/v1/deaths/import/", {"file": _workbook(bad)})
    assert r.status_code == 400
    assert r.json()["errors"] == ["row 4, 镇街: 不存在镇 is not a town of this bureau."]
    with in_bureau("xcity"):
        assert not DeathRecord.objects.exists()
    r = client.post("/api/v1/deaths/import/", {"file": _workbook(good)})
    assert (r.status_code, r.json()["created"], r.json()["errors"]) == (201, 2, [])
    with in_bureau("xcity"):
        p.refresh_from_db()
        assert p.status == "deceased"
        assert DeathRecord.objects.get(name="马某").disposition == "burial"


def test_the_workbench_panel_lists_this_weeks_deaths(in_bureau, user_named):
    from django.test import RequestFactory

    from apps.burial import services
    from apps.burial.panels import deaths_this_week

    with in_bureau("xcity"):
        admin = user_named("xcity-admin")
        request = RequestFactory().get("/admin/")
        request.user = admin
        assert deaths_this_week(request=request) is None  # nothing recorded: no panel
        p = factories.person(birth_date=datetime.date(1936, 2, 2))
        factories.entitlement(programme="longevity", variant="80-99", person=p)
        services.death_record_create(user=admin, person=p, date_of_death=datetime.date(2024, 5, 1))
        panel = deaths_this_week(request=request)
        assert [(i.count, i.url) for i in panel.items] == [
            (1, "/admin/burial/deathrecord/"),
            (1, "/admin/burial/deathrecord/?benefits=stopped"),
        ]


def test_the_admin_corrects_a_date_of_death_through_the_service(login_as, in_bureau):
    """The date is read-only on the record's page; the "correct the date" action asks for the date and a
    reason, and the service moves the stop: 高龄津贴 now ends after 2024-02, not 2024-04."""
    from apps.benefits.models import Entitlement
    from apps.burial import services
    from apps.core.permissions import SYSTEM

    client = login_as("xcity", "xcity-admin")
    with in_bureau("xcity"):
        p = factories.person(birth_date=datetime.date(1936, 2, 2))
        longevity = factories.entitlement(programme="longevity", variant="80-89", person=p,
                                          start_period=datetime.date(2023, 1, 1))
        record = services.death_record_create(user=SYSTEM, person=p, date_of_death=datetime.date(2024, 4, 2),
                                              exemption="ethnic", disposition="burial",
                                              today=datetime.date(2024, 4, 10))
    page = client.post("/admin/burial/deathrecord/", {"action": "correct_date", "_selected_action": [record.pk]},
                       HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and "更正死亡日期" in page.content.decode()
    missing_reason = client.post("/admin/burial/deathrecord/", {
        "action": "correct_date", "_selected_action": [record.pk], "confirmed": "yes",
        "date_of_death": "2024-02-20", "reason": ""})
    assert missing_reason.status_code == 200  # the form again, nothing changed
    with in_bureau("xcity"):
        record.refresh_from_db()
        assert record.date_of_death == datetime.date(2024, 4, 2)
    done = client.post("/admin/burial/deathrecord/", {
        "action": "correct_date", "_selected_action": [record.pk], "confirmed": "yes",
        "date_of_death": "2024-02-20", "reason": "死亡医学证明为2月20日"})
    assert done.status_code == 302
    with in_bureau("xcity"):
        record.refresh_from_db()
        longevity = Entitlement.objects.get(pk=longevity.pk)
        assert record.date_of_death == datetime.date(2024, 2, 20)
        assert record.history.first().history_change_reason == "死亡医学证明为2月20日"
        assert (longevity.status, longevity.end_period) == ("stopped", datetime.date(2024, 2, 1))
