"""Reads of programmes, standards, entitlements and grants; amounts through apps.benefits.rules.

Every list that holds people-bound rows is scoped to the user's town (a caseworker sees their own
town only): an entitlement or grant belongs to the town of its household, or of its person when it
has no household.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet

from apps.core.scoping import user_town_id
from tenants.models import Bureau

from . import rules
from .models import Entitlement, Grant, Programme, ProgrammeCode, Standard

# --------------------------------------------------------------------------- standards


def standard_for(*, programme: str, variant: str, period: datetime.date) -> Standard | None:
    """The Standard row in force for the period: the latest effective on the period's first day."""
    return (Standard.objects.filter(programme_id=programme, variant=variant,
                                    effective_from__lte=rules.first_of_month(period))
            .order_by("-effective_from").first())


def standard_monthly(*, programme: str, variant: str, period: datetime.date) -> Decimal | None:
    row = standard_for(programme=programme, variant=variant, period=period)
    return None if row is None else rules.monthly_value(row.amount, row.unit)


BOOK_SQL = f"""
SELECT bureau.tekun_multiplier, bureau.classified_share,
       (SELECT coalesce(json_agg(json_build_array(s.programme_id, s.variant, s.effective_from, s.amount::text,
                                                  s.unit)), '[]')
          FROM {Standard._meta.db_table} s),
       (SELECT coalesce(json_object_agg(p.code, p.payment), '{{}}') FROM {Programme._meta.db_table} p)
  FROM {Bureau._meta.db_table} bureau
 WHERE bureau.schema_name = %s
"""


class StandardBook:
    """All standards of the bureau in memory, for code that prices many entitlements at once.

    Built once per request or job (`StandardBook.load()`); every lookup applies the same rules as
    the single-row selectors above.
    """

    def __init__(self, rows: list[Standard], *, multiplier: Decimal, classified_share: Decimal,
                 payments: dict[str, str] | None = None):
        self._rows: dict[tuple[str, str], list[rules.StandardRow]] = defaultdict(list)
        for row in rows:
            self._rows[(row.programme_id, row.variant)].append(
                rules.StandardRow(effective_from=row.effective_from, amount=row.amount, unit=row.unit))
        self.multiplier = multiplier
        self.classified_share = classified_share
        self.payments = payments

    @classmethod
    def load(cls, bureau=None) -> StandardBook:
        # One statement: a priced page builds the book on every request, and the ORM's three queries
        # (bureau, standards, programmes) cost 2.5 ms of CPU against 0.4 ms for this.
        with connection.cursor() as cursor:
            cursor.execute(BOOK_SQL, [connection.schema_name])
            found = cursor.fetchone()
        if found is None:
            raise Bureau.DoesNotExist(f"no bureau has the schema {connection.schema_name!r}")
        multiplier, classified_share, standards, payments = found
        rows = [Standard(programme_id=programme, variant=variant, effective_from=datetime.date.fromisoformat(day),
                         amount=Decimal(amount), unit=unit)
                for programme, variant, day, amount, unit in standards]
        if bureau is not None:
            multiplier, classified_share = bureau.tekun_multiplier, bureau.classified_share
        return cls(rows, multiplier=multiplier, classified_share=classified_share, payments=payments)

    def monthly(self, programme: str, variant: str, period: datetime.date) -> Decimal | None:
        return rules.monthly_in_force(self._rows.get((programme, variant), ()), period)

    def effective_dates(self, *programmes: str) -> list[datetime.date]:
        """Every date on which a standard of these programmes takes effect, in order."""
        return sorted({row.effective_from for (programme, _variant), rows in self._rows.items()
                       if programme in programmes for row in rows})

    def has_variant(self, programme: str, variant: str) -> bool:
        return (programme, variant) in self._rows

    def dibao(self, variant: str, period: datetime.date) -> Decimal | None:
        """The dibao standard of a class, or the unified one where the bureau does not split."""
        value = self.monthly(ProgrammeCode.DIBAO, variant, period)
        if value is None and variant != "unified":
            value = self.monthly(ProgrammeCode.DIBAO, "unified", period)
        return value

    def tekun_basic(self, variant: str, period: datetime.date) -> Decimal | None:
        return rules.tekun_basic(
            explicit_class=self.monthly(ProgrammeCode.TEKUN, variant, period),
            explicit_unified=self.monthly(ProgrammeCode.TEKUN, "unified", period),
            dibao_class=self.monthly(ProgrammeCode.DIBAO, variant, period),
            dibao_unified=self.monthly(ProgrammeCode.DIBAO, "unified", period),
            multiplier=self.multiplier,
        )

    def standard_of(self, entitlement: Entitlement, period: datetime.date) -> Decimal | None:
        """The monthly standard an entitlement's formula uses in the period."""
        programme = entitlement.programme_id
        if programme == ProgrammeCode.TEKUN:
            return self.tekun_basic(entitlement.variant, period)
        if programme == ProgrammeCode.TEKUN_CARE:
            return self.monthly(programme, entitlement.care_level, period)
        return self.monthly(programme, entitlement.variant, period)

    def amount(self, entitlement: Entitlement, period: datetime.date, *, payment: str | None = None) -> Decimal:
        if not rules.pays_in(status=entitlement.status, start_period=entitlement.start_period,
                             end_period=entitlement.end_period, period=period):
            return rules.ZERO
        payment = payment or (self.payments or programme_payments())[entitlement.programme_id]
        return rules.entitlement_amount(
            programme=entitlement.programme_id, payment=payment, standard=self.standard_of(entitlement, period),
            per_capita_income=entitlement.per_capita_income, covered_members=entitlement.covered_members,
            addon_members=entitlement.addon_members, classified_share=self.classified_share,
        )


