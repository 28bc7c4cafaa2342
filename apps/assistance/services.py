"""Writes for social assistance: applications and their investigation, objections, reviews (复核),
流浪乞讨救助 cases. Each service is one transaction; bad input raises ValidationError with a specific
message and writes nothing. Status changes, and what each step writes (the investigation results
and, on approval, the entitlements, grants and first review), are apps.assistance.workflow's;
this module imports from it, never the other way.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from apps.benefits import rules
from apps.benefits import services as benefits
from apps.benefits.models import Entitlement, Grant, ProgrammeCode
from apps.benefits.selectors import StandardBook
from apps.core.money import money_input
from apps.core.permissions import require_permission
from apps.core.scoping import user_town_id
from apps.people.models import Household, HouseholdMember, Person
from tenants.selectors import current_bureau

from .models import (
    HOUSEHOLD_PROGRAMMES,
    Application,
    ApplicationProgramme,
    ApplicationTransition,
    AssetCheck,
    CareAssessment,
    IncomeRecord,
    IncomeType,
    Objection,
    Review,
    RigidExpense,
    SupportMode,
    VagrantCase,
)
from .selectors import household_head, in_town
from .workflow import application_transition, publicity_end, review_schedule, temporary_cap_check

# Re-exported: callers import every write from here (the workflow owns the status changes).
__all__ = ["application_transition", "review_schedule", "temporary_cap_check"]


def _lock_application(application: Application) -> Application:
    return (Application.objects.select_for_update(of=("self",)).select_related("household", "person")
            .get(pk=application.pk))


def _editable_during_investigation(app: Application, user) -> None:
    if not in_town(user, app.town_id):
        raise ValidationError(_("Application #%(id)s is not in your town.") % {"id": app.pk})
    if app.status != Application.Status.ACCEPTED:
        raise ValidationError(_("Investigation records can be entered while application #%(id)s is accepted "
                                "(受理) and not yet investigated; it is %(status)s.")
                              % {"id": app.pk, "status": app.get_status_display()})


def _members(app: Application) -> list[int]:
    if app.household_id:
        return list(HouseholdMember.objects.filter(household_id=app.household_id).values_list("person_id", flat=True))
    return [app.person_id]


def _today() -> datetime.date:
    return datetime.date.today()


# --------------------------------------------------------------------------- applications


@transaction.atomic
def application_create(*, user, programme: str, household: Household | None = None, person: Person | None = None,
                       submitted_on: datetime.date | None = None, reason: str = "", support_mode: str = "",
                       care_institution=None, requested_amount=None) -> Application:
    """申请: an application in the town of its household (or person)."""
    require_permission(user, "assistance.add_application", what=_("take applications"))
    if programme not in ApplicationProgramme.values:
        raise ValidationError({"programme": _("%(programme)r is not a programme one applies for (%(programmes)s).")
                               % {"programme": programme, "programmes": ", ".join(ApplicationProgramme.values)}})
    submitted_on = submitted_on or _today()
    if submitted_on > _today():
        raise ValidationError({"submitted_on": _("The date %(on)s is in the future.") % {"on": submitted_on}})
    # Scoping first, so a caseworker learns nothing about a household of another town.
    if household is not None and not in_town(user, household.town_id):
        raise ValidationError({"household": _("No household #%(id)s in your town.") % {"id": household.pk}})
    if person is not None and not in_town(user, person.town_id):
        raise ValidationError({"person": _("No person #%(id)s in your town.") % {"id": person.pk}})

    if programme in HOUSEHOLD_PROGRAMMES:
        if household is None:
            raise ValidationError({"household": _("A %(programme)s application is made by a household.")
                                   % {"programme": programme}})
        person = person or household_head(household.pk)
        if person is None:
            raise ValidationError({"household": _("Household %(code)s has no living member.")
                                   % {"code": household.code}})
    elif programme == ApplicationProgramme.TEKUN:
        if person is None:
            raise ValidationError({"person": _("A 特困 application is made for a person.")})
        household = None
    elif household is None and person is None:
        raise ValidationError(_("Name the household or the person applying."))
    if person is not None and person.status != Person.Status.ALIVE:
        raise ValidationError({"person": _("%(name)s is recorded as deceased.") % {"name": person.name}})
    if household is not None and person is not None and not HouseholdMember.objects.filter(
            household=household, person=person).exists():
        raise ValidationError({"person": _("%(name)s is not a member of household %(code)s.")
                               % {"name": person.name, "code": household.code}})

    period = rules.first_of_month(submitted_on)
    if programme == ApplicationProgramme.TEKUN:
        conflict = benefits.dibao_tekun_conflict(programme=ProgrammeCode.TEKUN, person_id=person.pk,
                                                 start_period=period)
        if conflict:
            raise ValidationError({"person": conflict})
        if benefits.open_entitlement_exists(programme=ProgrammeCode.TEKUN, person_id=person.pk):
            raise ValidationError({"person": _("%(name)s already receives 特困 support.") % {"name": person.name}})
        if support_mode not in SupportMode.values:
            raise ValidationError({"support_mode": _("Choose 集中供养 (institutional) or 分散供养 (dispersed).")})
        if support_mode == SupportMode.INSTITUTIONAL and care_institution is None:
            raise ValidationError({"care_institution": _("集中供养 needs the care institution that is paid.")})
        if support_mode == SupportMode.DISPERSED:
            care_institution = None
    else:
        support_mode, care_institution = "", None
    if programme in HOUSEHOLD_PROGRAMMES:
        existing = benefits.open_entitlement_programme(
            programmes=[ProgrammeCode.DIBAO, ProgrammeCode.DIBAO_MARGINAL, ProgrammeCode.HARDSHIP_EXPENSE],
            household_id=household.pk)
        if existing:
            raise ValidationError({"household": _("Household %(code)s already has an open %(programme)s "
                                                  "entitlement; use a review (复核) instead.")
                                   % {"code": household.code, "programme": existing}})
        if programme == ApplicationProgramme.DIBAO:
            conflict = benefits.dibao_tekun_conflict(programme=ProgrammeCode.DIBAO, household_id=household.pk,
                                                     start_period=period)
            if conflict:
                raise ValidationError({"household": conflict})

    amount = None
    if programme == ApplicationProgramme.TEMPORARY:
        if requested_amount in (None, ""):
            raise ValidationError({"requested_amount": _("Give the amount requested.")})
        amount = money_input("requested_amount", requested_amount, label=_("The requested amount"))
        if amount <= 0:
            raise ValidationError({"requested_amount": _("The requested amount must be more than 0.00.")})
        temporary_cap_check(amount=amount, household=household, person=person, on=submitted_on)

    app = Application(programme=programme, household=household, person=person,
                      town_id=household.town_id if household else person.town_id, submitted_on=submitted_on,
                      reason=reason or "", support_mode=support_mode, care_institution=care_institution,
                      requested_amount=amount, created_by=user)
    app._history_user = user
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError:
        open_app = Application.objects.filter(
            programme=programme, status__in=Application.OPEN_STATUSES,
            **({"household": household} if household else {"person": person, "household__isnull": True})).first()
        raise ValidationError(_("There is already an open %(programme)s application (#%(id)s) for this "
                                "%(whom)s.") % {"programme": programme, "id": open_app.pk if open_app else "?",
                                                "whom": _("household") if household else _("person")}) from None
    ApplicationTransition.objects.create(application=app, action="submit", from_status="",
                                         to_status=app.status, user=user, on=submitted_on, note=reason or "")
    return app


@transaction.atomic
def income_record_set(*, application: Application, user, person: Person, income_type: str, monthly_amount,
                      note: str = "") -> IncomeRecord:
    """Record (or correct) one member's monthly income of one type during the investigation."""
    require_permission(user, "assistance.change_application", what=_("record income"))
    app = _lock_application(application)
    _editable_during_investigation(app, user)
    if income_type not in IncomeType.values:
        raise ValidationError({"income_type": _("%(type)r is not an income type.") % {"type": income_type}})
    amount = money_input("monthly_amount", monthly_amount, label=_("Income"))
    if person.pk not in _members(app):
        raise ValidationError({"person": _("%(name)s is not a member of the applying household.")
                               % {"name": person.name}})
    record, _created = IncomeRecord.objects.update_or_create(
        application=app, person=person, income_type=income_type,
        defaults={"monthly_amount": amount, "note": (note or "")[:200]},
    )
    return record


