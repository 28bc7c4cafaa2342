"""The report year, month by month: when each marked candidate is approved and who stops when. Pure.

The synthetic population marks the caseload of the report (`plan.py`). Each group's candidates are
split three ways:

* **carried**: approved in the second half of the year before (so they are paid from January and
  their reviews fall due during the report year);
* **new**: approved between January and November of the report year (so each starts paying within
  it): the report's `<group>_new_households` / `_persons` scaled, else one in twelve
  (`plan.NEW_SHARE_UNREPORTED`, so the year's amounts paid stay near the report's);
* **stopped**: carried ones whose support stops in one of the twelve months: the report's
  `<group>_stopped_*` scaled, else none, so a reported year-end caseload (中山) stays exact.

Where a report gives persons as well as households, the households are chosen so that their members
add up to the persons exactly (swapping one household for another of another size).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from .plan import NEW_SHARE_UNREPORTED, flow_scaled

GROUPS = ("dibao", "dibao_marginal", "hardship_expense", "tekun")
# Carried approvals spread over this many days from July 1st of the year before (the last on Nov 28).
CARRIED_DAYS = 150


@dataclass(frozen=True)
class Flow:
    """A group's movements in the year: counts of households and of persons (where both are reported)."""

    new_units: int
    stopped_units: int
    new_persons: int | None = None
    stopped_persons: int | None = None


@dataclass
class GroupPlan:
    approve_on: dict[int, datetime.date] = field(default_factory=dict)  # candidate key → approval day
    stop_on: dict[int, datetime.date] = field(default_factory=dict)  # carried key → day its support stops
    new: frozenset[int] = frozenset()

    def summary(self, sizes: dict[int, int], year: int) -> dict:
        year_end = [k for k in self.approve_on if k not in self.stop_on]
        return {
            "new": len(self.new),
            "new_persons": sum(sizes[k] for k in self.new),
            "stopped": len(self.stop_on),
            "stopped_persons": sum(sizes[k] for k in self.stop_on),
            "year_end": len(year_end),
            "year_end_persons": sum(sizes[k] for k in year_end),
        }

    def per_member(self, members: dict[int, list[int]]) -> GroupPlan:
        """The plan of households as the plan of their members (household → member keys): each member is
        approved and stopped on its household's day, so a household counts once in its month."""
        return GroupPlan(
            approve_on={m: day for k, day in self.approve_on.items() for m in members[k]},
            stop_on={m: day for k, day in self.stop_on.items() for m in members[k]},
            new=frozenset(m for k in self.new for m in members[k]),
        )


def group_flow(*, stats: dict, group: str, scale: Decimal, candidates: int) -> Flow:
    """The year's new and stopped of `group` from the report (scaled), else one new in twelve, no stops.

    `stats` = reported figures by key. Units are households; 特困 (one application per person) is
    planned by the households of its persons too: where the report counts only persons, each is a
    household of one (the synthetic 特困 live alone unless the report counts both, plan.py).
    """
    new_h, stopped_h = stats.get(f"{group}_new_households"), stats.get(f"{group}_stopped_households")
    new_p, stopped_p = stats.get(f"{group}_new_persons"), stats.get(f"{group}_stopped_persons")
    persons = new_h is not None or stopped_h is not None
    if group == "tekun" and not persons:
        new_h, stopped_h = new_p, stopped_p
    if new_h is None and stopped_h is None:
        return Flow(new_units=round(candidates * NEW_SHARE_UNREPORTED), stopped_units=0)
    return Flow(
        new_units=flow_scaled(new_h or 0, scale),
        stopped_units=flow_scaled(stopped_h or 0, scale),
        new_persons=flow_scaled(new_p, scale) if persons and new_p is not None else None,
        stopped_persons=flow_scaled(stopped_p, scale) if persons and stopped_p is not None else None,
    )