def tekun_floor_warnings(*, book: StandardBook | None = None) -> list[dict]:
    """Where an explicit 特困 standard is below the floor from the dibao standard (SPEC §4): from which
    month, for which class, the explicit amount and the floor paid instead. The bureau is warned
    (standards admin, payment runs) so that it sets a new 特困 standard or accepts the floor.
    """
    book = book or StandardBook.load()
    changes = book.effective_dates(ProgrammeCode.DIBAO, ProgrammeCode.TEKUN)
    warnings: list[dict] = []
    for variant in ("unified", "urban", "rural"):
        if not (book.has_variant(ProgrammeCode.TEKUN, variant) or book.has_variant(ProgrammeCode.DIBAO, variant)):
            continue
        last = None
        for day in changes:
            explicit = rules.tekun_explicit(explicit_class=book.monthly(ProgrammeCode.TEKUN, variant, day),
                                            explicit_unified=book.monthly(ProgrammeCode.TEKUN, "unified", day))
            floor = rules.tekun_floor(dibao_class=book.monthly(ProgrammeCode.DIBAO, variant, day),
                                      dibao_unified=book.monthly(ProgrammeCode.DIBAO, "unified", day),
                                      multiplier=book.multiplier)
            below = explicit is not None and floor is not None and explicit < floor
            current = (explicit, floor) if below else None
            if below and current != last:
                warnings.append({"variant": variant, "from_period": day, "explicit": explicit, "floor": floor})
            last = current
    return warnings


def programme_payments() -> dict[str, str]:
    return dict(Programme.objects.values_list("code", "payment"))


def tekun_basic_standard(*, variant: str, period: datetime.date) -> Decimal | None:
    """特困 basic living standard of a class (explicit, else derived from dibao); SPEC §4."""
    return StandardBook.load().tekun_basic(variant, period)


def dibao_standard(*, variant: str, period: datetime.date) -> Decimal | None:
    return StandardBook.load().dibao(variant, period)


def class_variant(*, programme: str, hukou_class: str, book: StandardBook | None = None) -> str:
    """The variant a beneficiary of this class gets: the class where the bureau splits it, else unified.

    dibao splits when the bureau has a dibao standard of the class; 特困 when it has a 特困 or a
    dibao standard of the class (the derived 特困 standard follows dibao's split).
    """
    programmes = [programme]
    if programme == ProgrammeCode.TEKUN:
        programmes.append(ProgrammeCode.DIBAO)
    if book is not None:
        return hukou_class if any(book.has_variant(p, hukou_class) for p in programmes) else "unified"
    if Standard.objects.filter(programme_id__in=programmes, variant=hukou_class).exists():
        return hukou_class
    return "unified"


