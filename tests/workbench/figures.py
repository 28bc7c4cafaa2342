"""A MONTHLY_FIGURES contributor for tests: dibao and tekun, the same every month of 2026 up to November."""

from decimal import Decimal

from apps.core.registries import MonthlyFigure


def sample(*, first: str, last: str) -> list[MonthlyFigure]:
    figures = []
    for month in range(1, 12):
        period = f"2026-{month:02d}"
        if not first <= period <= last:
            continue
        figures += [
            MonthlyFigure(period, "dibao", "persons_active", 3000 + month, "person"),
            MonthlyFigure(period, "dibao", "amount_paid", Decimal("1000000.50"), "yuan"),
            MonthlyFigure(period, "tekun", "persons_active", 500, "person"),
            MonthlyFigure(period, "tekun", "amount_paid", Decimal("980000.00"), "yuan"),
        ]
    return figures
