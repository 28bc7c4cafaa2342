"""The demo's report year: the plan (pure), then a small x市 year lived through the services, read back in SQL."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from apps.demo.synthetic.generator import Context, TownInfo, population_stream
from apps.demo.synthetic.plan import population_plan
from apps.demo.synthetic.writer import seed_statistics
from apps.demo.synthetic.year import Flow, group_flow, pick, plan_group, temporary_plan

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
    # Counted in households too, 特困 is planned by household: 80 / 86 new, 100 / 118 stopped.
    both = {**xcity, "tekun_new_households": 80, "tekun_stopped_households": 100}
    assert group_flow(stats=both, group="tekun", scale=1, candidates=486) == Flow(80, 100, 86, 118)
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


def test_amounts_reported_calibrate_the_plan():
    # 中山: 10,104万 over 12 × 6,444 − 6 × 6,444 / 12 = 74,106 person-months = 1,363.45 a person-month;
    # 1,225 × (1 + 0.40 × 54% add-ons) − 1,363.45 = 126.15 mean income; band 2 × 126.15 / 1,225 = 0.206.
    zhongshan = {"dibao_households": Decimal(3469), "dibao_persons": Decimal(6444), "dibao_paid": Decimal(10104)}
    plan = population_plan(stats=zhongshan, standards={("dibao", "unified"): Decimal(1225)}, scale=Decimal(1))
    assert plan.dibao_income_high == 0.206
    # x市: 特困 5 × 102 = 510 persons, 12 × 510 − 6 × (86 + 118) = 4,896 months at 956 + 24 + 86.1 + 114.8
    # = 1,180.90 (care mix 5/3/2) = 578.17万; the rest of 11,656.26万 at 635.46 × (1 − 0.45 + 0.216)
    # = 486.76 a person-month is 227,584.6 months, + 6 × (1,653 + 1,923) for the flows = 249,040.6;
    # / 12 = 20,753.4 persons, at 中山's 6,444 / 3,469 a household 11,172 households.
    xcity = {
        "dibao_new_households": 1010,
        "dibao_new_persons": 1653,
        "dibao_stopped_households": 1215,
        "dibao_stopped_persons": 1923,
        "tekun_new_persons": 86,
        "tekun_stopped_persons": 118,
        "assistance_paid_total": Decimal("11656.26"),
    }
    standards = {
        ("dibao", "urban"): Decimal(735),
        ("dibao", "rural"): Decimal("535.92"),
        ("tekun", "basic"): Decimal(956),
        ("tekun_care", "self_care"): Decimal(48),
        ("tekun_care", "partial"): Decimal(287),
        ("tekun_care", "full"): Decimal(574),
    }
    plan = population_plan(stats={k: Decimal(v) for k, v in xcity.items()}, standards=standards, scale=Decimal(1))
    assert (plan.dibao_households, plan.dibao_persons, plan.tekun_persons) == (11172, 20754, 510)
    assert plan.dibao_income_high == 0.9


XCITY_STANDARDS = {
    ("dibao", "urban"): Decimal(735),
    ("dibao", "rural"): Decimal("535.92"),
    ("tekun", "basic"): Decimal(956),
    ("tekun_care", "self_care"): Decimal(48),
    ("tekun_care", "partial"): Decimal(287),
    ("tekun_care", "full"): Decimal(574),
}


def _tekun_year(plan, pool, scale):
    """The report year's 特困 plan by household for `pool` ((household, 特困 persons) in generation order)."""
    stats = seed_statistics("xcity")
    flow = group_flow(stats=stats, group="tekun", scale=scale, candidates=len(pool))
    return flow, plan_group(candidates=pool, flow=flow, year=2024)


