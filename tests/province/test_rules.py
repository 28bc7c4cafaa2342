"""apps.province.rules: ratio, percent above, rank, late runs — numbers written out."""

import datetime
from decimal import Decimal

from apps.province import rules


def test_zhongshan_is_14_percent_above_the_minimum():
    ratio = rules.ratio(Decimal("1225"), Decimal("1075"))
    assert ratio == Decimal("1.1395")
    assert rules.percent_above(ratio) == Decimal("14")


def test_ratio_unknown_without_minimum_or_standard():
    assert rules.ratio(Decimal("1225"), None) is None
    assert rules.ratio(None, Decimal("1075")) is None
    assert rules.percent_above(None) is None


def test_below_minimum():
    assert rules.below_minimum(Decimal("1282"), Decimal("1300")) is True
    assert rules.below_minimum(Decimal("1300"), Decimal("1300")) is False
    assert rules.below_minimum(Decimal("1282"), None) is False


def test_ranks_share_equal_amounts_and_skip():
    assert rules.ranks({"a": Decimal("1413"), "b": Decimal("1282"), "c": Decimal("1282"), "d": Decimal("961")}) == {
        "a": 1,
        "b": 2,
        "c": 2,
        "d": 4,
    }


def test_minimum_in_force_takes_the_latest_effective():
    rows = [
        rules.MinimumRow(2, "dibao", Decimal("1000"), datetime.date(2023, 1, 1)),
        rules.MinimumRow(2, "dibao", Decimal("1075"), datetime.date(2024, 1, 1)),
        rules.MinimumRow(1, "dibao", Decimal("1300"), datetime.date(2024, 1, 1)),
    ]
    assert rules.minimum_in_force(rows, region_class=2, programme="dibao", on=datetime.date(2023, 6, 1)) == Decimal(
        "1000"
    )
    assert rules.minimum_in_force(rows, region_class=2, programme="dibao", on=datetime.date(2024, 6, 1)) == Decimal(
        "1075"
    )
    assert rules.minimum_in_force(rows, region_class=None, programme="dibao", on=datetime.date(2024, 6, 1)) is None
    assert rules.minimum_in_force(rows, region_class=3, programme="dibao", on=datetime.date(2024, 6, 1)) is None


def test_run_late_after_the_fifth():
    nov = datetime.date(2026, 11, 1)
    assert rules.run_late(approved_at=None, period=nov, today=datetime.date(2026, 11, 5)) is False
    assert rules.run_late(approved_at=None, period=nov, today=datetime.date(2026, 11, 6)) is True
    assert (
        rules.run_late(approved_at=datetime.date(2026, 11, 3), period=nov, today=datetime.date(2026, 11, 20)) is False
    )
    assert rules.run_late(approved_at=datetime.date(2026, 11, 7), period=nov, today=datetime.date(2026, 11, 20)) is True
    # No run for this month at all.
    assert rules.run_late(approved_at=None, period=datetime.date(2026, 10, 1), today=datetime.date(2026, 11, 6)) is True
