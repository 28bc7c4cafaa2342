"""The workbench's panels: counts with the numbers written out, the town scope, and the home page for
every role."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from apps.assistance import panels as assistance_panels
from apps.assistance.selectors import week_end
from tests import factories
from tests.workbench.planting import plant

pytestmark = pytest.mark.django_db

ROLES = ["admin", "caseworker1", "caseworker2", "reviewer", "approver", "finance", "auditor"]


def _request(username):
    from django.contrib.auth import get_user_model

    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username=username)
    return request


def _counts(panel):
    return {item.url.rsplit("=", 1)[-1]: item.count for item in panel.items}


def test_a_caseworker_counts_the_work_of_their_own_town(zs):
    town1, town2 = zs
    today = timezone.localdate()
    plant(town1, today)
    plant(town2, today)  # the other caseworker's: never counted here

    applications = assistance_panels.applications_panel(request=_request("zhongshan-caseworker1"))
    reviews = assistance_panels.reviews_panel(request=_request("zhongshan-caseworker1"))

    assert _counts(applications) == {
        "submitted": 2,
        "accepted": 1,
        "investigated": 1,
        "checked": 3,
        "ending": 1,
        "ended": 1,
    }
    assert _counts(reviews) == {"yes": 2, "due30": 3}
    assert [item.level for item in applications.items][-2:] == ["warning", "danger"]


def test_another_towns_caseworker_sees_none_of_it(zs):
    town1, _town2 = zs
    plant(town1, timezone.localdate())

    applications = assistance_panels.applications_panel(request=_request("zhongshan-caseworker2"))
    reviews = assistance_panels.reviews_panel(request=_request("zhongshan-caseworker2"))

    assert set(_counts(applications).values()) == {0}
    assert set(_counts(reviews).values()) == {0}


def test_bureau_roles_count_every_town(zs):
    town1, town2 = zs
    today = timezone.localdate()
    plant(town1, today)
    plant(town2, today)

    applications = assistance_panels.applications_panel(request=_request("zhongshan-approver"))

    assert _counts(applications)["checked"] == 6
    assert _counts(applications)["ended"] == 2
    assert applications.items[-1].note == "Ready for 审批."


def test_finance_and_the_auditor_have_no_application_work():
    from django_tenants.utils import schema_context

    with schema_context("zhongshan"):
        assert assistance_panels.applications_panel(request=_request("zhongshan-finance")) is None
        assert assistance_panels.applications_panel(request=_request("zhongshan-auditor")) is None
        assert assistance_panels.reviews_panel(request=_request("zhongshan-auditor")) is None


def test_each_item_opens_the_list_it_counts(zs, login_as):
    town1, town2 = zs
    today = timezone.localdate()
    plant(town1, today)
    plant(town2, today)
    client = login_as("zhongshan", "zhongshan-caseworker1")
    panel = assistance_panels.applications_panel(request=_request("zhongshan-caseworker1"))
    reviews = assistance_panels.reviews_panel(request=_request("zhongshan-caseworker1"))

    for item in panel.items + reviews.items:
        response = client.get(item.url)
        assert response.status_code == 200, item.url
        assert response.context["cl"].result_count == item.count, item.label


def test_publicity_ending_means_by_sunday_and_ended_means_before_today():
    monday = datetime.date(2026, 11, 23)
    assert week_end(monday) == datetime.date(2026, 11, 29)
    assert week_end(datetime.date(2026, 11, 29)) == datetime.date(2026, 11, 29)


def test_expiring_certificates_are_counted_in_the_town(zs):
    from apps.people import panels as people_panels
    from apps.people.models import DisabilityCertificate
    from tests import factories

    town1, town2 = zs
    today = timezone.localdate()
    for town, days in ((town1, 0), (town1, 59), (town1, 60), (town1, 61), (town1, -1), (town2, 5)):
        holder = factories.person(town_name=town.name)
        DisabilityCertificate.objects.create(
            person=holder,
            number=f"C{holder.pk}",
            category="physical",
            level=2,
            valid_from=today - datetime.timedelta(days=2000),
            valid_until=today + datetime.timedelta(days=days),
        )

    panel = people_panels.certificates_panel(request=_request("zhongshan-caseworker1"))

    assert panel.items[0].count == 3  # today, in 59 and in 60 days; not 61 days, not yesterday


@pytest.mark.parametrize("role", ROLES)
def test_the_home_page_renders_for_every_role(role, zs, login_as):
    town1, _ = zs
    plant(town1, timezone.localdate())
    client = login_as("zhongshan", f"zhongshan-{role.replace('_', '-')}")

    response = client.get("/admin/")

    assert response.status_code == 200
    assert response.templates[0].name == "admin/workbench/home.html"
    keys = [panel.key for panel in response.context["panels"]] + [c["panel"].key for c in response.context["charts"]]
    if role in ("caseworker1", "caseworker2", "reviewer", "approver", "admin"):
        assert "assistance.applications" in keys
    if role == "admin":
        assert "workbench.month" in keys
    else:
        assert "workbench.month" not in keys


def test_the_menu_is_grouped_by_task_and_hides_developer_models_from_staff(login_as):
    response = login_as("zhongshan", "zhongshan-reviewer").get("/admin/")
    names = [app["name"] for app in response.context["app_list"]]
    models = [m["object_name"] for app in response.context["app_list"] for m in app["models"]]

    assert names[:5] == ["Social assistance", "Elderly care and welfare", "Payments", "People", "Bureau settings"]
    assert "SyntheticPopulation" not in models and "TokenProxy" not in models
    # django-tenants' app list shows a section only for an app of the bureau: every group is one.
    assert "Not available for" not in response.content.decode()
    page = login_as("zhongshan", "zhongshan-reviewer").get("/admin/assistance/application/").content.decode()
    assert "Not available for" not in page  # the sidebar's menu too

    admin_models = [
        m["object_name"]
        for app in login_as("zhongshan", "zhongshan-admin").get("/admin/").context["app_list"]
        for m in app["models"]
    ]
    assert "SyntheticPopulation" in admin_models


def test_the_month_in_figures_reads_the_monthly_registry(settings, in_bureau, monkeypatch):
    from apps.benefits.models import ProgrammeCode
    from apps.workbench import panels as workbench_panels

    settings.MONTHLY_FIGURES = ["tests.workbench.figures.sample"]
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2026, 11, 8))
    with in_bureau("zhongshan"):
        panel = workbench_panels.month_panel(request=_request("zhongshan-admin"))

    assert panel.title == "This month in figures (2026-11)"
    assert [(item.label, item.count, item.note) for item in panel.items] == [
        (str(ProgrammeCode.DIBAO.label), 3011, "¥1,000,000.50"),
        (str(ProgrammeCode.TEKUN.label), 500, "¥980,000.00"),
    ]
    assert panel.chart["labels"][0] == "2025-12" and panel.chart["labels"][-1] == "2026-11"
    assert panel.chart["series"][0]["data"] == [0] + [3000 + m + 500 for m in range(1, 12)]
    assert panel.chart["series"][1]["data"][-1] == "1980000.50"


def test_the_month_in_figures_is_the_administrators_only(in_bureau):
    from apps.workbench import panels as workbench_panels

    with in_bureau("zhongshan"):
        assert workbench_panels.month_panel(request=_request("zhongshan-approver")) is None


def test_the_home_page_speaks_chinese(login_as, settings, zs):
    from django.utils import translation

    town1, _ = zs
    plant(town1, timezone.localdate())
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        client = login_as("zhongshan", "zhongshan-caseworker1")
        client.cookies["django_language"] = "zh-hans"
        html = client.get("/admin/").content.decode()

    for text in (
        "工作台",
        "待受理",
        "待入户调查",
        "本周公示期满",
        "公示期满未审批",
        "已逾期的复核",
        "社会救助",
        "人员信息",
    ):
        assert text in html, text
    assert f"您所在的镇街：{town1.name}" in html


def test_the_approver_sees_the_allowance_changes_waiting(zs):
    from apps.pensions import panels as pensions_panels
    from apps.pensions.models import EligibilityChange, EligibilityRun

    town1, town2 = zs
    run = EligibilityRun.objects.create(today=timezone.localdate())
    for town, status in ((town1, "pending"), (town1, "pending"), (town2, "pending"), (town1, "confirmed")):
        holder = factories.person(town_name=town.name, birth_date=datetime.date(1940, 1, 1))
        EligibilityChange.objects.create(
            run=run,
            person=holder,
            programme_id="longevity",
            action="start",
            variant="80-89",
            period=datetime.date(2026, 12, 1),
            key="start",
            reason_code="age_bracket",
            status=status,
        )

    panel = pensions_panels.eligibility_panel(request=_request("zhongshan-approver"))

    assert panel.items[0].count == 3  # every town's, not the confirmed one
    assert pensions_panels.eligibility_panel(request=_request("zhongshan-caseworker1")) is None
