"""Writes to standards, entitlements and grants. Each service is one transaction; bad input raises
ValidationError with a specific message and writes nothing.

Entitlement facts are never edited in place: a change "from a period" ends the entitlement the month
before and opens a new one, so every past period keeps the facts it was paid with (the disbursement
engine recomputes past periods for arrears).

This module is the only writer of standards, entitlements, grants and their history rows. Other
apps write through it: one row at a time (`entitlement_create`, `grant_create`, …) or set-based
(`entitlement_changes_table` + `entitlements_apply_changes`, what the pensions engine uses, and
`grants_mark_paid` for the bank's answer). `user` follows apps.core.permissions: SYSTEM for a job,
None refused where a permission is checked.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, DateField, ExpressionWrapper, F, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat, Greatest, Least, Left, TruncMonth
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb
from simple_history.utils import bulk_update_with_history

from apps.core.history_dates import moment_in_force
from apps.core.money import money_input
from apps.core.permissions import recorded_user, require_permission
from apps.people.models import HouseholdMember, Person

from . import rules, sql
from .models import CareLevel, Entitlement, Grant, Programme, ProgrammeCode, Standard
from .selectors import entitlement_open_q

# Variants each programme accepts. Longevity takes age brackets such as "80-89" or "100+", and
# "grant:<bracket>:<month>" for a once-a-year grant (apps.pensions.rules.parse_grant; 广州 grant:100+:10).
PROGRAMME_VARIANTS: dict[str, set[str] | re.Pattern] = {
    ProgrammeCode.DIBAO: {"unified", "urban", "rural"},
    ProgrammeCode.DIBAO_MARGINAL: {"unified", "urban", "rural"},
    ProgrammeCode.HARDSHIP_EXPENSE: {"unified", "urban", "rural"},
    ProgrammeCode.TEKUN: {"unified", "urban", "rural"},
    ProgrammeCode.TEKUN_CARE: {c.value for c in CareLevel},
    ProgrammeCode.ORPHAN: {"institutional", "scattered"},
    ProgrammeCode.LONGEVITY: re.compile(r"^(\d{2,3}(-\d{2,3}|\+)|grant:\d{2,3}(-\d{2,3}|\+):(1[0-2]|[1-9]))$"),
}
DEFAULT_VARIANTS = {"unified"}


def _period_field(field: str, value, *, label: str) -> datetime.date:
    if value in (None, ""):
        raise ValidationError({field: _("%(label)s is required.") % {"label": label}})
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value if len(value) > 7 else f"{value}-01")
        except ValueError:
            raise ValidationError({field: _("%(value)r is not a month (YYYY-MM).") % {"value": value}}) from None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if value.day != 1:
        raise ValidationError({field: _("%(label)s must be the first day of a month, not %(value)s.")
                               % {"label": label, "value": value.isoformat()}})
    return value


def _date_field(field: str, value, *, label: str) -> datetime.date:
    if value in (None, ""):
        raise ValidationError({field: _("%(label)s is required.") % {"label": label}})
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("%(value)r is not a date (YYYY-MM-DD).") % {"value": value}}) from None


def _programme(code) -> Programme:
    code = getattr(code, "code", code)
    try:
        return Programme.objects.get(code=code)
    except Programme.DoesNotExist:
        raise ValidationError({"programme": _("There is no programme %(code)r.") % {"code": code}}) from None


def _check_variant(programme: Programme, variant: str) -> str:
    variant = (variant or "").strip()
    allowed = PROGRAMME_VARIANTS.get(programme.code, DEFAULT_VARIANTS)
    ok = bool(allowed.match(variant)) if isinstance(allowed, re.Pattern) else variant in allowed
    if not ok:
        expected = "an age bracket such as 80-89 or 100+, or grant:100+:10" if isinstance(allowed, re.Pattern) else ", ".join(sorted(allowed))
        raise ValidationError({"variant": _("%(variant)r is not a variant of %(programme)s (expected %(expected)s).")
                               % {"variant": variant, "programme": programme.code, "expected": expected}})
    return variant


# --------------------------------------------------------------------------- standards


def _standard_validate(*, programme, variant, amount, unit, effective_from) -> dict:
    programme = _programme(programme)
    values = {
        "programme": programme,
        "variant": _check_variant(programme, variant),
        "amount": money_input("amount", amount, label=_("The amount")),
        "effective_from": _date_field("effective_from", effective_from, label=_("The effective date")),
    }
    if unit not in Standard.Unit.values:
        raise ValidationError({"unit": _("The unit is %(units)s, not %(unit)r.")
                               % {"units": " or ".join(Standard.Unit.values), "unit": unit}})
    values["unit"] = unit
    return values


def _standard_duplicate_message(programme, variant, effective_from, existing_id) -> ValidationError:
    return ValidationError({"effective_from": _(
        "A standard for %(programme)s/%(variant)s effective %(date)s already exists (#%(id)s); change that one "
        "instead.") % {"programme": programme.code, "variant": variant, "date": effective_from.isoformat(),
                       "id": existing_id}})


def standard_validate(*, programme, variant, amount, unit, effective_from, exclude_pk=None) -> dict:
    """The checks of standard_create/update without writing (admin forms show the same messages)."""
    values = _standard_validate(programme=programme, variant=variant, amount=amount, unit=unit,
                                effective_from=effective_from)
    clash = (Standard.objects.filter(programme=values["programme"], variant=values["variant"],
                                     effective_from=values["effective_from"]).exclude(pk=exclude_pk)
             .values_list("id", flat=True).first())
    if clash:
        raise _standard_duplicate_message(values["programme"], values["variant"], values["effective_from"], clash)
    return values


@transaction.atomic
def standard_create(*, user, programme, variant: str = "unified", amount, unit: str = "month",
                    effective_from, source: str = "") -> Standard:
    """A new standard from a date. A past date is allowed: the next payment run pays the arrears."""
    require_permission(user, "benefits.add_standard", what=_("create standards"))
    values = standard_validate(programme=programme, variant=variant, amount=amount, unit=unit,
                               effective_from=effective_from)
    standard = Standard(source=(source or "")[:300], **values)
    standard._history_user = recorded_user(user)
    try:
        with transaction.atomic():
            standard.save()
    except IntegrityError:
        # A concurrent create of the same (programme, variant, date) won the race.
        raise _standard_duplicate_message(values["programme"], values["variant"], values["effective_from"],
                                          "?") from None
    return standard


@transaction.atomic
def standard_ensure(*, user, programme, variant: str = "unified", amount, unit: str = "month", effective_from,
                    source: str = "") -> tuple[Standard, bool]:
    """The standard of (programme, variant, effective_from), created when missing (bootstrap, run
    again and again); an existing one keeps the amount its bureau may have corrected since."""
    require_permission(user, "benefits.add_standard", what=_("create standards"))
    existing = Standard.objects.filter(
        programme_id=getattr(programme, "code", programme), variant=variant,
        effective_from=_date_field("effective_from", effective_from, label=_("The effective date"))).first()
    if existing is not None:
        return existing, False
    return standard_create(user=user, programme=programme, variant=variant, amount=amount, unit=unit,
                           effective_from=effective_from, source=source), True


@transaction.atomic
def standard_update(*, user, standard: Standard, **changes) -> Standard:
    require_permission(user, "benefits.change_standard", what=_("change standards"))
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    current = {"programme": standard.programme_id, "variant": standard.variant, "amount": standard.amount,
               "unit": standard.unit, "effective_from": standard.effective_from}
    unknown = set(changes) - set(current) - {"source"}
    if unknown:
        raise ValidationError(_("Standards have no field(s) %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    source = changes.pop("source", None)
    values = standard_validate(**{**current, **changes}, exclude_pk=standard.pk)
    for name, value in values.items():
        setattr(standard, name, value)
    if source is not None:
        standard.source = source[:300]
    standard._history_user = recorded_user(user)
    standard.save()
    return standard


# --------------------------------------------------------------------------- entitlements


def _lock_persons(ids) -> None:
    """Row locks on the persons concerned, in id order, so two approvals for one person serialise."""
    ids = sorted({i for i in ids if i})
    if ids:
        list(Person.objects.select_for_update().filter(id__in=ids).order_by("id").values_list("id", flat=True))


def _household_person_ids(household_id) -> list[int]:
    return list(HouseholdMember.objects.filter(household_id=household_id).values_list("person_id", flat=True))


def _open_overlapping(start_period: datetime.date, end_period: datetime.date | None) -> Q:
    """Entitlements that pay in some period of [start, end] (active, or stopped/ended up to their last period)."""
    q = (Q(status=Entitlement.Status.ACTIVE, end_period__isnull=True)
         | (Q(status__in=rules.PAYING_STATUSES, end_period__gte=start_period)
            & Q(end_period__gte=F("start_period"))))
    if end_period is not None:
        q &= Q(start_period__lte=end_period)
    return q


def dibao_tekun_conflict(*, programme: str, household_id=None, person_id=None, start_period: datetime.date,
                         end_period: datetime.date | None = None, members: list[int] | None = None) -> str | None:
    """Why the new entitlement would put someone on dibao and 特困 at once, or None.

    A person covered by a dibao household entitlement cannot get 特困, and a household with a member
    on 特困 cannot get dibao (SPEC §4).
    """
    overlap = _open_overlapping(start_period, end_period)
    if programme == ProgrammeCode.TEKUN and person_id:
        membership = HouseholdMember.objects.filter(person_id=person_id).values_list("household_id", flat=True).first()
        clash = Entitlement.objects.filter(overlap, programme_id=ProgrammeCode.DIBAO).filter(
            Q(person_id=person_id) | Q(household_id=membership) if membership else Q(person_id=person_id)).first()
        if clash:
            person = Person.objects.get(pk=person_id)
            return _("%(name)s is covered by dibao entitlement #%(id)s (household %(household)s); a person is never "
                     "on dibao and 特困 at once. Stop the dibao first.") % {
                "name": person.name, "id": clash.pk, "household": clash.household.code if clash.household else "—"}
    if programme == ProgrammeCode.DIBAO and household_id:
        members = _household_person_ids(household_id) if members is None else members
        clash = (Entitlement.objects.filter(overlap, programme_id=ProgrammeCode.TEKUN, person_id__in=members)
                 .select_related("person").first())
        if clash:
            return _("%(name)s in this household receives 特困 support (entitlement #%(id)s); a person is never on "
                     "dibao and 特困 at once.") % {"name": clash.person.name, "id": clash.pk}
    return None


def _entitlement_validate(e: Entitlement, programme: Programme) -> None:
    if programme.payment == Programme.Payment.ONE_OFF:
        raise ValidationError({"programme": _("%(programme)s pays once: record a grant, not an entitlement.")
                               % {"programme": programme.code}})
    if e.household_id is None and e.person_id is None:
        raise ValidationError(_("An entitlement needs a beneficiary: a household or a person."))
    if (e.payee_person_id is None) == (e.payee_institution_id is None):
        raise ValidationError(_("An entitlement is paid to exactly one payee: a person or a care institution."))
    if e.end_period is not None and e.end_period < e.start_period:
        raise ValidationError({"end_period": _("The last period %(end)s is before the first %(start)s.")
                               % {"end": e.end_period.isoformat(), "start": e.start_period.isoformat()}})
    if programme.code in (ProgrammeCode.DIBAO, ProgrammeCode.DIBAO_MARGINAL, ProgrammeCode.HARDSHIP_EXPENSE):
        if e.household_id is None:
            raise ValidationError({"household": _("%(programme)s is granted to a household.")
                                   % {"programme": programme.code}})
        if e.per_capita_income is None:
            raise ValidationError({"per_capita_income": _("The per-capita income is required.")})
        if not e.covered_members:
            raise ValidationError({"covered_members": _("At least one member must be covered.")})
        if e.addon_members > e.covered_members:
            raise ValidationError({"addon_members": _(
                "%(addon)s members with an add-on, but only %(covered)s covered.")
                % {"addon": e.addon_members, "covered": e.covered_members}})
    if programme.code == ProgrammeCode.TEKUN_CARE and e.care_level not in CareLevel.values:
        raise ValidationError({"care_level": _("特困 care needs a care level (%(levels)s).")
                               % {"levels": ", ".join(CareLevel.values)}})
    if programme.code in (ProgrammeCode.TEKUN, ProgrammeCode.TEKUN_CARE) and e.person_id is None:
        raise ValidationError({"person": _("特困 support is granted to a person.")})


@transaction.atomic
def entitlement_create(*, programme, variant: str = "unified", household=None, person=None, payee_person=None,
                       payee_institution=None, per_capita_income=None, covered_members: int | None = None,
                       addon_members: int = 0, care_level: str = "", start_period, end_period=None,
                       reason: str = "", source: str = "", user=None, back_pay_from=None) -> Entitlement:
    """`back_pay_from`: this entitlement takes over months another one was already paid for (see the field)."""
    programme = _programme(programme)
    entitlement = Entitlement(
        programme=programme, variant=_check_variant(programme, variant), household=household, person=person,
        payee_person=payee_person, payee_institution=payee_institution,
        per_capita_income=None if per_capita_income is None else money_input(
            "per_capita_income", per_capita_income, label=_("The per-capita income")),
        covered_members=covered_members, addon_members=addon_members or 0, care_level=care_level or "",
        start_period=_period_field("start_period", start_period, label=_("The first period")),
        end_period=None if end_period is None else _period_field("end_period", end_period, label=_("The last period")),
        reason=(reason or "")[:300], source=(source or "")[:100], back_pay_from=back_pay_from,
    )
    _entitlement_validate(entitlement, programme)
    if programme.code in (ProgrammeCode.DIBAO, ProgrammeCode.TEKUN):
        # Lock the persons concerned so that a concurrent dibao and 特困 approval cannot both pass.
        person_ids = [entitlement.person_id]
        if entitlement.household_id:
            person_ids += _household_person_ids(entitlement.household_id)
        _lock_persons(person_ids)
        conflict = dibao_tekun_conflict(programme=programme.code, household_id=entitlement.household_id,
                                        person_id=entitlement.person_id, start_period=entitlement.start_period,
                                        end_period=entitlement.end_period,
                                        members=person_ids[1:] if entitlement.household_id else None)
    else:
        conflict = None
    if conflict:
        raise ValidationError(conflict)
    entitlement._history_user = recorded_user(user)
    try:
        with transaction.atomic():
            entitlement.save()
    except IntegrityError as exc:
        if "entitlement_one_open" in str(exc):
            raise ValidationError(_("There is already an open %(programme)s entitlement for this %(whom)s.")
                                  % {"programme": programme.code,
                                     "whom": _("household") if entitlement.household_id else _("person")}) from None
        raise
    return entitlement


def _locked(entitlement: Entitlement) -> Entitlement:
    return Entitlement.objects.select_for_update().get(pk=entitlement.pk)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    return reason[:300]


@transaction.atomic
def entitlement_change_facts(*, entitlement: Entitlement, from_period, user=None, reason: str,
                             per_capita_income=None, covered_members: int | None = None,
                             addon_members: int | None = None, care_level: str | None = None,
                             variant: str | None = None) -> Entitlement:
    """New facts from a period on: the entitlement ends the month before, a successor starts then."""
    reason = _require_reason(reason)
    old = _locked(entitlement)
    from_period = _period_field("from_period", from_period, label=_("The first period of the change"))
    if old.status != Entitlement.Status.ACTIVE:
        raise ValidationError(_("Entitlement #%(id)s is %(status)s; only an active one can change.")
                              % {"id": old.pk, "status": old.get_status_display()})
    if from_period <= old.start_period:
        raise ValidationError({"from_period": _(
            "The change must start after the entitlement's first period %(start)s.") % {"start": old.start_period}})
    if old.end_period is not None and from_period > old.end_period:
        raise ValidationError({"from_period": _("Entitlement #%(id)s ends with %(end)s.")
                               % {"id": old.pk, "end": old.end_period.isoformat()}})
    old_end = old.end_period
    old.end_period = rules.add_months(from_period, -1)
    old.reason = _("changed from %(period)s: %(reason)s") % {"period": from_period.strftime("%Y-%m"), "reason": reason}
    old.reason = old.reason[:300]
    old._history_user = recorded_user(user)
    old.save(update_fields=["end_period", "reason", "updated_at"])
    return entitlement_create(
        programme=old.programme_id, variant=variant or old.variant, household=old.household, person=old.person,
        payee_person=old.payee_person, payee_institution=old.payee_institution,
        per_capita_income=old.per_capita_income if per_capita_income is None else per_capita_income,
        covered_members=old.covered_members if covered_members is None else covered_members,
        addon_members=old.addon_members if addon_members is None else addon_members,
        care_level=old.care_level if care_level is None else care_level,
        start_period=from_period, end_period=old_end, reason=reason, source=old.source, user=user,
    )


@transaction.atomic
def entitlement_suspend(*, entitlement: Entitlement, user=None, reason: str) -> Entitlement:
    reason = _require_reason(reason)
    e = _locked(entitlement)
    if e.status != Entitlement.Status.ACTIVE:
        raise ValidationError(_("Entitlement #%(id)s is %(status)s; only an active one can be suspended.")
                              % {"id": e.pk, "status": e.get_status_display()})
    e.status, e.reason = Entitlement.Status.SUSPENDED, reason
    e._history_user = recorded_user(user)
    e.save(update_fields=["status", "reason", "updated_at"])
    return e


@transaction.atomic
def entitlement_resume(*, entitlement: Entitlement, user=None, reason: str) -> Entitlement:
    reason = _require_reason(reason)
    e = _locked(entitlement)
    if e.status != Entitlement.Status.SUSPENDED:
        raise ValidationError(_("Entitlement #%(id)s is not suspended.") % {"id": e.pk})
    conflict = dibao_tekun_conflict(programme=e.programme_id, household_id=e.household_id, person_id=e.person_id,
                                    start_period=e.start_period, end_period=e.end_period)
    if conflict:
        raise ValidationError(conflict)
    e.status, e.reason = Entitlement.Status.ACTIVE, reason
    e._history_user = recorded_user(user)
    try:
        with transaction.atomic():
            e.save(update_fields=["status", "reason", "updated_at"])
    except IntegrityError:
        raise ValidationError(_("Another open %(programme)s entitlement exists for this beneficiary.")
                              % {"programme": e.programme_id}) from None
    return e


@transaction.atomic
def entitlement_stop(*, entitlement: Entitlement, user=None, reason: str, end_period) -> Entitlement:
    """Stop after `end_period` (the last month paid): "from the month after X" is end_period = X's month."""
    reason = _require_reason(reason)
    e = _locked(entitlement)
    end_period = _period_field("end_period", end_period, label=_("The last period"))
    if e.status == Entitlement.Status.STOPPED:
        raise ValidationError(_("Entitlement #%(id)s is already stopped.") % {"id": e.pk})
    if end_period < e.start_period:
        # Stopped before it ever paid: its last period is the month before its first, so no month pays.
        end_period = rules.add_months(e.start_period, -1)
    if e.end_period is not None and end_period > e.end_period:
        end_period = e.end_period
    e.status, e.end_period, e.reason = Entitlement.Status.STOPPED, end_period, reason
    e._history_user = recorded_user(user)
    e.save(update_fields=["status", "end_period", "reason", "updated_at"])
    return e


