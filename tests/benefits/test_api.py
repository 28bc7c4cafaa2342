"""The benefits API: standards written and read by role, entitlements stopped, with refusals as JSON."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_standards_api(login_as, in_bureau):
    admin = login_as("xcity", "xcity-admin")
    caseworker = login_as("xcity", "xcity-caseworker1")
    r = caseworker.get("/api/v1/standards/?programme=dibao&variant=rural")
    assert [(s["amount"], s["unit"], s["monthly_amount"]) for s in r.json()["results"]] == [
        ("6431.00", "year", "535.92"), ("6188.00", "year", "515.67")]
    r = caseworker.get("/api/v1/standards/?programme=dibao&in_force_on=2024-06-30")
    assert sorted(s["amount"] for s in r.json()["results"]) == ["6188.00", "728.00"]
    new = {"programme": "dibao", "variant": "urban", "amount": "760", "unit": "month", "effective_from": "2025-01-01"}
    assert post(caseworker, "/api/v1/standards/", new).status_code == 403
    assert post(admin, "/api/v1/standards/", {**new, "amount": "-760"}).json() == {
        "amount": ["The amount cannot be negative (-760)."]}
    assert post(admin, "/api/v1/standards/", {**new, "effective_from": None}).json() == {
        "effective_from": ["The effective date is required."]}
    r = post(admin, "/api/v1/standards/", new)
    assert r.status_code == 201 and r.json()["monthly_amount"] == "760.00"
    r = post(admin, "/api/v1/standards/", new)
    assert r.status_code == 400
    assert r.json()["effective_from"][0].startswith("A standard for dibao/urban effective 2025-01-01 already exists")
    standard_id = r.json() and admin.get("/api/v1/standards/?programme=dibao&variant=urban").json()["results"][0]["id"]
    r = admin.patch(f"/api/v1/standards/{standard_id}/", {"amount": "765"}, content_type="application/json")
    assert (r.status_code, r.json()["amount"]) == (200, "765.00")


def test_entitlement_stop_and_grant_cancel_through_the_api(login_as, in_bureau):
    with in_bureau("nanshan"):
        p = factories.person()
        e = factories.entitlement(programme="tekun", person=p)
    approver = login_as("nanshan", "nanshan-approver")
    caseworker = login_as("nanshan", "nanshan-caseworker1")
    body = {"reason": "迁出", "end_period": "2024-06"}
    assert post(caseworker, f"/api/v1/entitlements/{e.pk}/stop/", body).status_code == 403
    r = post(approver, f"/api/v1/entitlements/{e.pk}/stop/", body)
    assert (r.status_code, r.json()["status"], r.json()["end_period"]) == (200, "stopped", "2024-06-01")
    r = post(approver, f"/api/v1/entitlements/{e.pk}/stop/", body)
    assert (r.status_code, r.json()) == (400, {"non_field_errors": [f"Entitlement #{e.pk} is already stopped."]})
