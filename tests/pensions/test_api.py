"""The pensions API: registries, child welfare, the engine and its changes; JSON errors, scoping."""

import datetime

from apps.pensions.models import EligibilityChange
from apps.people.models import CareInstitution, Town
from tests import factories

D = datetime.date


def _towns():
    first, second = Town.objects.order_by("id")[:2]
    return first, second


def test_institutions_create_list_and_totals(in_bureau, login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    with in_bureau("zhongshan"):
        town, _ = _towns()
    response = client.post("/api/v1/institutions/", {
        "name": "三乡镇敬老院", "ownership": "public", "town": town.pk, "beds": 120, "nursing_beds": 90,
        "star_rating": 4, "bank_account": "6222000011112222333"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["bank_account"] == "6222***********2333"  # whole only on the detail read
    assert client.get(f"/api/v1/institutions/{body['id']}/").json()["bank_account"] == "6222000011112222333"
    assert client.get("/api/v1/institutions/").json()["count"] == 1
    totals = client.get("/api/v1/institutions/totals/").json()
    assert (totals["institutions"], totals["beds"], totals["nursing_beds"], totals["nursing_share"]) == (
        1, 120, 90, "75.00")


def test_bad_input_is_json_400_with_the_field(in_bureau, login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    with in_bureau("zhongshan"):
        town, _ = _towns()
    response = client.post("/api/v1/institutions/", {
        "name": "三乡镇敬老院", "ownership": "public", "town": town.pk, "beds": 10, "nursing_beds": 11},
        content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"nursing_beds": ["Nursing beds (11) cannot be more than the institution's beds (10)."]}
    response = client.post("/api/v1/meal-sites/", {"name": "长者饭堂", "town": town.pk, "meals_per_month": -3},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"meals_per_month": ["Meals served per month cannot be negative (-3)."]}
    with in_bureau("zhongshan"):
        assert not CareInstitution.objects.exists()


def test_caseworker_sees_only_their_town_and_cannot_write(in_bureau, login_as):
    with in_bureau("zhongshan"):
        first, second = _towns()
        mine = CareInstitution.objects.create(name="甲", ownership="public", town=first, beds=10, nursing_beds=5)
        theirs = CareInstitution.objects.create(name="乙", ownership="private", town=second, beds=10, nursing_beds=5)
    client = login_as("zhongshan", "zhongshan-caseworker1")
    ids = [row["id"] for row in client.get("/api/v1/institutions/").json()["results"]]
    assert ids == [mine.pk]
    assert client.get(f"/api/v1/institutions/{theirs.pk}/").status_code == 404
    assert client.post("/api/v1/institutions/", {"name": "丙", "ownership": "public", "town": first.pk, "beds": 1,
                                                  "nursing_beds": 0}, content_type="application/json").status_code == 403


def test_engine_run_and_confirm_over_the_api(in_bureau, login_as):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1940, 2, 2))
    caseworker = login_as("xcity", "xcity-caseworker1")
    assert caseworker.post("/api/v1/eligibility/run/", {"today": "2024-12-01", "wait": True},
                           content_type="application/json").status_code == 403
    admin = login_as("xcity", "xcity-admin")
    response = admin.post("/api/v1/eligibility/run/", {"today": "2024-12-01", "wait": True},
                          content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["summary"]["changes"] == 1
    changes = admin.get("/api/v1/eligibility-changes/?status=pending").json()["results"]
    assert [(c["person"], c["action"], c["variant"], c["period"]) for c in changes] == [
        (person.pk, "start", "80-99", "2024-12-01")]
    assert changes[0]["person_detail"]["id_number"] == person.id_number[:3] + "*" * 11 + person.id_number[-4:]
    change_id = changes[0]["id"]
    assert caseworker.post(f"/api/v1/eligibility-changes/{change_id}/confirm/", {},
                           content_type="application/json").status_code == 403
    approver = login_as("xcity", "xcity-approver")
    response = approver.post(f"/api/v1/eligibility-changes/{change_id}/confirm/", {"note": "ok"},
                             content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 1
    again = approver.post(f"/api/v1/eligibility-changes/{change_id}/confirm/", {}, content_type="application/json",
                          HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400
    assert "no longer pending" in again.json()["ids"][0]
    with in_bureau("xcity"):
        assert EligibilityChange.objects.get(pk=change_id).created_entitlement.programme_id == "longevity"


def test_explain_says_why(in_bureau, login_as):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1935, 2, 2), local_hukou=False)
    client = login_as("xcity", "xcity-admin")
    response = client.get(f"/api/v1/eligibility/explain/?person={person.pk}&today=2024-12-01",
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    findings = {f["programme"]: f for f in response.json()["programmes"]}
    assert findings["longevity"]["eligible"] is False
    assert findings["longevity"]["reason"] == "no local hukou"
    assert findings["disability_nursing"]["reason_code"] == "no_standard"  # xcity has no 两项补贴 standard


def test_child_welfare_records_over_the_api(in_bureau, login_as):
    with in_bureau("haifeng"):
        child = factories.person(birth_date=D(2012, 7, 7))
    client = login_as("haifeng", "haifeng-admin")
    response = client.post("/api/v1/child-welfare/", {"person": child.pk, "kind": "orphan",
                                                      "placement": "scattered", "since": "2023-04-01"},
                           content_type="application/json")
    assert response.status_code == 201, response.json()
    assert client.get("/api/v1/child-welfare/").json()["count"] == 1
    duplicate = client.post("/api/v1/child-welfare/", {"person": child.pk, "kind": "orphan",
                                                       "placement": "scattered", "since": "2023-05-01"},
                            content_type="application/json")
    assert duplicate.status_code == 400 and "person" in duplicate.json()


def test_other_bureau_host_does_not_see_records(in_bureau, login_as):
    with in_bureau("zhongshan"):
        town, _ = _towns()
        institution = CareInstitution.objects.create(name="中山甲", ownership="public", town=town, beds=1,
                                                     nursing_beds=0)
    client = login_as("xcity", "xcity-admin")
    assert client.get(f"/api/v1/institutions/{institution.pk}/").status_code == 404


def test_openapi_schema_lists_the_pensions_paths(login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["/api/v1/institutions/", "/api/v1/institutions/totals/", "/api/v1/meal-sites/",
                 "/api/v1/eligibility/run/", "/api/v1/eligibility-changes/{id}/confirm/",
                 "/api/v1/child-welfare/", "/api/v1/eligibility/explain/"]:
        assert path in paths, path
