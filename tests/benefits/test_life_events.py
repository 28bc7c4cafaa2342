"""The three defects of the burial issue: a stop keeps the months up to its last period payable, a
member's death recomputes the household's dibao, and an entitlement past its 渐退期 ends."""

import datetime
from decimal import Decimal

import pytest

from apps.benefits import rules, selectors, services
from apps.benefits.models import Entitlement
from apps.core.permissions import SYSTEM
from apps.disbursement.models import PaymentLine
from apps.disbursement.services import payment_run_monthly
from tests import factories

D = Decimal
pytestmark = pytest.mark.django_db
JAN, MAY, JUN, JUL, AUG = (datetime.date(2025, m, 1) for m in (1, 5, 6, 7, 8))


def test_pays_in_a_stop_keeps_the_months_up_to_its_last_period():
    start, end = datetime.date(2025, 1, 1), datetime.date(2025, 6, 1)
    assert rules.pays_in(status="stopped", start_period=start, end_period=end, period=end)
    assert not rules.pays_in(status="stopped", start_period=start, end_period=end, period=JUL)
    assert rules.pays_in(status="ended", start_period=start, end_period=end, period=MAY)
    # Stopped without a last period, or with the month before its start (stopped before it paid): nothing.
    assert not rules.pays_in(status="stopped", start_period=start, end_period=None, period=start)
    assert not rules.pays_in(status="stopped", start_period=start, end_period=datetime.date(2024, 12, 1), period=start)
    assert not rules.pays_in(status="suspended", start_period=start, end_period=end, period=MAY)


def test_stop_with_end_period_2025_06_still_pays_2025_06_in_amount_run_and_arrears(in_bureau):
    with in_bureau("xcity"):
        p = factories.person(birth_date=datetime.date(1940, 3, 1))  # 85: 80-99 pays 50.00 a month in xcity
        e = factories.entitlement(programme="longevity", variant="80-99", person=p, start_period=JAN)
        payment_run_monthly(period=MAY)
        services.entitlement_stop(entitlement=e, reason="迁出本市", end_period="2025-06")
        e.refresh_from_db()
        assert (e.status, e.end_period) == ("stopped", JUN)
        assert selectors.entitlement_amount(entitlement=e, period=MAY) == D("50.00")
        assert selectors.entitlement_amount(entitlement=e, period=JUN) == D("50.00")
        assert selectors.entitlement_amount(entitlement=e, period=JUL) == D("0.00")
        june = payment_run_monthly(period=JUN)
        assert list(PaymentLine.objects.filter(run=june, entitlement_id=e.pk).values_list("amount", flat=True)) == [
            D("50.00")
        ]
        july = payment_run_monthly(period=JUL)
        assert not PaymentLine.objects.filter(run=july, entitlement_id=e.pk).exists()
        # A raise to 60.00 from May 2025 published in August: May and June are owed 10.00 each, July nothing.
        services.standard_create(user=SYSTEM, programme="longevity", variant="80-99", amount="60", effective_from=MAY)
        august = payment_run_monthly(period=AUG)
        arrears = sorted(
            PaymentLine.objects.filter(run=august, entitlement_id=e.pk, line_type="arrears").values_list(
                "period", "amount"
            )
        )
        assert arrears == [(MAY, D("10.00")), (JUN, D("10.00"))]


def test_a_stop_before_the_first_period_pays_nothing(in_bureau):
    with in_bureau("xcity"):
        p = factories.person(birth_date=datetime.date(1940, 3, 1))
        e = factories.entitlement(programme="longevity", variant="80-99", person=p, start_period=JUN)
        services.entitlement_stop(entitlement=e, reason="申请撤回", end_period="2025-03")
        e.refresh_from_db()
        assert (e.status, e.end_period) == ("stopped", MAY)
        assert selectors.entitlement_amount(entitlement=e, period=JUN) == D("0.00")


