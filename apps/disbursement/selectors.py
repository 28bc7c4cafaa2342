"""Reads of the disbursement, scoped: a town caseworker sees the lines of their own town only."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Case, CharField, DateField, Exists, F, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, TruncMonth

from apps.benefits.models import Entitlement, Grant, ProgrammeCode
from apps.core.scoping import scope_to_town
from apps.people.models import CareInstitution, HouseholdMember, Town
from apps.people.selectors import persons_named

from . import sql
from .models import BankReturnImport, Overpayment, PaymentLine, PaymentRun, RecoveryLine


def payment_run_list(*, filters: dict | None = None) -> QuerySet[PaymentRun]:
    """Runs are bureau-wide (no town): whoever may view runs sees them all."""
    filters = filters or {}
    qs = PaymentRun.objects.select_related("started_by", "approved_by")
    for key in ("period", "kind", "status"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    return qs


def effective_status() -> Case:
    """A line's status as staff read it: a pending line of an exported run is exported."""
    return Case(
        When(status=PaymentLine.Status.PENDING, run__status__in=PaymentLine.EXPORTED_RUN_STATUSES,
             then=Value(PaymentLine.Status.EXPORTED)),
        default=F("status"), output_field=CharField(),
    )


def payment_line_list(*, user, filters: dict | None = None) -> QuerySet[PaymentLine]:
    filters = filters or {}
    qs = scope_to_town(PaymentLine.objects.select_related("programme", "town"), user, "town")
    qs = qs.annotate(shown_status=effective_status())
    for key, field in (("run", "run_id"), ("status", "shown_status"), ("programme", "programme_id"),
                       ("line_type", "line_type"), ("period", "period"), ("town", "town_id")):
        if filters.get(key):
            qs = qs.filter(**{field: filters[key]})
    return qs.order_by("run_id", "id")


def recovery_list(*, user, filters: dict | None = None) -> QuerySet[RecoveryLine]:
    """追回: paid lines for months after the beneficiary's death or after the entitlement's last month.

    `reason` is "death" or "stopped"; `cutoff` is the last month that was due; the amount to recover
    is the line's amount.
    """
    death_month = Cast(TruncMonth("entitlement__person__date_of_death", output_field=DateField()), DateField())
    qs = (
        RecoveryLine.objects.filter(pk__in=RawSQL(sql.statement("recoverable_lines"), []))
        .annotate(death_month=death_month, entitlement_end=F("entitlement__end_period"))
        .annotate(
            reason=Case(When(period__gt=F("death_month"), then=Value("death")), default=Value("stopped"),
                        output_field=CharField()),
            cutoff=Case(When(period__gt=F("death_month"), then=F("death_month")), default=F("entitlement_end"),
                        output_field=DateField()),
        )
        .select_related("programme", "town", "run")
    )
    qs = scope_to_town(qs, user, "town")
    filters = filters or {}
    for key, field in (("programme", "programme_id"), ("period", "period"), ("reason", "reason"),
                       ("run", "run_id")):
        if filters.get(key):
            qs = qs.filter(**{field: filters[key]})
    return qs.order_by("period", "id")


# Past this many people named by a search, their lines are found by a join instead of the key lookup.
SEARCH_PEOPLE_MAX = 2000


def line_search_q(term: str) -> Q:
    """Lines of the people a search names — a whole ID number, or the beginning or end of a name — as
    beneficiary, member of the household, or payee; or of the care institutions whose name contains it.

    Lines carry no index on their people (a month's million lines are written faster without one):
    the people are found on the registry's indexes, then their entitlements and grants, then the lines
    on the exactly-once key, month by month (period, line type, key_ref), as the recovery list does.
    """
    people = persons_named(term)
    if people is None:
        return Q(pk__in=[])
    ids = list(people.values_list("pk", flat=True)[:SEARCH_PEOPLE_MAX + 1])
    institutions = CareInstitution.objects.filter(name__contains=term.strip()).order_by().values("pk")
    if len(ids) > SEARCH_PEOPLE_MAX:  # a bare surname: slower, still right
        return (Q(payee_person_id__in=people.values("pk")) | Q(person_id__in=people.values("pk"))
                | Q(payee_institution_id__in=institutions))
    homes = HouseholdMember.objects.filter(person_id__in=ids).order_by().values("household_id")
    holders = Q(person_id__in=ids) | Q(payee_person_id__in=ids) | Q(household_id__in=homes)
    entitlements = list(Entitlement.objects.filter(holders | Q(payee_institution_id__in=institutions))
                        .order_by().values_list("pk", flat=True))
    grants = dict(Grant.objects.filter(holders).order_by().values_list("pk", "period"))
    if not entitlements and not grants:
        return Q(pk__in=[])
    # An entitlement's lines pay months that had runs of their own; a grant's, its month of approval.
    periods = list(PaymentRun.objects.order_by().values_list("period", flat=True).distinct())
    kinds = ["regular", "arrears", "reissue"]
    return (Q(period__in=periods, line_type__in=kinds, key_ref__in=entitlements)
            | Q(period__in=set(grants.values()), line_type__in=["grant", "reissue"], key_ref__in=list(grants)))


