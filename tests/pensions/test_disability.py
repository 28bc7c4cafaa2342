"""残疾人两项补贴: living subsidy with dibao / 低保边缘 and never with 特困; nursing for levels 1-2."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.disbursement.models import PaymentLine
from apps.disbursement.services import payment_run_monthly
from apps.pensions.models import EligibilityChange
from apps.people.models import DisabilityCertificate, HouseholdMember
from apps.people.services import disability_certificate_create
from tests import factories

D = datetime.date


def _holder(level, *, valid_until=None, number="C-1"):
    person = factories.person(birth_date=D(1975, 4, 4))
    disability_certificate_create(person=person, number=number, category="physical", level=level,
                                  valid_from=D(2020, 3, 1), valid_until=valid_until)
    return person


def test_zhongshan_level_2_not_on_dibao_gets_nursing_only(in_bureau, run_engine, entitlements, amount):
    with in_bureau("zhongshan"):
        person = _holder(2)
        run_engine(D(2024, 6, 3))
        [nursing] = entitlements(person, "disability_nursing")
        assert amount(nursing, D(2024, 6, 1)) == Decimal("270.00")
        assert amount(nursing, D(2025, 6, 1)) == Decimal("280.00")
        assert entitlements(person, "disability_living") == []


def test_zhongshan_level_2_on_dibao_gets_both(in_bureau, run_engine, entitlements, amount):
    with in_bureau("zhongshan"):
        person = _holder(2)
        household = factories.household(person)
        factories.entitlement(programme="dibao", household=household, per_capita_income=Decimal("300.00"),
                              covered_members=1)
        run_engine(D(2024, 6, 3))
        [nursing] = entitlements(person, "disability_nursing")
        [living] = entitlements(person, "disability_living")
        assert (amount(nursing, D(2024, 6, 1)), amount(living, D(2024, 6, 1))) == (Decimal("270.00"), Decimal("202.00"))
        assert (amount(nursing, D(2025, 6, 1)), amount(living, D(2025, 6, 1))) == (Decimal("280.00"), Decimal("209.00"))


def test_marginal_household_gets_the_living_subsidy(in_bureau, run_engine, entitlements, amount):
    with in_bureau("haifeng"):
        person = _holder(3)
        household = factories.household(person)
        factories.entitlement(programme="dibao_marginal", household=household, start_period=D(2023, 1, 1))
        run_engine(D(2023, 9, 9))
        [living] = entitlements(person, "disability_living")
        assert amount(living, D(2023, 9, 1)) == Decimal("195.00")
        assert entitlements(person, "disability_nursing") == []


def test_tekun_person_with_level_3_gets_no_living_subsidy(in_bureau, run_engine, entitlements):
    with in_bureau("zhongshan"):
        person = _holder(3)
        factories.household(person)
        factories.entitlement(programme="tekun", person=person)
        run_engine(D(2024, 6, 3))
        assert entitlements(person, "disability_living") == []
        assert entitlements(person, "disability_nursing") == []
        from apps.pensions.selectors import eligibility_explain

        findings = {f["programme"]: f for f in eligibility_explain(person=person, today=D(2024, 6, 3))}
        assert findings["disability_living"]["reason_code"] == "on_tekun"
        assert findings["disability_nursing"]["reason_code"] == "certificate_not_severe"


def test_living_subsidy_stops_when_the_person_enters_tekun(in_bureau, run_engine, entitlements):
    with in_bureau("zhongshan"):
        person = _holder(3)
        household = factories.household(person)
        dibao = factories.entitlement(programme="dibao", household=household, per_capita_income=Decimal("100.00"),
                                      covered_members=1)
        run_engine(D(2024, 3, 3))
        [living] = entitlements(person, "disability_living")
        dibao.end_period = D(2024, 6, 1)
        dibao.save()
        factories.entitlement(programme="tekun", person=person, start_period=D(2024, 7, 1))
        run_engine(D(2024, 6, 10))
        living.refresh_from_db()
        assert living.end_period == D(2024, 6, 1)
        assert EligibilityChange.objects.get(person=person, action="stop").reason_code == "on_tekun"


def test_known_certificate_end_ends_both_from_the_next_month(in_bureau, run_engine, entitlements, amount):
    with in_bureau("zhongshan"):
        person = _holder(1, valid_until=D(2024, 8, 15))
        household = factories.household(person)
        factories.entitlement(programme="dibao", household=household, per_capita_income=Decimal("0.00"),
                              covered_members=1)
        run_engine(D(2024, 6, 3))
        [nursing] = entitlements(person, "disability_nursing")
        [living] = entitlements(person, "disability_living")
        assert nursing.end_period == living.end_period == D(2024, 8, 1)
        assert amount(nursing, D(2024, 8, 1)) == Decimal("270.00")
        assert amount(nursing, D(2024, 9, 1)) == amount(living, D(2024, 9, 1)) == Decimal("0.00")


def test_certificate_found_expired_ends_both_and_a_renewal_starts_again(in_bureau, run_engine, entitlements):
    with in_bureau("zhongshan"):
        person = _holder(2)
        run_engine(D(2024, 6, 3))
        DisabilityCertificate.objects.filter(person=person).update(valid_until=D(2024, 7, 10))
        run_engine(D(2024, 7, 20))
        [nursing] = entitlements(person, "disability_nursing")
        assert nursing.end_period == D(2024, 7, 1)
        stop = EligibilityChange.objects.get(person=person, action="stop")
        assert (stop.reason_code, stop.period) == ("no_valid_certificate", D(2024, 7, 1))
        disability_certificate_create(person=person, number="C-2", category="physical", level=2,
                                      valid_from=D(2024, 9, 2))
        run_engine(D(2024, 9, 3))
        old, new = entitlements(person, "disability_nursing")
        assert (new.start_period, new.end_period) == (D(2024, 10, 1), None)


@pytest.mark.parametrize("level, message", [
    (5, "The level is 1 to 4 (1 is the most severe); 5 is not."),
    (0, "The level is 1 to 4 (1 is the most severe); 0 is not."),
])
def test_certificate_level_outside_1_to_4_is_refused(in_bureau, level, message):
    with in_bureau("zhongshan"), translation.override("en"):
        person = factories.person()
        with pytest.raises(ValidationError) as exc:
            disability_certificate_create(person=person, number="C-9", category="visual", level=level,
                                          valid_from=D(2024, 1, 1))
        assert exc.value.message_dict == {"level": [message]}
        assert not DisabilityCertificate.objects.filter(person=person).exists()


def test_certificate_ending_before_it_starts_is_refused(in_bureau):
    with in_bureau("zhongshan"), translation.override("en"):
        person = factories.person()
        with pytest.raises(ValidationError) as exc:
            disability_certificate_create(person=person, number="C-8", category="visual", level=2,
                                          valid_from=D(2024, 5, 1), valid_until=D(2024, 4, 30))
        assert exc.value.message_dict == {
            "valid_until": ["The certificate cannot expire (2024-04-30) before it is valid (2024-05-01)."]}
        assert not DisabilityCertificate.objects.filter(person=person).exists()


def _family_on_dibao(*, head_account: str, child_account: str = ""):
    """A mother (head, born 1985) and her son born 2012-03-03 with a level 2 certificate, on 中山's dibao."""
    mother = factories.person(birth_date=D(1985, 5, 5), gender="F", name="陈母", bank_account=head_account)
    son = factories.person(birth_date=D(2012, 3, 3), name="陈子", bank_account=child_account,
                           bank_name="农业银行" if child_account else "")
    disability_certificate_create(person=son, number="C-11", category="intellectual", level=2,
                                  valid_from=D(2020, 3, 1))
    household = factories.household(mother, son)
    HouseholdMember.objects.filter(person=son).update(relation="child")
    factories.entitlement(programme="dibao", household=household, per_capita_income=Decimal("300.00"),
                          covered_members=2)
    return mother, son