def _dibao_household(size: int):
    members = [factories.person(birth_date=datetime.date(1950, 5, 5))] + [
        factories.person(birth_date=datetime.date(1985, 1, 1)) for _ in range(size - 1)
    ]
    h = factories.household(*members)
    # 中山: S = 1225, income 425 per head, 40% add-on (490.00) for the elderly head.
    e = factories.entitlement(
        programme="dibao",
        household=h,
        per_capita_income=D("425"),
        covered_members=size,
        addon_members=1,
        start_period=JAN,
    )
    return h, members, e


def test_a_members_death_recomputes_the_households_dibao_from_the_next_month(in_bureau):
    with in_bureau("zhongshan"):
        h, members, e = _dibao_household(3)
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2025, 4, 1)) == D("2890.00")
        effect = services.entitlements_end_for_death(
            person=members[0], date_of_death=datetime.date(2025, 3, 10), source="burial.death:7", user=SYSTEM
        )
        e.refresh_from_db()
        assert (e.status, e.end_period) == ("stopped", datetime.date(2025, 3, 1))
        assert "burial.death:7" in e.reason
        assert e.history.first().history_change_reason == "death burial.death:7"
        successor = Entitlement.objects.get(pk=effect["opened"][0])
        # (1225 − 425) × 2 = 1600.00; the elderly head's add-on went with him.
        assert (successor.start_period, successor.covered_members, successor.addon_members) == (
            datetime.date(2025, 4, 1),
            2,
            0,
        )
        assert selectors.entitlement_amount(entitlement=successor, period=datetime.date(2025, 4, 1)) == D("1600.00")
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2025, 3, 1)) == D("2890.00")
        assert "burial.death:7" in successor.reason
        # Undone (the record was made in error): the household is paid as before, with history.
        services.entitlements_restore_after_death(
            effect=effect, source="burial.death:7", user=SYSTEM, reason="record deleted: made in error"
        )
        e.refresh_from_db()
        successor.refresh_from_db()
        assert (e.status, e.end_period) == ("active", None)
        assert selectors.entitlement_amount(entitlement=e, period=datetime.date(2025, 4, 1)) == D("2890.00")
        assert selectors.entitlement_amount(entitlement=successor, period=datetime.date(2025, 4, 1)) == D("0.00")
        assert e.history.first().history_change_reason == "death withdrawn burial.death:7"


def test_a_one_person_households_dibao_stops(in_bureau):
    with in_bureau("zhongshan"):
        h, members, e = _dibao_household(1)
        effect = services.entitlements_end_for_death(
            person=members[0], date_of_death=datetime.date(2025, 3, 10), source="burial.death:8", user=SYSTEM
        )
        e.refresh_from_db()
        assert (e.status, e.end_period, effect["opened"]) == ("stopped", datetime.date(2025, 3, 1), [])


def test_past_its_phaseout_an_entitlement_ends_with_the_reason(in_bureau):
    with in_bureau("zhongshan"):
        h, members, e = _dibao_household(2)
        services.entitlement_end(entitlement=e, reason="复核收入超标，渐退期6个月", end_period="2025-06")
        assert services.entitlements_end_past(today=datetime.date(2025, 6, 30))["ended"] == 0
        summary = services.entitlements_end_past(today=datetime.date(2025, 7, 1))
        assert summary == {"ended": 1, "by_programme": {"dibao": 1}}
        e.refresh_from_db()
        assert (e.status, e.end_period) == ("ended", JUN)
        assert e.reason == "ended after 2025-06: 复核收入超标，渐退期6个月"
        assert e.history.first().history_change_reason == "nightly: ended"
        # (1225 − 425) × 2 + 490 = 2090.00 still owed for June, nothing for July.
        assert selectors.entitlement_amount(entitlement=e, period=JUN) == D("2090.00")
        assert selectors.entitlement_amount(entitlement=e, period=JUL) == D("0.00")
        assert services.entitlements_end_past(today=datetime.date(2025, 7, 2))["ended"] == 0
