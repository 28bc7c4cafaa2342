"""How the statistics read on a screen and in a spreadsheet: units, groups, statuses, values."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import rules

MONEY_LIKE = {"yuan", "yuan_per_person_month"}

UNITS = {
    "household": _("households"),
    "households": _("households"),
    "person": _("persons"),
    "persons": _("persons"),
    "person_time": _("person-times"),
    "person_times": _("person-times"),
    "person_month": _("person-months"),
    "yuan": _("yuan"),
    "wan_yuan": _("10,000 yuan"),
    "yi_yuan": _("100 million yuan"),
    "yuan_per_person_month": _("yuan per person-month"),
    "percent": "%",
    "count": _("count"),
    "bed": _("beds"),
    "beds": _("beds"),
    "meal": _("meals"),
    "meals": _("meals"),
    "case": _("cases"),
    "organisation": _("organisations"),
    "couples": _("couples"),
    "hours": _("hours"),
    "household_times": _("household-times"),
    "month": pgettext_lazy("unit", "months"),
    "year": pgettext_lazy("unit", "years"),
}
GROUPS = {
    "caseload": _("Caseload at the year's end"),
    "flows": _("New and stopped in the year"),
    "temporary": _("临时救助"),
    "paid": _("Paid in the year"),
    "vagrant": _("流浪乞讨救助"),
    "elderly": _("Elderly care"),
    "children": _("Children"),
    "socialorgs": _("Social organisations"),
    "burial": _("Burial"),
}
# The seeds' report sections (ReportedFigure.section).
SECTIONS = {
    "social_assistance": _("Social assistance"),
    "elderly": _("Elderly care"),
    "disability": _("Disability"),
    "children": _("Children"),
    "social_orgs": _("Social organisations"),
    "burial": _("Burial"),
    "other": _("Other"),
}
STATUSES = {
    "compared": _("compared"),
    "not_computed": _("the data cannot produce it yet"),
    "not_comparable": _("another meaning"),
    "not_reported": _("not in the report"),
}


def unit_label(unit: str) -> str:
    return str(UNITS.get(unit, unit))


def section_label(section: str) -> str:
    return str(SECTIONS.get(section, section))


def group_label(group: str) -> str:
    return str(GROUPS.get(group, group or _("Other")))


def status_label(status: str) -> str:
    return str(STATUSES.get(status, status))


def display(value, unit: str) -> str:
    """A value as a screen shows it: ¥1,234.56 for money, 75.62% for a share, 3,469 for a count."""
    if value is None:
        return "—"
    value = Decimal(value)
    if unit in MONEY_LIKE:
        return f"¥{value.quantize(rules.CENT):,}"
    if unit == "percent":
        return f"{value.quantize(rules.CENT)}%"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def plain(value, unit: str) -> str | None:
    """A value as the API gives it: a decimal string, cents for money and shares, whole for counts."""
    if value is None:
        return None
    value = Decimal(value)
    if unit in MONEY_LIKE or unit == "percent":
        return f"{value.quantize(rules.CENT)}"
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value.normalize():f}"
