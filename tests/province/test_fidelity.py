"""Each bureau's fidelity summary: how many of its report's figures its data reproduces within 1%,
carried to the province as counts per report year and shown on the dashboard."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.core.registries import Figure
from apps.province import rules
from apps.province.models import AnnualRollup

pytestmark = pytest.mark.django_db

YEAR = 2019  # a year no seed reports on


def annual(*, year: int) -> list[Figure]:
    """The data's figures of the test (settings.ANNUAL_FIGURES for these tests)."""
    if year != YEAR:
        return []
    return [
        Figure("socialorgs.registered", 1858, "organisation", "registered"),
        Figure("socialorgs.annual_report_rate", Decimal("92.80"), "percent", "annual-report rate"),
        Figure("burial.cremations", 1000, "case", "cremations"),
        Figure("socialorgs.abnormal_list", 250, "organisation", "abnormal list"),
        Figure("burial.eco_burials", 30, "case", "eco burials"),
    ]


def test_fidelity_counts_worked_out():
    rows = [
        ("compared", Decimal("0"), Decimal("0.00")),
        ("compared", Decimal("-5"), Decimal("-0.50")),
        ("compared", Decimal("10"), Decimal("1.00")),  # exactly 1%: reproduced
        ("compared", Decimal("9"), Decimal("3.73")),
        ("compared", Decimal("0"), None),  # reported 0, data 0
        ("compared", Decimal("2"), None),  # reported 0, data 2
        ("not_computed", None, None),
        ("not_comparable", None, None),
        ("not_reported", None, None),  # the data's own figure, not the report's
    ]
    assert rules.fidelity_counts(rows) == {
        "reported": 8,
        "compared": 6,
        "within_tolerance": 4,
        "not_computed": 1,
        "not_comparable": 1,
    }


def test_a_bureaus_fidelity_reaches_the_province_as_counts(figures, settings, rollup, login_as):
    from apps.statistics.models import ReportedFigure

    settings.ANNUAL_FIGURES = ["tests.province.test_fidelity.annual"]
    with schema_context("zhongshan"):
        for key, value, unit in (
            ("registered", "1858", "count"),  # reproduced exactly
            ("annual_report_rate", "92.80", "percent"),  # exactly
            ("cremations", "1005", "count"),  # data 1000: -0.50%, within 1%
            ("abnormal_list", "241", "count"),  # data 250: +3.73%, not
            ("elderly_beds", "5000", "beds"),  # the data cannot compute it
            ("eco_burials", "12.5", "wan_yuan"),  # the data counts cases, the report money
        ):
            ReportedFigure.objects.create(key=key, period=YEAR, value=Decimal(value), unit=unit, label=key)
    rollup("zhongshan")

    published = dict(
        AnnualRollup.objects.filter(
            bureau__schema_name="zhongshan", year=YEAR, key__startswith="fidelity."
        ).values_list("key", "value")
    )
    assert published == {
        "fidelity.reported": Decimal("6"),
        "fidelity.compared": Decimal("4"),
        "fidelity.within_tolerance": Decimal("3"),
        "fidelity.not_computed": Decimal("1"),
        "fidelity.not_comparable": Decimal("1"),
    }
    # Numbers only: no label, phrase or source of the report's figures crosses over.
    assert set(AnnualRollup.objects.filter(key__startswith="fidelity.").values_list("unit", flat=True)) == {"count"}

    from apps.province.selectors import fidelity_summary

    row = next(r for r in fidelity_summary(bureau="zhongshan") if r["year"] == YEAR)
    assert (row["reported"], row["within_tolerance"], row["share_reproduced"]) == (6, 3, Decimal("50.00"))

    client = login_as("public", "overseer")
    html = client.get("/").content.decode()
    assert 'data-table="fidelity"' in html and "50.00" in html
    assert client.get("/export/fidelity.xlsx").status_code == 200

    # A second rollup replaces the counts, and a report year whose figures were withdrawn goes.
    with schema_context("zhongshan"):
        ReportedFigure.objects.filter(period=YEAR).delete()
    rollup("zhongshan")
    assert not AnnualRollup.objects.filter(bureau__schema_name="zhongshan", year=YEAR, key__startswith="fidelity.")
