"""The demo's deaths of each report year add up to the report: the indicators computed from the records."""

import datetime
from decimal import Decimal

import pytest

from apps.benefits.models import Entitlement, Grant
from apps.burial.models import DeathRecord
from apps.burial.selectors import indicators
from apps.demo.synthetic.deaths import generate_deaths
from tests import factories

pytestmark = pytest.mark.django_db


def _within_one_percent(value: Decimal, reported: Decimal) -> bool:
    return abs(value - reported) <= reported / 100


def test_zhongshan_2024_waivers_and_eco_burials(in_bureau):
    with in_bureau("zhongshan"):
        elder = factories.person(birth_date=datetime.date(1930, 2, 2))
        longevity = factories.entitlement(programme="longevity", variant="90-99", person=elder)
        summary = generate_deaths(schema="zhongshan")
        assert (summary["registered"], summary["generated"]) == (1, 10_025)
        figures = indicators(year=2024)
        assert (figures["waivers"], figures["eco_burials"], figures["subsidies"]) == (10_026, 544, 544)
        # 475.5万 and 8.6万 reported (money ±1%); the records add up to them exactly.
        assert figures["waiver_total"] == Decimal("4755000.00")
        assert figures["subsidy_total"] == Decimal("86000.00")
        assert _within_one_percent(figures["waiver_total"], Decimal("4755000"))
        assert Grant.objects.filter(programme_id="funeral_waiver").count() == 10_026
        assert Grant.objects.filter(programme_id="eco_burial").count() == 544
        assert Grant.objects.filter(source__startswith="burial.waiver:", payee_name="").count() == 0
        # The registered resident died through the real service: the longevity allowance stopped.
        longevity.refresh_from_db()
        assert longevity.status == "stopped"
        assert DeathRecord.objects.get(person=elder).benefits_effect["ended"][0]["id"] == longevity.pk
        assert generate_deaths(schema="zhongshan") == {"skipped": "2024 already has death records"}
        assert Entitlement.objects.filter(person=elder).count() == 1


def test_haifeng_2023_cremations_and_xcity_2024_exemptions(in_bureau):
    with in_bureau("haifeng"):
        generate_deaths(schema="haifeng")
        figures = indicators(year=2023)
        assert (figures["deaths"], figures["cremations"], figures["cremation_rate"]) == (
            4_214,
            4_214,
            Decimal("100.00"),
        )
    with in_bureau("xcity"):
        generate_deaths(schema="xcity")
        figures = indicators(year=2024)
        assert (figures["deaths"], figures["exemptions"], figures["cremations"], figures["cremation_rate"]) == (
            3_715,
            47,
            3_668,
            Decimal("100.00"),
        )
