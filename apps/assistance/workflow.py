"""The application workflow of SPEC §4 in one place: the transition table, its guards and what
each step writes (`_on_<action>`: the investigation results; on approval the entitlements or grant,
through apps.benefits.services, and the first review).

申请 submitted → 受理 accept → 入户调查 investigate → 核对 check → 公示 publicise (7 calendar days,
objections) → 审批 approve / reject. `application_transition` is the only code that changes an
application's status; a refused transition raises ValidationError (or PermissionDenied) and writes
nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.benefits import rules
from apps.benefits import services as benefits
from apps.benefits.models import Entitlement, ProgrammeCode
from apps.benefits.selectors import StandardBook, class_variant
from tenants.selectors import current_bureau

from .models import (
    EXCLUDED_INCOME_TYPES,
    HOUSEHOLD_PROGRAMMES,
    Application,
    ApplicationProgramme,
    ApplicationTransition,
    AssetCheck,
    CareAssessment,
    Classification,
    IncomeRecord,
    Objection,
    Review,
    RigidExpense,
    SupportMode,
)
from .selectors import household_head, in_town, member_facts

S = Application.Status
PUBLICITY_DAYS = 7  # 公示 lasts seven calendar days, the day of posting included


class Action:
    ACCEPT = "accept"
    INVESTIGATE = "investigate"
    CHECK = "check"
    PUBLICISE = "publicise"
    APPROVE = "approve"
    REJECT = "reject"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    permission: str
    label: str


# Caseworkers (own town only) and reviewers carry the first four; approval and rejection are the
# bureau approver's (审批). Rejection is possible at any open step: an applicant found ineligible at
# the check is not publicised.
TRANSITIONS: dict[str, Transition] = {t.action: t for t in [
    Transition(Action.ACCEPT, (S.SUBMITTED,), S.ACCEPTED, "assistance.change_application", gettext_lazy("受理 accept")),
    Transition(Action.INVESTIGATE, (S.ACCEPTED,), S.INVESTIGATED, "assistance.change_application",
               gettext_lazy("入户调查 investigation done")),
    Transition(Action.CHECK, (S.INVESTIGATED,), S.CHECKED, "assistance.change_application",
               gettext_lazy("核对 economic check done")),
    Transition(Action.PUBLICISE, (S.CHECKED,), S.PUBLICISED, "assistance.change_application",
               gettext_lazy("公示 publicise")),
    Transition(Action.APPROVE, (S.PUBLICISED,), S.APPROVED, "assistance.approve_application",
               gettext_lazy("审批 approve")),
    Transition(Action.REJECT, (S.SUBMITTED, S.ACCEPTED, S.INVESTIGATED, S.CHECKED, S.PUBLICISED), S.REJECTED,
               "assistance.approve_application", gettext_lazy("审批 reject")),
]}


def available_actions(application: Application, user=None) -> list[str]:
    """Actions whose source state matches (and, given a user, whose permission the user holds)."""
    return [t.action for t in TRANSITIONS.values()
            if application.status in t.sources and (user is None or user.has_perm(t.permission))]


def publicity_end(publicised_on: datetime.date) -> datetime.date:
    """The last day of publicity: posted on the 1st, it runs to the 7th; approval from the 8th."""
    return publicised_on + datetime.timedelta(days=PUBLICITY_DAYS - 1)


def _last_step_date(app: Application) -> datetime.date:
    """The date of the latest step so far (each step records its date on the application)."""
    return max(d for d in (app.submitted_on, app.accepted_on, app.investigated_on, app.checked_on,
                           app.publicised_on, app.decided_on) if d is not None)


@transaction.atomic
def application_transition(*, application: Application, action: str, user, note: str = "",
                           on: datetime.date | None = None) -> Application:
    """Move the application by `action`, as `user`, dated `on` (default today); refuse illegally.

    `on` records when the step happened (a caseworker may enter a home visit made yesterday); it may
    not be in the future or before the previous step.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError({"action": _("Unknown action %(action)r; the actions are %(actions)s.")
                               % {"action": action, "actions": ", ".join(TRANSITIONS)}})
    app = (Application.objects.select_for_update(of=("self",)).select_related("household", "person", "town")
           .get(pk=application.pk))
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Log in to change an application."))
    if not in_town(user, app.town_id):
        raise ValidationError(_("Application #%(id)s is not in your town.") % {"id": app.pk})
    if not user.has_perm(transition.permission):
        raise PermissionDenied(_("You may not %(action)s an application: that needs the permission %(permission)s.")
                               % {"action": action, "permission": transition.permission})
    if app.status not in transition.sources:
        allowed = ", ".join(available_actions(app)) or _("none (the application is closed)")
        raise ValidationError({"action": _(
            "Cannot %(action)s application #%(id)s: it is %(status)s. Possible now: %(allowed)s.")
            % {"action": action, "id": app.pk, "status": app.get_status_display(), "allowed": allowed}})
    today = datetime.date.today()
    on = on or today
    if on > today:
        raise ValidationError({"on": _("The date %(on)s is in the future.") % {"on": on.isoformat()}})
    previous = _last_step_date(app)
    if on < previous:
        raise ValidationError({"on": _("The date %(on)s is before the previous step (%(previous)s).")
                               % {"on": on.isoformat(), "previous": previous.isoformat()}})
    note = (note or "").strip()

    effect = STEP_EFFECTS[action]
    from_status = app.status
    effect(app, user=user, on=on, note=note)
    app.status = transition.target
    app._history_user = user
    app.save()
    ApplicationTransition.objects.create(application=app, action=action, from_status=from_status,
                                         to_status=app.status, user=user, on=on, note=note)
    return app


