"""Writes of the pensions app: registries, child-welfare records, bracket standards, and the
eligibility engine with the confirmation of what it found.

The engine (`eligibility_run`) proposes; a change does nothing to an entitlement until it is
confirmed — at once when the bureau sets auto_confirm_eligibility, else by staff holding
pensions.confirm_eligibilitychange (`eligibility_changes_confirm`). Confirmation applies it.
"""

from __future__ import annotations

import datetime
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from apps.benefits import services as benefits
from apps.benefits.models import Standard
from apps.core.permissions import recorded_user
from apps.core.scoping import scope_to_town
from apps.people.models import CareInstitution, Person, Town
from tenants.selectors import current_bureau

from . import engine, rules
from .models import ChildWelfareRecord, EligibilityChange, EligibilityRun, MealSite
from .selectors import grant_specs, longevity_brackets

# --------------------------------------------------------------------------- registries


def _validated_save(instance):
    """full_clean names every bad field (nursing beds above beds, a star rating of 6, ...)."""
    instance.full_clean()
    instance.save()
    return instance


def _meals(value) -> int:
    try:
        meals = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"meals_per_month": _("Meals served per month is a whole number.")}) from None
    if meals < 0:
        raise ValidationError({"meals_per_month": _(
            "Meals served per month cannot be negative (%(value)d).") % {"value": meals}})
    return meals


@transaction.atomic
def meal_site_create(*, name: str, town: Town, kind: str = MealSite.Kind.ELDER_CANTEEN, star_rating: int | None = None,
                     meals_per_month=0) -> MealSite:
    return _validated_save(MealSite(name=name, town=town, kind=kind, star_rating=star_rating,
                                    meals_per_month=_meals(meals_per_month)))


@transaction.atomic
def meal_site_update(*, site: MealSite, **fields) -> MealSite:
    if "meals_per_month" in fields:
        fields["meals_per_month"] = _meals(fields["meals_per_month"])
    for name, value in fields.items():
        setattr(site, name, value)
    return _validated_save(site)


# --------------------------------------------------------------------------- child welfare


def child_welfare_record_check(record: ChildWelfareRecord) -> None:
    """The checks of a record before it is written (the admin form runs them too)."""
    errors = {}
    person = record.person
    if record.since and rules.age_on(person.birth_date, record.since) >= rules.ADULT_AGE:
        errors["since"] = _("%(name)s was already 18 on %(date)s; the record is for children.") % {
            "name": person.name, "date": record.since.isoformat()}
    if record.ended_on and record.since and record.ended_on < record.since:
        errors["ended_on"] = _("The record ends on %(end)s, before it starts on %(start)s.") % {
            "end": record.ended_on.isoformat(), "start": record.since.isoformat()}
    if record.guardian_id and record.guardian_id == record.person_id:
        errors["guardian"] = _("A child cannot be their own guardian.")
    if record.institution_id and record.placement != ChildWelfareRecord.Placement.INSTITUTIONAL:
        errors["institution"] = _("Only a child in 集中养育 is paid through an institution.")
    if not record.ended_on:
        open_records = ChildWelfareRecord.objects.filter(person_id=record.person_id, ended_on__isnull=True)
        if record.pk:
            open_records = open_records.exclude(pk=record.pk)
        if open_records.exists():
            errors["person"] = _("%(name)s already has an open child-welfare record; end it first.") % {
                "name": person.name}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def child_welfare_record_create(*, person: Person, kind: str, placement: str, since: datetime.date,
                                ended_on: datetime.date | None = None, end_reason: str = "",
                                institution: CareInstitution | None = None, guardian: Person | None = None,
                                note: str = "") -> ChildWelfareRecord:
    """A record, open or (when typed in after the fact) already ended."""
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one open record per child, even when raced
    record = ChildWelfareRecord(person=person, kind=kind, placement=placement, since=since, ended_on=ended_on,
                                end_reason=end_reason, institution=institution, guardian=guardian, note=note)
    child_welfare_record_check(record)
    return _validated_save(record)


@transaction.atomic
def child_welfare_record_update(*, record: ChildWelfareRecord, **fields) -> ChildWelfareRecord:
    for name, value in fields.items():
        setattr(record, name, value)
    child_welfare_record_check(record)
    return _validated_save(record)


# --------------------------------------------------------------------------- 高龄津贴 bracket standards


@transaction.atomic
def longevity_standard_save(*, user, variant: str, amount, effective_from: datetime.date,
                            unit: str = Standard.Unit.MONTH, source: str = "", pk: int | None = None) -> Standard:
    """Create or change a 高龄津贴 standard through benefits (its one writer, which checks `user`'s
    permission); refused when the bureau's bracket table would have a gap or an overlap (the whole
    table is checked, with the change in it)."""
    variant = (variant or "").strip()
    rows = Standard.objects.select_for_update().filter(programme_id="longevity")
    variants = set(rows.exclude(pk=pk).values_list("variant", flat=True)) if pk else set(
        rows.values_list("variant", flat=True))
    try:
        rules.check_brackets(variants | {variant})
    except ValidationError as exc:
        raise ValidationError({"variant": exc.messages}) from None
    values = {"variant": variant, "amount": amount, "unit": unit, "effective_from": effective_from, "source": source}
    if pk:
        standard = Standard.objects.get(pk=pk, programme_id="longevity")
        return benefits.standard_update(user=user, standard=standard, **values)
    return benefits.standard_create(user=user, programme="longevity", **values)


# --------------------------------------------------------------------------- the eligibility engine


