"""disbursement's contribution to the annual statistics and the monthly series (apps.core.registries).

Money paid is what the bank confirmed: payment lines with the result 成功 (status paid), never the
entitlements' amounts. A line counts in the month of the run that carried it (cash basis): arrears
for an earlier month are the money of the run that paid them; a re-issue is in the supplementary run
of the month it pays.

Monthly keys per programme (yuan): amount_generated (lines not cancelled), amount_paid,
amount_failed (the bank's 失败), amount_recovered (on the recovery list: paid for months after the
end or the death, by the month the money was for). Annual keys are "disbursement.<seed key>".
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils.translation import gettext_lazy as _

from apps.benefits.models import ProgrammeCode, variant_label
from apps.core.periods import format_month, parse_month
from apps.core.registries import Figure, MonthlyFigure, span_memo

from . import sql

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Reported sums over several programmes, with the programmes they add up (the label says which).
PAID_SUMS = {
    "tekun_paid": (ProgrammeCode.TEKUN, ProgrammeCode.TEKUN_CARE),
    "disability_paid": (ProgrammeCode.DISABILITY_LIVING, ProgrammeCode.DISABILITY_NURSING),
    "children_paid": (ProgrammeCode.ORPHAN,),
    # x市 一卡通 "各类救助资金": the social-assistance cash programmes.
    "assistance_paid_total": (
        ProgrammeCode.DIBAO,
        ProgrammeCode.TEKUN,
        ProgrammeCode.TEKUN_CARE,
        ProgrammeCode.TEMPORARY,
        ProgrammeCode.ORPHAN,
    ),
}


def _rows(statement: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def monthly_figures(*, first: str, last: str) -> list[MonthlyFigure]:
    # Each month's sums are its own lines' (by the run's month, by the month paid for): inside a
    # registries.figures_span they are read once over the span.
    months = {"first": parse_month(first), "last": parse_month(last)}
    out: list[MonthlyFigure] = []
    amounts = span_memo("disbursement.amounts_months", _amounts_months, **months)
    for (period, programme), (generated, paid, failed) in sorted(amounts.items()):
        month = format_month(period)
        out.append(MonthlyFigure(month, programme, "amount_generated", generated, "yuan"))
        out.append(MonthlyFigure(month, programme, "amount_paid", paid, "yuan"))
        out.append(MonthlyFigure(month, programme, "amount_failed", failed, "yuan"))
    recovered = span_memo("disbursement.recoverable_months", _recoverable_months, **months)
    for (period, programme), amount in sorted(recovered.items()):
        out.append(MonthlyFigure(format_month(period), programme, "amount_recovered", amount, "yuan"))
    return out


def _amounts_months(first: datetime.date, last: datetime.date) -> dict[tuple[datetime.date, str], tuple]:
    rows = _rows(sql.statement("amounts_months"), {"first": first, "last": last})
    return {(period, programme): (generated, paid, failed) for period, programme, generated, paid, failed in rows}


def _recoverable_months(first: datetime.date, last: datetime.date) -> dict[tuple[datetime.date, str], Decimal]:
    recoverable = sql.statement("recoverable_months", recoverable=sql.statement("recoverable_lines"))
    return {(period, programme): amount for period, programme, amount in _rows(recoverable, {"first": first, "last": last})}


def _average(total: Decimal, count: int) -> Decimal | None:
    return (total / count).quantize(CENT, rounding=ROUND_HALF_UP) if count else None


def annual_figures(*, year: int) -> list[Figure]:
    """Paid per programme in the year, the sums the reports quote, 补差水平, payments counted."""
    params = {"first": datetime.date(year, 1, 1), "last": datetime.date(year, 12, 1)}
    paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
    payments: dict[str, int] = defaultdict(int)
    dibao: dict[str, tuple[Decimal, int]] = {}
    for programme, variant, amount, count, person_months in _rows(sql.statement("paid_year"), params):
        paid[programme] += amount
        payments[programme] += count
        if programme == ProgrammeCode.DIBAO:
            total, months = dibao.get(variant, (ZERO, 0))
            dibao[variant] = (total + amount, months + person_months)
    out: list[Figure] = []
    for code in ProgrammeCode:
        if code in (ProgrammeCode.DIBAO_MARGINAL, ProgrammeCode.HARDSHIP_EXPENSE):
            continue  # counted, never paid
        key = "tekun_basic_paid" if code == ProgrammeCode.TEKUN else f"{code.value}_paid"
        out.append(
            Figure(
                f"disbursement.{key}",
                paid[code.value],
                "yuan",
                _("%(programme)s: paid in the year") % {"programme": code.label},
                group="paid",
            )
        )
    for key, codes in PAID_SUMS.items():
        names = " + ".join(str(ProgrammeCode(code).label) for code in codes)
        out.append(
            Figure(
                f"disbursement.{key}",
                sum((paid[code] for code in codes), ZERO),
                "yuan",
                _("Paid in the year: %(programmes)s") % {"programmes": names},
                group="paid",
            )
        )
    for variant, (total, months) in sorted(dibao.items()):
        out.append(
            Figure(
                f"disbursement.dibao_avg_payment_{variant}",
                _average(total, months),
                "yuan_per_person_month",
                _("低保 补差水平 (%(variant)s): paid per person-month") % {"variant": variant_label(variant)},
                group="paid",
                note=_("%(months)s person-months") % {"months": months},
            )
        )
    out.append(
        Figure(
            "disbursement.elderly_service_person_months",
            payments[ProgrammeCode.ELDERLY_SERVICE],
            "person_month",
            _("经济困难高龄老人服务补贴: monthly payments made"),
            group="paid",
        )
    )
    out.append(
        Figure(
            "disbursement.children_paid_person_times",
            payments[ProgrammeCode.ORPHAN],
            "person_month",
            _("孤儿 and 事实无人抚养儿童: monthly payments made"),
            group="paid",
        )
    )
    return out
