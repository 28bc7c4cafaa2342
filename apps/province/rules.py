"""Pure rules of oversight: a standard against the provincial minimum, ranks, alert thresholds.

No Django, no I/O: Decimal in, Decimal out (SPEC §6; 中山's report: 1,225 is "14% above the
provincial minimum" of 1,075 and "6th in the province").
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PERCENT = Decimal("0.01")
RATE = Decimal("0.0001")


@dataclass(frozen=True)
class MinimumRow:
    region_class: int
    programme: str
    amount: Decimal
    effective_from: datetime.date


def minimum_in_force(
    rows: Iterable[MinimumRow], *, region_class: int | None, programme: str, on: datetime.date
) -> Decimal | None:
    """The minimum for the class and programme on the day: the latest effective by then; None if none."""
    if region_class is None:
        return None
    candidates = [
        r for r in rows if r.region_class == region_class and r.programme == programme and r.effective_from <= on
    ]
    return max(candidates, key=lambda r: r.effective_from).amount if candidates else None


def ratio(standard: Decimal | None, minimum: Decimal | None) -> Decimal | None:
    """standard / minimum to four places (1225 / 1075 = 1.1395); None when either is unknown."""
    if standard is None or not minimum:
        return None
    return (Decimal(standard) / Decimal(minimum)).quantize(RATE, ROUND_HALF_UP)


def percent_above(value: Decimal | None) -> Decimal | None:
    """The ratio as "percent above the minimum", whole percent as reports quote it (1.1395 → 14)."""
    if value is None:
        return None
    return ((value - 1) * 100).quantize(Decimal("1"), ROUND_HALF_UP)


def below_minimum(standard: Decimal | None, minimum: Decimal | None) -> bool:
    return standard is not None and minimum is not None and Decimal(standard) < Decimal(minimum)


def ranks(amounts: dict[str, Decimal]) -> dict[str, int]:
    """Rank by amount, highest first; equal amounts share a rank and the next rank is skipped (1, 2, 2, 4)."""
    ordered = sorted(amounts.values(), reverse=True)
    return {key: ordered.index(amount) + 1 for key, amount in amounts.items()}


def run_late(
    *, approved_at: datetime.date | None, period: datetime.date | None, today: datetime.date, deadline_day: int = 5
) -> bool:
    """A month's run not approved by the deadline day of its month (the 5th) is late.

    `period` is the month of the bureau's last regular run; a bureau with no run for this month at
    all is late too once the deadline has passed.
    """
    this_month = today.replace(day=1)
    if today.day <= deadline_day:
        return False
    if period is None or period < this_month:
        return True
    if period > this_month:
        return False
    return approved_at is None or approved_at > this_month.replace(day=deadline_day)


# A reported figure counts as reproduced when the data's figure is within 1% of it: the reports round
# (1.2万人, 3,000余元), and a reproduction that close is the data telling the same story.
FIDELITY_TOLERANCE_PERCENT = Decimal("1.00")


def fidelity_counts(rows: Iterable[tuple[str, Decimal | None, Decimal | None]]) -> dict[str, int]:
    """Of a bureau-year's reported figures given as (status, difference, percent): how many the data
    reproduces within the tolerance, how many it compares, cannot compute, or means otherwise.

    Rows of figures the report does not give ("not_reported") are not the report's and not counted.
    A reported 0 (no percentage) is reproduced only by a difference of 0.
    """
    counts = {"reported": 0, "compared": 0, "within_tolerance": 0, "not_computed": 0, "not_comparable": 0}
    for status, difference, percent in rows:
        if status == "not_reported":
            continue
        counts["reported"] += 1
        if status in ("not_computed", "not_comparable"):
            counts[status] += 1
            continue
        counts["compared"] += 1
        if percent is None:
            if difference is not None and Decimal(difference) == 0:
                counts["within_tolerance"] += 1
        elif abs(Decimal(percent)) <= FIDELITY_TOLERANCE_PERCENT:
            counts["within_tolerance"] += 1
    return counts
