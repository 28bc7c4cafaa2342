"""The report year's 流浪乞讨救助 cases of the demo, as many as the bureau's report counts.

The report gives the person-times assisted, and some give those assisted on the street, the persons
returned home or to their family (寻亲送返) and the year's cost: one case is one person-time, the first
`returned` cases close in the year as returned home or family found (in turn), the first `street`
were found on the street, and the cost is spread over the cases to the cent. A report that counts
its vagrants in persons (x市) gives no case count: no case is made. Set-based (INSERT … SELECT over
generate_series); a year that already has cases is left alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from apps.assistance.models import VagrantCase
from apps.people.models import Town
from apps.statistics.rules import in_base_unit
from tenants.seeds import SEEDS_DIR, load_seed

from .synthetic.names import SURNAMES

NOTE = "演示数据：报告年度的流浪乞讨救助"
# Cases are taken in over the year's first 360 days and the returned close three days later: both in the year.
INTAKE_DAYS = 360
CLOSE_AFTER_DAYS = 3


@dataclass(frozen=True)
class VagrantPlan:
    year: int
    assisted: int
    returned: int = 0
    street: int = 0
    cost: Decimal = Decimal("0.00")


def vagrant_plan(*, schema: str, year: int) -> VagrantPlan | None:
    """The year's cases from the bureau's seed file, or None when it counts no person-times."""
    path = SEEDS_DIR / f"{schema}.yaml"
    if not path.exists():
        return None
    seed = load_seed(path)
    assisted = seed.statistic_row("vagrant_assisted", year)
    if assisted is None or assisted["unit"] != "person_times":
        return None

    def value(key: str) -> Decimal:
        row = seed.statistic_row(key, year)
        return Decimal(str(row["value"])) if row else Decimal(0)

    cost = in_base_unit(value("vagrant_paid"), (seed.statistic_row("vagrant_paid", year) or {}).get("unit", "yuan"))
    return VagrantPlan(
        year=year,
        assisted=int(Decimal(str(assisted["value"]))),
        returned=int(value("vagrant_returned")),
        street=int(value("vagrant_assisted_street")),
        cost=cost.quantize(Decimal("0.01")),
    )


INSERT_CASES = """
INSERT INTO assistance_vagrantcase (town_id, person_id, name, gender, intake_on, found_on_street, services, outcome,
                                    closed_on, cost, note, created_by_id)
SELECT (%(towns)s::bigint[])[1 + i %% cardinality(%(towns)s::bigint[])], NULL,
       (%(surnames)s::text[])[1 + (i * 7919) %% cardinality(%(surnames)s::text[])] || '某',
       CASE WHEN i %% 4 = 0 THEN 'F' ELSE 'M' END,
       d.day, i <= %(street)s,
       CASE WHEN i <= %(returned)s THEN '["food", "lodging", "family_search", "transport"]'::jsonb
            ELSE '["food", "lodging"]'::jsonb END,
       CASE WHEN i > %(returned)s THEN '' WHEN i %% 2 = 1 THEN 'returned_home' ELSE 'family_found' END,
       CASE WHEN i <= %(returned)s THEN d.day + %(close_after)s END,
       %(each)s + CASE WHEN i <= %(extra_cents)s THEN 0.01 ELSE 0 END,
       %(note)s, NULL
FROM generate_series(1, %(n)s) i
CROSS JOIN LATERAL (SELECT make_date(%(year)s, 1, 1) + ((i * 37) %% %(days)s) AS day) d
"""


def vagrant_cases_generate(*, schema: str, year: int) -> dict:
    """The year's cases for the bureau whose schema is current (see the module's doc)."""
    plan = vagrant_plan(schema=schema, year=year)
    if plan is None:
        return {"skipped": "the report counts no person-times assisted"}
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if VagrantCase.objects.filter(intake_on__range=(first, last)).exists():
        return {"skipped": f"{year} already has vagrant cases"}
    cents = int(plan.cost * 100)
    each, extra = divmod(cents, plan.assisted) if plan.assisted else (0, 0)
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_CASES,
            {
                "towns": list(Town.objects.order_by("id").values_list("id", flat=True)),
                "surnames": [s for s, _w in SURNAMES],
                "street": plan.street,
                "returned": plan.returned,
                "close_after": CLOSE_AFTER_DAYS,
                "each": Decimal(each) / 100,
                "extra_cents": extra,
                "note": NOTE,
                "n": plan.assisted,
                "year": year,
                "days": INTAKE_DAYS,
            },
        )
        created = cursor.rowcount
    return {"cases": created, "returned": plan.returned, "street": plan.street, "cost": str(plan.cost)}
