"""Writes of the statistics: a year's snapshot computed from every app's registered figures."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from apps.core.permissions import recorded_user, require_permission
from apps.core.registries import Figure, annual_figures

from .models import AnnualFigure, AnnualSnapshot


def figures_compute(*, year: int) -> list[Figure]:
    """Every registered app's figures for the year, labelled in the active language."""
    return [Figure(f.key, f.value, f.unit, str(f.label), f.group, str(f.note or "")) for f in annual_figures(year=year)]


@transaction.atomic
def annual_snapshot_compute(*, year: int, user) -> AnnualSnapshot:
    """Compute the year's figures and store them in place of the last snapshot of that year."""
    require_permission(user, "statistics.compute_annualsnapshot", what=_("compute the annual statistics"))
    # Labels are stored in the bureau's language (settings.LANGUAGE_CODE): many are composed
    # ("%(programme)s: households at the year's end" with the programme's name), and a composed label
    # stored as its English message ids matches no message id when shown, so it stayed English on the
    # Chinese page. A label that is a message id on its own is still translated when shown.
    with translation.override(settings.LANGUAGE_CODE):
        figures = figures_compute(year=year)
    snapshot, _created = AnnualSnapshot.objects.select_for_update().get_or_create(year=year)
    snapshot.computed_by = recorded_user(user)
    snapshot.save()
    snapshot.figures.all().delete()
    seen: set[str] = set()
    rows = []
    for position, figure in enumerate(figures):
        if figure.key in seen:  # a contributor repeating a key: the first one stands
            continue
        seen.add(figure.key)
        rows.append(
            AnnualFigure(
                snapshot=snapshot,
                key=figure.key[:80],
                value=figure.value,
                unit=figure.unit,
                label=str(figure.label)[:200],
                group=figure.group[:32],
                note=str(figure.note)[:300],
                position=position,
            )
        )
    AnnualFigure.objects.bulk_create(rows)
    return snapshot
