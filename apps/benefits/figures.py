"""benefits' contribution to the annual statistics and the monthly series (apps.core.registries).

Caseload comes from the entitlements' periods, never from a status alone: a household stopped in
June was on the roll January to June. A beneficiary is the household of a household programme
(低保, 低保边缘, 支出型) and the person of every other; `new` and `stopped` count beneficiaries in that
unit, and the `_households` / `_persons` keys give both units whichever it is (x市 reports 特困 new
in households and persons). Persons of a household programme are the members it covers.
`new` in month P: paid in P, not in P−1 (P is the first month paid); `stopped` in P: paid in P, not
in P+1 (P is the last month paid: a stop "from the month after P", a death in P). A year's new and
stopped are the sums over its twelve months; its year-end caseload is December's.

Keys (monthly, per programme): households_active, persons_active, new, stopped, new_households,
new_persons, stopped_households, stopped_persons; one-off programmes: grants (person-times),
households (households granted). Annual keys are "benefits.<seed key>", the seed key being the one
seeds/README.md names canonical, so the fidelity view pairs them without a table of its own.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connection
from django.utils.translation import gettext_lazy as _

from apps.core.periods import format_month, parse_month
from apps.core.registries import Figure, MonthlyFigure, span_memo

from . import rules
from .models import ProgrammeCode
from .sql import statement

HOUSEHOLD_PROGRAMMES = frozenset({ProgrammeCode.DIBAO, ProgrammeCode.DIBAO_MARGINAL, ProgrammeCode.HARDSHIP_EXPENSE})
ONE_OFF_PROGRAMMES = frozenset({ProgrammeCode.TEMPORARY, ProgrammeCode.FUNERAL_WAIVER, ProgrammeCode.ECO_BURIAL})


def _rows(name: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement(name), params)
        return cursor.fetchall()


def caseload_months(*, first: datetime.date, last: datetime.date) -> dict[tuple[datetime.date, str, str], tuple]:
    """{(month, programme, flow): (beneficiaries, households, persons)}; flow is active, new or stopped.

    A month's figures do not depend on the window (the statement reads the months either side of
    it), so inside a registries.figures_span the caseload is computed once over the span.
    """
    return span_memo("benefits.caseload_months", _caseload_months, first=first, last=last)


def _caseload_months(first: datetime.date, last: datetime.date) -> dict[tuple[datetime.date, str, str], tuple]:
    params = {"before": rules.add_months(first, -1), "first": first, "last": last, "after": rules.add_months(last, 1)}
    return {
        (period, programme, flow): (n, households, persons)
        for period, programme, flow, n, households, persons in _rows("caseload_months", params)
    }


def grants_months(*, first: datetime.date, last: datetime.date) -> dict[tuple[datetime.date, str], tuple[int, int]]:
    """{(month, programme): (grants, households)} of one-off grants for the month (cancelled ones not)."""
    rows = _rows("grants_months", {"first": first, "last": last})
    return {(period, programme): (grants, households) for period, programme, grants, households in rows}


def monthly_figures(*, first: str, last: str) -> list[MonthlyFigure]:
    first_month, last_month = parse_month(first), parse_month(last)
    out: list[MonthlyFigure] = []
    for (period, programme, flow), (n, households, persons) in sorted(
        caseload_months(first=first_month, last=last_month).items()
    ):
        month = format_month(period)
        unit = "household" if programme in HOUSEHOLD_PROGRAMMES else "person"
        if flow == "active":
            out.append(MonthlyFigure(month, programme, "households_active", households, "household"))
            out.append(MonthlyFigure(month, programme, "persons_active", persons, "person"))
            continue
        out.append(MonthlyFigure(month, programme, flow, n, unit))
        out.append(MonthlyFigure(month, programme, f"{flow}_households", households, "household"))
        out.append(MonthlyFigure(month, programme, f"{flow}_persons", persons, "person"))
    for (period, programme), (grants, households) in sorted(grants_months(first=first_month, last=last_month).items()):
        month = format_month(period)
        out.append(MonthlyFigure(month, programme, "grants", grants, "person_time"))
        out.append(MonthlyFigure(month, programme, "households", households, "household"))
    return out


# Reported keys of the caseload figures, by programme: (households, persons) at the year's end.
_YEAR_END_KEYS = {
    ProgrammeCode.DIBAO: ("dibao_households", "dibao_persons"),
    ProgrammeCode.DIBAO_MARGINAL: ("dibao_marginal_households", "dibao_marginal_persons"),
    ProgrammeCode.HARDSHIP_EXPENSE: ("hardship_expense_households", "hardship_expense_persons"),
    ProgrammeCode.TEKUN: ("tekun_households", "tekun_persons"),
    ProgrammeCode.LONGEVITY: (None, "longevity_persons"),
    ProgrammeCode.ELDERLY_SERVICE: (None, "elderly_service_persons"),
    ProgrammeCode.DISABILITY_LIVING: (None, "disability_living_persons"),
    ProgrammeCode.DISABILITY_NURSING: (None, "disability_nursing_persons"),
    ProgrammeCode.ORPHAN: (None, "orphan_persons"),
}
# New and stopped in the year, as the reports count them.
_FLOW_PROGRAMMES = (
    ProgrammeCode.DIBAO,
    ProgrammeCode.DIBAO_MARGINAL,
    ProgrammeCode.HARDSHIP_EXPENSE,
    ProgrammeCode.TEKUN,
)


def annual_figures(*, year: int) -> list[Figure]:
    """Year-end caseload per programme, new and stopped in the year, one-off grants of the year."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 1)
    caseload = caseload_months(first=first, last=last)
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (_period, programme, flow), values in caseload.items():
        if flow != "active":
            for i, value in enumerate(values):
                totals[(programme, flow)][i] += int(value)
    out: list[Figure] = []
    for programme, (households_key, persons_key) in _YEAR_END_KEYS.items():
        _n, households, persons = caseload.get((last, programme, "active"), (0, 0, 0))
        label = ProgrammeCode(programme).label
        if households_key:
            out.append(
                Figure(
                    f"benefits.{households_key}",
                    int(households),
                    "household",
                    _("%(programme)s: households at the year's end") % {"programme": label},
                    group="caseload",
                )
            )
        out.append(
            Figure(
                f"benefits.{persons_key}",
                int(persons),
                "person",
                _("%(programme)s: persons at the year's end") % {"programme": label},
                group="caseload",
            )
        )
    for programme in _FLOW_PROGRAMMES:
        label = ProgrammeCode(programme).label
        for flow, flow_label in (("new", _("new in the year")), ("stopped", _("stopped in the year"))):
            _n, households, persons = totals[(programme, flow)]
            out.append(
                Figure(
                    f"benefits.{programme}_{flow}_households",
                    households,
                    "household",
                    _("%(programme)s: households %(flow)s") % {"programme": label, "flow": flow_label},
                    group="flows",
                )
            )
            out.append(
                Figure(
                    f"benefits.{programme}_{flow}_persons",
                    persons,
                    "person",
                    _("%(programme)s: persons %(flow)s") % {"programme": label, "flow": flow_label},
                    group="flows",
                )
            )
    grants = grants_months(first=first, last=last)
    temporary = [value for (_period, programme), value in grants.items() if programme == ProgrammeCode.TEMPORARY]
    out.append(
        Figure(
            "benefits.temporary_cases",
            sum(g for g, _h in temporary),
            "person_time",
            _("临时救助: grants in the year (person-times)"),
            group="temporary",
        )
    )
    out.append(
        Figure(
            "benefits.temporary_households",
            _distinct_temporary_households(year),
            "household",
            _("临时救助: households granted in the year"),
            group="temporary",
        )
    )
    return out


def _distinct_temporary_households(year: int) -> int:
    ((count,),) = _rows(
        "grants_households_year", {"first": datetime.date(year, 1, 1), "last": datetime.date(year, 12, 1)}
    )
    return int(count)
