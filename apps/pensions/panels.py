"""What the allowances engine leaves for people to decide, on the workbench (settings.WORKBENCH_PANELS)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.registries import Panel, PanelItem

from .models import EligibilityChange
from .selectors import eligibility_change_list


def eligibility_panel(*, request) -> Panel | None:
    """Changes the nightly engine proposed (政策主动找人) and nobody has confirmed or rejected yet."""
    user = request.user
    if not user.has_perm("pensions.confirm_eligibilitychange"):
        return None
    pending = eligibility_change_list(user=user, filters={"status": EligibilityChange.Status.PENDING}).count()
    url = reverse("bureau_admin:pensions_eligibilitychange_changelist") + "?status__exact=pending"
    return Panel(
        key="pensions.eligibility",
        title=_("Elderly and disability allowances"),
        order=15,
        items=[
            PanelItem(
                label=_("Changes waiting for confirmation"),
                count=pending,
                url=url,
                level="warning" if pending else "info",
            ),
        ],
    )
