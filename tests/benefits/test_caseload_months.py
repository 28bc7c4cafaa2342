"""The caseload per month (apps/benefits/sql/caseload_months.sql) over a hand-made bureau whose spells
start, end, overlap, break, chain across the window's edge, are suspended or end before they pay, and
whose members share a person programme: every figure of 2024 written out (the statement's figures
before its rewrite without per-spell sorts, checked by hand), and the same months from any window
and from one figures_span.
"""

import datetime

import pytest

from apps.benefits.figures import caseload_months
from apps.core.registries import figures_span
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
MONTHS = [D(2024, m, 1) for m in range(1, 13)]


def _bureau():
    p = f.person
    # 低保 A: covered_members left empty (its two members count), stopped after March, back in May.
    a = f.household(p(), p())
    f.entitlement(programme="dibao", household=a, start_period=D(2023, 11, 1), end_period=D(2024, 3, 1),
                  status="stopped")
    f.entitlement(programme="dibao", household=a, start_period=D(2024, 5, 1))
    # 低保 B: new in February (3 covered), a fact change from July (2 covered): one spell.
    b = f.household(p(), p(), p())
    f.entitlement(programme="dibao", household=b, covered_members=3, start_period=D(2024, 2, 1),
                  end_period=D(2024, 6, 1))
    f.entitlement(programme="dibao", household=b, covered_members=2, start_period=D(2024, 7, 1))
    # 低保 C: January to August (1 covered) and, overlapping it, April to May (2 covered): stopped in August.
    c = f.household(p())
    f.entitlement(programme="dibao", household=c, covered_members=1, start_period=D(2024, 1, 1),
                  end_period=D(2024, 8, 1))
    f.entitlement(programme="dibao", household=c, covered_members=2, start_period=D(2024, 4, 1),
                  end_period=D(2024, 5, 1))
    # 低保 D: stopped before it ever paid (the last month the one before the first); E: suspended.
    f.entitlement(programme="dibao", household=f.household(p()), covered_members=1, start_period=D(2024, 6, 1),
                  end_period=D(2024, 5, 1), status="stopped")
    f.entitlement(programme="dibao", household=f.household(p()), covered_members=1, start_period=D(2024, 1, 1),
                  status="suspended")
    # 低保 G ended the month before the window; H changed its facts at the window's edge (not new in January).
    f.entitlement(programme="dibao", household=f.household(p()), covered_members=1, start_period=D(2023, 6, 1),
                  end_period=D(2023, 12, 1), status="stopped")
    h = f.household(p(), p())
    f.entitlement(programme="dibao", household=h, covered_members=2, start_period=D(2023, 10, 1),
                  end_period=D(2023, 12, 1))
    f.entitlement(programme="dibao", household=h, covered_members=2, start_period=D(2024, 1, 1))
    # 高龄津贴 for two members of household K (from February; April to September) and for L, in no household.
    k1, k2 = p(birth_date=D(1940, 1, 1)), p(birth_date=D(1941, 1, 1))
    f.household(k1, k2)
    f.entitlement(programme="longevity", person=k1, variant="80-99", start_period=D(2024, 2, 1))
    f.entitlement(programme="longevity", person=k2, variant="80-99", start_period=D(2024, 4, 1),
                  end_period=D(2024, 9, 1), status="stopped")
    f.entitlement(programme="longevity", person=p(birth_date=D(1939, 1, 1)), variant="80-99",
                  start_period=D(2024, 4, 1))
    # 特困 M (in no household) March to October; N, a member of household B, from June.
    f.entitlement(programme="tekun", person=p(birth_date=D(1950, 1, 1)), start_period=D(2024, 3, 1),
                  end_period=D(2024, 10, 1), status="stopped")
    f.entitlement(programme="tekun", person=b.members.order_by("id").last().person, start_period=D(2024, 6, 1))


def _by_month(rows, programme, flow, column):
    """The column (0 beneficiaries, 1 households, 2 persons) month by month, 0 where no row."""
    return [int(rows.get((month, programme, flow), (0, 0, 0))[column]) for month in MONTHS]


