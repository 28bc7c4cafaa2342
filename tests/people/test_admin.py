"""The registry in the bureau admin: town scoping (404), masking, read-only auditors, history, services' messages."""

import pytest
from django.contrib.auth import get_user_model

from apps.people.models import Household, Person

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The POST a browser would send for the admin form on `response`, unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name, field in management.fields.items():
            data[management.add_prefix(name)] = management.initial.get(name, field.initial)
        forms += list(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if callable(value):
                value = value()
            if value is None:
                value = ""
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            data[form.add_prefix(name)] = getattr(value, "pk", value)
    return data


def test_caseworker_lists_only_their_town(zs, login_as, person_in):
    town, other = zs
    person_in(town, 31, name="本镇居民")
    person_in(other, 32, name="外镇居民")
    page = login_as("zhongshan", "zhongshan-caseworker1").get("/admin/people/person/").content.decode()
    assert "本镇居民" in page
    assert "外镇居民" not in page


def test_another_towns_person_is_not_found_anywhere_in_the_admin(zs, login_as, person_in):
    _, other = zs
    outsider = person_in(other, 33)
    client = login_as("zhongshan", "zhongshan-caseworker1")
    base = f"/admin/people/person/{outsider.pk}"
    assert client.get(f"{base}/change/").status_code == 404
    assert client.post(f"{base}/change/", {"name": "改"}).status_code == 404
    assert client.get(f"{base}/history/").status_code == 404
    history_id = outsider.history.latest().history_id
    assert client.get(f"{base}/history/{history_id}/").status_code == 404
    outsider.refresh_from_db()
    assert outsider.name == "测试33"


def test_add_form_offers_only_the_caseworkers_town(zs, login_as, id_number):
    town, other = zs
    client = login_as("zhongshan", "zhongshan-caseworker1")
    form = client.get("/admin/people/person/add/").context["adminform"].form
    assert list(form.fields["town"].queryset) == [town]
    data = {"id_number": id_number(34), "name": "新人", "hukou_class": "urban", "town": other.pk,
            "local_hukou": "on", "membership-TOTAL_FORMS": 0, "membership-INITIAL_FORMS": 0,
            "disability_certificates-TOTAL_FORMS": 0, "disability_certificates-INITIAL_FORMS": 0}
    response = client.post("/admin/people/person/add/", data)
    assert response.status_code == 200 and response.context["adminform"].form.errors["town"]
    assert not Person.objects.filter(id_number=id_number(34)).exists()

    response = client.post("/admin/people/person/add/", {**data, "town": town.pk})
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = Person.objects.get(id_number=id_number(34))
    assert (person.gender, str(person.birth_date), person.town) == ("M", "1975-06-01", town)


def test_admin_shows_the_services_message_for_a_bad_id_number(zs, login_as):
    town, _ = zs
    client = login_as("zhongshan", "zhongshan-caseworker1")
    response = client.post("/admin/people/person/add/", {
        "id_number": "110105194912310021", "name": "某", "hukou_class": "urban", "town": town.pk,
        "membership-TOTAL_FORMS": 0, "membership-INITIAL_FORMS": 0,
        "disability_certificates-TOTAL_FORMS": 0, "disability_certificates-INITIAL_FORMS": 0})
    assert response.context["adminform"].form.errors["id_number"] == [
        "The check character of 110105194912310021 should be X."]


def test_ids_and_accounts_are_masked_for_users_without_the_permission(zs, login_as, person_in,
                                                                     viewer_without_full_ids):
    town, _ = zs
    person = person_in(town, 35, id_number="11010519491231002X", bank_account="6222000011112222333",
                       bank_name="农业银行")
    masked = login_as("zhongshan", "zs-plain-viewer")
    page = masked.get("/admin/people/person/").content.decode()
    assert "110***********002X" in page and "11010519491231002X" not in page
    assert "6222***********2333" in page and "6222000011112222333" not in page
    # A whole number still finds its person (x or X), shown masked.
    found = masked.get("/admin/people/person/", {"q": "11010519491231002x"})
    assert list(found.context["cl"].result_list) == [person]
    detail = masked.get(f"/admin/people/person/{person.pk}/change/").content.decode()
    assert "11010519491231002X" not in detail and "110***********002X" in detail

    # SPEC §7: a list is masked for every role; the whole number only on the person's own page.
    caseworker = login_as("zhongshan", "zhongshan-caseworker1")
    listing = caseworker.get("/admin/people/person/").content.decode()
    assert "11010519491231002X" not in listing and "110***********002X" in listing
    assert "11010519491231002X" in caseworker.get(f"/admin/people/person/{person.pk}/change/").content.decode()


def test_auditor_reads_without_save_buttons_and_cannot_post(zs, login_as, person_in):
    town, _ = zs
    person = person_in(town, 36)
    client = login_as("zhongshan", "zhongshan-auditor")
    page = client.get(f"/admin/people/person/{person.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert client.post(f"/admin/people/person/{person.pk}/change/", {"name": "改"}).status_code == 403
    assert client.get("/admin/people/person/add/").status_code == 403
    assert client.get(f"/admin/people/person/{person.pk}/history/").status_code == 200
    person.refresh_from_db()
    assert person.name == "测试36"


def test_history_records_who_when_before_and_after(zs, login_as, person_in):
    town, _ = zs
    person = person_in(town, 37, name="改名前", phone="13800000000")
    client = login_as("zhongshan", "zhongshan-caseworker1")
    url = f"/admin/people/person/{person.pk}/change/"
    data = form_data(client.get(url))
    data.update(name="改名后", phone="13900000000")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    latest, previous = person.history.order_by("-history_id")[:2]
    assert latest.history_user == get_user_model().objects.get(username="zhongshan-caseworker1")
    assert latest.history_type == "~" and latest.history_date is not None
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(previous).changes}
    assert changes == {"name": ("改名前", "改名后"), "phone": ("13800000000", "13900000000")}
    # The auditor sees it on the history page.
    page = login_as("zhongshan", "zhongshan-auditor").get(f"/admin/people/person/{person.pk}/history/")
    html = page.content.decode()
    assert "zhongshan-caseworker1" in html and "改名前" in html and "改名后" in html


def test_household_inline_refuses_a_second_household(zs, login_as, person_in):
    town, _ = zs
    from apps.people import services

    member = person_in(town, 38, name="已有户")
    first = services.household_create(town=town, hukou_class="urban", code="ZS-A-1")
    services.household_member_add(household=first, person=member, relation="head")
    client = login_as("zhongshan", "zhongshan-caseworker1")
    response = client.post("/admin/people/household/add/", {
        "code": "ZS-A-2", "town": town.pk, "hukou_class": "urban",
        "members-TOTAL_FORMS": 1, "members-INITIAL_FORMS": 0,
        "members-0-person": member.pk, "members-0-relation": "head",
    })
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.forms[0].errors
    assert errors["person"] == ["已有户 is already a member of household ZS-A-1; remove them there first."]
    assert not Household.objects.filter(code="ZS-A-2").exists()


def test_bureau_admin_manages_users_and_roles(login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    page = client.get("/admin/auth/user/").content.decode()
    assert "zhongshan-caseworker1" in page and "caseworker" in page
    assert client.get("/admin/auth/group/").status_code == 200
    assert login_as("zhongshan", "zhongshan-caseworker1").get("/admin/auth/user/").status_code == 403


@pytest.mark.parametrize("username", ["zhongshan-admin", "zhongshan-caseworker1", "zhongshan-auditor",
                                      "zhongshan-finance", "zs-plain-viewer"])
def test_every_people_page_opens_for_every_role(zs, login_as, person_in, username, viewer_without_full_ids):
    from apps.people import services

    town, _ = zs
    person = person_in(town, 39)
    household = services.household_create(town=town, hukou_class="urban")
    services.household_member_add(household=household, person=person, relation="head")
    services.disability_certificate_create(person=person, number=f"{person.id_number}41", category="physical",
                                           level=1, valid_from=person.birth_date)
    client = login_as("zhongshan", username)
    assert client.get("/admin/").status_code == 200
    for model in ("person", "household", "householdmember", "disabilitycertificate", "town", "community"):
        response = client.get(f"/admin/people/{model}/")
        assert response.status_code in (200, 403), (model, response.status_code)
    for url in (f"/admin/people/person/{person.pk}/change/", f"/admin/people/household/{household.pk}/change/",
                f"/admin/people/person/{person.pk}/history/"):
        assert client.get(url).status_code == 200, url
