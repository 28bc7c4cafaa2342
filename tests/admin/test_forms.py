"""Forms that fit a caseworker's work (issue 11): persons and households picked by name or by the whole ID
number within their town, their town named on every page, and the town filter listing only it."""

import json

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = "/admin/autocomplete/"


def _found(client, field, term):
    response = client.get(
        AUTOCOMPLETE, {"app_label": "assistance", "model_name": "application", "field_name": field, "term": term}
    )
    assert response.status_code == 200
    return json.loads(response.content)["results"]


def test_application_form_finds_people_by_name_or_whole_id_in_own_town_only(zs, login_as):
    own, other = zs
    mine = factories.person(name="自动补全甲", town_name=own.name)
    theirs = factories.person(name="自动补全乙", town_name=other.name)
    client = login_as("zhongshan", "zhongshan-caseworker1")

    by_name = _found(client, "person", "自动补全")
    assert [r["id"] for r in by_name] == [str(mine.pk)]
    masked = f"{mine.id_number[:3]}***********{mine.id_number[-4:]}"
    assert by_name[0]["text"] == f"自动补全甲 {masked}"
    assert mine.id_number not in json.dumps(by_name)

    assert [r["id"] for r in _found(client, "person", mine.id_number)] == [str(mine.pk)]
    assert _found(client, "person", mine.id_number[:10]) == []  # never by part of a number
    assert _found(client, "person", theirs.id_number) == []  # another town's person is not there


def test_application_form_finds_households_by_code_or_member_name(zs, login_as):
    own, other = zs
    head = factories.person(name="户主丙", town_name=own.name)
    household = factories.household(head, town_name=own.name)
    client = login_as("zhongshan", "zhongshan-caseworker1")
    assert [r["id"] for r in _found(client, "household", household.code)] == [str(household.pk)]
    assert [r["id"] for r in _found(client, "household", "户主丙")] == [str(household.pk)]
    assert _found(client, "household", head.id_number[:8]) == []


def test_new_application_form_uses_autocomplete_not_bare_ids(zs, login_as):
    page = login_as("zhongshan", "zhongshan-caseworker1").get("/admin/assistance/application/add/").content.decode()
    assert 'data-ajax--url="/admin/autocomplete/"' in page
    assert 'name="person"' in page and 'class="vForeignKeyRawIdAdminField"' not in page.split('name="person"')[0][-200:]


def test_a_caseworker_sees_their_town_and_filters_by_it_only(zs, login_as):
    own, other = zs
    page = login_as("zhongshan", "zhongshan-caseworker1").get("/admin/assistance/application/").content.decode()
    assert f"· {own.name}" in page
    # One town to choose from is no choice: the filter names no other town (Django drops a one-choice filter).
    assert f"town__id__exact={other.pk}" not in page
    bureau_wide = login_as("zhongshan", "zhongshan-reviewer").get("/admin/assistance/application/").content.decode()
    assert f"town__id__exact={other.pk}" in bureau_wide and f"· {own.name}" not in bureau_wide


def test_community_choices_say_their_town_for_the_filtering_script(zs, login_as):
    from apps.people.models import Community

    community = Community.objects.create(town=zs[1], name="测试社区")
    page = login_as("zhongshan", "zhongshan-admin").get("/admin/people/person/add/").content.decode()
    assert "core/js/filter_by_town.js" in page
    assert 'data-filter-by-town="1"' in page
    assert f'data-town="{community.town_id}" value="{community.pk}"' in page or (
        f'value="{community.pk}" data-town="{community.town_id}"' in page
    )
