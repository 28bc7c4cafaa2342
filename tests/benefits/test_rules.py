"""THE AMOUNT RULE, with the issue's worked numbers written out."""

import datetime
from decimal import Decimal

import pytest

from apps.benefits import rules
from apps.benefits.rules import StandardRow

D = Decimal


def test_money_rounds_half_up_to_the_cent():
    assert rules.money("535.915") == D("535.92")
    assert rules.money("0.005") == D("0.01")
    assert rules.money("2.675") == D("2.68")  # Decimal, not float: 2.675 stays 2.675


@pytest.mark.parametrize("amount, unit, expected", [
    ("6431", "year", "535.92"),   # xcity rural 2024-07: 535.9166… → 535.92
    ("6188", "year", "515.67"),   # xcity rural before the raise: 515.666… → 515.67
    ("1225", "month", "1225.00"),
    ("12", "year", "1.00"),
])
def test_monthly_value(amount, unit, expected):
    assert rules.monthly_value(D(amount), unit) == D(expected)


def test_monthly_value_refuses_an_unknown_unit():
    with pytest.raises(ValueError, match="unknown unit 'week'"):
        rules.monthly_value(D("1"), "week")


def test_standard_in_force_is_the_latest_effective_on_the_first_day():
    rows = [StandardRow(datetime.date(2024, 1, 1), D("728"), "month"),
            StandardRow(datetime.date(2024, 7, 1), D("735"), "month")]
    assert rules.monthly_in_force(rows, datetime.date(2024, 6, 1)) == D("728.00")
    assert rules.monthly_in_force(rows, datetime.date(2024, 7, 1)) == D("735.00")
    assert rules.monthly_in_force(rows, datetime.date(2024, 7, 31)) == D("735.00")
    assert rules.monthly_in_force(rows, datetime.date(2023, 12, 1)) is None


def test_a_standard_effective_mid_month_counts_from_the_next_month():
    rows = [StandardRow(datetime.date(2024, 1, 1), D("100"), "month"),
            StandardRow(datetime.date(2024, 3, 15), D("120"), "month")]
    assert rules.monthly_in_force(rows, datetime.date(2024, 3, 1)) == D("100.00")
    assert rules.monthly_in_force(rows, datetime.date(2024, 4, 1)) == D("120.00")


@pytest.mark.parametrize("dibao, multiplier, expected", [
    ("1225", "1.6", "1960"),   # 中山
    ("961", "1.6", "1538"),    # 海丰 urban 1537.6 → 1538
    ("732", "1.6", "1172"),    # 海丰 rural 1171.2 → 1172
    ("735", "1.3", "956"),     # xcity 955.5 → 956
    ("1282", "1.6", "2052"),   # 广州 2051.2 → 2052
    ("1413", "1.6", "2261"),   # 南山 2260.8 → 2261
    ("728", "1.3", "947"),     # xcity before the raise 946.4 → 947
])
def test_derived_tekun_basic(dibao, multiplier, expected):
    assert rules.tekun_basic_derived(D(dibao), D(multiplier)) == D(expected)


def test_tekun_basic_prefers_explicit_class_then_unified_then_derived():
    kw = {"dibao_class": D("961.00"), "dibao_unified": None, "multiplier": D("1.6")}
    assert rules.tekun_basic(explicit_class=D("1600"), explicit_unified=D("1550"), **kw) == D("1600.00")
    assert rules.tekun_basic(explicit_class=None, explicit_unified=D("1550"), **kw) == D("1550.00")
    # Below the floor ceil(1.6 × 961 = 1537.6) = 1538, an explicit standard gives way to it.
    assert rules.tekun_basic(explicit_class=D("1500"), explicit_unified=D("1600"), **kw) == D("1538.00")
    assert rules.tekun_basic(explicit_class=None, explicit_unified=None, **kw) == D("1538.00")
    # No dibao standard of the class: derived from the unified one.
    assert rules.tekun_basic(explicit_class=None, explicit_unified=None, dibao_class=None,
                             dibao_unified=D("1225"), multiplier=D("1.6")) == D("1960.00")
    assert rules.tekun_basic(explicit_class=None, explicit_unified=None, dibao_class=None, dibao_unified=None,
                             multiplier=D("1.6")) is None


