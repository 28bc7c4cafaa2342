"""The demo's report year: the plan (pure), then a small x市 year lived through the services, read back in SQL."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from apps.demo.synthetic.year import Flow, group_flow, pick, plan_group

# --------------------------------------------------------------------------- the plan (pure)


def test_pick_spreads_the_choice_and_swaps_households_until_the_members_add_up():
    pool = [(1, 1), (2, 3), (3, 1), (4, 2), (5, 1), (6, 4), (7, 1), (8, 2)]
    # Evenly spread: keys 1, 3, 5, 7 (every second), 4 members; 7 asked: 1 (size 1) swapped for 6 (size 4).
    assert pick(pool, 4, None) == [1, 3, 5, 7]
    chosen = pick(pool, 4, 7)
    assert len(chosen) == 4 and sum(dict(pool)[k] for k in chosen) == 7
    assert chosen == [3, 5, 6, 7]
    # Impossible sums keep the closest: four households hold at most 4 + 3 + 2 + 2 = 11 members.
    assert sum(dict(pool)[k] for k in pick(pool, 4, 40)) == 11
    assert pick(pool, 0, 5) == [] and pick([], 3, 3) == []


def test_flows_come_from_the_report_scaled_else_one_in_twelve_new_and_no_stops():
    xcity = {
        "dibao_new_households": 1010,
        "dibao_new_persons": 1653,
        "dibao_stopped_households": 1215,
        "dibao_stopped_persons": 1923,
        "tekun_new_persons": 86,
        "tekun_stopped_persons": 118,
    }
    assert group_flow(stats=xcity, group="dibao", scale=1, candidates=11172) == Flow(1010, 1215, 1653, 1923)
    assert group_flow(stats=xcity, group="tekun", scale=1, candidates=510) == Flow(86, 118)
    # One hundredth: 10.1 → 10, 12.15 → 12, 16.53 → 17, 19.23 → 19; 0.86 → 1 (a reported flow keeps one).
    assert group_flow(stats=xcity, group="dibao", scale=Decimal("0.01"), candidates=112) == Flow(10, 12, 17, 19)
    assert group_flow(stats=xcity, group="tekun", scale=Decimal("0.01"), candidates=5) == Flow(1, 1)
    # 中山 reports the stock only: 3,469 / 12 = 289.1 → 289 new, none stopped.
    assert group_flow(stats={"dibao_households": 3469}, group="dibao", scale=1, candidates=3469) == Flow(289, 0)


def test_plan_group_dates_carried_new_and_stopped_cases():
    candidates = [(k, 1 + k % 3) for k in range(10, 34)]  # 24 households of 1, 2 or 3 members
    plan = plan_group(
        candidates=candidates, flow=Flow(new_units=4, stopped_units=3, new_persons=8, stopped_persons=5), year=2024
    )
    sizes = dict(candidates)
    assert len(plan.new) == 4 and sum(sizes[k] for k in plan.new) == 8
    assert len(plan.stop_on) == 3 and sum(sizes[k] for k in plan.stop_on) == 5
    assert not plan.new & set(plan.stop_on)
    assert set(plan.approve_on) == set(sizes)  # everyone is approved once
    for key, day in plan.approve_on.items():
        if key in plan.new:  # January–November of the year: paid from the month after, within the year
            assert datetime.date(2024, 1, 1) <= day <= datetime.date(2024, 11, 28)
        else:  # carried: the second half of the year before, paid from December at the latest
            assert datetime.date(2023, 7, 1) <= day <= datetime.date(2023, 11, 28)
    for key, day in plan.stop_on.items():
        assert key not in plan.new and datetime.date(2024, 1, 10) <= day <= datetime.date(2024, 11, 24)
    assert plan.summary(sizes, 2024) == {
        "new": 4,
        "new_persons": 8,
        "stopped": 3,
        "stopped_persons": 5,
        "year_end": 21,
        "year_end_persons": 43,
    }


# --------------------------------------------------------------------------- a small year, lived


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


HOUSEHOLD_FIGURES = """
SELECT programme_id, count(*), sum(covered_members) FROM benefits_entitlement
WHERE programme_id IN ('dibao', 'dibao_marginal', 'hardship_expense') AND {where} GROUP BY 1 ORDER BY 1"""
YEAR_END = "start_period <= '2024-12-01' AND (end_period IS NULL OR end_period >= '2024-12-01')"
NEW = "start_period BETWEEN '2024-01-01' AND '2024-12-01'"
STOPPED = "status = 'stopped' AND end_period BETWEEN '2024-01-01' AND '2024-12-01'"


@pytest.mark.django_db
def test_a_small_xcity_report_year_is_lived_as_planned(in_bureau):
    call_command(
        "generate_population",
        "--tenant",
        "xcity",
        "--scale",
        "0.01",
        "-v",
        "0",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    planned = io.StringIO()
    call_command("demo_report_year", "--tenant", "xcity", "--plan", stdout=planned)
    plan = json.loads(planned.getvalue())
    out = io.StringIO()
    call_command("demo_report_year", "--tenant", "xcity", "--workers", "1", stdout=out)
    assert "xcity: report year 2024 lived" in out.getvalue()
    # x市 at one hundredth: the report's 10 / 17 new 低保 (1,010 / 1,653) and 12 / 19 stopped (1,215 / 1,923);
    # 107 / 203 on 低保 at the year's end (119 households marked, less the 12 stopped); 特困 1 new, 1 stopped.
    assert {
        k: plan["dibao"][k]
        for k in ("new", "new_persons", "stopped", "stopped_persons", "year_end", "year_end_persons")
    } == {"new": 10, "new_persons": 17, "stopped": 12, "stopped_persons": 19, "year_end": 107, "year_end_persons": 203}
    assert (plan["tekun"]["new"], plan["tekun"]["stopped"]) == (1, 1)
    with in_bureau("xcity"):
        # 边缘 reports no flows: one of its 14 households in twelve is new (14 / 12 → 1, of 2 members).
        assert _rows(HOUSEHOLD_FIGURES.format(where=NEW)) == [("dibao", 10, 17), ("dibao_marginal", 1, 2)]
        assert (plan["dibao_marginal"]["new"], plan["dibao_marginal"]["new_persons"]) == (1, 2)
        assert _rows(HOUSEHOLD_FIGURES.format(where=STOPPED)) == [("dibao", 12, 19)]
        assert _rows(HOUSEHOLD_FIGURES.format(where=YEAR_END)) == [
            ("dibao", 107, 203),
            ("dibao_marginal", 14, 29),
            ("hardship_expense", 1, 1),
        ]
        for group in ("dibao_marginal", "hardship_expense"):
            year_end = [row for row in _rows(HOUSEHOLD_FIGURES.format(where=YEAR_END)) if row[0] == group][0]
            assert year_end[1:] == (plan[group]["year_end"], plan[group]["year_end_persons"])
        tekun = (
            f"SELECT count(*) FILTER (WHERE {YEAR_END}), count(*) FILTER (WHERE {NEW}), "
            f"count(*) FILTER (WHERE {STOPPED}) FROM benefits_entitlement WHERE programme_id = 'tekun'"
        )
        assert _rows(tekun) == [(plan["tekun"]["year_end"], 1, 1)]
        # Every stop is dated in its month and went through a 复核 (households) or the 特困 end.
        assert _rows(
            "SELECT count(*) FROM assistance_review WHERE outcome = 'stop' AND completed_on "
            "BETWEEN '2024-01-01' AND '2024-11-30'"
        ) == [(12,)]
        # Twelve runs of the report year, each closed with the bank's answer; then every month to the last.
        runs = _rows("SELECT period, status FROM disbursement_paymentrun WHERE kind = 'regular' ORDER BY period")
        assert [period for period, _status in runs[:12]] == [datetime.date(2024, m, 1) for m in range(1, 13)]
        assert {status for _period, status in runs} == {"closed"}
        last = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
        assert runs[-1][0] == last.replace(day=1)
        # The year's dibao lines: the year-end households paid in December, the stopped ones no longer.
        december = _rows(
            "SELECT count(*) FROM disbursement_paymentline WHERE programme_id = 'dibao' "
            "AND period = '2024-12-01' AND line_type = 'regular'"
        )
        assert december == [(107,)]
        paid_months = _rows(
            "SELECT count(DISTINCT period) FROM disbursement_paymentline WHERE status = 'paid' "
            "AND period BETWEEN '2024-01-01' AND '2024-12-01'"
        )
        assert paid_months == [(12,)]
        # History is dated the simulated day: the approvals of the year happened in 2024.
        decided = _rows("SELECT min(decided_on), max(decided_on) FROM assistance_application WHERE status = 'approved'")
        assert decided[0][0] >= datetime.date(2023, 7, 1) and decided[0][1] <= datetime.date(2024, 11, 28)
        before = (
            _rows("SELECT count(*) FROM benefits_entitlement")[0][0],
            _rows("SELECT count(*) FROM disbursement_paymentline")[0][0],
        )

    again = io.StringIO()
    call_command("demo_report_year", "--tenant", "xcity", "--workers", "1", stdout=again)
    assert "done before" in again.getvalue()
    with in_bureau("xcity"):
        assert (
            _rows("SELECT count(*) FROM benefits_entitlement")[0][0],
            _rows("SELECT count(*) FROM disbursement_paymentline")[0][0],
        ) == before
