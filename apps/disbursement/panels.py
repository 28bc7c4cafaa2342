"""The finance workbench panel (settings.WORKBENCH_PANELS): this month's run, runs waiting for approval,
lines held for a missing account and failed lines to re-issue, each linking to the filtered list."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.benefits.rules import first_of_month
from apps.core.registries import Panel, PanelItem

from . import selectors
from .models import PaymentLine, PaymentRun


def payments_panel(*, request) -> Panel | None:
    user = request.user
    may_start = user.has_perm("disbursement.start_paymentrun")
    may_approve = user.has_perm("disbursement.approve_paymentrun")
    if not (may_start or may_approve):
        return None
    month = first_of_month(timezone.localdate())
    runs = reverse("bureau_admin:disbursement_paymentrun_changelist")
    lines = reverse("bureau_admin:disbursement_paymentline_changelist")
    items = []
    run = PaymentRun.objects.filter(period=month, kind=PaymentRun.Kind.REGULAR).first()
    if run is None:
        items.append(
            PanelItem(
                label=_("No payment run for %(month)s yet") % {"month": f"{month:%Y-%m}"},
                url=f"{runs}?period={month:%Y-%m-%d}",
                level="warning" if may_start else "info",
            )
        )
    else:
        level = {PaymentRun.Status.FAILED: "danger", PaymentRun.Status.GENERATED: "warning"}.get(run.status, "info")
        items.append(
            PanelItem(
                label=_("Payment run of %(month)s: %(status)s")
                % {"month": f"{month:%Y-%m}", "status": run.get_status_display()},
                url=reverse("bureau_admin:disbursement_paymentrun_change", args=[run.pk]),
                level=level,
                note=_("%(lines)s lines, ¥%(total)s")
                % {"lines": f"{run.line_count:,}", "total": f"{run.total_amount:,.2f}"},
            )
        )
    if may_approve:
        waiting = PaymentRun.objects.filter(status=PaymentRun.Status.GENERATED).exclude(started_by=user).count()
        items.append(
            PanelItem(
                label=_("Payment runs waiting for your approval"),
                count=waiting,
                url=f"{runs}?status__exact=generated",
                level="warning" if waiting else "info",
            )
        )
    held = selectors.payment_line_outstanding(user=user, status=PaymentLine.Status.HELD).count()
    items.append(
        PanelItem(
            label=_("Lines held: the payee has no bank account"),
            count=held,
            url=f"{lines}?status__exact=held&outstanding=yes",
            level="warning" if held else "info",
        )
    )
    failed = selectors.payment_line_outstanding(user=user, status=PaymentLine.Status.FAILED).count()
    items.append(
        PanelItem(
            label=_("Failed lines to re-issue"),
            count=failed,
            url=f"{lines}?status__exact=failed&outstanding=yes",
            level="danger" if failed else "info",
        )
    )
    return Panel(key="disbursement.payments", title=_("Payments"), items=items, order=20)
