"""Pure rules of the statistics: units, meanings, differences. Decimal in, Decimal out; no Django."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MONEY_FACTORS = {"yuan": Decimal(1), "wan_yuan": Decimal(10_000), "yi_yuan": Decimal(100_000_000)}

# A computed figure's unit → the reported units that count the same thing. A monthly payment to a
# person is one 人次 of the reports (x市 counts its 服务补贴 and child payments so).
COMPATIBLE_UNITS = {
    "household": {"households"},
    "person": {"persons"},
    "person_time": {"person_times"},
    "person_month": {"person_times", "person_months"},
    "yuan": set(MONEY_FACTORS),
    "yuan_per_person_month": {"yuan_per_person_month"},
    "percent": {"percent"},
    "count": {"count"},
    # What socialorgs and burial count (apps.core.registries.Figure): the reports say 个 / 宗 / 具.
    "organisation": {"count"},
    "case": {"count"},
    "site": {"count"},
    "bed": {"beds"},
    "meal": {"meals"},
}


class MeaningMismatch(ValueError):
    """Figures of different meanings (what is counted, over what span) cannot be added."""


def meaning(unit: str, coverage: str) -> str:
    """The meaning of a reported value: its unit (money in yuan) and the span it covers."""
    return f"{'yuan' if unit in MONEY_FACTORS else unit}/{coverage}"


def in_base_unit(value: Decimal, unit: str) -> Decimal:
    """Money in yuan (826.37 万元 → 8263700.00); any other unit unchanged."""
    factor = MONEY_FACTORS.get(unit)
    return (value * factor).quantize(CENT, rounding=ROUND_HALF_UP) if factor else value


def compatible(computed_unit: str, reported_unit: str) -> bool:
    return reported_unit in COMPATIBLE_UNITS.get(computed_unit, {computed_unit})


def difference(computed: Decimal, reported: Decimal) -> tuple[Decimal, Decimal | None]:
    """(computed − reported, that as a percentage of reported to the hundredth; None when reported is 0)."""
    diff = Decimal(computed) - Decimal(reported)
    if not reported:
        return diff, None
    return diff, (diff * 100 / Decimal(reported)).quantize(CENT, rounding=ROUND_HALF_UP)


# The report-year check (issue 14): counts and rates exactly (rates to the hundredth), money within 5 %.
MONEY_TOLERANCE_PERCENT = Decimal("5")


def within_tolerance(*, unit: str, difference: Decimal, percent: Decimal | None) -> bool:
    """Whether a computed figure reproduces the reported one: money within ±5 %, anything else exactly."""
    if unit in MONEY_FACTORS:
        return percent is not None and abs(percent) <= MONEY_TOLERANCE_PERCENT
    return Decimal(difference).quantize(CENT, rounding=ROUND_HALF_UP) == 0


def sum_same_meaning(rows: list[tuple[str, Decimal, str, str]]) -> Decimal:
    """Add (who, value, unit, coverage) rows of one key across bureaus; refuse unlike meanings.

    Money adds in yuan whatever the report's unit; everything else only in one unit and one span.
    """
    meanings = {meaning(unit, coverage) for _who, _value, unit, coverage in rows}
    if len(meanings) > 1:
        detail = "; ".join(f"{who}: {meaning(unit, coverage)}" for who, _value, unit, coverage in rows)
        raise MeaningMismatch(detail)
    return sum((in_base_unit(Decimal(value), unit) for _who, value, unit, _c in rows), Decimal(0))