def overpayment_list(*, user) -> QuerySet[Overpayment]:
    return scope_to_town(Overpayment.objects.all(), user, "town")


def recovery_totals(*, user=None) -> dict:
    rows = recovery_list(user=user).aggregate(total=Sum("amount"))
    return {"recoveries": recovery_list(user=user).count(), "recovery_amount": f"{rows['total'] or Decimal(0):.2f}",
            "overpayments": overpayment_list(user=user).count()}


def bank_return_list(*, run: PaymentRun | None = None) -> QuerySet[BankReturnImport]:
    qs = BankReturnImport.objects.select_related("run", "imported_by")
    return qs.filter(run=run) if run else qs


def reissued_q() -> Exists:
    """Whether a line (held or failed) has its re-issue already: a probe of the exactly-once key."""
    return Exists(PaymentLine.objects.filter(
        period=OuterRef("period"), line_type=PaymentLine.LineType.REISSUE, key_ref=OuterRef("key_ref"),
        programme_id=OuterRef("programme_id"), key_variant=OuterRef("pk")))


def payment_line_outstanding(*, user, status: str, period=None) -> QuerySet[PaymentLine]:
    """Held or failed lines not re-issued yet: finance's to-do (complete or correct the account, then a
    supplementary run of the line's month pays it)."""
    qs = scope_to_town(PaymentLine.objects.filter(status=status), user, "town")
    if period is not None:
        qs = qs.filter(period=period)
    return qs.exclude(reissued_q())


SUMMARY = """
SELECT programme_id, town_id, status, count(*), coalesce(sum(amount), 0)
FROM disbursement_paymentline WHERE run_id = %s AND status <> 'cancelled'
GROUP BY programme_id, town_id, status
"""


def _summary_row(label: str) -> dict:
    zero = Decimal("0.00")
    return {"label": label, "lines": 0, "amount": zero, "held": 0, "held_amount": zero, "paid": 0,
            "paid_amount": zero, "failed": 0, "failed_amount": zero}


def payment_run_summary(*, run: PaymentRun) -> dict:
    """A run's lines by programme, by town and by status (as staff read it), with held, paid and failed
    counts and amounts: one grouped read of the run's lines."""
    with connection.cursor() as cursor:
        cursor.execute(SUMMARY, [run.pk])
        rows = cursor.fetchall()
    programmes = dict(ProgrammeCode.choices)
    towns = dict(Town.objects.filter(pk__in={row[1] for row in rows}).values_list("pk", "name"))
    exported = run.status in PaymentLine.EXPORTED_RUN_STATUSES
    by_programme, by_town, by_status = {}, {}, {}
    for programme, town, status, count, amount in rows:
        if status == PaymentLine.Status.PENDING and exported:
            status = PaymentLine.Status.EXPORTED
        for table, key, label in ((by_programme, programme, programmes.get(programme, programme)),
                                  (by_town, town, towns.get(town, "-")),
                                  (by_status, status, PaymentLine.Status(status).label)):
            row = table.setdefault(key, _summary_row(str(label)))
            row["lines"] += count
            row["amount"] += amount
            if status in ("held", "paid", "failed"):
                row[status] += count
                row[f"{status}_amount"] += amount
    return {"by_programme": sorted(by_programme.values(), key=lambda row: -row["amount"]),
            "by_town": sorted(by_town.values(), key=lambda row: row["label"]),
            "by_status": list(by_status.values())}
