"""流浪乞讨救助 cases and care assessments: services and API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.assistance import services
from apps.assistance.models import CareAssessment, VagrantCase
from tests import factories

pytestmark = pytest.mark.django_db


def test_vagrant_case_from_intake_to_outcome(in_bureau, user_named):
    with in_bureau("haifeng"):
        caseworker = user_named("haifeng-caseworker1")
        case = services.vagrant_case_create(user=caseworker, intake_on=datetime.date(2023, 5, 2),
                                            town=factories.town(), name="无名氏", gender="M",
                                            services=["food", "lodging", "family_search"], cost="320.50")
        with pytest.raises(ValidationError, match="The outcome is one of returned_home, family_found, settled."):
            services.vagrant_case_close(case=case, user=caseworker, outcome="escaped")
        with pytest.raises(ValidationError, match="A case closes on or after its intake"):
            services.vagrant_case_close(case=case, user=caseworker, outcome="family_found",
                                        closed_on=datetime.date(2023, 5, 1))
        services.vagrant_case_close(case=case, user=caseworker, outcome="family_found",
                                    closed_on=datetime.date(2023, 5, 6), cost="580")
        case.refresh_from_db()
        assert (case.outcome, case.closed_on, str(case.cost)) == ("family_found", datetime.date(2023, 5, 6), "580.00")
        with pytest.raises(ValidationError, match="already closed"):
            services.vagrant_case_close(case=case, user=caseworker, outcome="settled")


@pytest.mark.parametrize("fields, message", [
    ({"cost": "-1"}, r"The cost cannot be negative \(-1\)\."),
    ({"services": ["spa"]}, "Unknown services: spa."),
    ({"intake_on": datetime.date.today() + datetime.timedelta(days=1)}, "is in the future"),
])
def test_bad_vagrant_cases_are_refused(in_bureau, user_named, fields, message):
    with in_bureau("haifeng"):
        values = {"intake_on": datetime.date(2023, 5, 2), "name": "甲", **fields}
        with pytest.raises(ValidationError, match=message):
            services.vagrant_case_create(user=user_named("haifeng-caseworker1"), **values)
        assert not VagrantCase.objects.exists()


def test_finance_cannot_record_vagrant_cases(in_bureau, user_named):
    with in_bureau("haifeng"):
        with pytest.raises(PermissionDenied):
            services.vagrant_case_create(user=user_named("haifeng-finance"), intake_on=datetime.date(2023, 5, 2))


def test_care_assessment_levels_and_bad_input(in_bureau, user_named):
    with in_bureau("zhongshan"):
        caseworker = user_named("zhongshan-caseworker1")
        p = factories.person()
        all_passed = dict.fromkeys(("eating", "dressing", "bed_transfer", "toilet", "walking_indoors", "bathing"), True)
        assert services.care_assessment_record(person=p, user=caseworker, **all_passed).care_level == "self_care"
        three = {**all_passed, "eating": False, "toilet": False, "bathing": False}
        assert services.care_assessment_record(person=p, user=caseworker, **three).care_level == "partial"
        four = {**three, "dressing": False}
        assert services.care_assessment_record(person=p, user=caseworker, **four).care_level == "full"
        with pytest.raises(ValidationError, match="Give the result .* of: bathing"):
            services.care_assessment_record(person=p, user=caseworker,
                                            **{k: v for k, v in all_passed.items() if k != "bathing"})
        assert CareAssessment.objects.filter(person=p).count() == 3


def test_vagrant_cases_and_care_assessments_through_the_api(login_as):
    client = login_as("haifeng", "haifeng-caseworker1")
    r = client.post("/api/v1/vagrant-cases/", {"intake_on": "2023-06-01", "name": "乙", "services": ["food"],
                                                "cost": "100"}, content_type="application/json")
    assert r.status_code == 201, r.content
    r = client.post(f"/api/v1/vagrant-cases/{r.json()['id']}/close/", {"outcome": "returned_home"},
                    content_type="application/json")
    assert (r.status_code, r.json()["outcome"]) == (200, "returned_home")
    assert client.get("/api/v1/vagrant-cases/").json()["count"] == 1