def pick(pool: list[tuple[int, int]], count: int, persons: int | None) -> list[int]:
    """`count` keys of `pool` ((key, size) by key) spread evenly over it, whose sizes add up to `persons`.

    Where the sizes cannot add up (too few or too many members in the pool), the closest sum is kept.
    """
    count = min(count, len(pool))
    if count <= 0:
        return []
    step = len(pool) / count
    chosen_idx = sorted({int(i * step) for i in range(count)})
    chosen = {pool[i][0]: pool[i][1] for i in chosen_idx}
    rest = {k: s for k, s in pool if k not in chosen}
    if persons is None:
        return sorted(chosen)
    persons = max(count, persons)
    by_size: dict[int, list[int]] = {}
    for k, s in sorted(rest.items()):
        by_size.setdefault(s, []).append(k)
    total = sum(chosen.values())
    while total != persons:
        gap = persons - total
        best = None
        # The swap that closes most of the gap without overshooting it: out of size a, in of size b.
        for key, a in sorted(chosen.items()):
            for b, keys in by_size.items():
                if keys and 0 < (b - a) * (1 if gap > 0 else -1) <= abs(gap):
                    if best is None or abs(b - a) > abs(best[2] - best[1]):
                        best = (key, a, b)
            if best is not None and abs(best[2] - best[1]) == abs(gap):
                break
        if best is None:
            break
        key, a, b = best
        newcomer = by_size[b].pop(0)
        del chosen[key]
        chosen[newcomer] = b
        by_size.setdefault(a, []).append(key)
        total += b - a
    return sorted(chosen)


def plan_group(*, candidates: list[tuple[int, int]], flow: Flow, year: int) -> GroupPlan:
    """Dates for every candidate ((key, members), any order) of a group; deterministic."""
    pool = sorted(candidates)
    stopped = pick(pool, flow.stopped_units, flow.stopped_persons)
    taken = set(stopped)
    new = pick([c for c in pool if c[0] not in taken], flow.new_units, flow.new_persons)
    new_set = frozenset(new)
    plan = GroupPlan(new=new_set)
    carried_from = datetime.date(year - 1, 7, 1)
    carried_index = 0
    for key, _size in pool:
        if key in new_set:
            continue
        plan.approve_on[key] = carried_from + datetime.timedelta(days=(carried_index * 7919) % CARRIED_DAYS)
        carried_index += 1
    for i, key in enumerate(new):
        # January to November: each starts paying (the month after approval) within the year.
        plan.approve_on[key] = datetime.date(year, 1 + i % 11, 1 + (i * 7) % 28)
    for i, key in enumerate(stopped):
        # January to November: a stop ends payment after its month, so December shows the year-end caseload.
        plan.stop_on[key] = datetime.date(year, 1 + i % 11, 10 + (i * 3) % 15)
    return plan


# 临时救助 amounts, as multiples of the dibao standard, in turn (the usual cap is 3 ×).
TEMPORARY_MULTIPLES = (Decimal(2), Decimal(3), Decimal(3))


def temporary_plan(
    *, households: list[int], paid_wan, standard: Decimal, scale: Decimal, year: int
) -> dict[int, tuple[datetime.date, Decimal]]:
    """临时救助 grants that add up to the reported total (万元, scaled): household → (approval day, amount).

    Amounts go round TEMPORARY_MULTIPLES × the standard; approvals January to November (the grant is
    paid in the next month's run, within the year); households in turn, each at most once.
    """
    if not households or not paid_wan or not standard:
        return {}
    target = (Decimal(str(paid_wan)) * 10_000 * scale).quantize(Decimal("0.01"))
    amounts = [(standard * m).quantize(Decimal("0.01")) for m in TEMPORARY_MULTIPLES]
    ordered = sorted(households)
    count = min(len(ordered), math.ceil(target * len(amounts) / sum(amounts)))  # the last one is smaller
    plan: dict[int, tuple[datetime.date, Decimal]] = {}
    left = target
    for i in range(int(count)):
        amount = min(amounts[i % len(amounts)], left)
        if amount <= 0:
            break
        plan[ordered[i * len(ordered) // int(count)]] = (datetime.date(year, 1 + i % 11, 2 + (i * 5) % 26), amount)
        left -= amount
    return plan
