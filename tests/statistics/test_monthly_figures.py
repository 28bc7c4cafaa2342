"""The monthly series contributors (settings.MONTHLY_FIGURES) over a hand-made 中山 year."""

import datetime
from decimal import Decimal

import pytest

from apps.core.registries import monthly_figures
from apps.disbursement.models import PaymentLine
from apps.disbursement.services import payment_run_approve, payment_run_mark_exported, payment_run_supplementary
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date


def _series(first="2024-01", last="2024-12"):
    return {(m.period, m.programme, m.key): (m.value, m.unit) for m in monthly_figures(first=first, last=last)}


def _caseload(ended="stopped"):
    """H1 (2 covered) on 低保 since 2023-11 with a fact change from 2024-07; H2 (3) new from 2024-03;
    H3 (1) stopped after 2024-05; P on 特困 2024-02..2024-08 (died in August)."""
    h1 = f.household(f.person(), f.person())
    h2 = f.household(f.person(), f.person(), f.person())
    h3 = f.household(f.person())
    p = f.person(birth_date=D(1950, 1, 1))
    f.entitlement(
        programme="dibao",
        household=h1,
        covered_members=2,
        per_capita_income=Decimal("0"),
        start_period=D(2023, 11, 1),
        end_period=D(2024, 6, 1),
    )
    f.entitlement(
        programme="dibao", household=h1, covered_members=2, per_capita_income=Decimal("100"), start_period=D(2024, 7, 1)
    )
    f.entitlement(
        programme="dibao", household=h2, covered_members=3, per_capita_income=Decimal("0"), start_period=D(2024, 3, 1)
    )
    f.entitlement(
        programme="dibao",
        household=h3,
        covered_members=1,
        per_capita_income=Decimal("0"),
        start_period=D(2023, 6, 1),
        end_period=D(2024, 5, 1),
        status=ended,
    )
    f.entitlement(programme="tekun", person=p, start_period=D(2024, 2, 1), end_period=D(2024, 8, 1), status=ended)
    return h1, h2, h3, p


def test_caseload_per_month(zs):
    _caseload()
    s = _series()
    assert s[("2024-01", "dibao", "households_active")] == (2, "household")
    assert s[("2024-01", "dibao", "persons_active")] == (3, "person")
    assert s[("2024-03", "dibao", "households_active")] == (3, "household")
    assert s[("2024-03", "dibao", "persons_active")] == (6, "person")
    assert s[("2024-03", "dibao", "new")] == (1, "household")
    assert s[("2024-03", "dibao", "new_persons")] == (3, "person")
    # C's last month paid is May: stopped in May.
    assert s[("2024-05", "dibao", "stopped")] == (1, "household")
    assert s[("2024-05", "dibao", "stopped_persons")] == (1, "person")
    assert ("2024-06", "dibao", "stopped") not in s
    assert s[("2024-06", "dibao", "households_active")] == (2, "household")
    assert s[("2024-06", "dibao", "persons_active")] == (5, "person")
    # The fact change of July is neither new nor stopped; nobody was new in January (on the roll in December).
    assert ("2024-07", "dibao", "new") not in s and ("2024-06", "dibao", "stopped") not in s
    assert ("2024-01", "dibao", "new") not in s
    assert s[("2024-12", "dibao", "households_active")] == (2, "household")
    assert s[("2024-02", "tekun", "new")] == (1, "person")
    assert s[("2024-02", "tekun", "new_households")] == (1, "household")
    assert s[("2024-08", "tekun", "persons_active")] == (1, "person")
    assert s[("2024-08", "tekun", "stopped")] == (1, "person")  # died in August, paid to August
    assert ("2024-09", "tekun", "persons_active") not in s


def test_amounts_per_month(zs, cycle, bank_return, users):
    # The run pays only active entitlements: H3 and P stop later, at their end_period.
    h1, h2, h3, p = _caseload(ended="active")
    run = cycle("zhongshan", "2024-03")
    lines = {(line.household_id or line.person_id): line for line in PaymentLine.objects.filter(run=run)}
    # 中山 2024: 低保 1225 × covered (no income); 特困 1960.
    assert {k: line.amount for k, line in lines.items()} == {
        h1.pk: Decimal("2450.00"),
        h2.pk: Decimal("3675.00"),
        h3.pk: Decimal("1225.00"),
        p.pk: Decimal("1960.00"),
    }
    bank_return("zhongshan", run, failed=[lines[h3.pk]])
    head = h3.members.get().person
    head.bank_account = "6222000000000000777"
    head.save()
    u = users("zhongshan")
    supplementary = payment_run_supplementary(period=run.period, user=u.finance)
    supplementary = payment_run_mark_exported(
        run=payment_run_approve(run=supplementary, user=u.approver), user=u.finance
    )
    bank_return("zhongshan", supplementary)
    s = _series("2024-03", "2024-03")
    assert s[("2024-03", "dibao", "amount_generated")] == (Decimal("8575.00"), "yuan")
    assert s[("2024-03", "dibao", "amount_paid")] == (Decimal("7350.00"), "yuan")
    assert s[("2024-03", "dibao", "amount_failed")] == (Decimal("1225.00"), "yuan")
    assert s[("2024-03", "tekun", "amount_paid")] == (Decimal("1960.00"), "yuan")
    assert ("2024-03", "dibao", "amount_recovered") not in s
