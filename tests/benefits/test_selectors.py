"""Standards in force, the derived 特困 standard, and amounts of stored entitlements by period."""

import datetime
from decimal import Decimal

import pytest

from apps.benefits import selectors
from apps.benefits.models import Standard
from tests import factories

D = Decimal
pytestmark = pytest.mark.django_db


def test_standard_for_is_the_latest_effective_on_the_first_day(in_bureau):
    with in_bureau("xcity"):
        assert selectors.standard_for(programme="dibao", variant="urban", period=datetime.date(2024, 6, 1)).amount == D("728")
        assert selectors.standard_for(programme="dibao", variant="urban", period=datetime.date(2024, 7, 1)).amount == D("735")
        assert selectors.standard_for(programme="dibao", variant="urban", period=datetime.date(2023, 12, 1)) is None
        assert selectors.standard_monthly(programme="dibao", variant="rural", period=datetime.date(2024, 7, 1)) == D("535.92")
        assert selectors.standard_monthly(programme="dibao", variant="rural", period=datetime.date(2024, 6, 1)) == D("515.67")


@pytest.mark.parametrize("schema, variant, expected", [
    ("zhongshan", "unified", "1960"),
    ("haifeng", "urban", "1538"),
    ("haifeng", "rural", "1172"),
    ("xcity", "urban", "956"),
])
def test_derived_tekun_basic_from_the_seeded_dibao_standards(in_bureau, schema, variant, expected):
    """The explicit 特困 standards removed, the rule derives the same amounts from dibao."""
    with in_bureau(schema):
        Standard.objects.filter(programme_id="tekun").delete()
        assert selectors.tekun_basic_standard(variant=variant, period=datetime.date(2024, 12, 1)) == D(expected)


def test_explicit_tekun_standards_are_used_where_seeded(in_bureau):
    with in_bureau("haifeng"):
        assert selectors.tekun_basic_standard(variant="urban", period=datetime.date(2022, 6, 1)) == D("1479")
        assert selectors.tekun_basic_standard(variant="rural", period=datetime.date(2023, 6, 1)) == D("1172")
    with in_bureau("guangzhou"):  # no 特困 amount in the report: ceil(1.6 × 1282)
        assert selectors.tekun_basic_standard(variant="unified", period=datetime.date(2024, 12, 1)) == D("2052")
    with in_bureau("nanshan"):
        assert selectors.tekun_basic_standard(variant="unified", period=datetime.date(2024, 1, 1)) == D("2261")


def test_an_explicit_tekun_standard_overrides_the_derived_one(in_bureau):
    with in_bureau("guangzhou"):
        factories.standard("tekun", "2100", datetime.date(2025, 1, 1))
        assert selectors.tekun_basic_standard(variant="unified", period=datetime.date(2024, 12, 1)) == D("2052")
        assert selectors.tekun_basic_standard(variant="unified", period=datetime.date(2025, 1, 1)) == D("2100")


def test_xcity_same_entitlement_before_and_after_the_raise(in_bureau):
    with in_bureau("xcity"):
        a, b = factories.person(), factories.person()
        h = factories.household(a, b)
        e = factories.entitlement(programme="dibao", variant="urban", household=h, per_capita_income=D("300"),
                                  covered_members=2, start_period=datetime.date(2024, 1, 1))
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2024, 6, 1)) == D("856.00")
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2024, 7, 1)) == D("870.00")


def test_xcity_rural_household_of_four(in_bureau):
    with in_bureau("xcity"):
        members = [factories.person(hukou_class="rural") for _ in range(4)]
        h = factories.household(*members, hukou_class="rural")
        e = factories.entitlement(programme="dibao", variant="rural", household=h, per_capita_income=D("100"),
                                  covered_members=4, start_period=datetime.date(2024, 7, 1))
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2024, 7, 1)) == D("1743.68")


def test_zhongshan_classified_addon_uses_the_bureau_share(in_bureau):
    with in_bureau("zhongshan"):
        members = [factories.person(birth_date=datetime.date(1954, 3, 1)), factories.person(), factories.person()]
        h = factories.household(*members)
        e = factories.entitlement(programme="dibao", household=h, per_capita_income=D("500"), covered_members=3,
                                  addon_members=1)
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2024, 12, 1)) == D("2665.00")


def test_no_amount_outside_the_entitlements_periods_or_when_not_active(in_bureau):
    with in_bureau("haifeng"):
        p = factories.person(hukou_class="rural")
        h = factories.household(p, hukou_class="rural")
        e = factories.entitlement(programme="dibao", variant="rural", household=h, per_capita_income=D("200"),
                                  covered_members=1, start_period=datetime.date(2023, 3, 1),
                                  end_period=datetime.date(2023, 5, 1))
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2023, 2, 1)) == D("0.00")
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2023, 5, 1)) == D("532.00")
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2023, 6, 1)) == D("0.00")
        e.status = "suspended"
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2023, 4, 1)) == D("0.00")


def test_tekun_and_care_amounts(in_bureau):
    with in_bureau("zhongshan"):
        p = factories.person()
        basic = factories.entitlement(programme="tekun", person=p)
        care = factories.entitlement(programme="tekun_care", person=p, variant="partial", care_level="partial")
        assert selectors.entitlement_amount(entitlement=basic, period=datetime.date(2024, 12, 1)) == D("1960.00")
        # 中山 documented default: 半失能 = 30% of the 2024 minimum wage 1,900 = 570.
        assert selectors.entitlement_amount(entitlement=care, period=datetime.date(2024, 12, 1)) == D("570.00")


def test_marginal_entitlements_pay_nothing(in_bureau):
    with in_bureau("zhongshan"):
        p = factories.person()
        h = factories.household(p)
        e = factories.entitlement(programme="dibao_marginal", household=h, per_capita_income=D("1300"),
                                  covered_members=1)
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2024, 12, 1)) == D("0.00")


def test_class_variant(in_bureau):
    with in_bureau("haifeng"):
        assert selectors.class_variant(programme="dibao", hukou_class="rural") == "rural"
    with in_bureau("zhongshan"):
        assert selectors.class_variant(programme="dibao", hukou_class="rural") == "unified"
        assert selectors.class_variant(programme="tekun", hukou_class="urban") == "unified"
