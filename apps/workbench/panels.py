"""The bureau administrator's month in figures: caseload and amounts by programme this month, and the
12-month trend as a chart, from the registry of monthly figures (apps.core.registries.monthly_figures:
each app contributes its own; the workbench imports none of their models for it)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.benefits import rules
from apps.benefits.models import ProgrammeCode
from apps.benefits.selectors import caseload
from apps.core.money import format_yuan
from apps.core.periods import format_month
from apps.core.registries import Panel, PanelItem, monthly_figures
from apps.core.roles import Role

TREND_MONTHS = 12
CASELOAD_KEYS = ("persons_active", "households_active")
AMOUNT_KEYS = ("amount_paid", "amount_generated")


def _is_bureau_admin(user) -> bool:
    return user.is_superuser or user.groups.filter(name=Role.BUREAU_ADMIN).exists()


def _programme_label(code: str) -> str:
    try:
        return str(ProgrammeCode(code).label)
    except ValueError:
        return code or _("whole bureau")


def _first_key(values: dict, keys) -> str | None:
    return next((key for key in keys if key in values), None)


def month_figures(*, today) -> tuple[list[str], dict[str, dict[str, dict[str, object]]]]:
    """(periods oldest first, {period: {programme: {key: value}}}) for the 12 months to today's."""
    this_month = rules.first_of_month(today)
    periods = [format_month(rules.add_months(this_month, -i)) for i in range(TREND_MONTHS - 1, -1, -1)]
    table: dict = defaultdict(lambda: defaultdict(dict))
    for figure in monthly_figures(first=periods[0], last=periods[-1]):
        table[figure.period][figure.programme][figure.key] = figure.value
    return periods, table


def month_panel(*, request) -> Panel | None:
    """This month by programme (caseload and amount), with the 12-month trend of both as a chart."""
    if not _is_bureau_admin(request.user):
        return None
    today = timezone.localdate()
    periods, table = month_figures(today=today)
    current = table.get(periods[-1], {})
    items = []
    if current:
        for programme, values in sorted(current.items()):
            count_key, amount_key = _first_key(values, CASELOAD_KEYS), _first_key(values, AMOUNT_KEYS)
            if count_key is None and amount_key is None:
                continue
            note = format_yuan(values[amount_key]) if amount_key else ""
            items.append(
                PanelItem(
                    label=_programme_label(programme), count=int(values[count_key]) if count_key else None, note=note
                )
            )
    else:
        # No contributor answers for this month yet: today's caseload from the entitlements themselves.
        for programme, counts in sorted(caseload(period=today).items()):
            items.append(PanelItem(label=_programme_label(programme), count=counts["persons"] or counts["households"]))
    chart = None
    if table:
        caseload_series, amount_series = [], []
        for period in periods:
            persons, amount = 0, Decimal("0")
            for values in table.get(period, {}).values():
                count_key, amount_key = _first_key(values, CASELOAD_KEYS), _first_key(values, AMOUNT_KEYS)
                persons += int(values[count_key]) if count_key else 0
                amount += Decimal(values[amount_key]) if amount_key else 0
            caseload_series.append(persons)
            amount_series.append(str(amount.quantize(Decimal("0.01"))))
        chart = {
            "type": "line",
            "labels": periods,
            "axes": [{"name": _("persons")}, {"name": _("yuan")}],
            "series": [
                {"name": _("caseload (persons)"), "data": caseload_series},
                {"name": _("amount (yuan)"), "data": amount_series, "axis": 1, "type": "bar"},
            ],
        }
    else:
        items.append(PanelItem(label=_("Monthly figures"), note=_("No monthly figures have been produced yet.")))
    return Panel(
        key="workbench.month",
        title=_("This month in figures (%(period)s)") % {"period": periods[-1]},
        items=items,
        order=90,
        chart=chart,
    )
