"""A person's and a household's whole story on their admin pages, read-only and scoped."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.benefits import rules
from tests import factories

pytestmark = pytest.mark.django_db


def _story(zs):
    from apps.assistance.models import Application, Review
    from apps.disbursement.models import PaymentLine, PaymentRun

    town1, _town2 = zs
    today = timezone.localdate()
    this_month = rules.first_of_month(today)
    head = factories.person(town_name=town1.name, name="王小明")
    household = factories.household(head, factories.person(town_name=town1.name))
    app = Application.objects.create(
        programme="dibao",
        household=household,
        person=head,
        town=town1,
        status="publicised",
        submitted_on=today - datetime.timedelta(days=30),
        publicised_on=today - datetime.timedelta(days=10),
    )
    factories.standard("dibao", "1225", datetime.date(2020, 1, 1), variant="urban")
    entitlement = factories.entitlement(
        programme="dibao",
        household=household,
        variant="urban",
        per_capita_income=Decimal("225.00"),
        covered_members=2,
        start_period=rules.add_months(this_month, -3),
    )
    Review.objects.create(
        entitlement=entitlement,
        household=household,
        town=town1,
        stable=False,
        due_on=today - datetime.timedelta(days=3),
    )
    paid, failed = (
        PaymentRun.objects.create(period=rules.add_months(this_month, -m), kind="regular", status="closed")
        for m in (2, 1)
    )
    common = {
        "programme_id": "dibao",
        "line_type": "regular",
        "key_ref": entitlement.pk,
        "entitlement": entitlement,
        "household": household,
        "payee_person": head,
        "payee_name": head.name,
        "bank_account": "6222000011112222",
        "town": town1,
        "amount": Decimal("2000.00"),
    }
    PaymentLine.objects.create(run=paid, period=paid.period, status="paid", posted_on=paid.period, **common)
    PaymentLine.objects.create(run=failed, period=failed.period, status="failed", failure_reason="已销户", **common)
    return head, household, app


def test_a_persons_page_tells_their_whole_story(zs, login_as):
    head, _household, app = _story(zs)

    response = login_as("zhongshan", "zhongshan-caseworker1").get(f"/admin/people/person/{head.pk}/change/")

    assert response.status_code == 200
    panels = {panel.key: panel for panel in response.context["story_panels"]}
    assert list(panels) == [
        "assistance.applications",
        "benefits.entitlements",
        "assistance.reviews",
        "disbursement.payments",
        "people.history",
    ]
    application = panels["assistance.applications"].rows[0]
    assert application.cells[0] == f"#{app.pk}"
    assert application.level == "danger"  # publicity over ten days ago, no decision
    # (1225.00 − 225.00) × 2 covered members = 2000.00, without 分类施保 members
    assert panels["benefits.entitlements"].rows[0].cells[-1] == "¥2,000.00"
    assert panels["assistance.reviews"].rows[0].level == "danger"
    payments = panels["disbursement.payments"].rows
    assert [row.cells[4] for row in payments] == ["failed", "paid"]
    assert payments[0].cells[5] == "已销户" and payments[0].level == "danger"
    assert payments[0].cells[6] == "6222********2222"  # masked, even for a role that may see it whole
    assert panels["people.history"].rows  # the person's creation at least
    html = response.content.decode()
    assert 'id="story"' in html and "¥2,000.00" in html


def test_a_households_page_tells_its_story_too(zs, login_as):
    _head, household, app = _story(zs)

    response = login_as("zhongshan", "zhongshan-auditor").get(f"/admin/people/household/{household.pk}/change/")

    panels = {panel.key: panel for panel in response.context["story_panels"]}
    assert panels["assistance.applications"].rows[0].cells[0] == f"#{app.pk}"
    assert len(panels["disbursement.payments"].rows) == 2


def test_another_towns_caseworker_cannot_open_the_story(zs, login_as):
    head, household, _app = _story(zs)
    client = login_as("zhongshan", "zhongshan-caseworker2")

    assert client.get(f"/admin/people/person/{head.pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/people/household/{household.pk}/change/").status_code in (302, 404)


def test_the_story_panels_are_scoped_themselves(zs):
    """Even called directly, a panel reads through its app's scoped selectors."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from apps.assistance.panels import applications_story
    from apps.disbursement.story import payments_story

    head, _household, _app = _story(zs)
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username="zhongshan-caseworker2")

    assert applications_story(request=request, person=head).rows == []
    assert payments_story(request=request, person=head).rows == []


def test_application_page_draws_the_steps_and_flags_the_lapsed_publicity(zs, login_as):
    _head, _household, app = _story(zs)
    client = login_as("zhongshan", "zhongshan-approver")

    page = client.get(f"/admin/assistance/application/{app.pk}/change/").content.decode()
    listing = client.get("/admin/assistance/application/?publicity=ended").content.decode()

    assert page.count('class="progress-step') == 6
    assert "progress-step progress-current" in page and "no decision has been made" in page
    assert "lifecycle-danger" in listing and "publicity over, no decision" in listing


def test_overdue_reviews_are_flagged_in_their_list(zs, login_as):
    _story(zs)

    listing = login_as("zhongshan", "zhongshan-reviewer").get("/admin/assistance/review/?overdue=yes")

    assert listing.context["cl"].result_count == 1
    assert "lifecycle-danger" in listing.content.decode()