@transaction.atomic
def entitlements_stop(*, stops: list[tuple[int, datetime.date, str, datetime.datetime | None]],
                      user=None) -> dict[int, str]:
    """entitlement_stop for many at once: (entitlement id, last period, reason, history date or None for
    the clock). The same rows and history rows as one by one; returns those refused (id → why), the
    others are all written. Locks in id order, as one by one in that order would."""
    asked = {pk: (end_period, reason, at) for pk, end_period, reason, at in stops}
    locked = list(Entitlement.objects.select_for_update().filter(pk__in=asked).order_by("id"))
    refused: dict[int, str] = {pk: _("Entitlement #%(id)s does not exist.") % {"id": pk}
                               for pk in set(asked) - {e.pk for e in locked}}
    done = []
    now = timezone.now()
    for e in locked:
        end_period, reason, at = asked[e.pk]
        try:
            reason = _require_reason(reason)
            end_period = _period_field("end_period", end_period, label=_("The last period"))
        except ValidationError as exc:
            refused[e.pk] = " ".join(exc.messages)
            continue
        if e.status == Entitlement.Status.STOPPED:
            refused[e.pk] = _("Entitlement #%(id)s is already stopped.") % {"id": e.pk}
            continue
        if end_period < e.start_period:
            end_period = rules.add_months(e.start_period, -1)
        if e.end_period is not None and end_period > e.end_period:
            end_period = e.end_period
        e.status, e.end_period, e.reason, e.updated_at = Entitlement.Status.STOPPED, end_period, reason, now
        e._history_user = recorded_user(user)
        if (at := at or moment_in_force()) is not None:
            e._history_date = at
        done.append(e)
    Entitlement.objects.bulk_update(done, ["status", "end_period", "reason", "updated_at"])
    Entitlement.history.bulk_history_create(done, update=True, default_change_reason=None)
    return refused


