"""The admin runs the workflow: add an application, record the investigation, confirm each step."""

import datetime

import pytest

from apps.assistance.models import Application, IncomeRecord
from apps.benefits.models import Entitlement
from tests import factories

pytestmark = pytest.mark.django_db


def ago(days):
    return (datetime.date.today() - datetime.timedelta(days=days)).isoformat()


def test_every_assistance_page_renders(login_as):
    admin = login_as("zhongshan", "zhongshan-admin")
    for name in ("application", "incomerecord", "assetcheck", "rigidexpense", "careassessment", "objection",
                 "review", "vagrantcase"):
        assert admin.get(f"/admin/assistance/{name}/").status_code == 200, name
        if name not in ("review",):
            assert admin.get(f"/admin/assistance/{name}/add/").status_code == 200, name
    assert admin.get("/admin/assistance/review/?overdue=yes").status_code == 200


def test_workflow_in_the_admin(login_as, in_bureau):
    with in_bureau("haifeng"):
        members = [factories.person(hukou_class="rural") for _ in range(3)]
        household = factories.household(*members, hukou_class="rural")
    caseworker = login_as("haifeng", "haifeng-caseworker1")
    approver = login_as("haifeng", "haifeng-approver")

    r = caseworker.post("/admin/assistance/application/add/", {
        "programme": "dibao", "household": household.pk, "submitted_on": ago(20), "reason": "因病",
        "support_mode": "", "requested_amount": ""})
    assert r.status_code == 302, r.content.decode()[:3000]
    with in_bureau("haifeng"):
        app = Application.objects.get(household=household)
    change = f"/admin/assistance/application/{app.pk}/"
    assert ">accept<" in caseworker.get(change + "change/").content.decode()

    def step(client, action, days=None, note=""):
        return client.post(f"{change}transition/{action}/", {"note": note, "on": ago(days) if days else ""})

    assert step(caseworker, "accept", 19).status_code == 302
    r = caseworker.post("/admin/assistance/incomerecord/add/", {
        "application": app.pk, "person": members[0].pk, "income_type": "wages", "monthly_amount": "-3", "note": ""})
    assert r.status_code == 200 and "Income cannot be negative (-3)." in r.content.decode()
    r = caseworker.post("/admin/assistance/incomerecord/add/", {
        "application": app.pk, "person": members[0].pk, "income_type": "wages", "monthly_amount": "600", "note": ""})
    assert r.status_code == 302, r.context["adminform"].form.errors
    r = caseworker.post("/admin/assistance/assetcheck/add/", {"application": app.pk, "passed": "on", "note": "无",
                                                              "checked_on": ago(18)})
    assert r.status_code == 302
    assert step(caseworker, "investigate", 18).status_code == 302
    assert step(caseworker, "check", 10).status_code == 302
    assert step(caseworker, "publicise", 10).status_code == 302
    # The caseworker may not approve: the page says why and nothing changes.
    r = step(caseworker, "approve")
    assert r.status_code == 200 and "assistance.approve_application" in r.content.decode()
    assert step(approver, "approve", note="同意").status_code == 302
    with in_bureau("haifeng"):
        app.refresh_from_db()
        assert app.status == "approved"
        assert IncomeRecord.objects.filter(application=app).count() == 1
        assert Entitlement.objects.filter(source=app.source_key, programme_id="dibao").exists()


def test_bulk_transition_action_with_confirmation(login_as, in_bureau):
    with in_bureau("zhongshan"):
        from django.contrib.auth import get_user_model

        from apps.assistance import services

        caseworker = get_user_model().objects.get(username="zhongshan-caseworker1")
        apps_ = [services.application_create(user=caseworker, programme="dibao",
                                             household=factories.household(factories.person())) for _ in range(2)]
    client = login_as("zhongshan", "zhongshan-caseworker1")
    ids = [a.pk for a in apps_]
    r = client.post("/admin/assistance/application/", {"action": "do_accept", "_selected_action": ids})
    assert r.status_code == 200 and "This applies to" in r.content.decode()
    r = client.post("/admin/assistance/application/", {"action": "do_accept", "_selected_action": ids,
                                                       "confirmed": "yes", "note": "受理", "on": ""})
    assert r.status_code == 302
    with in_bureau("zhongshan"):
        assert set(Application.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"accepted"}


def test_caseworker_admin_is_scoped_to_the_town(login_as, in_bureau):
    from apps.people.models import Town

    with in_bureau("zhongshan"):
        from django.contrib.auth import get_user_model

        from apps.assistance import services

        other_town = Town.objects.order_by("id")[1]
        cw2 = get_user_model().objects.get(username="zhongshan-caseworker2")
        app = services.application_create(user=cw2, programme="dibao",
                                           household=factories.household(factories.person(town_name=other_town.name)))
    client = login_as("zhongshan", "zhongshan-caseworker1")
    assert client.get(f"/admin/assistance/application/{app.pk}/change/").status_code == 404
    assert client.get(f"/admin/assistance/application/{app.pk}/transition/accept/").status_code == 404