def test_a_disabled_minors_subsidies_are_paid_to_the_guardians_account(in_bureau, run_engine, entitlements):
    with in_bureau("zhongshan"):
        mother, son = _family_on_dibao(head_account="6222000011112222333")
        run_engine(D(2024, 6, 3))
        [nursing] = entitlements(son, "disability_nursing")
        [living] = entitlements(son, "disability_living")
        assert (nursing.payee_person_id, living.payee_person_id) == (mother.pk, mother.pk)
        run = payment_run_monthly(period=D(2024, 6, 1))
        lines = {line.programme_id: line for line in PaymentLine.objects.filter(run=run, person=son)}
        assert {p: (line.payee_person_id, line.payee_name, line.bank_account, line.amount, line.status)
                for p, line in lines.items()} == {
            "disability_living": (mother.pk, "陈母", "6222000011112222333", Decimal("202.00"), "pending"),
            "disability_nursing": (mother.pk, "陈母", "6222000011112222333", Decimal("270.00"), "pending"),
        }


def test_a_minor_with_an_account_of_his_own_is_still_paid_through_the_guardian(in_bureau, run_engine, entitlements):
    with in_bureau("zhongshan"):
        mother, son = _family_on_dibao(head_account="6222000011112222333", child_account="6222999988887777666")
        run_engine(D(2024, 6, 3))
        assert [e.payee_person_id for e in entitlements(son, "disability_nursing")] == [mother.pk]


def test_an_adult_without_an_account_is_paid_through_the_head(in_bureau, run_engine, entitlements):
    with in_bureau("zhongshan"):
        wife = factories.person(birth_date=D(1950, 1, 1), gender="F", bank_account="6222000044445555666")
        husband = _holder(1, number="C-12")
        husband.bank_account = ""
        husband.save()
        factories.household(wife, husband)
        run_engine(D(2024, 6, 3))
        [nursing] = entitlements(husband, "disability_nursing")
        assert nursing.payee_person_id == wife.pk


def test_with_no_adult_holding_an_account_the_minor_stays_the_payee_and_the_line_is_held(
        in_bureau, run_engine, entitlements):
    with in_bureau("zhongshan"):
        mother, son = _family_on_dibao(head_account="")
        run_engine(D(2024, 6, 3))
        [nursing] = entitlements(son, "disability_nursing")
        assert nursing.payee_person_id == son.pk
        run = payment_run_monthly(period=D(2024, 6, 1))
        line = PaymentLine.objects.get(run=run, entitlement=nursing)
        assert (line.amount, line.status, line.failure_reason) == (Decimal("270.00"), "held", "no_account")


def test_a_person_turned_18_with_an_account_is_paid_himself(in_bureau, run_engine, entitlements):
    with in_bureau("zhongshan"):
        mother, son = _family_on_dibao(head_account="6222000011112222333", child_account="6222999988887777666")
        run_engine(D(2030, 4, 3))  # 18 on 2030-03-03
        assert [e.payee_person_id for e in entitlements(son, "disability_nursing")] == [son.pk]
