"""SPEC §7 per role, on the server: lists mask ID numbers and accounts for everyone; a detail page shows
them whole only to roles granted people.view_full_id_number / people.view_full_bank_account, and each
whole value shown is one entry in the personal-data read log."""

import pytest

from apps.core.models import PersonalDataAccess
from tests import factories

pytestmark = pytest.mark.django_db

# role -> (whole ID number on a detail page, whole account on a detail page); apps/core/roles.py grants them.
ROLES = {
    "zhongshan-admin": (True, True),
    "zhongshan-caseworker1": (True, True),
    "zhongshan-reviewer": (True, False),
    "zhongshan-approver": (True, False),
    "zhongshan-finance": (False, True),
    "zhongshan-auditor": (False, False),
}


@pytest.mark.parametrize("username", ROLES)
def test_lists_mask_and_detail_pages_show_whole_values_only_with_the_permission(zs, login_as, username):
    own, _ = zs
    person = factories.person(name="掩码样本", town_name=own.name)
    whole_id, whole_account = ROLES[username]
    client = login_as("zhongshan", username)

    listing = client.get("/admin/people/person/", {"q": "掩码样本"}).content.decode()
    assert "掩码样本" in listing
    assert person.id_number not in listing and person.bank_account not in listing
    assert f"{person.id_number[:3]}***********{person.id_number[-4:]}" in listing

    before = PersonalDataAccess.objects.count()
    detail = client.get(f"/admin/people/person/{person.pk}/change/").content.decode()
    assert (person.id_number in detail) is whole_id
    assert (person.bank_account in detail) is whole_account
    logged = set(PersonalDataAccess.objects.filter(person_id=person.pk).values_list("field", flat=True))
    expected = {PersonalDataAccess.Field.ID_NUMBER} if whole_id else set()
    expected |= {PersonalDataAccess.Field.BANK_ACCOUNT} if whole_account else set()
    assert logged == expected
    assert PersonalDataAccess.objects.count() - before == len(expected)


@pytest.mark.parametrize("username", ["zhongshan-reviewer", "zhongshan-auditor", "zhongshan-admin"])
def test_a_care_institutions_account_is_masked_without_the_permission(zs, login_as, username):
    from apps.people.models import CareInstitution

    institution = CareInstitution.objects.create(
        name="掩码养老院",
        ownership=CareInstitution.Ownership.values[0],
        town=zs[0],
        beds=10,
        nursing_beds=5,
        bank_account="6222000011112222333",
        bank_name="农业银行",
    )
    client = login_as("zhongshan", username)
    assert "6222000011112222333" not in client.get("/admin/people/careinstitution/").content.decode()
    detail = client.get(f"/admin/people/careinstitution/{institution.pk}/change/").content.decode()
    assert ("6222000011112222333" in detail) is (username == "zhongshan-admin")
