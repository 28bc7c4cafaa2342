"""What the people registry shows on the workbench and on a person's or household's page
(settings.WORKBENCH_PANELS and settings.PERSON_STORY_PANELS; contracts in apps.core.registries)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.core.registries import Panel, PanelItem, StoryPanel, StoryRow

from . import selectors

HISTORY_ROWS = 20
CHANGE_TYPES = {
    "+": lambda: pgettext("history", "created"),
    "~": lambda: pgettext("history", "changed"),
    "-": lambda: pgettext("history", "deleted"),
}


def certificates_panel(*, request) -> Panel | None:
    """Disability certificates expiring within 60 days: renewed in time, 两项补贴 goes on."""
    user = request.user
    if not user.has_perm("people.change_disabilitycertificate"):
        return None
    count = selectors.certificates_expiring_count(user=user, today=timezone.localdate())
    url = reverse("bureau_admin:people_disabilitycertificate_changelist") + "?expiring=60"
    return Panel(
        key="people.certificates",
        title=_("Disability certificates"),
        order=20,
        items=[
            PanelItem(label=_("Expiring within 60 days"), count=count, url=url, level="warning" if count else "info"),
        ],
    )


def history_story(*, request, person=None, household=None) -> StoryPanel | None:
    """The record's own change history: who changed it, when, and which fields."""
    record = person if person is not None else household
    model = type(record)
    if not request.user.has_perm(f"people.view_{model._meta.model_name}"):
        return None
    rows = []
    entries = list(
        record.history.select_related("history_user").order_by("-history_date", "-history_id")[: HISTORY_ROWS + 1]
    )
    for newer, older in zip(entries, entries[1:] + [None], strict=False):
        changed = ""
        if older is not None and newer.history_type == "~":
            names = [
                model._meta.get_field(c.field).verbose_name
                for c in newer.diff_against(older).changes
                if c.field in {f.name for f in model._meta.fields}
            ]
            changed = "、".join(str(n) for n in names)
        when = timezone.localtime(newer.history_date)
        rows.append(
            StoryRow(
                cells=[
                    date_format(when, "DATETIME_FORMAT"),
                    CHANGE_TYPES.get(newer.history_type, lambda: "")(),
                    newer.history_user.get_username() if newer.history_user else "—",
                    changed or "—",
                ]
            )
        )
    rows = rows[:HISTORY_ROWS]
    url = reverse(f"bureau_admin:people_{model._meta.model_name}_history", args=[record.pk])
    return StoryPanel(
        key="people.history",
        title=_("History"),
        order=90,
        columns=[_("when"), _("change"), _("by"), _("fields")],
        rows=rows,
        more_url=url,
        empty=_("No changes recorded."),
    )