# --------------------------------------------------------------------------- what each step writes


def temporary_cap_check(*, amount: Decimal, household, person, on: datetime.date) -> Decimal:
    """The 临时救助 cap on `on`; refuses an amount above it."""
    bureau = current_bureau()
    hukou_class = household.hukou_class if household else person.hukou_class
    standard = StandardBook.load(bureau).dibao(hukou_class, on)
    if standard is None:
        raise ValidationError(_("No dibao standard is in force on %(on)s; the 临时救助 cap cannot be computed.")
                              % {"on": on.isoformat()})
    cap = rules.temporary_cap(dibao_standard=standard, multiple=bureau.temporary_cap_multiple)
    if amount > cap:
        raise ValidationError({"requested_amount": _(
            "%(amount)s is above the 临时救助 cap of %(cap)s (%(multiple)s × the dibao standard %(standard)s).")
            % {"amount": amount, "cap": cap, "multiple": bureau.temporary_cap_multiple.normalize(),
               "standard": standard}})
    return cap


def _review_interval(*, entitlement: Entitlement, stable: bool, bureau) -> int:
    if entitlement.programme_id == ProgrammeCode.DIBAO:
        return bureau.review_months_stable if stable else bureau.review_months_other
    return bureau.review_months_marginal


def review_schedule(*, entitlement: Entitlement, after: datetime.date, bureau=None) -> Review:
    """The next review of a household entitlement, `after` the approval or the last review."""
    bureau = bureau or current_bureau()
    stable = rules.household_is_stable([f for _p, f in member_facts(household_id=entitlement.household_id, on=after)],
                                       on=after)
    months = _review_interval(entitlement=entitlement, stable=stable, bureau=bureau)
    return Review.objects.create(entitlement=entitlement, household=entitlement.household,
                                 town_id=entitlement.household.town_id, stable=stable,
                                 due_on=rules.review_due(last=after, months=months))




def _on_accept(app: Application, *, user, on, note) -> None:
    app.accepted_on = on


def _counted_income(app: Application) -> Decimal:
    total = (IncomeRecord.objects.filter(application=app).exclude(income_type__in=EXCLUDED_INCOME_TYPES)
             .aggregate(total=Sum("monthly_amount"))["total"])
    return rules.money(total or 0)


def _on_investigate(app: Application, *, user, on, note) -> None:
    needs_assets = app.programme in HOUSEHOLD_PROGRAMMES or app.programme == ApplicationProgramme.TEKUN
    if needs_assets and not AssetCheck.objects.filter(application=app).exists():
        raise ValidationError(_("Record the assets check before closing the investigation."))
    if app.household_id:
        members = member_facts(household_id=app.household_id, on=on)
        if not members:
            raise ValidationError(_("Household %(code)s has no living member.") % {"code": app.household.code})
        household = app.household
        app.household_size = len(members)
        app.addon_members = rules.addon_count([f for _p, f in members], on=on,
                                              single_parent=household.single_parent)
    else:
        app.household_size = 1
        app.addon_members = 0
    app.total_income = _counted_income(app)
    app.per_capita_income = rules.per_capita(app.total_income, app.household_size)
    if app.programme == ApplicationProgramme.TEKUN:
        assessment = CareAssessment.objects.filter(person_id=app.person_id, assessed_on__lte=on).order_by(
            "-assessed_on", "-id").first()
        if assessment is None:
            raise ValidationError(_("Record the care assessment (six daily-living tests) of %(name)s first.")
                                  % {"name": app.person.name})
        app.care_level = assessment.care_level
    app.investigated_by = user
    app.investigated_on = on


def _on_check(app: Application, *, user, on, note) -> None:
    bureau = current_bureau()
    book = StandardBook.load(bureau)
    if app.programme in HOUSEHOLD_PROGRAMMES:
        standard = book.dibao(app.household.hukou_class, on)
        if standard is None:
            raise ValidationError(_("No dibao standard is in force on %(on)s.") % {"on": on.isoformat()})
        rigid = RigidExpense.objects.filter(application=app).aggregate(total=Sum("amount"))["total"] or Decimal(0)
        result = rules.classify_household(
            per_capita_income=app.per_capita_income, standard=standard,
            marginal_multiple=bureau.marginal_income_multiple, assets_passed=app.asset_check.passed,
            members=app.household_size, rigid_expenses_12_months=rigid)
        app.standard = standard
        app.classification, app.classification_reason = result.kind, result.reason[:300]
    elif app.programme == ApplicationProgramme.TEKUN:
        app.standard = book.tekun_basic(class_variant(programme=ProgrammeCode.TEKUN,
                                                      hukou_class=app.person.hukou_class), on)
        if not app.asset_check.passed:
            app.classification, app.classification_reason = Classification.NOT_ELIGIBLE, "the assets test was not passed"
        else:
            app.classification, app.classification_reason = "", ""
    elif app.programme == ApplicationProgramme.TEMPORARY:
        temporary_cap_check(amount=app.requested_amount, household=app.household, person=app.person, on=on)
    app.checked_on = on