def test_every_figure_of_the_year(zs):
    _bureau()
    rows = caseload_months(first=MONTHS[0], last=MONTHS[-1])
    # 低保: A (2 members) Jan–Mar and May–, B Feb– (3, then 2 from July), C Jan–Aug (1, +2 Apr–May),
    # H Jan– (2).
    assert _by_month(rows, "dibao", "active", 1) == [3, 4, 4, 3, 4, 4, 4, 4, 3, 3, 3, 3]
    assert _by_month(rows, "dibao", "active", 2) == [5, 8, 8, 8, 10, 8, 7, 7, 6, 6, 6, 6]
    # New: C in January, B in February (3), A back in May (2); D's spell of no month is counted new in
    # its first month (June) and stopped in its last (May), as before. Stopped: A in March (2), C in
    # August with its last entitlement by end (1 covered).
    assert _by_month(rows, "dibao", "new", 0) == [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    assert _by_month(rows, "dibao", "new", 1) == [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    assert _by_month(rows, "dibao", "new", 2) == [1, 3, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0]
    assert _by_month(rows, "dibao", "stopped", 0) == [0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0]
    assert _by_month(rows, "dibao", "stopped", 2) == [0, 0, 2, 0, 1, 0, 0, 1, 0, 0, 0, 0]
    # 高龄津贴: K's household once while either member is on it; L a household of one.
    assert _by_month(rows, "longevity", "active", 0) == [0, 1, 1, 3, 3, 3, 3, 3, 3, 2, 2, 2]
    assert _by_month(rows, "longevity", "active", 1) == [0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    assert _by_month(rows, "longevity", "active", 2) == [0, 1, 1, 3, 3, 3, 3, 3, 3, 2, 2, 2]
    assert _by_month(rows, "longevity", "new", 0) == [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]
    assert _by_month(rows, "longevity", "new", 1) == [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]
    assert _by_month(rows, "longevity", "stopped", 1) == [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]
    # 特困: M March–October; N (household B's member) from June.
    assert _by_month(rows, "tekun", "active", 1) == [0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 1, 1]
    assert _by_month(rows, "tekun", "new", 1) == [0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert _by_month(rows, "tekun", "stopped", 2) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    assert {programme for (_month, programme, _flow) in rows} == {"dibao", "longevity", "tekun"}
    # Active rows: 低保 12 months, 高龄津贴 11, 特困 10; new and stopped rows: 4 + 3, 2 + 1, 2 + 1.
    assert len(rows) == 12 + 11 + 10 + 7 + 3 + 3


def test_a_month_is_the_same_from_any_window_and_from_one_span(zs):
    _bureau()
    year = caseload_months(first=MONTHS[0], last=MONTHS[-1])
    wide = caseload_months(first=D(2023, 1, 1), last=D(2025, 6, 1))
    assert {key: value for key, value in wide.items() if MONTHS[0] <= key[0] <= MONTHS[-1]} == year
    spring = caseload_months(first=D(2024, 3, 1), last=D(2024, 5, 1))
    older = caseload_months(first=D(2022, 1, 1), last=D(2024, 12, 1))
    with figures_span(first=D(2023, 1, 1), last=D(2025, 6, 1)):
        assert caseload_months(first=MONTHS[0], last=MONTHS[-1]) == year
        assert caseload_months(first=D(2024, 3, 1), last=D(2024, 5, 1)) == spring
        # Beyond the span: computed on its own.
        assert caseload_months(first=D(2022, 1, 1), last=D(2024, 12, 1)) == older
    assert spring[(D(2024, 4, 1), "dibao", "active")][1:] == (3, 8)


def test_a_household_and_its_member_on_one_programme(zs):
    """Household Q on 低保 (2 covered) January to June, its member q2 on 低保 in person April to
    September: two beneficiaries, one household while either is on it."""
    q1, q2 = f.person(), f.person()
    q = f.household(q1, q2)
    f.entitlement(programme="dibao", household=q, covered_members=2, start_period=D(2024, 1, 1),
                  end_period=D(2024, 6, 1), status="stopped")
    f.entitlement(programme="dibao", person=q2, start_period=D(2024, 4, 1), end_period=D(2024, 9, 1),
                  status="stopped")
    rows = caseload_months(first=MONTHS[0], last=MONTHS[-1])
    assert _by_month(rows, "dibao", "active", 0) == [1, 1, 1, 2, 2, 2, 1, 1, 1, 0, 0, 0]
    assert _by_month(rows, "dibao", "active", 1) == [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]
    assert _by_month(rows, "dibao", "active", 2) == [2, 2, 2, 3, 3, 3, 1, 1, 1, 0, 0, 0]
    assert _by_month(rows, "dibao", "new", 1) == [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert _by_month(rows, "dibao", "new", 2) == [2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert _by_month(rows, "dibao", "stopped", 0) == [0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0]
    assert _by_month(rows, "dibao", "stopped", 2) == [0, 0, 0, 0, 0, 2, 0, 0, 1, 0, 0, 0]