@transaction.atomic
def entitlement_end(*, entitlement: Entitlement, user=None, reason: str, end_period) -> Entitlement:
    """Keep paying through `end_period`, then nothing (渐退期): active until then, after it the nightly
    `entitlements_end_past` marks it ended with this reason."""
    reason = _require_reason(reason)
    e = _locked(entitlement)
    end_period = _period_field("end_period", end_period, label=_("The last period"))
    if e.status != Entitlement.Status.ACTIVE:
        raise ValidationError(_("Entitlement #%(id)s is %(status)s.") % {"id": e.pk, "status": e.get_status_display()})
    if end_period < e.start_period:
        raise ValidationError({"end_period": _("The last period %(end)s is before the first %(start)s.")
                               % {"end": end_period.isoformat(), "start": e.start_period.isoformat()}})
    e.end_period, e.reason = end_period, reason
    e._history_user = recorded_user(user)
    e.save(update_fields=["end_period", "reason", "updated_at"])
    return e


def _month_before_start():
    return TruncMonth(ExpressionWrapper(F("start_period") - datetime.timedelta(days=1), output_field=DateField()),
                      output_field=DateField())


def entitlements_stop_for_deaths(*, today: datetime.date) -> dict:
    """Nightly step: every active entitlement of a deceased person ends with the month of death.

    Set-based: one UPDATE over all such entitlements (person-beneficiary ones; the death record's
    service `entitlements_end_for_death` recomputes the household's dibao at once), then their
    history rows in bulk. Died before the first period: no month pays. Paid lines for later months
    are the disbursement's recovery (追回) list.
    """
    with transaction.atomic():
        death_month = TruncMonth(Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("date_of_death")[:1]))
        targets = Entitlement.objects.select_for_update().filter(
            status__in=[Entitlement.Status.ACTIVE, Entitlement.Status.SUSPENDED], person__status=Person.Status.DECEASED)
        ids = list(targets.values_list("id", flat=True))
        if not ids:
            return {"stopped": 0, "by_programme": {}}
        reason = _("deceased: stopped from the month after death")[:300]
        Entitlement.objects.filter(id__in=ids).update(
            status=Entitlement.Status.STOPPED,
            end_period=Greatest(_month_before_start(), Least(death_month, F("end_period"))),
            reason=reason,
            updated_at=timezone.now(),
        )
        changed = list(Entitlement.objects.filter(id__in=ids))
        Entitlement.history.bulk_history_create(changed, update=True, default_change_reason="nightly: deaths")
    by_programme: dict[str, int] = {}
    for e in changed:
        by_programme[e.programme_id] = by_programme.get(e.programme_id, 0) + 1
    return {"stopped": len(changed), "by_programme": by_programme, "as_of": today.isoformat()}