def test_xcity_tekun_households_and_persons_both_come_out_as_reported():
    # x市 2024: 特困 new 80 households / 86 persons, stopped 100 / 118: 6 + 18 = 24 households hold two
    # 特困 persons; 510 persons (5 × mean(86, 118)) in 486 households, the last 24 of them of two.
    stats = seed_statistics("xcity")
    plan = population_plan(stats=stats, standards=XCITY_STANDARDS, scale=Decimal(1))
    assert (plan.tekun_persons, plan.tekun_institutional, plan.tekun_shared_households) == (510, 153, 24)
    pool = [(n, 2 if n > 486 - 24 else 1) for n in range(1, 487)]
    flow, year = _tekun_year(plan, pool, Decimal(1))
    assert flow == Flow(new_units=80, stopped_units=100, new_persons=86, stopped_persons=118)
    assert year.summary(dict(pool), 2024) == {
        "new": 80, "new_persons": 86, "stopped": 100, "stopped_persons": 118,
        "year_end": 386, "year_end_persons": 392,  # 486 − 100 households, 510 − 118 persons
    }
    # Each member of a household is approved and stopped on the household's day.
    members = {n: [10 * n + i for i in range(size)] for n, size in pool}
    persons = year.per_member(members)
    assert len(persons.new) == 86 and len(persons.stop_on) == 118 and len(persons.approve_on) == 510
    for n, size in pool:
        if size == 2:
            first, second = members[n]
            assert persons.approve_on[first] == persons.approve_on[second] == year.approve_on[n]
            assert persons.stop_on.get(first) == persons.stop_on.get(second) == year.stop_on.get(n)


def test_the_generated_xcity_tekun_households_give_the_reported_flows_at_a_tenth():
    # One tenth: new 8 households / 8.6 → 9 persons, stopped 10 / 11.8 → 12: 1 + 2 = 3 households of two.
    stats = seed_statistics("xcity")
    plan = population_plan(stats=stats, standards=XCITY_STANDARDS, scale=Decimal("0.1"))
    assert (plan.tekun_persons, plan.tekun_shared_households) == (51, 3)
    towns = [TownInfo(id=i, name=f"镇{i}", kind="town", area_code="130100", communities=[(10 * i + 1, "某村")])
             for i in range(1, 4)]
    ctx = Context(seed=1, as_of=datetime.date(2026, 1, 1), towns=towns, id_area_codes=["130100"],
                  dibao_standard={"urban": Decimal(735), "rural": Decimal("535.92")}, hash_key=b"key")
    units = []
    for unit in population_stream(plan, ctx):
        if any(group == "tekun" for _i, group, _v in unit.person_markers):
            units.append(unit)
        elif units:
            break  # the 特困 households come one after another
    assert sum(len(u.persons) for u in units) == 51 and len(units) == 48
    shared = [u for u in units if len(u.persons) == 2]
    assert len(shared) == 3
    for unit in shared:  # siblings at home: one surname, 分散供养, both marked
        head, sibling = unit.persons
        assert (head.relation, sibling.relation, head.name[0]) == ("head", "sibling", sibling.name[0])
        assert [(i, v) for i, _g, v in unit.person_markers] == [(0, "dispersed"), (1, "dispersed")]
    pool = [(n, len(u.persons)) for n, u in enumerate(units, start=1)]
    _flow, year = _tekun_year(plan, pool, Decimal("0.1"))
    summary = year.summary(dict(pool), 2024)
    assert {k: summary[k] for k in ("new", "new_persons", "stopped", "stopped_persons")} == {
        "new": 8, "new_persons": 9, "stopped": 10, "stopped_persons": 12}


