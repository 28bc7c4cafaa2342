"""孤儿 / 事实无人抚养儿童: the placement's standard, until the month of the 18th birthday."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.pensions.models import ChildWelfareRecord
from apps.pensions.services import child_welfare_record_create, child_welfare_record_update
from apps.people.models import CareInstitution
from tests import factories

D = datetime.date


def test_scattered_orphan_in_haifeng_paid_1359_until_the_18th_birthday_month(in_bureau, run_engine, entitlements,
                                                                              amount):
    with in_bureau("haifeng"):
        child = factories.person(birth_date=D(2006, 5, 20))
        child_welfare_record_create(person=child, kind="orphan", placement="scattered", since=D(2023, 3, 10))
        run_engine(D(2024, 1, 15))
        [ent] = entitlements(child, "orphan")
        assert (ent.variant, ent.start_period, ent.end_period) == ("scattered", D(2024, 1, 1), D(2024, 5, 1))
        assert amount(ent, D(2024, 5, 1)) == Decimal("1359.00")
        assert amount(ent, D(2024, 6, 1)) == Decimal("0.00")
        assert run_engine(D(2024, 5, 21)).summary["changes"] == 0


def test_institutional_child_is_paid_to_the_institution(in_bureau, run_engine, entitlements, amount):
    with in_bureau("haifeng"):
        child = factories.person(birth_date=D(2015, 2, 2))
        home = CareInstitution.objects.create(name="海丰县儿童福利院", ownership="public", town=child.town, beds=60,
                                              nursing_beds=0, bank_account="622200000000000001")
        child_welfare_record_create(person=child, kind="de_facto", placement="institutional", since=D(2023, 1, 1),
                                    institution=home)
        run_engine(D(2023, 6, 1))
        [ent] = entitlements(child, "orphan")
        assert (ent.payee_institution_id, ent.payee_person_id) == (home.pk, None)
        assert amount(ent, D(2023, 6, 1)) == Decimal("2017.00")


def test_placement_change_moves_the_variant(in_bureau, run_engine, entitlements, amount):
    with in_bureau("haifeng"):
        child = factories.person(birth_date=D(2015, 2, 2))
        record = child_welfare_record_create(person=child, kind="orphan", placement="scattered", since=D(2023, 1, 1))
        run_engine(D(2023, 6, 1))
        child_welfare_record_update(record=record, placement="institutional")
        run_engine(D(2023, 8, 3))
        old, new = entitlements(child, "orphan")
        assert (old.end_period, new.variant, new.start_period) == (D(2023, 7, 1), "institutional", D(2023, 8, 1))
        assert amount(new, D(2023, 8, 1)) == Decimal("2017.00")


def test_adoption_ends_the_record_and_the_payment(in_bureau, run_engine, entitlements):
    with in_bureau("guangzhou"):
        child = factories.person(birth_date=D(2015, 2, 2))
        record = child_welfare_record_create(person=child, kind="orphan", placement="scattered", since=D(2024, 1, 1))
        run_engine(D(2024, 3, 1))
        child_welfare_record_update(record=record, ended_on=D(2024, 9, 12), end_reason="收养")
        run_engine(D(2024, 9, 13))
        [ent] = entitlements(child, "orphan")
        assert ent.end_period == D(2024, 9, 1)


def test_record_for_an_adult_or_a_second_open_record_is_refused(in_bureau):
    with in_bureau("haifeng"), translation.override("en"):
        adult = factories.person(birth_date=D(2000, 1, 1), name="成年人")
        with pytest.raises(ValidationError) as exc:
            child_welfare_record_create(person=adult, kind="orphan", placement="scattered", since=D(2023, 1, 1))
        assert exc.value.message_dict == {"since": ["成年人 was already 18 on 2023-01-01; the record is for children."]}
        child = factories.person(birth_date=D(2015, 1, 1), name="儿童")
        child_welfare_record_create(person=child, kind="orphan", placement="scattered", since=D(2023, 1, 1))
        with pytest.raises(ValidationError) as exc:
            child_welfare_record_create(person=child, kind="de_facto", placement="scattered", since=D(2023, 2, 1))
        assert exc.value.message_dict == {"person": ["儿童 already has an open child-welfare record; end it first."]}
        assert ChildWelfareRecord.objects.filter(person=child).count() == 1
