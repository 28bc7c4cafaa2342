"""What social assistance shows on the workbench (settings.WORKBENCH_PANELS) and on a person's or a
household's page (settings.PERSON_STORY_PANELS); contracts in apps.core.registries.

Counts come from the scoped selectors, so a caseworker counts their own town only; every item links
to the admin list filtered the same way (the list applies the same town scope).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.core.registries import Panel, PanelItem, StoryPanel, StoryRow

from . import selectors

STEP_LABELS = {
    "accept": lambda: _("Waiting for acceptance (受理)"),
    "investigate": lambda: _("Waiting for the home visit (入户调查)"),
    "check": lambda: _("Waiting for the economic check (核对)"),
    "publicise": lambda: _("Waiting for publicity (公示)"),
}


def _changelist(model: str, query: str = "") -> str:
    url = reverse(f"bureau_admin:assistance_{model}_changelist")
    return f"{url}?{query}" if query else url


def _day(value) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def applications_panel(*, request) -> Panel | None:
    """Applications waiting for the next step, and publicity periods ending or over without a decision."""
    user = request.user
    if not user.has_perm("assistance.change_application"):
        return None
    today = timezone.localdate()
    waiting = selectors.applications_waiting_counts(user=user)
    items = [
        PanelItem(
            label=STEP_LABELS[action](),
            count=waiting[status],
            url=_changelist("application", f"status__exact={status}"),
            level="info",
        )
        for status, action in selectors.WAITING_STEPS
    ]
    publicity = selectors.publicity_counts(user=user, today=today)
    items.append(
        PanelItem(
            label=_("Publicity ends this week"),
            count=publicity["ending"],
            url=_changelist("application", "publicity=ending"),
            level="warning" if publicity["ending"] else "info",
        )
    )
    items.append(
        PanelItem(
            label=_("Publicity over, no decision yet"),
            count=publicity["ended"],
            url=_changelist("application", "publicity=ended"),
            level="danger" if publicity["ended"] else "info",
            note=_("Ready for 审批.") if user.has_perm("assistance.approve_application") else "",
        )
    )
    return Panel(key="assistance.applications", title=_("Applications waiting"), items=items, order=10)


def reviews_panel(*, request) -> Panel | None:
    user = request.user
    if not (user.has_perm("assistance.change_review") or user.has_perm("assistance.review_application")):
        return None
    counts = selectors.review_counts(user=user, today=timezone.localdate())
    items = [
        PanelItem(
            label=_("Reviews overdue"),
            count=counts["overdue"],
            url=_changelist("review", "overdue=yes"),
            level="danger" if counts["overdue"] else "info",
        ),
        PanelItem(
            label=_("Reviews due within 30 days"),
            count=counts["due_soon"],
            url=_changelist("review", "overdue=due30"),
            level="warning" if counts["due_soon"] else "info",
        ),
    ]
    return Panel(key="assistance.reviews", title=_("Reviews (复核) to do"), items=items, order=12)


# --------------------------------------------------------------------------- story panels


def lifecycle_label(state: str) -> str:
    return {"ended": _("publicity over, no decision"), "ending": _("publicity ends this week")}.get(state, "")


def applications_story(*, request, person=None, household=None) -> StoryPanel | None:
    if not request.user.has_perm("assistance.view_application"):
        return None
    today = timezone.localdate()
    rows = []
    for app in selectors.story_applications(user=request.user, person=person, household=household)[:50]:
        level, state = selectors.application_lifecycle(app, today)
        status = app.get_status_display()
        if state:
            status = f"{status} · {lifecycle_label(state)}"
        rows.append(
            StoryRow(
                cells=[f"#{app.pk}", app.get_programme_display(), status, _day(app.submitted_on), _day(app.decided_on)],
                url=reverse("bureau_admin:assistance_application_change", args=[app.pk]),
                level=level,
            )
        )
    return StoryPanel(
        key="assistance.applications",
        title=_("Applications"),
        order=10,
        columns=[_("number"), _("programme"), _("status"), _("submitted on"), _("decided on")],
        rows=rows,
        empty=_("No applications."),
    )


def reviews_story(*, request, person=None, household=None) -> StoryPanel | None:
    if not request.user.has_perm("assistance.view_review"):
        return None
    today = timezone.localdate()
    rows = []
    for review in selectors.story_reviews(user=request.user, person=person, household=household)[:30]:
        level = selectors.review_lifecycle(review, today)
        status = _("overdue") if level == "danger" else review.get_status_display()
        rows.append(
            StoryRow(
                cells=[_day(review.due_on), status, review.get_outcome_display() or "—", _day(review.completed_on)],
                url=reverse("bureau_admin:assistance_review_change", args=[review.pk]),
                level=level,
            )
        )
    return StoryPanel(
        key="assistance.reviews",
        title=_("Reviews (复核)"),
        order=30,
        columns=[_("due on"), _("status"), _("outcome"), _("completed on")],
        rows=rows,
        empty=_("No reviews."),
    )