@transaction.atomic
def income_records_set(*, application: Application, user, records: list[dict]) -> list[IncomeRecord]:
    """Several members' incomes at once (the investigation form): all accepted, or none written.

    records: dicts with person, income_type, monthly_amount and optionally note; a (person, type)
    already recorded is replaced.
    """
    from simple_history.utils import bulk_create_with_history

    require_permission(user, "assistance.change_application", what=_("record income"))
    app = _lock_application(application)
    _editable_during_investigation(app, user)
    members = set(_members(app))
    rows, seen = [], set()
    for i, record in enumerate(records):
        person, kind = record["person"], record["income_type"]
        try:
            if kind not in IncomeType.values:
                raise ValidationError({"income_type": _("%(type)r is not an income type.") % {"type": kind}})
            amount = money_input("monthly_amount", record["monthly_amount"], label=_("Income"))
            if person.pk not in members:
                raise ValidationError({"person": _("%(name)s is not a member of the applying household.")
                                       % {"name": person.name}})
        except ValidationError as exc:
            raise ValidationError({f"records[{i}].{field}": msgs for field, msgs in exc.message_dict.items()}) from None
        if (person.pk, kind) in seen:
            raise ValidationError({f"records[{i}]": [_("%(name)s's %(type)s income is listed twice.")
                                                      % {"name": person.name, "type": kind}]})
        seen.add((person.pk, kind))
        rows.append(IncomeRecord(application=app, person=person, income_type=kind, monthly_amount=amount,
                                 note=(record.get("note") or "")[:200]))
    replaced = Q()
    for person_id, kind in seen:
        replaced |= Q(person_id=person_id, income_type=kind)
    if seen:
        IncomeRecord.objects.filter(replaced, application=app).delete()
    return bulk_create_with_history(rows, IncomeRecord, default_user=user) if rows else []


