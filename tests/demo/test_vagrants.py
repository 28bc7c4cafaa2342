"""The demo's 流浪乞讨 cases of the report year: as many as the report counts, read back by the statistics."""

import datetime
from decimal import Decimal

import pytest

from apps.assistance.figures import annual_figures
from apps.assistance.models import VagrantCase
from apps.demo.registry import record_starts
from apps.demo.vagrants import VagrantPlan, vagrant_cases_generate, vagrant_plan
from apps.people.models import Person


def _figures(year):
    return {f.key.split(".", 1)[1]: f.value for f in annual_figures(year=year)}


def test_plans_from_the_reports():
    # 中山 2024: "共救助1331人次", "寻亲送返295人"; 海丰 2023: 67 person-times, 6 on the street, 6 returned,
    # 34.8734万; x市 counts 52 persons (人), not person-times: no case count.
    assert vagrant_plan(schema="zhongshan", year=2024) == VagrantPlan(year=2024, assisted=1331, returned=295)
    assert vagrant_plan(schema="haifeng", year=2023) == VagrantPlan(
        year=2023, assisted=67, returned=6, street=6, cost=Decimal("348734.00")
    )
    assert vagrant_plan(schema="xcity", year=2024) is None


@pytest.mark.django_db
def test_the_cases_give_the_reported_figures(in_bureau):
    with in_bureau("zhongshan"):
        assert vagrant_cases_generate(schema="zhongshan", year=2024)["cases"] == 1331
        figures = _figures(2024)
        assert (figures["vagrant_assisted"], figures["vagrant_returned"], figures["vagrant_assisted_street"]) == (
            1331,
            295,
            0,
        )
        cases = VagrantCase.objects.filter(intake_on__year=2024)
        assert cases.filter(outcome="returned_home").count() == 148  # the odd ones of the 295
        assert not cases.filter(closed_on__gt=datetime.date(2024, 12, 31)).exists()
        assert vagrant_cases_generate(schema="zhongshan", year=2024) == {"skipped": "2024 already has vagrant cases"}
    with in_bureau("haifeng"):
        vagrant_cases_generate(schema="haifeng", year=2023)
        figures = _figures(2023)
        # 348,734.00 over 67 cases: 5,204.98 each and one cent more for the first 34 (67 × 520,498 + 34 = 34,873,400).
        assert (figures["vagrant_assisted"], figures["vagrant_assisted_street"], figures["vagrant_returned"]) == (
            67,
            6,
            6,
        )
        assert figures["vagrant_paid"] == Decimal("348734.00")
        assert VagrantCase.objects.filter(cost=Decimal("5204.99")).count() == 34


def test_children_in_care_are_carried_into_the_year_but_the_reported_new_ones():
    births = {
        1: datetime.date(2010, 5, 1),
        2: datetime.date(2012, 1, 1),
        3: datetime.date(2015, 7, 7),
        4: datetime.date(2020, 2, 2),
        5: datetime.date(2024, 3, 3),  # born in the year: new whatever the count
        6: datetime.date(2025, 6, 6),  # born after it
    }
    children = [Person(pk=pk, birth_date=day) for pk, day in births.items()]
    since = datetime.date(2024, 1, 1)
    # Three new in 2024: the one born in it and the last two before it (on day 0 and day 37 of the year);
    # the others in care from December 2023.
    assert record_starts(children, since=since, new_in_year=3) == {
        1: datetime.date(2023, 12, 1),
        2: datetime.date(2023, 12, 1),
        3: datetime.date(2024, 1, 1),
        4: datetime.date(2024, 2, 7),
        5: datetime.date(2024, 3, 3),
        6: datetime.date(2025, 6, 6),
    }
    assert record_starts(children, since=since, new_in_year=None)[1] == since
    # A child turning 18 in the year gets no record: never one of its new children, even as the last by id.
    turning_18 = Person(pk=7, birth_date=datetime.date(2006, 6, 1))
    starts = record_starts([*children[:4], turning_18], since=since, new_in_year=1)
    assert (starts[4], starts[7]) == (datetime.date(2024, 1, 1), datetime.date(2023, 12, 1))