def entitlements_end_past(*, today: datetime.date) -> dict:
    """Nightly step: active entitlements whose last period has passed (渐退期 over) become ended.

    Their reason keeps what set the end ("ended after 2025-06: <reason>"); the months up to the
    last period stay payable (rules.pays_in). Set-based, with history rows in bulk; idempotent.
    """
    month = rules.first_of_month(today)
    with transaction.atomic():
        ids = list(Entitlement.objects.select_for_update().filter(
            status=Entitlement.Status.ACTIVE, end_period__lt=month).values_list("id", flat=True))
        if not ids:
            return {"ended": 0, "by_programme": {}}
        Entitlement.objects.filter(id__in=ids).update(
            status=Entitlement.Status.ENDED,
            reason=Left(Concat(Value(_("ended after") + " "), Func(F("end_period"), Value("YYYY-MM"), function="to_char", output_field=CharField()),
                               Value(": "), F("reason"), output_field=CharField()), 300),
            updated_at=timezone.now(),
        )
        changed = list(Entitlement.objects.filter(id__in=ids))
        Entitlement.history.bulk_history_create(changed, update=True, default_change_reason="nightly: ended")
    by_programme: dict[str, int] = {}
    for e in changed:
        by_programme[e.programme_id] = by_programme.get(e.programme_id, 0) + 1
    return {"ended": len(changed), "by_programme": by_programme}