@transaction.atomic
def asset_check_record(*, application: Application, user, passed: bool, note: str = "",
                       on: datetime.date | None = None) -> AssetCheck:
    require_permission(user, "assistance.change_application", what=_("record the assets check"))
    app = _lock_application(application)
    _editable_during_investigation(app, user)
    if not isinstance(passed, bool):
        raise ValidationError({"passed": _("Say whether the assets test was passed (true or false).")})
    check, _created = AssetCheck.objects.update_or_create(
        application=app, defaults={"passed": passed, "note": note or "", "checked_on": on or _today(),
                                   "checked_by": user})
    return check


@transaction.atomic
def rigid_expense_add(*, application: Application, user, kind: str, amount, note: str = "") -> RigidExpense:
    require_permission(user, "assistance.change_application", what=_("record rigid expenses"))
    app = _lock_application(application)
    _editable_during_investigation(app, user)
    if kind not in RigidExpense.Kind.values:
        raise ValidationError({"kind": _("%(kind)r is not a kind of rigid expense.") % {"kind": kind}})
    return RigidExpense.objects.create(application=app, kind=kind,
                                       amount=money_input("amount", amount, label=_("The expense")), note=(note or "")[:200])


@transaction.atomic
def care_assessment_record(*, person: Person, user, on: datetime.date | None = None, application=None,
                           **tests: bool) -> CareAssessment:
    """Six daily-living tests (True = managed unaided) → 全自理 / 半失能 / 全失能."""
    require_permission(user, "assistance.change_application", what=_("record care assessments"))
    if not in_town(user, person.town_id):
        raise ValidationError({"person": _("No person #%(id)s in your town.") % {"id": person.pk}})
    missing = [t for t in rules.ADL_TESTS if not isinstance(tests.get(t), bool)]
    unknown = set(tests) - set(rules.ADL_TESTS)
    if unknown:
        raise ValidationError(_("Unknown daily-living tests: %(tests)s.") % {"tests": ", ".join(sorted(unknown))})
    if missing:
        raise ValidationError(_("Give the result (true = managed unaided) of: %(tests)s.")
                              % {"tests": ", ".join(missing)})
    failed = sum(1 for t in rules.ADL_TESTS if not tests[t])
    assessment = CareAssessment(person=person, application=application, assessed_on=on or _today(),
                                care_level=rules.care_level(failed), assessed_by=user, **tests)
    assessment._history_user = user
    assessment.save()
    return assessment


def application_results(application: Application) -> dict[str, list]:
    """What approval created: the entitlements and grants whose source is this application."""
    return {
        "entitlements": list(Entitlement.objects.filter(source=application.source_key).order_by("id")),
        "grants": list(Grant.objects.filter(source=application.source_key).order_by("id")),
    }


# --------------------------------------------------------------------------- objections


@transaction.atomic
def objection_file(*, application: Application, user, content: str, filed_on: datetime.date | None = None,
                   filed_by: str = "") -> Objection:
    """An objection during publicity (公示): from the day of posting to the seventh day."""
    require_permission(user, "assistance.change_application", what=_("record objections"))
    app = _lock_application(application)
    if not in_town(user, app.town_id):
        raise ValidationError(_("Application #%(id)s is not in your town.") % {"id": app.pk})
    filed_on = filed_on or _today()
    if app.status != Application.Status.PUBLICISED:
        raise ValidationError(_("Objections are filed during publicity; application #%(id)s is %(status)s.")
                              % {"id": app.pk, "status": app.get_status_display()})
    if not app.publicised_on <= filed_on <= publicity_end(app.publicised_on):
        raise ValidationError({"filed_on": _("Publicity ran from %(start)s to %(end)s; %(on)s is outside it.")
                               % {"start": app.publicised_on, "end": publicity_end(app.publicised_on), "on": filed_on}})
    if not (content or "").strip():
        raise ValidationError({"content": _("Write what the objection says.")})
    objection = Objection(application=app, filed_on=filed_on, filed_by=filed_by or "", content=content.strip())
    objection._history_user = user
    objection.save()
    return objection


