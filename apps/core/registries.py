"""Registries by which a lower floor offers something to a higher one without importing it (SPEC §3).

Each registry is a list of dotted paths in settings; the floor that reads it (the workbench, the
annual statistics, the province's rollups) calls every entry and never imports the apps that
registered them. One failing contributor is logged and skipped: a broken panel must not blank the
whole home page, nor a broken indicator the whole year.

- settings.WORKBENCH_PANELS: `panel(*, request) -> Panel | None` — None when the panel has nothing
  for this user (no permission, nothing to do). Scope it as the app's own lists are scoped (town,
  role); every item links to the filtered list it counts.
- settings.ANNUAL_FIGURES: `figures(*, year: int) -> list[Figure]` — computed from the bureau's own
  tables in the current schema, for the calendar year. Statistics and the province read these.
- settings.PERSON_STORY_PANELS: `panel(*, request, person=None, household=None) -> StoryPanel | None` —
  one read-only panel of a person's (or, given `household`, a household's) whole story on its admin
  page: applications, entitlements, reviews, payments, history. Exactly one of person / household is
  given. The people admin renders these without importing the apps above it; each app reads its own
  tables through its own scoped selectors, and answers None when it has nothing to say.
- settings.MONTHLY_FIGURES: `figures(*, first: str, last: str) -> list[MonthlyFigure]` — per month
  (periods "YYYY-MM", inclusive) and programme: caseload and amounts. The statistics' monthly series,
  the workbench charts and the province's monthly rollups read these.

One reader that asks several overlapping windows of the same bureau (the province's rollup: the
24-month series, the fidelity year's annual figures, a part-year sum) says so with `figures_span`; a
contributor whose months do not depend on the window asked (each month's figure is the same whatever
months surround it) answers from one computation over the whole span (`span_memo`).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

# (first, last, schema, {name: rows}) of the current figures_span block, or None outside one.
_SPAN: ContextVar[tuple[datetime.date, datetime.date, str, dict] | None] = ContextVar("figures_span", default=None)


@dataclass(frozen=True)
class PanelItem:
    """One line of a workbench panel: "12 applications wait for 受理" linking to the filtered list."""

    label: str
    count: int | None = None
    url: str = ""
    # "info" (nothing late), "warning" (due soon), "danger" (overdue / blocked)
    level: str = "info"
    note: str = ""


@dataclass(frozen=True)
class Panel:
    key: str  # stable, e.g. "assistance.applications_waiting"
    title: str
    items: list[PanelItem] = field(default_factory=list)
    # Lower first; apps use 10s for to-dos, 50s for figures, 90s for charts.
    order: int = 50
    # Optional chart: {"type": "line"|"bar", "labels": [...], "series": [{"name": ..., "data": [...]}]}
    chart: dict | None = None


@dataclass(frozen=True)
class StoryRow:
    """One row of a story panel: display values (already formatted), the page it opens, a flag level."""

    cells: list
    url: str = ""
    level: str = ""  # "", "warning" or "danger", as for panel items


@dataclass(frozen=True)
class StoryPanel:
    key: str  # stable, e.g. "assistance.applications"
    title: str
    columns: list[str]
    rows: list[StoryRow] = field(default_factory=list)
    order: int = 50
    # The filtered admin list behind the panel ("all of them"), and what to say when there are no rows.
    more_url: str = ""
    empty: str = ""


@dataclass(frozen=True)
class Figure:
    """One annual figure of a bureau, e.g. socialorgs.registered = 1858 (organisations).

    `key` is stable and namespaced by app; `unit` says what is counted, so nothing sums unlike things:
    "organisation", "household", "person", "person_time", "yuan", "percent", "bed", "site", "case",
    "count". `value` is None when the data cannot produce it yet (listed as such, never hidden).
    """

    key: str
    value: int | Decimal | None
    unit: str
    label: str
    group: str = ""
    note: str = ""


@dataclass(frozen=True)
class MonthlyFigure:
    """One programme's figure for one month, e.g. ("2024-12", "dibao", "households_active", 3469)."""

    period: str
    programme: str  # a benefits ProgrammeCode value, or "" for a bureau-wide figure
    key: str  # households_active, persons_active, new, stopped, amount_generated, amount_paid, ...
    value: int | Decimal
    unit: str


def _call_all(setting: str, **kwargs) -> list:
    results = []
    for path in getattr(settings, setting, []):
        try:
            result = import_string(path)(**kwargs)
        except Exception:  # noqa: BLE001 - logged; the other contributors still answer
            log.exception("%s entry %s failed", setting, path)
            continue
        if result is None:
            continue
        results.extend(result if isinstance(result, list | tuple) else [result])
    return results


def workbench_panels(*, request) -> list[Panel]:
    return sorted(_call_all("WORKBENCH_PANELS", request=request), key=lambda panel: (panel.order, panel.key))


def story_panels(*, request, person=None, household=None) -> list[StoryPanel]:
    if (person is None) == (household is None):
        raise ValueError("a story is a person's or a household's: give exactly one")
    return sorted(
        _call_all("PERSON_STORY_PANELS", request=request, person=person, household=household),
        key=lambda panel: (panel.order, panel.key),
    )


def annual_figures(*, year: int) -> list[Figure]:
    return _call_all("ANNUAL_FIGURES", year=year)


def monthly_figures(*, first: str, last: str) -> list[MonthlyFigure]:
    return _call_all("MONTHLY_FIGURES", first=first, last=last)


@contextmanager
def figures_span(*, first: datetime.date, last: datetime.date) -> Iterator[None]:
    """Within the block the figures asked of the current schema's bureau are months of first..last
    (first days of months): `span_memo` computes a contributor's months once over all of them."""
    token = _SPAN.set((first, last, connection.schema_name, {}))
    try:
        yield
    finally:
        _SPAN.reset(token)


def span_memo(
    name: str,
    compute: Callable[[datetime.date, datetime.date], dict],
    *,
    first: datetime.date,
    last: datetime.date,
) -> dict:
    """`compute(first, last)`'s rows ({(month, …): values}) for the months first..last.

    Inside a figures_span that holds these months (same schema), computed once over the span under
    `name` and sliced by month; anywhere else computed for first..last. Only for figures where a
    month's value does not depend on the window it was computed in.
    """
    span = _SPAN.get()
    if span is None or not (span[0] <= first and last <= span[1]) or span[2] != connection.schema_name:
        return compute(first, last)
    memo = span[3]
    if name not in memo:
        memo[name] = compute(span[0], span[1])
    return {key: value for key, value in memo[name].items() if first <= key[0] <= last}