def _on_publicise(app: Application, *, user, on, note) -> None:
    if app.classification == Classification.NOT_ELIGIBLE:
        raise ValidationError(_("Application #%(id)s is not eligible (%(reason)s); reject it instead of "
                                "publicising it.") % {"id": app.pk, "reason": app.classification_reason})
    app.publicised_on = on


def _on_approve(app: Application, *, user, on, note) -> None:
    if app.investigated_by_id == user.pk:
        raise ValidationError(_("%(user)s investigated application #%(id)s and may not also approve it; another "
                                "approver must decide.") % {"user": user.get_username(), "id": app.pk})
    last_day = publicity_end(app.publicised_on)
    if on <= last_day:
        raise ValidationError(_("Publicity of application #%(id)s runs until %(end)s; it can be approved from "
                                "%(from)s.") % {"id": app.pk, "end": last_day.isoformat(),
                                                 "from": (last_day + datetime.timedelta(days=1)).isoformat()})
    objections = dict(app.objections.values_list("status").annotate(n=Count("id")))
    if objections.get(Objection.Status.OPEN):
        raise ValidationError(_("%(n)s objection(s) to application #%(id)s are still open; resolve them first.")
                              % {"n": objections[Objection.Status.OPEN], "id": app.pk})
    if objections.get(Objection.Status.UPHELD):
        raise ValidationError(_("An objection to application #%(id)s was upheld; the application can only be "
                                "rejected.") % {"id": app.pk})
    app.decided_on, app.decided_by, app.decision_note = on, user, note
    start = rules.add_months(rules.first_of_month(on), 1)
    if app.programme in HOUSEHOLD_PROGRAMMES:
        _grant_household(app, user=user, on=on, start=start)
    elif app.programme == ApplicationProgramme.TEKUN:
        _grant_tekun(app, user=user, start=start)
    elif app.programme == ApplicationProgramme.TEMPORARY:
        temporary_cap_check(amount=app.requested_amount, household=app.household, person=app.person, on=on)
        payee = app.person or household_head(app.household_id)
        benefits.grant_create(programme=ProgrammeCode.TEMPORARY, amount=app.requested_amount, period=start,
                              household=app.household, person=app.person, payee_person=payee,
                              reason=note or app.reason, source=app.source_key, user=user)


def _grant_household(app: Application, *, user, on, start) -> None:
    programme = app.classification
    if programme not in (Classification.DIBAO, Classification.DIBAO_MARGINAL, Classification.HARDSHIP_EXPENSE):
        raise ValidationError(_("Application #%(id)s is not eligible (%(reason)s).")
                              % {"id": app.pk, "reason": app.classification_reason})
    payee = household_head(app.household_id) or app.person
    variant = class_variant(programme=ProgrammeCode.DIBAO, hukou_class=app.household.hukou_class,
                            book=StandardBook.load())
    entitlement = benefits.entitlement_create(
        programme=programme, variant=variant,
        household=app.household, payee_person=payee, per_capita_income=app.per_capita_income,
        covered_members=app.household_size,
        addon_members=app.addon_members if programme == Classification.DIBAO else 0,
        start_period=start, reason=_("approved %(on)s") % {"on": on.isoformat()}, source=app.source_key, user=user,
    )
    review_schedule(entitlement=entitlement, after=on)


def _grant_tekun(app: Application, *, user, start) -> None:
    person = app.person
    payee = {"payee_institution": app.care_institution} if app.support_mode == SupportMode.INSTITUTIONAL \
        else {"payee_person": person}
    reason = app.get_support_mode_display()
    benefits.entitlement_create(
        programme=ProgrammeCode.TEKUN, variant=class_variant(programme=ProgrammeCode.TEKUN,
                                                              hukou_class=person.hukou_class),
        person=person, start_period=start, reason=reason, source=app.source_key, user=user, **payee)
    benefits.entitlement_create(
        programme=ProgrammeCode.TEKUN_CARE, variant=app.care_level, care_level=app.care_level, person=person,
        start_period=start, reason=reason, source=app.source_key, user=user, **payee)


def _on_reject(app: Application, *, user, on, note) -> None:
    if not note:
        raise ValidationError({"note": _("Give the reason for the rejection.")})
    app.decided_on, app.decided_by, app.decision_note = on, user, note


STEP_EFFECTS = {
    Action.ACCEPT: _on_accept,
    Action.INVESTIGATE: _on_investigate,
    Action.CHECK: _on_check,
    Action.PUBLICISE: _on_publicise,
    Action.APPROVE: _on_approve,
    Action.REJECT: _on_reject,
}
