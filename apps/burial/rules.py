"""Burial rules as pure functions (no Django): fee-waiver sums and the yearly indicators.

Money is Decimal, two places, ROUND_HALF_UP; a rate is a percentage rounded to two places.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from apps.benefits.rules import ZERO, money

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class WaivedItem:
    unit_price: Decimal
    units: int
    max_units: int = 1


def item_amount(item: WaivedItem) -> Decimal:
    """One item: unit price × units, the units waived capped at the item's most (冷藏 ≤ 3 days)."""
    return money(Decimal(item.unit_price) * min(item.units, item.max_units))


def waiver_amount(items: Iterable[WaivedItem], *, cap: Decimal) -> tuple[Decimal, Decimal]:
    """(the items' sum, the amount waived = the sum within the cap)."""
    total = sum((item_amount(i) for i in items), ZERO)
    return money(total), money(min(total, Decimal(cap)))


def eligible(*, policy: str, local_hukou: bool) -> bool:
    """all: every resident; local: local hukou only; non_local: non-local hukou only (广州)."""
    return policy == "all" or (policy == "local") == local_hukou


def rate(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage, two places (None when there is nothing to divide by)."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class YearCounts:
    deaths: int
    cremations: int
    exemptions: int
    eco_burials: int
    waivers: int
    waiver_total: Decimal
    subsidies: int
    subsidy_total: Decimal


def indicators(c: YearCounts) -> dict[str, Decimal | int | None]:
    """The year's burial indicators. The cremation rate counts only deaths subject to cremation
    (deaths − legal exemptions); the eco-burial rate counts eco dispositions among all deaths."""
    return {
        "deaths": c.deaths,
        "cremations": c.cremations,
        "exemptions": c.exemptions,
        "cremation_rate": rate(c.cremations, c.deaths - c.exemptions),
        "eco_burials": c.eco_burials,
        "eco_burial_rate": rate(c.eco_burials, c.deaths),
        "waivers": c.waivers,
        "waiver_total": money(c.waiver_total),
        "subsidies": c.subsidies,
        "subsidy_total": money(c.subsidy_total),
    }
