"""Pure rules of the statistics: meanings, units, differences, display."""

from decimal import Decimal

import pytest

from apps.statistics import labels, rules


def test_meaning_is_unit_and_span():
    assert rules.meaning("wan_yuan", "year") == "yuan/year"
    assert rules.meaning("person_times", "year") == "person_times/year"
    assert rules.meaning("meals", "two_years") == "meals/two_years"


def test_money_in_yuan():
    assert rules.in_base_unit(Decimal("826.37"), "wan_yuan") == Decimal("8263700.00")
    assert rules.in_base_unit(Decimal("1.83"), "yi_yuan") == Decimal("183000000.00")
    assert rules.in_base_unit(Decimal("3469"), "households") == Decimal("3469")


def test_difference_and_percentage():
    assert rules.difference(Decimal("6400"), Decimal("6444")) == (Decimal("-44"), Decimal("-0.68"))
    assert rules.difference(Decimal("104071200.00"), Decimal("101040000.00")) == (
        Decimal("3031200.00"),
        Decimal("3.00"),
    )
    assert rules.difference(Decimal("5"), Decimal("0")) == (Decimal("5"), None)


def test_sums_of_unlike_meanings_are_refused():
    assert rules.sum_same_meaning(
        [("a", Decimal("1.5"), "wan_yuan", "year"), ("b", Decimal("2000"), "yuan", "year")]
    ) == Decimal("17000.00")
    with pytest.raises(rules.MeaningMismatch, match="a: person_times/year; b: households/year"):
        rules.sum_same_meaning(
            [("a", Decimal("13600"), "person_times", "year"), ("b", Decimal("66"), "households", "year")]
        )
    with pytest.raises(rules.MeaningMismatch):
        rules.sum_same_meaning([("a", Decimal("1"), "yuan", "year"), ("b", Decimal("1"), "yuan", "jan_oct")])


def test_units_compare_only_like_with_like():
    assert rules.compatible("yuan", "wan_yuan") and rules.compatible("household", "households")
    assert rules.compatible("person_month", "person_times")
    assert not rules.compatible("person_time", "persons")
    assert not rules.compatible("household", "person_times")


def test_tolerance():
    assert rules.within_tolerance(unit="wan_yuan", difference=Decimal("5052000"), percent=Decimal("5.00"))
    assert not rules.within_tolerance(unit="yuan", difference=Decimal("5053000"), percent=Decimal("5.01"))
    assert rules.within_tolerance(unit="percent", difference=Decimal("0.004"), percent=Decimal("0.01"))
    assert not rules.within_tolerance(unit="households", difference=Decimal("1"), percent=Decimal("0.03"))


def test_display():
    assert labels.display(Decimal("101040000.0000"), "yuan") == "¥101,040,000.00"
    assert labels.display(Decimal("75.6200"), "percent") == "75.62%"
    assert labels.display(Decimal("3469.0000"), "household") == "3,469"
    assert labels.display(None, "yuan") == "—"
    assert labels.plain(Decimal("3469.0000"), "household") == "3469"
    assert labels.plain(Decimal("1178.85"), "yuan_per_person_month") == "1178.85"
