"""Roles hold what SPEC §1 says they do; unmasked personal data is granted by name only."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def _user(username):
    return get_user_model().objects.get(username=username)


@pytest.mark.parametrize(
    "username, full_id, full_account",
    [
        ("xcity-caseworker1", True, True),
        ("xcity-reviewer", True, False),
        ("xcity-approver", True, False),
        ("xcity-finance", False, True),
        ("xcity-auditor", False, False),
        ("xcity-admin", True, True),
    ],
)
def test_who_sees_whole_id_numbers_and_accounts(in_bureau, username, full_id, full_account):
    with in_bureau("xcity"):
        user = _user(username)
        assert user.has_perm("people.view_full_id_number") is full_id
        assert user.has_perm("people.view_full_bank_account") is full_account


def test_auditor_reads_everything_and_writes_nothing(in_bureau):
    with in_bureau("xcity"):
        auditor = _user("xcity-auditor")
        perms = auditor.get_all_permissions()
        assert {"people.view_person", "benefits.view_entitlement", "assistance.view_application"} <= perms
        assert not [p for p in perms if p.split(".")[1].startswith(("add_", "change_", "delete_"))]


def test_auditor_list_shows_masked_id_numbers(login_as, in_bureau):
    from tests import factories

    with in_bureau("xcity"):
        person = factories.person(name="审计样本")
    page = login_as("xcity", "xcity-auditor").get("/admin/people/person/", {"q": "审计样本"}).content.decode()
    assert "审计样本" in page
    assert person.id_number not in page
    assert f"{person.id_number[:3]}***********{person.id_number[-4:]}" in page


def test_a_caseworker_registers_people_but_not_payees_or_staff_towns(in_bureau):
    """Care institutions moved into people (issue 9); the caseworker's "people.add_*" must not reach them."""
    with in_bureau("zhongshan"):
        caseworker = _user("zhongshan-caseworker1")
        assert caseworker.has_perm("people.add_person") and caseworker.has_perm("people.change_household")
        assert not caseworker.has_perm("people.add_careinstitution")
        assert not caseworker.has_perm("people.change_careinstitution")
        assert not caseworker.has_perm("people.change_staffprofile")
        assert caseworker.has_perm("people.view_careinstitution")
