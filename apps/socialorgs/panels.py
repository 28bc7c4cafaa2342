"""The workbench panel of the registry (settings.WORKBENCH_PANELS): annual reports still missing as
the deadline approaches, and organisations newly put on a list. Each item links to the admin list
it counts, filtered the same way."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.registries import Panel, PanelItem
from tenants.selectors import current_bureau

from . import rules, selectors
from .models import Listing

DEADLINE_WARNING_DAYS = 60
NEW_LISTING_DAYS = 7


def panel(*, request) -> Panel | None:
    return panel_for(user=request.user, today=timezone.localdate())


def panel_for(*, user, today: datetime.date) -> Panel | None:
    if not user.has_perm("socialorgs.view_socialorganisation"):
        return None
    deadline_mm_dd = current_bureau().annual_report_deadline
    items = []
    year = today.year - 1
    deadline = rules.report_deadline(year, deadline_mm_dd)
    if today <= deadline <= today + datetime.timedelta(days=DEADLINE_WARNING_DAYS):
        missing = (
            selectors.organisation_list(user=user, filters={"live": True})
            .filter(established_on__lt=datetime.date(year, 1, 1))
            .exclude(annual_reports__year=year)
            .count()
        )
        if missing:
            items.append(
                PanelItem(
                    label=_("%(n)d organisations have not reported on %(year)d; the deadline is %(date)s")
                    % {"n": missing, "year": year, "date": f"{deadline.year}年{deadline.month}月{deadline.day}日"},
                    count=missing,
                    level="warning",
                    url=reverse("bureau_admin:socialorgs_socialorganisation_changelist")
                    + "?"
                    + urlencode({"report_missing": year, "live": "yes"}),
                )
            )
    since = today - datetime.timedelta(days=NEW_LISTING_DAYS)
    for kind in Listing.Kind:
        new = selectors.listing_list(user=user).filter(kind=kind, listed_on__gte=since).count()
        if new:
            items.append(
                PanelItem(
                    label=_("%(n)d organisations put on the %(list)s in the last %(days)d days")
                    % {"n": new, "list": kind.label, "days": NEW_LISTING_DAYS},
                    count=new,
                    level="danger" if kind == Listing.Kind.DISHONEST else "warning",
                    url=reverse("bureau_admin:socialorgs_listing_changelist")
                    + "?"
                    + urlencode({"kind__exact": kind.value, "listed_on__gte": since.isoformat()}),
                )
            )
    if not items:
        return None
    return Panel(key="socialorgs.deadlines_and_lists", title=_("Social organisations"), items=items, order=20)
