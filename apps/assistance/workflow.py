"""The application workflow of SPEC §4 in one place: the transition table and its guards.

申请 submitted → 受理 accept → 入户调查 investigate → 核对 check → 公示 publicise (7 calendar days,
objections) → 审批 approve / reject. `application_transition` is the only code that changes an
application's status; a refused transition raises ValidationError (or PermissionDenied) and writes
nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Application, ApplicationTransition
from .selectors import in_town

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
    from . import services  # the step effects live with the other writes

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

    effect = {
        Action.ACCEPT: services._on_accept,
        Action.INVESTIGATE: services._on_investigate,
        Action.CHECK: services._on_check,
        Action.PUBLICISE: services._on_publicise,
        Action.APPROVE: services._on_approve,
        Action.REJECT: services._on_reject,
    }[action]
    from_status = app.status
    effect(app, user=user, on=on, note=note)
    app.status = transition.target
    app._history_user = user
    app.save()
    ApplicationTransition.objects.create(application=app, action=action, from_status=from_status,
                                         to_status=app.status, user=user, on=on, note=note)
    return app
