"""The workbench panel of burial (settings.WORKBENCH_PANELS): deaths recorded this week."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.permissions import may
from apps.core.registries import Panel, PanelItem

from . import selectors


def deaths_this_week(*, request) -> Panel | None:
    """Deaths recorded in the last 7 days: how many stopped benefits (the recoveries are disbursement's list)."""
    user = request.user
    if not may(user, "burial.view_deathrecord"):
        return None
    since = timezone.now() - datetime.timedelta(days=7)
    deaths = selectors.deaths_recorded_since(user=user, since=since)
    total = deaths.count()
    if not total:
        return None
    stopped = deaths.exclude(benefits_effect={}).count()
    url = "/admin/burial/deathrecord/"  # the bureau admin's list (a bureau host's URLs, whatever the urlconf here)
    return Panel(
        key="burial.deaths_this_week",
        title=_("Deaths recorded this week"),
        order=20,
        items=[
            PanelItem(label=_("deaths recorded"), count=total, url=url),
            PanelItem(
                label=_("whose benefits were stopped (recoveries opened for months already paid)"),
                count=stopped,
                url=f"{url}?benefits=stopped",
                level="warning" if stopped else "info",
            ),
        ],
    )
