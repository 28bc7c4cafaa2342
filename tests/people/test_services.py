"""people.services: persons, households, membership, certificates, deaths — validated before writing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.core.idcard import id_hash
from apps.core.permissions import SYSTEM
from apps.people import services
from apps.people.models import Community, DisabilityCertificate, Household, HouseholdMember, Person

pytestmark = pytest.mark.django_db


def errors_of(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


# --------------------------------------------------------------------------- persons


def test_person_create_derives_gender_birth_date_and_hash(zs):
    town, _ = zs
    person = services.person_create(id_number="11010519491231002x", name="王芳", hukou_class="urban", town=town,
                                    bank_account="6222000011112222333", bank_name="农业银行",
                                    monthly_income=Decimal("850.5"))
    person.refresh_from_db()
    assert person.id_number == "11010519491231002X"
    assert person.gender == "F"
    assert person.birth_date == datetime.date(1949, 12, 31)
    assert person.id_hash == id_hash("11010519491231002X")
    assert person.monthly_income == Decimal("850.50")
    assert person.status == "alive"


def test_duplicate_id_number_is_refused_by_name(zs, person_in, id_number):
    town, _ = zs
    first = person_in(town, 1, name="李四")
    errors = errors_of(services.person_create, id_number=id_number(1).lower(), name="别人", hukou_class="urban",
                       town=town)
    assert errors == {"id_number": [f"{first.id_number} is already registered (李四, person #{first.pk})."]}
    assert Person.objects.filter(id_number=first.id_number).count() == 1


def test_every_bad_field_is_reported_at_once_and_nothing_written(zs):
    town, other = zs
    community = Community.objects.create(town=other, name="别处社区")
    before = Person.objects.count()
    errors = errors_of(services.person_create, id_number="110105194912310021", name="", hukou_class="city",
                       town=town, community=community, phone="12345", bank_account="12ab",
                       monthly_income=Decimal("-1"))
    assert errors == {
        "id_number": ["The check character of 110105194912310021 should be X."],
        "name": ["A name is required."],
        "hukou_class": ["The hukou class is urban or rural."],
        "community": [f"别处社区 is not in {town.name}."],
        "phone": ["12345 is not a phone number (11-digit mobile or area code and number)."],
        "bank_account": ["A bank account number is 12 to 19 digits; 12ab is not."],
        "bank_name": ["Name the bank of the account."],
        "monthly_income": ["An income cannot be negative."],
    }
    assert Person.objects.count() == before


def test_person_update_rederives_from_a_corrected_id_number(zs, person_in, id_number):
    town, _ = zs
    person = person_in(town, 2)
    corrected = id_number(3, birth=datetime.date(1990, 3, 4), gender="F")
    services.person_update(person=person, user=SYSTEM, id_number=corrected, phone="13800138000")
    person.refresh_from_db()
    assert (person.id_number, person.gender, person.birth_date) == (corrected, "F", datetime.date(1990, 3, 4))
    assert person.id_hash == id_hash(corrected)
    assert person.phone == "13800138000"


def test_person_update_refuses_fields_it_does_not_own(zs, person_in):
    town, _ = zs
    person = person_in(town, 4)
    assert errors_of(services.person_update, person=person, user=SYSTEM, status="deceased") == {
        "status": ["This field cannot be changed here."]}


def test_mark_deceased_checks_the_date(zs, person_in):
    town, _ = zs
    person = person_in(town, 5)  # born 1975-06-01
    today = datetime.date(2026, 1, 10)
    assert errors_of(services.person_mark_deceased, person=person, date_of_death=datetime.date(2026, 2, 1),
                     today=today) == {"date_of_death": ["The date of death 2026-02-01 is in the future."]}
    assert errors_of(services.person_mark_deceased, person=person, date_of_death=datetime.date(1970, 1, 1),
                     today=today) == {
        "date_of_death": ["The date of death 1970-01-01 is before the birth date 1975-06-01."]}
    services.person_mark_deceased(person=person, date_of_death=datetime.date(2026, 1, 3), today=today)
    person.refresh_from_db()
    assert (person.status, person.date_of_death) == ("deceased", datetime.date(2026, 1, 3))
    assert errors_of(services.person_mark_deceased, person=person, date_of_death=datetime.date(2026, 1, 4),
                     today=today) == {"date_of_death": [f"{person.name} is already recorded as deceased on 2026-01-03."]}


# --------------------------------------------------------------------------- households


def test_household_gets_a_number_when_none_is_given(zs):
    town, _ = zs
    household = services.household_create(town=town, hukou_class="rural")
    assert household.code == f"H{household.pk:010d}"


def test_a_person_is_in_one_household_at_a_time(zs, person_in):
    town, _ = zs
    person = person_in(town, 6, name="陈明")
    first = services.household_create(town=town, hukou_class="urban", code="ZS-0001")
    second = services.household_create(town=town, hukou_class="urban", code="ZS-0002")
    services.household_member_add(household=first, person=person, relation="head")
    assert errors_of(services.household_member_add, household=second, person=person, relation="head") == {
        "person": ["陈明 is already a member of household ZS-0001; remove them there first."]}
    assert errors_of(services.household_member_add, household=first, person=person, relation="child") == {
        "person": ["陈明 is already a member of this household."]}
    assert HouseholdMember.objects.filter(person=person).count() == 1
    assert not second.members.exists()


def test_one_head_per_household_and_the_head_leaves_last(zs, person_in):
    town, _ = zs
    head, spouse, other = person_in(town, 7, name="甲"), person_in(town, 8, name="乙"), person_in(town, 9, name="丙")
    household = services.household_create(town=town, hukou_class="urban", code="ZS-0003")
    services.household_member_add(household=household, person=head, relation="head")
    services.household_member_add(household=household, person=spouse, relation="spouse")
    assert errors_of(services.household_member_add, household=household, person=other, relation="head") == {
        "relation": ["Household ZS-0003 already has a head (甲)."]}
    assert errors_of(services.household_member_remove, household=household, person=head) == {
        "person": ["甲 is the head of household ZS-0003: make another member the head before removing them."]}
    services.household_member_remove(household=household, person=spouse)
    assert list(household.members.values_list("person__name", flat=True)) == ["甲"]
    assert errors_of(services.household_member_remove, household=household, person=spouse) == {
        "person": ["乙 is not a member of household ZS-0003."]}


def test_members_set_swaps_the_head_in_one_go_and_keeps_one_head(zs, person_in):
    town, _ = zs
    head, spouse, child = person_in(town, 7, name="甲"), person_in(town, 8, name="乙"), person_in(town, 9, name="丙")
    household = services.household_create(town=town, hukou_class="urban", code="ZS-0004")
    old_head = services.household_member_add(household=household, person=head, relation="head")
    services.household_member_add(household=household, person=spouse, relation="spouse")
    with pytest.raises(ValidationError) as refused:
        services.household_members_set(household=household, add=[{"person": child, "relation": "head"}])
    assert refused.value.messages == ["A household has one head."]
    with pytest.raises(ValidationError) as refused:
        services.household_members_set(household=household, remove=[head])
    assert refused.value.messages == ["Make another member the head before removing the head."]
    # The head leaves and the child arrives as head in the same save (the household page's inline).
    services.household_members_set(household=household, remove=[head], add=[{"person": child, "relation": "head"}])
    assert sorted(household.members.values_list("person__name", "relation")) == [("丙", "head"), ("乙", "spouse")]
    # A member becomes head while the head becomes a plain member, in one go.
    [spouse_row] = household.members.filter(person=spouse)
    [child_row] = household.members.filter(person=child)
    services.household_members_set(household=household, change=[
        {"member": spouse_row, "relation": "head"}, {"member": child_row, "relation": "child"}])
    assert sorted(household.members.values_list("person__name", "relation")) == [("丙", "child"), ("乙", "head")]
    assert not HouseholdMember.objects.filter(pk=old_head.pk).exists()


def test_household_number_is_unique(zs):
    town, _ = zs
    services.household_create(town=town, hukou_class="urban", code="ZS-0004")
    assert errors_of(services.household_create, town=town, hukou_class="urban", code="ZS-0004") == {
        "code": ["Household number ZS-0004 is already in use."]}
    assert Household.objects.filter(code="ZS-0004").count() == 1


# --------------------------------------------------------------------------- disability certificates


def test_disability_certificate_levels_and_dates(zs, person_in):
    town, _ = zs
    person = person_in(town, 10)
    assert errors_of(services.disability_certificate_create, person=person, number="C1", category="physical",
                     level=5, valid_from=datetime.date(2024, 1, 1)) == {
        "level": ["The level is 1 to 4 (1 is the most severe); 5 is not."]}
    assert errors_of(services.disability_certificate_create, person=person, number="C1", category="physical",
                     level=2, valid_from=datetime.date(2024, 1, 1), valid_until=datetime.date(2023, 12, 31)) == {
        "valid_until": ["The certificate cannot expire (2023-12-31) before it is valid (2024-01-01)."]}
    certificate = services.disability_certificate_create(person=person, number="C1", category="physical", level=2,
                                                         valid_from=datetime.date(2024, 1, 1))
    assert certificate.severe
    assert errors_of(services.disability_certificate_create, person=person, number="C1", category="visual",
                     level=4, valid_from=datetime.date(2024, 1, 1)) == {
        "number": ["Certificate C1 is already registered."]}
    assert DisabilityCertificate.objects.filter(person=person).count() == 1


def test_a_disability_certificate_is_corrected_and_removed_through_the_service(zs, person_in):
    town, _ = zs
    person = person_in(town, 11)
    certificate = services.disability_certificate_create(person=person, number="C7", category="physical", level=3,
                                                         valid_from=datetime.date(2024, 1, 1))
    assert errors_of(services.disability_certificate_update, certificate=certificate, level=0) == {
        "level": ["The level is 1 to 4 (1 is the most severe); 0 is not."]}
    assert errors_of(services.disability_certificate_update, certificate=certificate, person=person) == {
        "person": ["This field cannot be changed here."]}
    certificate.refresh_from_db()
    assert certificate.level == 3
    services.disability_certificate_update(certificate=certificate, level=1, valid_until=datetime.date(2026, 12, 31))
    certificate.refresh_from_db()
    assert (certificate.level, certificate.valid_until) == (1, datetime.date(2026, 12, 31))
    services.disability_certificate_delete(certificate=certificate)
    assert not DisabilityCertificate.objects.filter(number="C7").exists()