@transaction.atomic
def objection_resolve(*, objection: Objection, user, upheld: bool, resolution: str,
                      on: datetime.date | None = None) -> Objection:
    require_permission(user, "assistance.review_application", what=_("resolve objections"))
    obj = Objection.objects.select_for_update().get(pk=objection.pk)
    if obj.status != Objection.Status.OPEN:
        raise ValidationError(_("This objection is already %(status)s.") % {"status": obj.get_status_display()})
    if not (resolution or "").strip():
        raise ValidationError({"resolution": _("Say how the objection was verified and resolved.")})
    obj.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    obj.resolution, obj.resolved_by, obj.resolved_on = resolution.strip(), user, on or _today()
    obj._history_user = user
    obj.save()
    return obj


# --------------------------------------------------------------------------- reviews (复核)


@transaction.atomic
def review_complete(*, review: Review, user, outcome: str, per_capita_income=None,
                    covered_members: int | None = None, addon_members: int | None = None, note: str = "",
                    on: datetime.date | None = None) -> Review:
    """Record a 复核 and apply its outcome from the next period; schedule the next one."""
    require_permission(user, "assistance.review_application", what=_("complete reviews"))
    review = Review.objects.select_for_update().select_related("entitlement", "household").get(pk=review.pk)
    if not in_town(user, review.town_id):
        raise ValidationError(_("Review #%(id)s is not in your town.") % {"id": review.pk})
    if review.status not in (Review.Status.SCHEDULED, Review.Status.OVERDUE):
        raise ValidationError(_("Review #%(id)s is %(status)s.") % {"id": review.pk,
                                                                     "status": review.get_status_display()})
    if outcome not in Review.Outcome.values:
        raise ValidationError({"outcome": _("%(outcome)r is not an outcome (%(outcomes)s).")
                               % {"outcome": outcome, "outcomes": ", ".join(Review.Outcome.values)}})
    on = on or _today()
    if on > _today():
        raise ValidationError({"on": _("The date %(on)s is in the future.") % {"on": on.isoformat()}})
    income = None if per_capita_income in (None, "") else money_input("per_capita_income", per_capita_income,
                                                                  label=_("The per-capita income"))
    entitlement = review.entitlement
    bureau = current_bureau()
    next_period = rules.add_months(rules.first_of_month(on), 1)
    book = StandardBook.load(bureau)
    standard = book.dibao(entitlement.variant, next_period)
    above = income is not None and standard is not None and income >= standard
    is_dibao = entitlement.programme_id == ProgrammeCode.DIBAO
    reason = note or _("review %(on)s") % {"on": on.isoformat()}
    new_entitlement = None

    if outcome in (Review.Outcome.UNCHANGED, Review.Outcome.AMOUNT_CHANGED) and above and is_dibao:
        raise ValidationError({"outcome": _(
            "The per-capita income found (%(income)s) is not below the standard (%(standard)s): choose a 渐退期 "
            "(phase-out) or stop.") % {"income": income, "standard": standard}})
    if outcome == Review.Outcome.AMOUNT_CHANGED:
        if income is None and covered_members is None and addon_members is None:
            raise ValidationError({"per_capita_income": _("Give the facts that changed (per-capita income, "
                                                          "covered or add-on members).")})
        new_entitlement = benefits.entitlement_change_facts(
            entitlement=entitlement, from_period=next_period, user=user, reason=reason, per_capita_income=income,
            covered_members=covered_members, addon_members=addon_members)
    elif outcome == Review.Outcome.PHASE_OUT:
        if not is_dibao:
            raise ValidationError({"outcome": _("A 渐退期 applies to dibao only; stop this entitlement instead.")})
        if income is None:
            raise ValidationError({"per_capita_income": _("Give the per-capita income found: a 渐退期 starts when it "
                                                          "is no longer below the standard.")})
        if not above:
            raise ValidationError({"outcome": _(
                "A 渐退期 starts when income exceeds the standard; %(income)s is below %(standard)s.")
                % {"income": income, "standard": standard}})
        months = bureau.phaseout_months
        if months == 0:
            benefits.entitlement_stop(entitlement=entitlement, user=user, reason=reason,
                                      end_period=rules.first_of_month(on))
        else:
            end = rules.phaseout_end(decided_on=on, months=months)
            benefits.entitlement_end(
                entitlement=entitlement, user=user, end_period=end,
                reason=_("渐退期 of %(months)s months until %(end)s: %(reason)s")
                % {"months": months, "end": end.strftime("%Y-%m"), "reason": reason})
    elif outcome == Review.Outcome.STOP:
        benefits.entitlement_stop(entitlement=entitlement, user=user, reason=reason,
                                  end_period=rules.first_of_month(on))

    review.status, review.outcome, review.completed_on, review.completed_by = (
        Review.Status.DONE, outcome, on, user)
    review.per_capita_income, review.note, review.new_entitlement = income, note or "", new_entitlement
    review._history_user = user
    review.save()
    if outcome in (Review.Outcome.UNCHANGED, Review.Outcome.AMOUNT_CHANGED):
        review_schedule(entitlement=new_entitlement or entitlement, after=on, bureau=bureau)
    return review


