"""A person's or household's entitlements on their page (settings.PERSON_STORY_PANELS), with what
each pays this month."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.core.money import format_yuan
from apps.core.registries import StoryPanel, StoryRow
from apps.people.models import HouseholdMember

from . import rules
from .selectors import StandardBook, entitlement_list, grant_list


def _month(value) -> str:
    return date_format(value, "YEAR_MONTH_FORMAT") if value else "—"


def story_entitlements_q(*, person=None, household=None) -> Q:
    """Entitlements (or grants) of the person, paid to them, or of their household — ids resolved first,
    so each branch of the OR is an index lookup on the entitlement table (no join in the OR)."""
    if household is not None:
        member_ids = list(HouseholdMember.objects.filter(household=household).values_list("person_id", flat=True))
        return Q(household=household) | Q(person_id__in=member_ids)
    household_ids = list(HouseholdMember.objects.filter(person=person).values_list("household_id", flat=True))
    return Q(person=person) | Q(payee_person=person) | Q(household_id__in=household_ids)


def entitlements_story(*, request, person=None, household=None) -> StoryPanel | None:
    if not request.user.has_perm("benefits.view_entitlement"):
        return None
    period = rules.first_of_month(timezone.localdate())
    entitlements = list(
        entitlement_list(user=request.user)
        .filter(story_entitlements_q(person=person, household=household))
        .order_by("-start_period", "-id")[:50]
    )
    book = StandardBook.load() if entitlements else None
    rows = []
    for e in entitlements:
        # amount() is 0.00 for a month the entitlement does not pay: "—" says so more plainly.
        pays = rules.pays_in(status=e.status, start_period=e.start_period, end_period=e.end_period, period=period)
        amount = book.amount(e, period) if pays else None
        rows.append(
            StoryRow(
                cells=[
                    f"#{e.pk}",
                    str(e.programme),
                    e.get_status_display(),
                    _month(e.start_period),
                    _month(e.end_period),
                    format_yuan(amount) if amount is not None else "—",
                ],
                url=reverse("bureau_admin:benefits_entitlement_change", args=[e.pk]),
            )
        )
    return StoryPanel(
        key="benefits.entitlements",
        title=_("Entitlements"),
        order=20,
        columns=[_("number"), _("programme"), _("status"), _("first period"), _("last period"), _("this month")],
        rows=rows,
        empty=_("No entitlements."),
    )


def grants_story(*, request, person=None, household=None) -> StoryPanel | None:
    if not request.user.has_perm("benefits.view_grant"):
        return None
    grants = list(
        grant_list(user=request.user)
        .filter(story_entitlements_q(person=person, household=household))
        .order_by("-period", "-id")[:30]
    )
    if not grants:
        return None
    rows = [
        StoryRow(
            cells=[f"#{g.pk}", str(g.programme), g.get_status_display(), _month(g.period), format_yuan(g.amount)],
            url=reverse("bureau_admin:benefits_grant_change", args=[g.pk]),
        )
        for g in grants
    ]
    return StoryPanel(
        key="benefits.grants",
        title=_("One-off grants"),
        order=25,
        columns=[_("number"), _("programme"), _("status"), _("period"), _("amount")],
        rows=rows,
    )
