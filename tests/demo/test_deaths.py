"""The demo's deaths of each report year add up to the report: the indicators computed from the records."""

import datetime
from decimal import Decimal

import pytest

from apps.benefits.models import Entitlement, Grant
from apps.burial import services as burial
from apps.burial.models import DeathRecord
from apps.burial.selectors import indicators
from apps.core.permissions import SYSTEM
from apps.demo.synthetic.deaths import caseload_death_waiver, funeral_home, generate_deaths
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
        # 463.54万 of 殡葬基本服务免费补助: 4,214 × 1,100, exactly.
        assert (figures["waivers"], figures["waiver_total"]) == (4_214, Decimal("4635400.00"))
    with in_bureau("xcity"):
        generate_deaths(schema="xcity")
        figures = indicators(year=2024)
        assert (figures["deaths"], figures["exemptions"], figures["cremations"], figures["cremation_rate"]) == (
            3_715,
            47,
            3_668,
            Decimal("100.00"),
        )
        # 1626.19万 of 惠民殡葬奖补 due: the 3,668 cremations waived 4,430 each, −0.08%; no Hui burial waived.
        assert (figures["waivers"], figures["waiver_total"]) == (3_668, Decimal("16249240.00"))
        assert _within_one_percent(figures["waiver_total"], Decimal("16261900"))


def test_guangzhou_waives_only_non_local_deaths_in_full(in_bureau):
    """广州's plan at a hundredth: 800 deaths, the last 531 without local hukou; only theirs are waived,
    each the six items with three days of 冷藏: 180 + 100 + 300 + 400 + 250 + 100 = 1,330 (the cap);
    720 of 800 in a columbarium or under a tree: 90.00%. 广州 pays no eco-burial subsidy."""
    from dataclasses import replace

    from apps.demo.synthetic.deaths import PLANS

    plan = replace(PLANS["guangzhou"], deaths=800, cold_count=531, non_local=531,
                   eco={"columbarium": 500, "tree": 220})
    with in_bureau("guangzhou"):
        summary = generate_deaths(schema="guangzhou", plan=plan)
        figures = indicators(year=2024)
        local_waived = DeathRecord.objects.filter(local_hukou=True, fee_waiver__isnull=False).count()
    assert summary["deaths_assumed"].startswith("the report gives no count of deaths")
    assert (figures["deaths"], figures["waivers"], figures["waiver_total"]) == (800, 531, Decimal("706230.00"))
    assert (figures["eco_burials"], figures["eco_burial_rate"], figures["subsidies"]) == (720, Decimal("90.00"), 0)
    assert local_waived == 0
    # At scale 1 the plan gives the report's figures: 53,060 × 1,330 = 70,569,800 against 7,057.08万.
    full = PLANS["guangzhou"]
    assert _within_one_percent(Decimal(full.non_local * 1330), Decimal("70570800"))
    assert sum(full.eco.values()) * 100 / full.deaths == 90


def test_nanshan_2023_every_resident_waived_the_ten_items(in_bureau):
    """南山: every death waived the ten items worth 2,200 (深圳's free basic services); 1,026 tree and sea
    burials rewarded 1,000 each (assumed rates). No figure is in the report: the plan says so."""
    with in_bureau("nanshan"):
        summary = generate_deaths(schema="nanshan")
        figures = indicators(year=2023)
    assert summary["deaths_assumed"].startswith("the report gives no burial figure")
    assert (figures["deaths"], figures["waivers"], figures["waiver_total"]) == (3_420, 3_420, Decimal("7524000.00"))
    assert (figures["eco_burials"], figures["subsidies"], figures["subsidy_total"]) == (
        1_026, 1_026, Decimal("1026000.00"))


def test_deaths_made_before_the_year_leave_room_for_the_caseload_deaths_and_their_waivers(in_bureau):
    # 中山 2024 with 6 caseload deaths still to come: 10,026 − 6 − 1 registered = 10,019 generated; each
    # caseload death, recorded later through the service, gets the waiver every death has (接运 150 +
    # 消毒 50 + 火化 250 = 450): 10,026 waivers, 10,026 × 450 + 4,055 × 60 = 4,755,000 all the same.
    with in_bureau("zhongshan"):
        factories.person(birth_date=datetime.date(1930, 2, 2))
        summary = generate_deaths(schema="zhongshan", caseload_deaths=6)
        assert (summary["registered"], summary["generated"]) == (7, 10_019)
        for month in range(1, 7):
            day = datetime.date(2024, month * 2, 3)
            person = factories.person(birth_date=datetime.date(1950, 1, 1))
            record = burial.death_record_create(user=SYSTEM, person=person, date_of_death=day,
                                                funeral_home=funeral_home(), cremated_on=day, disposition="plot",
                                                today=day + datetime.timedelta(days=5))
            assert caseload_death_waiver(schema="zhongshan", death=record, today=day + datetime.timedelta(days=5))
        figures = indicators(year=2024)
        assert (figures["deaths"], figures["waivers"], figures["waiver_total"]) == (
            10_026,
            10_026,
            Decimal("4755000.00"),
        )
        # The last caseload death's waiver is a grant of the month it was approved (December 2024).
        last = Grant.objects.filter(programme_id="funeral_waiver").order_by("-id").first()
        assert (last.period, last.amount) == (datetime.date(2024, 12, 1), Decimal("450.00"))
        # 广州 waives only for residents without local hukou: a caseload death (local) gets none.
    with in_bureau("guangzhou"):
        person = factories.person(birth_date=datetime.date(1950, 1, 1))
        record = burial.death_record_create(user=SYSTEM, person=person, date_of_death=datetime.date(2024, 3, 3),
                                            funeral_home=funeral_home(), cremated_on=datetime.date(2024, 3, 4),
                                            disposition="plot", today=datetime.date(2024, 3, 8))
        assert caseload_death_waiver(schema="guangzhou", death=record, today=datetime.date(2024, 3, 8)) is False
