"""The OpenAPI of a bureau host describes what its API does (issue 10, defect 5)."""

import io
import json

import pytest
from django.core.management import call_command


def bureau_schema() -> dict:
    out = io.StringIO()
    call_command("spectacular", urlconf="civaffairs.urls_tenant", format="openapi-json", stdout=out)
    return json.loads(out.getvalue())


def test_the_schema_validates_with_no_warning():
    # --fail-on-warn: an enum-name collision or an unresolvable field is an error, not noise.
    call_command("spectacular", urlconf="civaffairs.urls_tenant", validate=True, fail_on_warn=True,
                 stdout=io.StringIO())


def _parameters(schema, path):
    return {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}


@pytest.mark.parametrize("path", ["/api/v1/entitlements/", "/api/v1/recoveries/", "/api/v1/reviews/",
                                  "/api/v1/grants/"])
def test_lists_that_do_not_search_do_not_declare_search(path):
    assert "search" not in _parameters(bureau_schema(), path)


def test_lists_that_search_declare_it():
    schema = bureau_schema()
    assert "search" in _parameters(schema, "/api/v1/persons/")
    assert "search" in _parameters(schema, "/api/v1/payments/")


def test_payments_and_recoveries_declare_their_filters_with_their_choices():
    schema = bureau_schema()
    assert {"run", "status", "programme", "line_type", "period", "town"} <= _parameters(schema, "/api/v1/payments/")
    assert {"programme", "reason", "run", "period"} <= _parameters(schema, "/api/v1/recoveries/")
    reason = next(p for p in schema["paths"]["/api/v1/recoveries/"]["get"]["parameters"] if p["name"] == "reason")
    assert reason["schema"]["enum"] == ["death", "stopped"]


def test_nullable_and_blank_fields_say_so():
    components = bureau_schema()["components"]["schemas"]
    assert components["PaymentRunOutput"]["properties"]["approved_by"]["nullable"] is True
    outcome = components["VagrantCase"]["properties"]["outcome"]
    assert any(ref.get("$ref", "").endswith("BlankEnum") for ref in outcome.get("oneOf", [])), outcome