def _dibao(standard, income, covered, addon=0, share="0.30"):
    return rules.dibao_amount(standard=D(standard), per_capita_income=D(income), covered_members=covered,
                              addon_members=addon, classified_share=D(share))


def test_dibao_haifeng_rural_household_of_three():
    # 600 in total for 3 members → 200 per capita; (732 − 200) × 3
    assert rules.per_capita(D("600"), 3) == D("200.00")
    assert _dibao("732", "200", 3) == D("1596.00")


def test_dibao_xcity_urban_before_and_after_the_july_raise():
    assert _dibao("728", "300", 2) == D("856.00")
    assert _dibao("735", "300", 2) == D("870.00")


def test_dibao_xcity_rural_yearly_standard():
    standard = rules.monthly_value(D("6431"), "year")
    assert standard == D("535.92")
    assert _dibao(standard, "100", 4) == D("1743.68")   # (535.92 − 100) × 4


def test_dibao_zhongshan_classified_addon():
    # (1225 − 500) × 3 + 0.40 × 1225 = 2175 + 490
    assert _dibao("1225", "500", 3, addon=1, share="0.40") == D("2665.00")


def test_addon_is_rounded_per_member_before_multiplying():
    # 0.30 × 535.92 = 160.776 → 160.78 per member; two members 321.56 (not 321.55)
    assert _dibao("535.92", "535.92", 2, addon=2) == D("321.56")


def test_dibao_gap_is_floored_at_zero():
    assert _dibao("1225", "1300", 2) == D("0.00")
    assert _dibao("1225", "1300", 2, addon=1, share="0.40") == D("490.00")


def test_per_capita_rounds_to_the_cent():
    assert rules.per_capita(D("1000"), 3) == D("333.33")
    with pytest.raises(ValueError):
        rules.per_capita(D("1000"), 0)


# --------------------------------------------------------------------------- classification


def _classify(income, standard="1225", assets=True, members=3, rigid="0", multiple="1.5"):
    return rules.classify_household(per_capita_income=D(income), standard=D(standard), marginal_multiple=D(multiple),
                                    assets_passed=assets, members=members, rigid_expenses_12_months=D(rigid))


def test_income_below_the_standard_is_dibao():
    assert _classify("1224.99").kind == "dibao"


def test_income_equal_to_the_standard_is_not_dibao_but_marginal():
    result = _classify("1225")
    assert result.kind == "dibao_marginal"
    assert result.reason == "per-capita income 1225.00 ≥ standard 1225.00 and < 1.5 × standard = 1837.50"


def test_marginal_limit_is_exclusive():
    assert _classify("1837.49").kind == "dibao_marginal"
    result = _classify("1837.50")
    assert result.kind == "not_eligible"
    assert result.reason == "per-capita income 1837.50 is not below 1.5 × standard = 1837.50"


def test_rigid_expenses_make_a_hardship_household():
    # 2000 per capita; 36,000 of medical bills over 12 months = 3000/month over 3 members = 1000 → 1000 < 1837.50
    result = _classify("2000", rigid="36000")
    assert result.kind == "hardship_expense"
    assert result.reason == "per-capita income 2000.00 is 1000.00 after rigid expenses, < 1837.50"
    assert _classify("2000", rigid="3600").kind == "not_eligible"   # 2000 − 100 = 1900


def test_failed_assets_test_is_not_eligible_whatever_the_income():
    result = _classify("0", assets=False)
    assert (result.kind, result.reason) == ("not_eligible", "the assets test was not passed")


# --------------------------------------------------------------------------- people facts

ON = datetime.date(2024, 6, 15)


def test_elderly_is_60_and_minor_under_18():
    assert rules.ELDERLY_AGE == 60
    assert rules.addon_reasons(rules.MemberFacts(datetime.date(1964, 6, 15)), on=ON, single_parent=False) == ["elderly"]
    assert rules.addon_reasons(rules.MemberFacts(datetime.date(1964, 6, 16)), on=ON, single_parent=False) == []
    assert rules.addon_reasons(rules.MemberFacts(datetime.date(2006, 6, 16)), on=ON, single_parent=False) == ["minor"]
    assert rules.addon_reasons(rules.MemberFacts(datetime.date(2006, 6, 15)), on=ON, single_parent=False) == []


