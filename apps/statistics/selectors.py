"""Reads of the statistics: a year's figures, the monthly series, the fidelity view, cross-bureau sums.

Statistics never import an app's models: the figures come from the registries (ANNUAL_FIGURES,
MONTHLY_FIGURES), each app computing its own from its own tables.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from apps.core.periods import format_month
from apps.core.registries import Figure, monthly_figures

from . import rules
from .labels import unit_label
from .models import AnnualSnapshot, ReportedFigure
from .services import figures_compute


def _add_months(period: datetime.date, months: int) -> datetime.date:
    index = period.year * 12 + period.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


# --------------------------------------------------------------------------- annual figures


def annual_figures_get(*, year: int) -> tuple[list[Figure], AnnualSnapshot | None]:
    """The stored snapshot's figures, or (no snapshot yet) the figures computed now, not stored."""
    snapshot = AnnualSnapshot.objects.filter(year=year).first()
    if snapshot is None:
        return figures_compute(year=year), None
    return [
        Figure(f.key, f.value, f.unit, _(f.label), f.group, _(f.note) if f.note else "")
        for f in snapshot.figures.all()
    ], snapshot


# --------------------------------------------------------------------------- monthly series


def monthly_series(*, last: datetime.date | None = None, months: int = 24) -> dict:
    """The last `months` months to `last` (default: this month) of every registered monthly figure.

    {"periods": ["2024-12", …], "series": [{"programme", "key", "unit", "values": [… one per period]}]};
    a month without a figure is 0.
    """
    last = last or timezone.localdate().replace(day=1)
    first = _add_months(last, -(months - 1))
    periods = [format_month(_add_months(first, i)) for i in range(months)]
    values: dict[tuple[str, str, str], dict[str, Decimal | int]] = defaultdict(dict)
    for figure in monthly_figures(first=periods[0], last=periods[-1]):
        values[(figure.programme, figure.key, figure.unit)][figure.period] = figure.value
    series = [
        {"programme": programme, "key": key, "unit": unit, "values": [by_period.get(p, 0) for p in periods]}
        for (programme, key, unit), by_period in sorted(values.items())
    ]
    return {"periods": periods, "series": series}


# --------------------------------------------------------------------------- fidelity

# Reported figures of part of a year, computed from the monthly series over the same months:
# key → (monthly key, programmes).
PART_YEAR = {"children_paid": ("amount_paid", ("orphan",))}
COVERAGE_MONTHS = {ReportedFigure.Coverage.JAN_OCT: 10}


@dataclass(frozen=True)
class FidelityRow:
    key: str
    label: str
    unit: str
    computed: Decimal | int | None
    computed_key: str = ""
    reported: Decimal | None = None
    reported_unit: str = ""
    difference: Decimal | None = None
    percent: Decimal | None = None
    # compared | not_computed (the data cannot produce it) | not_comparable (another meaning) | not_reported
    status: str = "compared"
    # Compared only: counts and rates equal, money within ±5 % (rules.within_tolerance).
    within: bool | None = None
    reason: str = ""
    # Why the data does not reproduce the reported figure (ReportedFigure.gap_reason, from the seeds).
    gap_reason: str = ""
    phrase: str = ""
    source_file: str = ""
    note: str = ""
    section: str = ""

    @property
    def unexplained(self) -> bool:
        """A compared figure outside the tolerance whose gap no reason explains: never to be shown so."""
        return self.status == "compared" and self.within is False and not self.gap_reason


def unexplained_gaps(rows: list[FidelityRow]) -> list[FidelityRow]:
    """The rows of a fidelity view out of tolerance without a reason (the report-year check: none)."""
    return [row for row in rows if row.unexplained]


def _part_year(year: int, key: str, months: int) -> Decimal:
    monthly_key, programmes = PART_YEAR[key]
    total = Decimal("0.00")
    for figure in monthly_figures(first=f"{year}-01", last=f"{year}-{months:02d}"):
        if figure.key == monthly_key and figure.programme in programmes:
            total += Decimal(figure.value)
    return total


