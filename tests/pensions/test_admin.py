"""The bureau admin pages of the pensions app: lists with totals and masks, form messages."""

import datetime

from apps.core.permissions import SYSTEM
from apps.people.models import CareInstitution, Town
from tests import factories

D = datetime.date


def test_admin_lists_render_with_totals_and_masks(in_bureau, login_as):
    with in_bureau("zhongshan"):
        town = Town.objects.order_by("id").first()
        CareInstitution.objects.create(name="三乡镇敬老院", ownership="public", town=town, beds=100, nursing_beds=75,
                                       bank_account="6222000011112222333")
        child = factories.person(birth_date=D(2012, 1, 1))
        from apps.pensions.models import ChildWelfareRecord

        ChildWelfareRecord.objects.create(person=child, kind="orphan", placement="scattered", since=D(2023, 1, 1))
    client = login_as("zhongshan", "zhongshan-admin")
    for url in ["/admin/people/careinstitution/", "/admin/pensions/mealsite/", "/admin/pensions/childwelfarerecord/",
                "/admin/pensions/eligibilitychange/", "/admin/pensions/eligibilityrun/",
                "/admin/pensions/longevitystandard/"]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
    page = client.get("/admin/people/careinstitution/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 care institutions, 100 beds, 75 nursing beds (75.00%)" in page
    assert "6222***********2333" in page and "6222000011112222333" not in page
    page = client.get("/admin/pensions/childwelfarerecord/").content.decode()
    assert child.id_number not in page


def test_admin_form_refuses_nursing_beds_above_beds(in_bureau, login_as):
    with in_bureau("zhongshan"):
        town = Town.objects.order_by("id").first()
    client = login_as("zhongshan", "zhongshan-admin")
    response = client.post("/admin/people/careinstitution/add/", {
        "name": "小榄镇敬老院", "ownership": "public", "town": town.pk, "beds": 50, "nursing_beds": 60},
        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Nursing beds (60) cannot be more than the institution&#x27;s beds (50)." in response.content.decode()
    with in_bureau("zhongshan"):
        assert not CareInstitution.objects.filter(name="小榄镇敬老院").exists()


def test_admin_bracket_form_refuses_a_gap(in_bureau, login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    response = client.post("/admin/pensions/longevitystandard/add/", {
        "variant": "85-99", "amount": "150.00", "unit": "month", "effective_from": "2025-01-01", "source": ""},
        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The brackets 80-89 and 85-99 overlap at ages 85-89." in response.content.decode()


def test_admin_run_button_runs_the_engine(in_bureau, login_as):
    with in_bureau("xcity"):
        factories.person(birth_date=D(1940, 1, 1))
    client = login_as("xcity", "xcity-admin")
    response = client.post("/admin/pensions/eligibilityrun/run/")
    assert response.status_code == 302
    with in_bureau("xcity"):
        from apps.pensions.models import EligibilityRun

        assert EligibilityRun.objects.get().status == "succeeded"


def test_admin_confirm_action_applies_the_change(in_bureau, login_as):
    from apps.pensions.models import EligibilityChange
    from apps.pensions.services import eligibility_run

    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1940, 1, 1))
        eligibility_run(today=D(2024, 12, 1), confirm=False, user=SYSTEM)
        change = EligibilityChange.objects.get(person=person)
    caseworker = login_as("xcity", "xcity-caseworker1")
    page = caseworker.get("/admin/pensions/eligibilitychange/").content.decode()
    assert 'value="confirm"' not in page
    approver = login_as("xcity", "xcity-approver")
    assert 'value="confirm"' in approver.get("/admin/pensions/eligibilitychange/").content.decode()
    response = approver.post("/admin/pensions/eligibilitychange/", {
        "action": "confirm", "_selected_action": [change.pk]})
    assert response.status_code == 302
    with in_bureau("xcity"):
        change.refresh_from_db()
        assert change.status == "confirmed" and change.created_entitlement is not None
