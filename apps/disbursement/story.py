"""A person's or household's payments of the last 12 months, with the bank's result, on their page
(settings.PERSON_STORY_PANELS; contract in apps.core.registries).

Lines are found by the exactly-once key (period, line type, entitlement or grant id), the index every
run already keeps: no index on a beneficiary column is needed and the payment table is never scanned.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.benefits import rules
from apps.benefits.panels import story_entitlements_q
from apps.benefits.selectors import entitlement_list, grant_list
from apps.core.idcard import mask_account
from apps.core.money import format_yuan
from apps.core.registries import StoryPanel, StoryRow

from .models import PaymentLine
from .selectors import payment_line_list

STORY_MONTHS = 12
LEVELS = {PaymentLine.Status.FAILED: "danger", PaymentLine.Status.CANCELLED: "warning"}


def payments_story(*, request, person=None, household=None) -> StoryPanel | None:
    user = request.user
    if not user.has_perm("disbursement.view_paymentline"):
        return None
    beneficiary = story_entitlements_q(person=person, household=household)
    entitlement_ids = list(entitlement_list(user=user).filter(beneficiary).values_list("id", flat=True))
    grant_ids = list(grant_list(user=user).filter(beneficiary).values_list("id", flat=True))
    this_month = rules.first_of_month(timezone.localdate())
    periods = [rules.add_months(this_month, -i) for i in range(STORY_MONTHS)]
    rows = []
    if entitlement_ids or grant_ids:
        lines = (
            payment_line_list(user=user)
            .filter(
                Q(line_type__in=["regular", "arrears", "reissue"], key_ref__in=entitlement_ids)
                | Q(line_type="grant", key_ref__in=grant_ids),
                period__in=periods,
            )
            .select_related("run")
            .order_by("-period", "-id")[:100]
        )
        for line in lines:
            status = line.shown_status
            rows.append(
                StoryRow(
                    cells=[
                        date_format(line.period, "YEAR_MONTH_FORMAT"),
                        str(line.programme),
                        line.get_line_type_display(),
                        format_yuan(line.amount),
                        PaymentLine.Status(status).label,
                        line.failure_reason or "—",
                        mask_account(line.bank_account) if line.bank_account else "—",
                        date_format(line.posted_on, "DATE_FORMAT") if line.posted_on else "—",
                    ],
                    url=reverse("bureau_admin:disbursement_paymentline_change", args=[line.pk]),
                    level=LEVELS.get(status, ""),
                )
            )
    return StoryPanel(
        key="disbursement.payments",
        title=_("Payments of the last 12 months"),
        order=40,
        columns=[
            _("period"),
            _("programme"),
            _("line type"),
            _("amount"),
            _("bank result"),
            _("failure reason"),
            _("bank account"),
            _("posted on"),
        ],
        rows=rows,
        empty=_("No payments in the last 12 months."),
    )
