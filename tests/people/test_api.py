"""/api/v1/persons and /api/v1/households: scoping, permissions, field-level JSON errors, isolation."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token

from apps.people.models import Household, Person

pytestmark = pytest.mark.django_db


def person_payload(number, town, **extra):
    return {"id_number": number, "name": "张三", "hukou_class": "urban", "town": town.pk, **extra}


def test_caseworker_registers_a_person_and_reads_it_back(zs, api, id_number):
    town, _ = zs
    client = api("zhongshan", "zhongshan-caseworker1")
    number = id_number(11, gender="F").replace("X", "x")
    response = client.post("/api/v1/persons/", person_payload(number, town, bank_account="6222000011112222333",
                                                              bank_name="农业银行", monthly_income="1200.00"))
    assert response.status_code == 201, response.content
    body = response.json()
    # Whole numbers only on a detail read (SPEC §7), which the caseworker may see.
    assert body["id_number"] == number.upper()[:3] + "*" * 11 + number.upper()[-4:]
    assert body["gender"] == "F" and body["birth_date"] == "1975-06-01"
    assert body["town_name"] == town.name and body["household"] is None
    detail = client.get(f"/api/v1/persons/{body['id']}/").json()
    assert (detail["name"], detail["id_number"], detail["bank_account"]) == (
        "张三", number.upper(), "6222000011112222333")


def test_errors_are_field_level_json(zs, api):
    town, _ = zs
    client = api("zhongshan", "zhongshan-caseworker1")
    response = client.post("/api/v1/persons/", person_payload("110105194912310021", town, phone="123"))
    assert response.status_code == 400
    assert response.json() == {
        "id_number": ["The check character of 110105194912310021 should be X."],
        "phone": ["123 is not a phone number (11-digit mobile or area code and number)."],
    }
    response = client.post("/api/v1/persons/", {"name": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"id_number", "hukou_class", "town"}


def test_caseworker_cannot_reach_another_towns_person(zs, api, person_in):
    town, other = zs
    outsider = person_in(other, 12, name="外镇人")
    client = api("zhongshan", "zhongshan-caseworker1")
    assert client.get(f"/api/v1/persons/{outsider.pk}/").status_code == 404
    assert client.patch(f"/api/v1/persons/{outsider.pk}/", {"name": "改"}).status_code == 404
    assert outsider.pk not in [row["id"] for row in client.get("/api/v1/persons/").json()["results"]]
    assert client.get("/api/v1/persons/", town=other.pk).json()["count"] == 0
    # Nor register or move anyone into it.
    response = client.post("/api/v1/persons/", person_payload("11010519491231002X", other))
    assert response.status_code == 400
    assert response.json() == {"town": ["You can only register records of your own town."]}
    mine = person_in(town, 13)
    assert client.patch(f"/api/v1/persons/{mine.pk}/", {"town": other.pk}).status_code == 400
    outsider.refresh_from_db()
    assert outsider.name == "外镇人"


def test_bureau_wide_roles_see_every_town(zs, api, person_in):
    town, other = zs
    person_in(town, 14)
    outsider = person_in(other, 15)
    client = api("zhongshan", "zhongshan-reviewer")
    assert client.get(f"/api/v1/persons/{outsider.pk}/").status_code == 200
    assert client.get("/api/v1/persons/", town=other.pk).json()["count"] >= 1


def test_search_by_name_or_whole_id_number(zs, api, person_in, id_number):
    town, _ = zs
    person = person_in(town, 16, name="欧阳明月", id_number="11010519491231002X")
    client = api("zhongshan", "zhongshan-reviewer")
    by_name = client.get("/api/v1/persons/", search="明月").json()
    assert [row["id"] for row in by_name["results"]] == [person.pk]
    by_number = client.get("/api/v1/persons/", search="11010519491231002x").json()
    assert [row["id"] for row in by_number["results"]] == [person.pk]
    assert client.get("/api/v1/persons/", search="110105").json()["count"] == 0  # no partial-number fishing


def test_auditor_reads_but_cannot_write(zs, api, person_in):
    town, _ = zs
    person = person_in(town, 17)
    client = api("zhongshan", "zhongshan-auditor")
    assert client.get(f"/api/v1/persons/{person.pk}/").status_code == 200
    assert client.post("/api/v1/persons/", person_payload("11010519491231002X", town)).status_code == 403
    assert client.patch(f"/api/v1/persons/{person.pk}/", {"name": "改"}).status_code == 403
    assert client.post("/api/v1/households/", {"town": town.pk, "hukou_class": "urban"}).status_code == 403
    assert not Person.objects.filter(id_number="11010519491231002X").exists()


def test_household_with_members_in_one_request(zs, api, person_in):
    town, _ = zs
    head, child = person_in(town, 18, name="户主甲"), person_in(town, 19, name="子女乙")
    client = api("zhongshan", "zhongshan-caseworker1")
    response = client.post("/api/v1/households/", {
        "town": town.pk, "hukou_class": "rural", "address": "某村1号",
        "members": [{"person": head.pk, "relation": "head"}, {"person": child.pk, "relation": "child"}],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(m["name"], m["relation"]) for m in body["members"]] == [("户主甲", "head"), ("子女乙", "child")]
    assert client.get(f"/api/v1/persons/{head.pk}/").json()["household"] == {
        "id": body["id"], "code": body["code"], "relation": "head"}

    # A second household for the child: refused, and the new household is not left behind.
    count = Household.objects.count()
    response = client.post("/api/v1/households/", {
        "town": town.pk, "hukou_class": "rural", "members": [{"person": child.pk, "relation": "head"}]})
    assert response.status_code == 400
    assert response.json() == {"members": [
        {"person": [f"子女乙 is already a member of household {body['code']}; remove them there first."]}]}
    assert Household.objects.count() == count


def test_members_sub_resource(zs, api, person_in):
    town, other = zs
    head, spouse = person_in(town, 20, name="甲"), person_in(town, 21, name="乙")
    outsider = person_in(other, 22)
    client = api("zhongshan", "zhongshan-caseworker1")
    household = client.post("/api/v1/households/", {"town": town.pk, "hukou_class": "urban",
                                                     "members": [{"person": head.pk, "relation": "head"}]}).json()
    url = f"/api/v1/households/{household['id']}/members/"
    assert client.post(url, {"person": spouse.pk, "relation": "spouse"}).status_code == 201
    response = client.post(url, {"person": outsider.pk, "relation": "other"})
    assert response.status_code == 400
    assert response.json() == {"person": [f"Person #{outsider.pk} was not found."]}
    assert client.delete(f"{url}{spouse.pk}/").status_code == 204
    assert [m["name"] for m in client.get(f"/api/v1/households/{household['id']}/").json()["members"]] == ["甲"]


def test_token_auth_and_isolation_between_bureaus(zs, in_bureau, person_in):
    town, _ = zs
    person_in(town, 23)
    user = get_user_model().objects.get(username="zhongshan-reviewer")
    token = Token.objects.create(user=user).key
    own = Client(HTTP_HOST="zhongshan.localhost", HTTP_AUTHORIZATION=f"Token {token}")
    assert own.get("/api/v1/persons/").json()["count"] >= 1
    # The same token on another bureau's host means nothing there: 401, no data.
    other = Client(HTTP_HOST="guangzhou.localhost", HTTP_AUTHORIZATION=f"Token {token}")
    response = other.get("/api/v1/persons/")
    assert response.status_code == 401
    assert "results" not in response.json()
    assert Client(HTTP_HOST="guangzhou.localhost").get("/api/v1/persons/").status_code == 401


def test_public_host_serves_no_bureau_api(login_as):
    client = login_as("public", "province-admin")
    assert client.get("/api/v1/persons/").status_code == 404
    assert client.get("/api/v1/households/").status_code == 404


def test_token_endpoint_issues_tokens(client_for):
    response = client_for("zhongshan").post("/api/v1/auth/token/", {"username": "zhongshan-finance",
                                                                     "password": "civaffairs-demo"})
    assert response.status_code == 200 and len(response.json()["token"]) == 40


def test_openapi_schema_and_offline_swagger(zs, login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/persons/", "/api/v1/persons/{id}/", "/api/v1/households/",
                 "/api/v1/households/{id}/members/", "/api/v1/households/{id}/members/{person_id}/"):
        assert path in paths, path
    docs = client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in docs
    assert "cdn.jsdelivr" not in docs and "unpkg.com" not in docs
