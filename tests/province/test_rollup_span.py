"""One rollup with the real contributors: the 24-month series, the fidelity year's annual figures and
its January–October sum all come from one caseload statement, and the figures are those computed
window by window."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from apps.core.periods import format_month
from apps.core.registries import annual_figures, monthly_figures
from apps.province.models import MonthlyRollup
from apps.statistics.models import ReportedFigure
from apps.statistics.selectors import fidelity
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date


def _bureau():
    """低保 H (2 covered) 2023-03..2024-04; 特困 P from 2024-02; 孤儿 O 2024-05..2024-09. Reported 2024:
    低保 households at the year's end, and 孤儿 paid January–October (a part-year sum)."""
    f.entitlement(programme="dibao", household=f.household(f.person(), f.person()), covered_members=2,
                  per_capita_income=Decimal("0"), start_period=D(2023, 3, 1), end_period=D(2024, 4, 1),
                  status="stopped")
    f.entitlement(programme="tekun", person=f.person(birth_date=D(1950, 1, 1)), start_period=D(2024, 2, 1))
    f.entitlement(programme="orphan", person=f.person(birth_date=D(2015, 1, 1)), variant="scattered",
                  start_period=D(2024, 5, 1), end_period=D(2024, 9, 1), status="stopped")
    ReportedFigure.objects.update_or_create(key="dibao_households", period=2024,
                                            defaults={"value": Decimal("1"), "unit": "household"})
    ReportedFigure.objects.update_or_create(key="children_paid", period=2024,
                                            defaults={"value": Decimal("1"), "unit": "yuan", "coverage": "jan_oct"})


def _caseloads(queries) -> int:
    return sum(1 for q in queries.captured_queries if q["sql"].lstrip().startswith("-- Caseload per month"))


def test_one_caseload_per_rollup_and_the_same_figures(rollup):
    with schema_context("zhongshan"):
        _bureau()
        series = {(m.period, m.programme, m.key): m.value for m in monthly_figures(first="2023-01", last="2024-12")}
        year = {x.key: x.value for x in annual_figures(year=2024)}
        rows = {row.key: row.computed for row in fidelity(year=2024)}
        with CaptureQueriesContext(connection) as apart:
            fidelity(year=2024)
    # Without a span the fidelity view asks the caseload twice (the year, January–October).
    assert _caseloads(apart) == 2
    assert year["benefits.dibao_households"] == 0 and year["benefits.tekun_persons"] == 1
    assert rows["dibao_households"] == 0

    with CaptureQueriesContext(connection) as together:
        result = rollup("zhongshan")
    assert result["failed"] == []
    assert _caseloads(together) == 1
    rolled = {
        (format_month(r.period), r.programme, r.key): r.value
        for r in MonthlyRollup.objects.filter(bureau__schema_name="zhongshan")
    }
    assert rolled == series
    assert rolled[("2024-04", "dibao", "stopped")] == 1 and ("2024-05", "dibao", "households_active") not in rolled
    assert rolled[("2024-09", "orphan", "persons_active")] == 1