def _lock() -> None:
    # One engine run or confirmation at a time per bureau: a confirmation must not apply a change
    # the engine is superseding, and two runs must not both insert.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':pensions.eligibility'))")


def _reason_labels() -> dict[str, str]:
    from django.conf import settings

    with override(settings.LANGUAGE_CODE):
        return {code: str(label) for code, label in EligibilityChange.Reason.choices}


@transaction.atomic
def eligibility_run(*, today: datetime.date, user, confirm: bool | None = None,
                    run: EligibilityRun | None = None) -> EligibilityRun:
    """政策主动找人: find everyone newly eligible, move brackets, end what no longer applies.

    One set-based pass; writes an EligibilityChange per change, confirmed at once when `confirm`
    (default: the bureau's auto_confirm_eligibility) and then applied. A second run with the same
    facts finds nothing new. `user` is who runs it: SYSTEM for the nightly step, the Celery task and
    the command; a confirmed change is applied as that user (benefits checks the permission).
    """
    started = time.monotonic()
    bureau = current_bureau()
    auto = bureau.auto_confirm_eligibility if confirm is None else confirm
    _lock()
    if run is None:
        run = EligibilityRun(today=today, triggered_by=recorded_user(user))
    run.auto_confirm, run.status, run.started_at = auto, EligibilityRun.Status.RUNNING, timezone.now()
    run.save()

    warnings: list[str] = []
    programmes = list(engine.PROGRAMMES)
    try:
        brackets = longevity_brackets()
    except ValidationError as exc:
        # A broken table must not stop everyone's allowance: longevity is left as it is tonight.
        brackets = []
        programmes.remove("longevity")
        warnings.append(_("高龄津贴 skipped: %(problems)s") % {"problems": " ".join(exc.messages)})
    timings: dict[str, float] = {}
    clock = [started]

    def lap(name: str) -> None:
        now = time.monotonic()
        timings[name], clock[0] = round(now - clock[0], 2), now

    with connection.cursor() as cursor:
        eng = engine.Engine(cursor, today=today, programmes=tuple(programmes))
        eng.build(brackets=brackets)
        lap("facts")
        eng.propose(grants=grant_specs(today=today) if "longevity" in programmes else [])
        lap("proposals")
        superseded = engine.supersede_stale(cursor)
        inserted = engine.insert_changes(cursor, run_id=run.pk, confirmed=auto)
        lap("record")
        applied = {}
        if auto and inserted:
            applied = engine.apply_changes(cursor, change_ids=[row[0] for row in inserted], user=user,
                                           reasons=_reason_labels())
        lap("apply")
    counts: dict[str, dict[str, int]] = {}
    for _id, programme, action in inserted:
        counts.setdefault(programme, {}).setdefault(action, 0)
        counts[programme][action] += 1
    run.summary = {
        "today": today.isoformat(), "auto_confirm": auto, "changes": len(inserted), "by_programme": counts,
        "superseded": superseded, "applied": applied, "warnings": warnings,
        "seconds": round(time.monotonic() - started, 2), "timings": timings,
    }
    run.status, run.finished_at = EligibilityRun.Status.SUCCEEDED, timezone.now()
    run.save()
    return run


def _decidable(*, change_ids, user):
    if not user.has_perm("pensions.confirm_eligibilitychange"):
        raise PermissionDenied(_("Confirming or rejecting eligibility changes needs the approver's permission."))
    ids = sorted({int(i) for i in change_ids})
    if not ids:
        raise ValidationError({"ids": _("Name at least one change.")})
    changes = scope_to_town(EligibilityChange.objects.filter(pk__in=ids), user, "person__town")
    found = dict(changes.values_list("pk", "status"))
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({"ids": _("No eligibility change %(ids)s.") % {"ids": ", ".join(map(str, missing))}})
    decided = [i for i in ids if found[i] != EligibilityChange.Status.PENDING]
    if decided:
        raise ValidationError({"ids": _("Change %(ids)s is no longer pending.") % {
            "ids": ", ".join(f"{i} ({found[i]})" for i in decided)}})
    return ids


@transaction.atomic
def eligibility_changes_confirm(*, change_ids, user, note: str = "") -> dict:
    """Confirm pending changes and apply them: entitlements start, move or end; grants are created."""
    _lock()
    ids = _decidable(change_ids=change_ids, user=user)
    # The status test in the UPDATE makes a double click confirm (and apply) once.
    confirmed = list(EligibilityChange.objects.filter(pk__in=ids, status=EligibilityChange.Status.PENDING)
                     .values_list("pk", flat=True))
    EligibilityChange.objects.filter(pk__in=confirmed).update(
        status=EligibilityChange.Status.CONFIRMED, decided_by=user, decided_at=timezone.now(), note=note[:300])
    with connection.cursor() as cursor:
        applied = engine.apply_changes(cursor, change_ids=confirmed, user=user, reasons=_reason_labels())
    return {"confirmed": len(confirmed), **applied}


@transaction.atomic
def eligibility_changes_reject(*, change_ids, user, note: str = "") -> dict:
    """Reject pending changes; the engine will not propose the same change again."""
    _lock()
    ids = _decidable(change_ids=change_ids, user=user)
    if not note.strip():
        raise ValidationError({"note": _("Say why the change is rejected.")})
    rejected = EligibilityChange.objects.filter(pk__in=ids, status=EligibilityChange.Status.PENDING).update(
        status=EligibilityChange.Status.REJECTED, decided_by=user, decided_at=timezone.now(), note=note[:300])
    return {"rejected": rejected}