def test_addon_reasons_and_count():
    adult = datetime.date(1980, 1, 1)
    members = [
        rules.MemberFacts(adult),                                  # none
        rules.MemberFacts(adult, is_student=True),                 # student
        rules.MemberFacts(adult, severely_disabled=True, seriously_ill=True),  # two reasons, counted once
        rules.MemberFacts(datetime.date(1954, 1, 1)),              # 70: elderly
    ]
    assert rules.addon_count(members, on=ON, single_parent=False) == 3
    # In a single-parent family every covered member earns it.
    assert rules.addon_count(members, on=ON, single_parent=True) == 4


def test_stable_household():
    elderly = rules.MemberFacts(datetime.date(1950, 1, 1))
    child = rules.MemberFacts(datetime.date(2015, 1, 1))
    adult = rules.MemberFacts(datetime.date(1985, 1, 1))
    assert rules.household_is_stable([elderly, elderly], on=ON)
    assert rules.household_is_stable([elderly, child, rules.MemberFacts(datetime.date(1985, 1, 1), seriously_ill=True)],
                                     on=ON)
    assert not rules.household_is_stable([elderly, adult], on=ON)
    assert not rules.household_is_stable([], on=ON)


@pytest.mark.parametrize("failed, level", [(0, "self_care"), (1, "partial"), (3, "partial"), (4, "full"),
                                           (6, "full")])
def test_care_level_from_six_tests(failed, level):
    assert rules.care_level(failed) == level


def test_care_level_refuses_impossible_counts():
    with pytest.raises(ValueError):
        rules.care_level(7)


# --------------------------------------------------------------------------- dates and periods


def test_months():
    assert rules.add_months(datetime.date(2024, 11, 1), 2) == datetime.date(2025, 1, 1)
    assert rules.add_months(datetime.date(2024, 1, 1), -1) == datetime.date(2023, 12, 1)
    assert rules.add_months_to_date(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)


def test_review_due_dates():
    assert rules.review_due(last=datetime.date(2024, 3, 10), months=12) == datetime.date(2025, 3, 10)
    assert rules.review_due(last=datetime.date(2024, 3, 10), months=6) == datetime.date(2024, 9, 10)


def test_phaseout_pays_six_more_periods():
    # Reviewed in March 2024: April … September paid unchanged, September is the last period.
    assert rules.phaseout_end(decided_on=datetime.date(2024, 3, 20), months=6) == datetime.date(2024, 9, 1)
    assert rules.phaseout_end(decided_on=datetime.date(2024, 3, 20), months=0) == datetime.date(2024, 3, 1)


def test_temporary_cap():
    assert rules.temporary_cap(dibao_standard=D("1225"), multiple=D("3")) == D("3675.00")


def test_pays_in():
    start, end = datetime.date(2024, 2, 1), datetime.date(2024, 4, 1)
    assert not rules.pays_in(status="active", start_period=start, end_period=end, period=datetime.date(2024, 1, 1))
    assert rules.pays_in(status="active", start_period=start, end_period=end, period=datetime.date(2024, 2, 1))
    assert rules.pays_in(status="active", start_period=start, end_period=end, period=datetime.date(2024, 4, 1))
    assert not rules.pays_in(status="active", start_period=start, end_period=end, period=datetime.date(2024, 5, 1))
    assert rules.pays_in(status="active", start_period=start, end_period=None, period=datetime.date(2030, 5, 1))
    assert not rules.pays_in(status="suspended", start_period=start, end_period=None, period=start)
    assert rules.pays_in(status="stopped", start_period=start, end_period=end, period=start)  # up to its end


def test_entitlement_amount_by_programme():
    assert rules.entitlement_amount(programme="dibao", payment="monthly", standard=D("732"),
                                    per_capita_income=D("200"), covered_members=3) == D("1596.00")
    assert rules.entitlement_amount(programme="tekun", payment="monthly", standard=D("1960")) == D("1960.00")
    assert rules.entitlement_amount(programme="longevity", payment="monthly", standard=D("100")) == D("100.00")
    assert rules.entitlement_amount(programme="dibao_marginal", payment="none", standard=D("1225"),
                                    per_capita_income=D("1300"), covered_members=2) == D("0.00")
    assert rules.entitlement_amount(programme="tekun_care", payment="monthly", standard=None) == D("0.00")