def _save_with_reason(e: Entitlement, *, user, change_reason: str, fields: list[str]) -> None:
    e._history_user = recorded_user(user)
    e._change_reason = change_reason[:100]
    e.save(update_fields=[*fields, "updated_at"])


def _deceased_had_addon(person: Person, on: datetime.date) -> bool:
    severe = person.disability_certificates.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on), level__lte=2, valid_from__lte=on).exists()
    facts = rules.MemberFacts(birth_date=person.birth_date, is_student=person.is_student,
                              seriously_ill=person.seriously_ill, severely_disabled=severe)
    return bool(rules.addon_reasons(facts, on=on, single_parent=False))


@transaction.atomic
def entitlements_end_for_death(*, person: Person, date_of_death: datetime.date, source: str, user) -> dict:
    """A death at once (SPEC §3 life events): the person's entitlements end with the month of death and
    their household's dibao is recomputed from the next month (one fewer covered member; a household
    with one covered member stops). `source` names the death record ("burial.death:42") in every
    reason and history row.

    Returns what was done, for `entitlements_restore_after_death` to undo exactly that:
    {"ended": [{"id", "end_period", "status", "reason"} as they were], "opened": [ids]}.
    """
    require_permission(user, "benefits.change_entitlement", what=_("change entitlements"))
    death_month = rules.first_of_month(date_of_death)
    next_month = rules.add_months(death_month, 1)
    reason = (_("deceased %(date)s (%(source)s)") % {"date": date_of_death.isoformat(), "source": source})[:300]
    change_reason = f"death {source}"
    effect: dict = {"ended": [], "opened": []}

    def end(e: Entitlement, last: datetime.date) -> None:
        effect["ended"].append({"id": e.pk, "end_period": e.end_period.isoformat() if e.end_period else None,
                                "status": e.status, "reason": e.reason})
        e.end_period = max(last, rules.add_months(e.start_period, -1))
        e.status, e.reason = Entitlement.Status.STOPPED, reason
        _save_with_reason(e, user=user, change_reason=change_reason, fields=["end_period", "status", "reason"])

    _lock_persons([person.pk])
    still_paying = Q(status__in=[Entitlement.Status.ACTIVE, Entitlement.Status.SUSPENDED]) & (
        Q(end_period__isnull=True) | Q(end_period__gt=death_month))
    for e in Entitlement.objects.select_for_update().filter(still_paying, person=person).order_by("id"):
        end(e, death_month)

    household_id = HouseholdMember.objects.filter(person=person).values_list("household_id", flat=True).first()
    dibao = (Entitlement.objects.select_for_update().filter(still_paying, household_id=household_id,
                                                             programme_id=ProgrammeCode.DIBAO).order_by("id")
             if household_id else [])
    for e in dibao:
        covered = (e.covered_members or 1) - 1
        if covered < 1 or e.status != Entitlement.Status.ACTIVE:
            end(e, death_month)
            continue
        addon = min(covered, max(0, e.addon_members - (1 if _deceased_had_addon(person, date_of_death) else 0)))
        start = max(next_month, e.start_period)
        old_end = e.end_period
        end(e, rules.add_months(start, -1))
        successor = entitlement_create(
            programme=e.programme_id, variant=e.variant, household=e.household, payee_person=e.payee_person,
            payee_institution=e.payee_institution, per_capita_income=e.per_capita_income, covered_members=covered,
            addon_members=addon, start_period=start, end_period=old_end,
            reason=_("recomputed for %(n)s members after a death (%(source)s)") % {"n": covered, "source": source},
            # A month already paid to the household on the old size is recovered from the old line and
            # paid again on the new size by the next monthly run.
            source=e.source, user=user, back_pay_from=start)
        effect["opened"].append(successor.pk)
    return effect


