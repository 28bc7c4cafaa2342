"""经济困难高龄老年人服务补贴 (xcity 50/month): 80+ on dibao or 分散特困."""

import datetime
from decimal import Decimal

from apps.benefits.models import Entitlement
from tests import factories

D = datetime.date


def test_80_plus_on_dibao_gets_50(in_bureau, run_engine, entitlements, amount):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1944, 11, 30))
        household = factories.household(person)
        factories.entitlement(programme="dibao", household=household, variant="urban",
                              per_capita_income=Decimal("300.00"), covered_members=1)
        run_engine(D(2024, 12, 1))
        [service] = entitlements(person, "elderly_service")
        assert service.start_period == D(2024, 12, 1)
        assert amount(service, D(2024, 12, 1)) == Decimal("50.00")


def test_dispersed_tekun_yes_institutional_tekun_no(in_bureau, run_engine, entitlements):
    from apps.people.models import CareInstitution

    with in_bureau("xcity"):
        dispersed = factories.person(birth_date=D(1940, 1, 1))
        factories.entitlement(programme="tekun", person=dispersed)
        housed = factories.person(birth_date=D(1940, 1, 1))
        home = CareInstitution.objects.create(name="甲镇敬老院", ownership="public", town=housed.town, beds=50,
                                              nursing_beds=20)
        Entitlement.objects.create(programme_id="tekun", person=housed, payee_institution=home,
                                   start_period=D(2024, 1, 1))
        run_engine(D(2024, 12, 1))
        assert len(entitlements(dispersed, "elderly_service")) == 1
        assert entitlements(housed, "elderly_service") == []


def test_under_80_or_not_on_assistance_gets_nothing(in_bureau, run_engine, entitlements):
    with in_bureau("xcity"):
        young = factories.person(birth_date=D(1950, 1, 1))
        factories.entitlement(programme="dibao", household=factories.household(young), variant="urban",
                              per_capita_income=Decimal("0.00"), covered_members=1)
        alone = factories.person(birth_date=D(1935, 1, 1))
        run_engine(D(2024, 12, 1))
        assert entitlements(young, "elderly_service") == entitlements(alone, "elderly_service") == []


def test_ends_with_the_dibao(in_bureau, run_engine, entitlements):
    with in_bureau("xcity"):
        person = factories.person(birth_date=D(1940, 1, 1))
        dibao = factories.entitlement(programme="dibao", household=factories.household(person), variant="urban",
                                      per_capita_income=Decimal("0.00"), covered_members=1)
        run_engine(D(2024, 9, 1))
        dibao.end_period = D(2024, 11, 1)
        dibao.save()
        run_engine(D(2024, 10, 5))
        [service] = entitlements(person, "elderly_service")
        assert service.end_period == D(2024, 11, 1)
