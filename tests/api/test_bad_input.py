"""SPEC §8: bad input to the API is a 400 naming what is wrong, never a 500 (issue 10, defect 5)."""

import datetime

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_a_standard_without_its_effective_date_is_a_field_error(login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    response = client.post("/api/v1/standards/", {"programme": "dibao", "amount": "1200.00"},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"effective_from": ["This field is required."]}


def test_a_standard_with_nothing_at_all_names_every_missing_field(login_as):
    response = login_as("zhongshan", "zhongshan-admin").post("/api/v1/standards/", {},
                                                             content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"programme", "amount", "effective_from"}


def test_a_child_welfare_record_can_be_created_already_ended(in_bureau, login_as):
    with in_bureau("haifeng"):
        child = factories.person(birth_date=datetime.date(2012, 7, 7))
    client = login_as("haifeng", "haifeng-admin")
    response = client.post("/api/v1/child-welfare/", {
        "person": child.pk, "kind": "orphan", "placement": "scattered", "since": "2023-04-01",
        "ended_on": "2024-09-12", "end_reason": "adopted"}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert (response.json()["ended_on"], response.json()["end_reason"]) == ("2024-09-12", "adopted")
    before_start = client.post("/api/v1/child-welfare/", {
        "person": child.pk, "kind": "orphan", "placement": "scattered", "since": "2023-04-01",
        "ended_on": "2023-01-01"}, content_type="application/json")
    assert before_start.status_code == 400
    assert before_start.json() == {"ended_on": ["The record ends on 2023-01-01, before it starts on 2023-04-01."]}


@pytest.mark.parametrize("path, parameter", [
    ("/api/v1/recoveries/", "programme"),
    ("/api/v1/recoveries/", "reason"),
    ("/api/v1/recoveries/", "run"),
    ("/api/v1/payments/", "status"),
    ("/api/v1/payments/", "programme"),
    ("/api/v1/payments/", "line_type"),
    ("/api/v1/payments/", "run"),
    ("/api/v1/payments/", "town"),
    ("/api/v1/payment-runs/", "kind"),
    ("/api/v1/payment-runs/", "status"),
    ("/api/v1/entitlements/", "programme"),
    ("/api/v1/persons/", "status"),
])
@pytest.mark.parametrize("value", ["\x00", "junk\x00", "no-such-value"])
def test_a_bad_query_parameter_is_a_400_naming_it(login_as, path, parameter, value):
    response = login_as("zhongshan", "zhongshan-admin").get(path, {parameter: value})
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert list(response.json()) == [parameter]


@pytest.mark.parametrize("parameter", ["ordering", "search", "page", "period"])
def test_a_nul_byte_in_any_list_parameter_is_never_a_500(login_as, parameter):
    response = login_as("zhongshan", "zhongshan-admin").get("/api/v1/payment-runs/", {parameter: "\x00"})
    assert response.status_code in (200, 400, 404), response.content[:300]


def test_a_period_that_is_not_a_month_is_a_400_naming_it(login_as):
    response = login_as("zhongshan", "zhongshan-admin").get("/api/v1/payment-runs/", {"period": "\x9a\U00052b71%"})
    assert response.status_code == 400
    assert list(response.json()) == ["period"]


def test_a_path_climbing_out_of_static_is_not_found(client_for):
    for host in ("zhongshan", None):
        response = client_for(host).get("/static/../x")
        assert response.status_code == 404