@transaction.atomic
def entitlements_restore_after_death(*, effect: dict, source: str, user, reason: str) -> dict:
    """Undo `entitlements_end_for_death` (a death record deleted or its date corrected): the successors
    it opened stop before their first month, the entitlements it ended get back their end, status and
    reason. History rows name `source` and `reason`."""
    require_permission(user, "benefits.change_entitlement", what=_("change entitlements"))
    reason = _require_reason(reason)
    change_reason = f"death withdrawn {source}"
    for e in Entitlement.objects.select_for_update().filter(pk__in=effect.get("opened", [])).order_by("id"):
        e.end_period, e.status = rules.add_months(e.start_period, -1), Entitlement.Status.STOPPED
        e.reason = reason
        _save_with_reason(e, user=user, change_reason=change_reason, fields=["end_period", "status", "reason"])
    restored = 0
    for before in sorted(effect.get("ended", []), key=lambda row: row["id"]):
        e = Entitlement.objects.select_for_update().get(pk=before["id"])
        # The months the death took away may have had their runs meanwhile (paid to a successor, now
        # recovered): they are owed again.
        given_back = rules.add_months(e.end_period, 1)
        e.back_pay_from = min(filter(None, [e.back_pay_from, given_back]))
        e.end_period = datetime.date.fromisoformat(before["end_period"]) if before["end_period"] else None
        e.status, e.reason = before["status"], before["reason"]
        try:
            with transaction.atomic():
                _save_with_reason(e, user=user, change_reason=change_reason,
                                  fields=["end_period", "status", "reason", "back_pay_from"])
        except IntegrityError:
            raise ValidationError(_("Entitlement #%(id)s cannot be restored: another open %(programme)s entitlement "
                                    "exists for this beneficiary.") % {"id": e.pk, "programme": e.programme_id}) from None
        restored += 1
    return {"restored": restored, "voided": len(effect.get("opened", []))}