def test_temporary_grants_add_up_to_the_reported_total():
    # 中山: 826.37万 in grants of 2, 3, 3 × 1,225 (2,450, 3,675, 3,675): 2,530 grants, the last 2,300.
    plan = temporary_plan(
        households=list(range(1, 3863)), paid_wan=Decimal("826.37"), standard=Decimal(1225), scale=Decimal(1), year=2024
    )
    assert len(plan) == 2530 and sum(amount for _day, amount in plan.values()) == Decimal("8263700.00")
    assert {day.year for day, _amount in plan.values()} == {2024}
    assert max(day for day, _amount in plan.values()) <= datetime.date(2024, 11, 27)
    assert temporary_plan(households=[1, 2], paid_wan=None, standard=Decimal(1225), scale=Decimal(1), year=2024) == {}


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
    call_command("demo_report_year", "--tenant", "xcity", stdout=out)
    assert "xcity: report year 2024 lived" in out.getvalue()
    # x市 at one hundredth: the report's 10 / 17 new 低保 (1,010 / 1,653) and 12 / 19 stopped (1,215 / 1,923);
    # 107 / 203 on 低保 at the year's end (119 households marked, less the 12 stopped); 特困 1 new, 1 stopped.
    assert {
        k: plan["dibao"][k]
        for k in ("new", "new_persons", "stopped", "stopped_persons", "year_end", "year_end_persons")
    } == {"new": 10, "new_persons": 17, "stopped": 12, "stopped_persons": 19, "year_end": 107, "year_end_persons": 203}
    assert (plan["tekun"]["new"], plan["tekun"]["stopped"]) == (1, 1)
    with in_bureau("xcity"):
        # 边缘 reports no flows: one of its 14 households in twelve is new (14 / 12 → 1, of 1 member: the
        # synthetic population's household sizes follow from its seed and plan).
        assert _rows(HOUSEHOLD_FIGURES.format(where=NEW)) == [("dibao", 10, 17), ("dibao_marginal", 1, 1)]
        assert (plan["dibao_marginal"]["new"], plan["dibao_marginal"]["new_persons"]) == (1, 1)
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
        # Every stop is dated in its month and went through a 复核 (households) or the 特困 end, or (one
        # in four of the 特困 and one-member households' stops) a death recorded through the burial service.
        reviews = _rows(
            "SELECT count(*) FROM assistance_review WHERE outcome = 'stop' AND completed_on "
            "BETWEEN '2024-01-01' AND '2024-11-30'"
        )[0][0]
        deaths = _rows(
            "SELECT count(*) FILTER (WHERE e.programme_id = 'dibao'), count(*) FILTER (WHERE e.programme_id = 'tekun'),"
            " count(DISTINCT d.id) FROM burial_deathrecord d JOIN benefits_entitlement e ON e.reason LIKE '%%'"
            " || 'burial.death:' || d.id || ')%%' WHERE d.date_of_death BETWEEN '2024-01-01' AND '2024-11-30'"
        )[0]
        assert reviews + deaths[0] == 12 and deaths[1] == 1 and deaths[2] == deaths[0] + deaths[1]
        # The history of the lived steps carries their simulated day, not the clock: the applications',
        # the reviews' and the assistance entitlements' (decided, stopped, ended by a death) alike.
        assert _rows(
            "SELECT count(*) FROM assistance_historicalapplication WHERE history_date >= '2025-01-01'"
        ) == [(0,)]
        assert _rows("SELECT count(*) FROM assistance_historicalreview WHERE history_date >= '2025-01-01'") == [(0,)]
        assert _rows(
            "SELECT count(*), count(*) FILTER (WHERE history_date >= '2025-01-01') FROM benefits_historicalentitlement"
            " WHERE programme_id IN ('dibao', 'dibao_marginal', 'hardship_expense', 'tekun', 'tekun_care')"
            " AND history_type = '~'"
        )[0][1] == 0
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
        # The year's deaths are x市's 3,715 (the caseload's among them), made before its months: each
        # month's run pays the fee waivers granted by then, so every grant of January to November is
        # paid by a run of the year (December's by its own run or January's).
        assert _rows("SELECT count(*) FROM burial_deathrecord WHERE date_of_death BETWEEN '2024-01-01' AND "
                     "'2024-12-31'") == [(3_715,)]
        granted, paid_in_year = _rows(
            "SELECT (SELECT count(*) FROM benefits_grant WHERE programme_id = 'funeral_waiver'"
            "        AND period BETWEEN '2024-01-01' AND '2024-11-01'),"
            " (SELECT count(*) FROM disbursement_paymentline l JOIN disbursement_paymentrun r ON r.id = l.run_id"
            "  WHERE l.programme_id = 'funeral_waiver' AND l.line_type = 'grant'"
            "    AND r.period BETWEEN '2024-01-01' AND '2024-12-01' AND l.period <= '2024-11-01')"
        )[0]
        assert granted == paid_in_year and granted > 3_000
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
    call_command("demo_report_year", "--tenant", "xcity", stdout=again)
    assert "done before" in again.getvalue()
    with in_bureau("xcity"):
        assert (
            _rows("SELECT count(*) FROM benefits_entitlement")[0][0],
            _rows("SELECT count(*) FROM disbursement_paymentline")[0][0],
        ) == before
