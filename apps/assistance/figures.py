"""assistance's contribution to the annual statistics (apps.core.registries.ANNUAL_FIGURES).

流浪乞讨救助: cases taken in during the year (one case = one person-time assisted), the street share,
cases closed in the year as returned home or family found (寻亲送返), and their cost. 临时救助 counts
come from the grants (apps.benefits.figures), the money from the payment lines (disbursement).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from apps.core.registries import Figure

from .models import VagrantCase


def annual_figures(*, year: int) -> list[Figure]:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    intake = VagrantCase.objects.filter(intake_on__range=(first, last)).aggregate(
        assisted=Count("id"), street=Count("id", filter=Q(found_on_street=True)), cost=Sum("cost")
    )
    returned = VagrantCase.objects.filter(
        closed_on__range=(first, last),
        outcome__in=[VagrantCase.Outcome.RETURNED_HOME, VagrantCase.Outcome.FAMILY_FOUND],
    ).count()
    return [
        Figure(
            "assistance.vagrant_assisted",
            intake["assisted"],
            "person_time",
            _("流浪乞讨救助: persons assisted (cases taken in)"),
            group="vagrant",
        ),
        Figure(
            "assistance.vagrant_assisted_street",
            intake["street"],
            "person_time",
            _("流浪乞讨救助: assisted on the street"),
            group="vagrant",
        ),
        Figure(
            "assistance.vagrant_returned",
            returned,
            "person",
            _("流浪乞讨救助: returned home or to their family"),
            group="vagrant",
        ),
        Figure(
            "assistance.vagrant_paid",
            (intake["cost"] or Decimal("0")).quantize(Decimal("0.01")),
            "yuan",
            _("流浪乞讨救助: cost of the cases taken in"),
            group="vagrant",
        ),
    ]