def entitlement_amount(*, entitlement: Entitlement, period: datetime.date) -> Decimal:
    """What the entitlement pays for the period (0.00 when it does not pay or no standard is in force)."""
    return StandardBook.load().amount(entitlement, period)


# --------------------------------------------------------------------------- entitlements and grants


def _town_q(user) -> Q | None:
    town_id = user_town_id(user)
    if town_id is None:
        return None
    return Q(household__town_id=town_id) | Q(household__isnull=True, person__town_id=town_id)


def scope_beneficiaries(queryset: QuerySet, user) -> QuerySet:
    """Entitlements or grants of the user's town (the household's town, else the person's)."""
    q = _town_q(user)
    return queryset if q is None else queryset.filter(q)


def entitlement_list(*, user, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = Entitlement.objects.select_related("programme", "household", "person", "payee_person", "payee_institution")
    qs = scope_beneficiaries(qs, user)
    if filters.get("programme"):
        qs = qs.filter(programme_id=filters["programme"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("town"):
        qs = qs.filter(Q(household__town_id=filters["town"]) | Q(household__isnull=True, person__town_id=filters["town"]))
    if filters.get("household"):
        qs = qs.filter(household_id=filters["household"])
    if filters.get("person"):
        qs = qs.filter(person_id=filters["person"])
    if filters.get("active_in"):
        period = rules.first_of_month(filters["active_in"])
        qs = qs.filter(entitlement_active_q(period))
    return qs


def entitlement_active_q(period: datetime.date, prefix: str = "") -> Q:
    """Q for entitlements that pay in the period (the same test as rules.pays_in)."""
    return Q(**{f"{prefix}status__in": rules.PAYING_STATUSES, f"{prefix}start_period__lte": period}) & (
        Q(**{f"{prefix}end_period__isnull": True, f"{prefix}status": Entitlement.Status.ACTIVE})
        | Q(**{f"{prefix}end_period__gte": period}))


def entitlement_open_q(prefix: str = "") -> Q:
    """Q for entitlements that are active and not yet ended (no end, or an end not yet passed)."""
    return Q(**{f"{prefix}status": Entitlement.Status.ACTIVE}) & (
        Q(**{f"{prefix}end_period__isnull": True})
        | Q(**{f"{prefix}end_period__gte": rules.first_of_month(datetime.date.today())}))


def entitlement_get(*, user, pk: int) -> Entitlement:
    return entitlement_list(user=user).get(pk=pk)


def grant_list(*, user, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = Grant.objects.select_related("programme", "household", "household__town", "person", "person__town",
                                      "payee_person", "payee_institution")
    qs = scope_beneficiaries(qs, user)
    for key, field in (("programme", "programme_id"), ("status", "status"), ("period", "period")):
        if filters.get(key):
            qs = qs.filter(**{field: filters[key]})
    if filters.get("town"):
        qs = qs.filter(Q(household__town_id=filters["town"]) | Q(household__isnull=True, person__town_id=filters["town"]))
    return qs


def standard_list(*, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = Standard.objects.select_related("programme")
    if filters.get("programme"):
        qs = qs.filter(programme_id=filters["programme"])
    if filters.get("variant"):
        qs = qs.filter(variant=filters["variant"])
    if filters.get("in_force_on"):
        # Only the rows in force on the day, one per programme/variant.
        in_force = (Standard.objects.filter(effective_from__lte=filters["in_force_on"])
                    .order_by("programme_id", "variant", "-effective_from").distinct("programme_id", "variant"))
        qs = qs.filter(pk__in=in_force.values("pk"))
    return qs


def caseload(*, period: datetime.date) -> dict[str, dict[str, int]]:
    """Households and persons with an entitlement paying (or counted) in the period, per programme."""
    from django.db.models import Count

    period = rules.first_of_month(period)
    out: dict[str, dict[str, int]] = {}
    rows = (Entitlement.objects.filter(entitlement_active_q(period)).values("programme_id")
            .annotate(entitlements=Count("id"), households=Count("household", distinct=True),
                      persons=Count("person", distinct=True)))
    for row in rows:
        out[row["programme_id"]] = {k: row[k] for k in ("entitlements", "households", "persons")}
    return out