# --------------------------------------------------------------------------- set-based changes

# SQL expressions reserving the id an entitlement or grant will get, for a caller that records the id
# (e.g. on its own change rows) before handing the rows to entitlements_apply_changes.
NEXT_ENTITLEMENT_ID = "nextval(pg_get_serial_sequence('benefits_entitlement', 'id'))"
NEXT_GRANT_ID = "nextval(pg_get_serial_sequence('benefits_grant', 'id'))"
_TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _table_name(table: str) -> str:
    if not _TABLE_NAME.match(table):
        raise ValueError(f"{table!r} is not a table name")
    return table


def entitlement_changes_table(*, table: str = "benefits_changes") -> str:
    """Create (empty) the temporary table the caller fills with changes for
    `entitlements_apply_changes`; its columns are the contract (benefits/sql/changes_table.sql).
    Dropped at commit. Returns its name."""
    table = _table_name(table)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(sql.statement("changes_table", table=table))
    return table


def _history_insert(model, source: str, *, history_type: str, reason_sql: str, date_sql: str = "now()",
                    join: str = "") -> str:
    """INSERT of simple_history rows for the rows a CTE named `source` returned (`join`ed to what
    `date_sql` reads the history date from)."""
    history = model.history.model
    columns = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    cols = ", ".join(columns)
    selects = ", ".join(f"{source}.{c}" for c in columns)
    return (f"INSERT INTO {history._meta.db_table} ({cols}, history_date, history_change_reason, history_type,"
            f" history_user_id) SELECT {selects}, {date_sql}, {reason_sql}, '{history_type}', %(user_id)s"
            f" FROM {source}{join}")