def fidelity(*, year: int) -> list[FidelityRow]:
    """Each reported figure of the year beside the computed one: difference and percentage, or why not."""
    figures, _snapshot = annual_figures_get(year=year)
    by_suffix = {f.key.split(".", 1)[-1]: f for f in figures}
    used: set[str] = set()
    rows: list[FidelityRow] = []
    for rf in ReportedFigure.objects.filter(period=year).order_by("section", "key"):
        reported = rules.in_base_unit(rf.value, rf.unit)
        common = {
            "key": rf.key,
            "label": rf.label or rf.key,
            "reported": reported,
            "reported_unit": "yuan" if rf.unit in rules.MONEY_FACTORS else rf.unit,
            "phrase": rf.source_phrase,
            "source_file": rf.source_file,
            "note": rf.note,
            "section": rf.section,
            "gap_reason": rf.gap_reason_text(),
        }
        compare = rf.compare_key or rf.key
        computed = by_suffix.get(compare)
        if computed is not None:
            used.add(computed.key)
        if computed is None or computed.value is None:
            rows.append(
                FidelityRow(
                    unit=rf.unit,
                    computed=None,
                    status="not_computed",
                    reason=_("The data cannot produce this figure yet."),
                    **common,
                )
            )
            continue
        if not rules.compatible(computed.unit, rf.unit):
            rows.append(
                FidelityRow(
                    unit=computed.unit,
                    computed=computed.value,
                    computed_key=computed.key,
                    status="not_comparable",
                    reason=_("The report counts %(reported)s, the data %(computed)s.")
                    % {"reported": unit_label(rf.unit), "computed": unit_label(computed.unit)},
                    **common,
                )
            )
            continue
        value = computed.value
        if rf.coverage != ReportedFigure.Coverage.YEAR:
            months = COVERAGE_MONTHS.get(rf.coverage)
            if months and compare in PART_YEAR:
                value = _part_year(year, compare, months)
            else:
                rows.append(
                    FidelityRow(
                        unit=computed.unit,
                        computed=computed.value,
                        computed_key=computed.key,
                        status="not_comparable",
                        reason=_("The report's figure covers %(coverage)s, the data one year.")
                        % {"coverage": rf.get_coverage_display()},
                        **common,
                    )
                )
                continue
        diff, percent = rules.difference(Decimal(value), reported)
        rows.append(
            FidelityRow(
                unit=computed.unit,
                computed=value,
                computed_key=computed.key,
                difference=diff,
                percent=percent,
                within=rules.within_tolerance(unit=rf.unit, difference=diff, percent=percent),
                # A figure compared with another computed one says which (the seed's note says why).
                reason=_("Compared with “%(label)s”.") % {"label": computed.label} if compare != rf.key else "",
                **common,
            )
        )
    for figure in figures:
        if figure.key not in used:
            rows.append(
                FidelityRow(
                    key=figure.key.split(".", 1)[-1],
                    label=str(figure.label),
                    unit=figure.unit,
                    computed=figure.value,
                    computed_key=figure.key,
                    status="not_reported",
                    section=figure.group,
                )
            )
    return rows


# --------------------------------------------------------------------------- across bureaus


def reported_sum(*, key: str, schemas: list[str], period: int | None = None) -> tuple[Decimal, str]:
    """The sum of one reported key over several bureaus, in yuan for money: (value, meaning); for one
    year, or (period None) each bureau's latest year of the key.

    Refused (ValidationError naming each bureau's meaning) when the bureaus' figures mean different
    things: 广州's temporary_cases are person-times, 南山's households; 海丰's meals_served cover two years.
    """
    rows = []
    for schema in schemas:
        with schema_context(schema):
            figures = ReportedFigure.objects.filter(key=key)
            if period is not None:
                figures = figures.filter(period=period)
            figure = figures.order_by("-period").first()
        if figure is not None:
            rows.append((schema, figure.value, figure.unit, figure.coverage))
    if not rows:
        return Decimal(0), ""
    try:
        total = rules.sum_same_meaning(rows)
    except rules.MeaningMismatch as exc:
        raise ValidationError(
            _("%(key)s means different things in these bureaus and cannot be added: %(detail)s.")
            % {"key": key, "detail": exc}
        ) from None
    return total, rules.meaning(rows[0][2], rows[0][3])