def reviews_overdue(*, today: datetime.date) -> dict:
    """Nightly step: cancel reviews of ended entitlements, mark the rest past due as overdue.

    Set-based (two UPDATEs); returns the overdue backlog per town for staff.
    """
    period = rules.first_of_month(today)
    with transaction.atomic():
        pending = Review.objects.filter(status__in=[Review.Status.SCHEDULED, Review.Status.OVERDUE])
        cancelled = pending.filter(
            ~Q(entitlement__status=Entitlement.Status.ACTIVE) | Q(entitlement__end_period__lt=period)
        ).update(status=Review.Status.CANCELLED)
        newly = Review.objects.filter(status=Review.Status.SCHEDULED, due_on__lt=today).update(
            status=Review.Status.OVERDUE)
        by_town = dict(Review.objects.filter(status=Review.Status.OVERDUE).values_list("town__name")
                       .annotate(n=Count("id")).order_by("town__name"))
    return {"overdue": sum(by_town.values()), "newly_overdue": newly, "cancelled": cancelled, "by_town": by_town}


# --------------------------------------------------------------------------- 流浪乞讨救助


@transaction.atomic
def vagrant_case_create(*, user, intake_on: datetime.date, town=None, person: Person | None = None, name: str = "",
                        gender: str = "", found_on_street: bool = False, services: list[str] | None = None,
                        cost=0, note: str = "") -> VagrantCase:
    require_permission(user, "assistance.add_vagrantcase", what=_("record vagrant cases"))
    if intake_on > _today():
        raise ValidationError({"intake_on": _("The intake date %(on)s is in the future.") % {"on": intake_on}})
    if town is not None and not in_town(user, town.pk):
        raise ValidationError({"town": _("You record cases of your own town only.")})
    confined = user_town_id(user)
    town_id = town.pk if town is not None else confined  # a town caseworker's case is their town's
    services = list(services or [])
    unknown = [s for s in services if s not in VagrantCase.Service.values]
    if unknown:
        raise ValidationError({"services": _("Unknown services: %(services)s.") % {"services": ", ".join(unknown)}})
    case = VagrantCase(town_id=town_id, person=person, name=name or (person.name if person else ""), gender=gender,
                       intake_on=intake_on, found_on_street=found_on_street, services=services,
                       cost=money_input("cost", cost, label=_("The cost")), note=note, created_by=user)
    case._history_user = user
    case.save()
    return case


@transaction.atomic
def vagrant_case_close(*, case: VagrantCase, user, outcome: str, closed_on: datetime.date | None = None,
                       cost=None, services: list[str] | None = None) -> VagrantCase:
    require_permission(user, "assistance.change_vagrantcase", what=_("close vagrant cases"))
    case = VagrantCase.objects.select_for_update().get(pk=case.pk)
    if case.outcome:
        raise ValidationError(_("This case was already closed (%(outcome)s).") % {"outcome": case.get_outcome_display()})
    if outcome not in VagrantCase.Outcome.values:
        raise ValidationError({"outcome": _("The outcome is one of %(outcomes)s.")
                               % {"outcomes": ", ".join(VagrantCase.Outcome.values)}})
    closed_on = closed_on or _today()
    if closed_on < case.intake_on:
        raise ValidationError({"closed_on": _("A case closes on or after its intake (%(on)s).") % {"on": case.intake_on}})
    case.outcome, case.closed_on = outcome, closed_on
    if cost is not None:
        case.cost = money_input("cost", cost, label=_("The cost"))
    if services is not None:
        case.services = list(services)
    case._history_user = user
    case.save()
    return case
