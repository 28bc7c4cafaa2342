"""The API runs the whole workflow: application → entitlement; refusals are JSON; towns are scoped."""

import datetime
from decimal import Decimal

import pytest

from apps.assistance.models import Application, IncomeRecord
from apps.benefits.rules import add_months
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def ago(days):
    return (TODAY - datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def haifeng_household(in_bureau):
    with in_bureau("haifeng"):
        members = [factories.person(hukou_class="rural") for _ in range(3)]
        return factories.household(*members, hukou_class="rural"), members


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_full_workflow_through_the_api(login_as, haifeng_household):
    household, (a, b, c) = haifeng_household
    caseworker = login_as("haifeng", "haifeng-caseworker1")
    approver = login_as("haifeng", "haifeng-approver")

    r = post(caseworker, "/api/v1/applications/", {"programme": "dibao", "household": household.pk,
                                                   "submitted_on": ago(20), "reason": "因病致贫"})
    assert r.status_code == 201, r.content
    app = r.json()
    assert (app["status"], app["available_actions"]) == ("submitted", ["accept"])
    url = f"/api/v1/applications/{app['id']}/"

    r = post(caseworker, url + "transition/", {"action": "accept", "on": ago(19)})
    assert (r.status_code, r.json()["status"]) == (200, "accepted")
    assert post(caseworker, url + "incomes/", {"person": a.pk, "income_type": "wages", "monthly_amount": "600"}).status_code == 200
    assert post(caseworker, url + "asset-check/", {"passed": True, "note": "无房产车辆"}).status_code == 200
    r = post(caseworker, url + "transition/", {"action": "investigate", "on": ago(18), "note": "入户核实"})
    assert r.json()["per_capita_income"] == "200.00"
    r = post(caseworker, url + "transition/", {"action": "check", "on": ago(10)})
    assert (r.json()["classification"], r.json()["standard"]) == ("dibao", "732.00")
    r = post(caseworker, url + "transition/", {"action": "publicise", "on": ago(10)})
    assert (r.json()["status"], r.json()["publicity_ends_on"]) == ("publicised", ago(4))

    r = post(approver, url + "transition/", {"action": "approve", "note": "同意"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "approved" and body["decided_by"] == "haifeng-approver"
    assert [t["action"] for t in body["transitions"]] == ["submit", "accept", "investigate", "check", "publicise",
                                                          "approve"]
    (entitlement_id,) = body["entitlements"]

    start = add_months(TODAY.replace(day=1), 1)
    r = caseworker.get(f"/api/v1/entitlements/{entitlement_id}/?period={start:%Y-%m}")
    assert r.status_code == 200
    e = r.json()
    assert (e["programme"], e["variant"], e["amount"], e["start_period"]) == ("dibao", "rural", "1596.00",
                                                                             start.isoformat())
    listed = caseworker.get(f"/api/v1/entitlements/?programme=dibao&status=active&town={household.town_id}").json()
    assert entitlement_id in [row["id"] for row in listed["results"]]


def test_refused_transition_is_400_json_with_the_reason(login_as, haifeng_household, in_bureau):
    household, _ = haifeng_household
    caseworker = login_as("haifeng", "haifeng-caseworker1")
    app = post(caseworker, "/api/v1/applications/", {"programme": "dibao", "household": household.pk}).json()
    r = post(caseworker, f"/api/v1/applications/{app['id']}/transition/", {"action": "publicise"})
    assert r.status_code == 400
    assert r.json() == {"action": [f"Cannot publicise application #{app['id']}: it is submitted. "
                                   "Possible now: accept, reject."]}
    r = post(caseworker, f"/api/v1/applications/{app['id']}/transition/", {"action": "approve"})
    assert r.status_code == 403
    assert "assistance.approve_application" in r.json()["detail"]
    with in_bureau("haifeng"):
        assert Application.objects.get(pk=app["id"]).status == "submitted"


def test_bad_income_through_the_api(login_as, haifeng_household, in_bureau):
    household, (a, *_) = haifeng_household
    caseworker = login_as("haifeng", "haifeng-caseworker1")
    app = post(caseworker, "/api/v1/applications/", {"programme": "dibao", "household": household.pk}).json()
    post(caseworker, f"/api/v1/applications/{app['id']}/transition/", {"action": "accept"})
    for amount, message in (("-5", "Income cannot be negative (-5)."),
                            ("abc", "Income must be a number of yuan, not 'abc'.")):
        r = post(caseworker, f"/api/v1/applications/{app['id']}/incomes/",
                 {"person": a.pk, "income_type": "wages", "monthly_amount": amount})
        assert (r.status_code, r.json()) == (400, {"monthly_amount": [message]})
    with in_bureau("haifeng"):
        assert not IncomeRecord.objects.filter(application_id=app["id"]).exists()


def test_town_scoping_in_the_api(login_as, haifeng_household, in_bureau):
    household, _ = haifeng_household
    mine = login_as("haifeng", "haifeng-caseworker1")
    other = login_as("haifeng", "haifeng-caseworker2")
    app = post(mine, "/api/v1/applications/", {"programme": "dibao", "household": household.pk}).json()
    with in_bureau("haifeng"):
        e = factories.entitlement(programme="dibao", variant="rural", household=household,
                                  per_capita_income=Decimal("100"), covered_members=3)
    assert other.get(f"/api/v1/applications/{app['id']}/").status_code == 404
    assert post(other, f"/api/v1/applications/{app['id']}/transition/", {"action": "accept"}).status_code == 404
    assert app["id"] not in [row["id"] for row in other.get("/api/v1/applications/").json()["results"]]
    assert other.get(f"/api/v1/entitlements/{e.pk}/").status_code == 404
    assert e.pk not in [row["id"] for row in other.get("/api/v1/entitlements/").json()["results"]]
    assert mine.get(f"/api/v1/entitlements/{e.pk}/").status_code == 200
    # Applying for a household of another town reads like a household that does not exist.
    r = post(other, "/api/v1/applications/", {"programme": "dibao", "household": household.pk})
    assert (r.status_code, r.json()) == (400, {"household": [f"No household #{household.pk} in your town."]})
    # The bureau's reviewer sees every town.
    assert login_as("haifeng", "haifeng-reviewer").get(f"/api/v1/applications/{app['id']}/").status_code == 200


def test_openapi_schema_lists_the_resources(login_as):
    r = login_as("zhongshan", "zhongshan-auditor").get("/api/schema/")
    assert r.status_code == 200
    text = r.content.decode()
    for path in ("/api/v1/standards/", "/api/v1/applications/{id}/transition/", "/api/v1/entitlements/",
                 "/api/v1/grants/", "/api/v1/reviews/"):
        assert path in text
