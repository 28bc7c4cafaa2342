"""The bureau's burial figures for a year (settings.ANNUAL_FIGURES, apps.core.registries)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.core.registries import Figure

from . import selectors

UNITS = {
    "deaths": "person",
    "cremations": "person",
    "exemptions": "person",
    "cremation_rate": "percent",
    "eco_burials": "person",
    "eco_burial_rate": "percent",
    "waivers": "case",
    "waiver_total": "yuan",
    "subsidies": "case",
    "subsidy_total": "yuan",
}


def _labels() -> dict[str, str]:
    return {
        "deaths": _("deaths recorded"),
        "cremations": _("cremations"),
        "exemptions": _("exempt from cremation"),
        "cremation_rate": _("cremation rate"),
        "eco_burials": _("eco-burials"),
        "eco_burial_rate": _("eco-burial rate"),
        "waivers": _("funeral fee waivers"),
        "waiver_total": _("funeral fee waivers, amount"),
        "subsidies": _("eco-burial subsidies"),
        "subsidy_total": _("eco-burial subsidies, amount"),
    }


def annual_figures(*, year: int) -> list[Figure]:
    values = selectors.indicators(year=year)
    labels = _labels()
    return [
        Figure(key=f"burial.{key}", value=value, unit=UNITS[key], label=labels[key], group=_("burial"))
        for key, value in values.items()
    ]
