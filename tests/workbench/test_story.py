"""A person's and a household's whole story on their admin pages, read-only and scoped."""

import pytest
from django.utils import timezone

from tests.workbench.planting import plant_story

pytestmark = pytest.mark.django_db


def _story(zs):
    head, household, app, _made = plant_story(zs[0], timezone.localdate(), standard=True)
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
    assert page.count('<span class="progress-arrow"> → </span>') == 5  # drawn, not escaped
    assert "progress-step progress-current" in page and "no decision has been made" in page
    assert "lifecycle-danger" in listing and "publicity over, no decision" in listing


def test_overdue_reviews_are_flagged_in_their_list(zs, login_as):
    _story(zs)

    listing = login_as("zhongshan", "zhongshan-reviewer").get("/admin/assistance/review/?overdue=yes")

    assert listing.context["cl"].result_count == 1
    assert "lifecycle-danger" in listing.content.decode()