def _insert_columns(model, values: dict[str, str]) -> tuple[str, str, dict]:
    """Column list and SELECT list for an INSERT … SELECT of `model`; columns other apps may add
    later get their python default, so the SQL keeps working when the model grows."""
    columns, exprs, params = [], [], {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in values:
            exprs.append(values[field.column])
        elif field.has_default():
            name = f"default_{field.column}"
            value = field.get_default()
            params[name] = Jsonb(value) if isinstance(value, dict | list) else value
            exprs.append(f"%({name})s")
        elif field.null:
            exprs.append("NULL")
        else:
            raise RuntimeError(f"{model.__name__}.{field.name} has no value in the set-based INSERT")
    return ", ".join(columns), ", ".join(exprs), params


def entitlements_apply_changes(*, table: str, user) -> dict:
    """Apply, set-based, the changes in `table` (made by entitlement_changes_table and filled by the
    caller): end entitlements, then open entitlements, then create grants; every write with its
    history row, attributed to `user` (SYSTEM for a job). Runs in the caller's transaction.

    Needs benefits.change_entitlement. Returns {"ended", "created", "grants"}: what was written; a
    row skipped (months already covered, a grant's source already used) writes nothing.
    """
    require_permission(user, "benefits.change_entitlement", what=_("change entitlements"))
    table = _table_name(table)
    acting = recorded_user(user)
    params = {"user_id": getattr(acting, "pk", None)}
    with transaction.atomic(), connection.cursor() as cursor:
        if (moment := moment_in_force()) is not None:
            cursor.execute(f"UPDATE {table} SET history_date = %s WHERE history_date IS NULL", [moment])
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(sql.statement("changes_end", table=table, history=_history_insert(
            Entitlement, "upd", history_type="~", reason_sql="upd.history_reason",
            date_sql="coalesce(upd.history_date, now())")), params)
        ended = cursor.rowcount

        columns, selects, defaults = _insert_columns(Entitlement, {
            "programme_id": "a.programme_id", "variant": "a.variant", "household_id": "a.household_id",
            "person_id": "a.person_id", "payee_person_id": "a.payee_person_id",
            "payee_institution_id": "a.payee_institution_id", "per_capita_income": "a.per_capita_income",
            "covered_members": "a.covered_members", "addon_members": "a.addon_members",
            "care_level": "a.care_level", "start_period": "a.period",
            "end_period": "a.end_period", "status": "'active'", "reason": "left(a.reason, 300)",
            "source": "left(a.source, 100)", "created_at": "now()", "updated_at": "now()",
        })
        cursor.execute(sql.statement("changes_open", table=table, columns=columns, selects=selects, history=(
            _history_insert(Entitlement, "ins", history_type="+", reason_sql="ins.source",
                            date_sql="coalesce(hd.history_date, now())",
                            join=f" LEFT JOIN {table} hd ON hd.op = 'open' AND hd.id = ins.id"))),
            {**params, **defaults})
        created = cursor.fetchone()[0]

        columns, selects, defaults = _insert_columns(Grant, {
            "programme_id": "a.programme_id", "variant": "a.variant", "household_id": "a.household_id",
            "person_id": "a.person_id", "payee_person_id": "a.payee_person_id", "payee_institution_id": "NULL",
            "payee_name": "left(a.payee_name, 100)", "payee_account": "left(a.payee_account, 19)",
            "payee_bank": "left(a.payee_bank, 50)", "amount": "a.amount",
            "period": "a.period", "status": "'pending'", "reason": "left(a.reason, 300)",
            "source": "left(a.source, 100)", "created_at": "now()",
        })
        cursor.execute(sql.statement("changes_grant", table=table, columns=columns, selects=selects, history=(
            _history_insert(Grant, "ins", history_type="+", reason_sql="ins.source",
                            date_sql="coalesce(hd.history_date, now())",
                            join=f" LEFT JOIN (SELECT DISTINCT ON (source) source, history_date FROM {table} WHERE op = 'grant'"
                                 " ORDER BY source, history_date) hd ON hd.source = ins.source"))),
            {**params, **defaults})
        grants = cursor.fetchone()[0]
    return {"ended": ended, "created": created, "grants": grants}


# --------------------------------------------------------------------------- grants


@transaction.atomic
def grant_create(*, programme, amount, period, household=None, person=None, payee_person=None,
                 payee_institution=None, payee_name: str = "", payee_account: str = "", payee_bank: str = "",
                 variant: str = "unified", reason: str = "", source: str = "", user=None) -> Grant:
    programme = _programme(programme)
    if programme.payment != Programme.Payment.ONE_OFF:
        raise ValidationError({"programme": _("%(programme)s is not a one-off programme.")
                               % {"programme": programme.code}})
    if household is None and person is None and not payee_name:
        # A named account (a funeral home, the family of an unregistered deceased) needs no registry row.
        raise ValidationError(_("A grant needs a beneficiary: a household or a person."))
    payees = sum(1 for p in (payee_person, payee_institution, payee_name or None) if p)
    if payees != 1:
        raise ValidationError(_("A grant is paid to exactly one payee: a person, a care institution or a named "
                                "account."))
    if payee_name and not re.fullmatch(r"\d{12,19}", payee_account or ""):
        raise ValidationError({"payee_account": _("A bank account number is 12 to 19 digits.")})
    grant = Grant(
        programme=programme, variant=variant or "unified", household=household, person=person,
        payee_person=payee_person, payee_institution=payee_institution, payee_name=payee_name,
        payee_account=payee_account, payee_bank=payee_bank,
        amount=money_input("amount", amount, label=_("The amount")),
        period=_period_field("period", period, label=_("The period")), reason=(reason or "")[:300],
        source=(source or "")[:100],
    )
    if grant.amount <= 0:
        raise ValidationError({"amount": _("A grant must be more than 0.00.")})
    grant._history_user = recorded_user(user)
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:
        raise ValidationError({"source": _("A grant for %(source)s already exists.") % {"source": source}}) from None
    return grant


@transaction.atomic
def grant_cancel(*, grant: Grant, user=None, reason: str) -> Grant:
    reason = _require_reason(reason)
    g = Grant.objects.select_for_update().get(pk=grant.pk)
    if g.status != Grant.Status.PENDING:
        raise ValidationError(_("Grant #%(id)s is %(status)s; only a pending grant can be cancelled.")
                              % {"id": g.pk, "status": g.get_status_display()})
    # The payment side (disbursement, a floor above) cancels the grant's unsent lines or refuses.
    for path in settings.GRANT_CANCEL_HOOKS:
        import_string(path)(grant=g, user=user, reason=reason)
    g.status, g.reason = Grant.Status.CANCELLED, reason
    g._history_user = recorded_user(user)
    g.save(update_fields=["status", "reason"])
    return g


GRANT_UPDATE_BATCH = 1000


@transaction.atomic
def grants_mark_paid(*, grant_ids, user, reason: str) -> int:
    """Pending grants whose payment the bank confirmed become paid (history reason `reason`).

    A consequence of the bank's answer: the caller has checked the right to import it; `user` (or
    SYSTEM) is recorded as the actor."""
    grants = list(Grant.objects.select_for_update().filter(pk__in=list(grant_ids), status=Grant.Status.PENDING)
                  .order_by("pk"))
    for grant in grants:
        grant.status = Grant.Status.PAID
    if grants:
        # In batches: one UPDATE … CASE over every grant compares each row with every id (广州's 53,060
        # funeral waivers in one bank return ran for over ten minutes).
        bulk_update_with_history(grants, Grant, ["status"], batch_size=GRANT_UPDATE_BATCH,
                                 default_change_reason=reason[:100], default_user=recorded_user(user))
    return len(grants)


def open_entitlement_programme(*, programmes: list[str], household_id=None, person_id=None) -> str | None:
    """The programme of an open entitlement of the household (or person) among `programmes`, or None."""
    qs = Entitlement.objects.filter(entitlement_open_q(), programme_id__in=programmes)
    if household_id:
        qs = qs.filter(household_id=household_id)
    if person_id:
        qs = qs.filter(person_id=person_id)
    return qs.values_list("programme_id", flat=True).first()


def open_entitlement_exists(*, programme: str, household_id=None, person_id=None) -> bool:
    return open_entitlement_programme(programmes=[programme], household_id=household_id,
                                      person_id=person_id) is not None

