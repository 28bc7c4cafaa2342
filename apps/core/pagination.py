"""Counting pages without counting a million rows on every page.

A list over a whole registry (1.18 million persons in 中山) spent most of its time in `SELECT count(*)`.
When a list is unfiltered and the table is large, the planner's estimate (pg_class.reltuples, kept
current by autovacuum and ANALYZE) is as good a number for "about how many pages" and costs nothing;
a filtered list, or a small table, is counted exactly up to COUNT_CAP rows: a search for a common
surname (黄: 60,000 of 中山's residents) would otherwise read every match to count them, where the
page itself reads 50. Past the cap the count says COUNT_CAP + 1. Pages past the estimate or the cap
still work: the last page is found by the query itself.

The API counts no further than API_COUNT_CAP (100), serves 20 rows a page unless `page_size` asks
for up to 100, and says which kind of count it gives (`count_kind`): a program pages by `next`. At
1.18 million residents, counting a common surname's matches to 10,000 cost more than the rest of the
request (no index serves an OR of a name's prefix and suffix under a LIMIT); to 100, in the page's
order, it reads what the page reads, a few thousand ids.

The admin never prints those numbers raw: `result_count_text` says "10,000 条以上" (more than 10,000)
or "约 1,180,000 条" (about 1,180,000), with a hint why (the `civ` template tag `result_count`).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.translation import gettext
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

ESTIMATE_SECONDS = 60.0
_reltuples: dict[tuple[str, str], tuple[float, int | None]] = {}


def forget_estimates() -> None:
    _reltuples.clear()


def estimated_count(queryset) -> int | None:
    """The planner's row estimate for an unfiltered queryset over a large table, else None."""
    query = getattr(queryset, "query", None)
    if query is None or query.where or query.distinct or query.combinator or query.group_by is not None:
        return None
    if getattr(query, "extra", None) or query.extra_tables or len(query.alias_map) > 1:
        return None
    connection = connections[queryset.db]
    # An estimate is only ever as fresh as the last ANALYZE: each process asks again after a minute,
    # not on every page of every list.
    key = (connection.schema_name, queryset.model._meta.db_table)
    remembered = _reltuples.get(key)
    if remembered is not None and remembered[0] > time.monotonic():
        rows = remembered[1]
    else:
        with connection.cursor() as cursor:
            # to_regclass resolves through search_path: the bureau's own table.
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [key[1]])
            row = cursor.fetchone()
        rows = row[0] if row is not None else None
        _reltuples[key] = (time.monotonic() + ESTIMATE_SECONDS, rows)
    if rows is None or rows < settings.PAGINATION_EXACT_COUNT_BELOW:
        return None  # never analysed (-1), small, or unknown: count it
    return int(rows)


COUNT_CAP = 10_000
API_COUNT_CAP = 100


def capped_count(queryset, cap: int | None = None) -> int:
    """The number of rows, counted no further than the cap (COUNT_CAP unless given) + 1.

    Counted in the list's own order, as its page is read: a LIMIT without an order let the planner
    walk any index it liked. After a VACUUM it chose person_name, in name order, to find 101 persons
    named 王… and read 663,000 names first (261 ms, against 2 ms walking the ids as the page does).
    """
    cap = COUNT_CAP if cap is None else cap
    if not hasattr(queryset, "query"):
        return len(queryset)
    query = queryset.query
    if (query.distinct or query.combinator or query.group_by is not None
            or any(annotation.contains_aggregate for annotation in query.annotations.values())):
        return queryset[: cap + 1].count()
    # Only the keys, in a statement written here: Django's sliced count selects the page's columns in a
    # subquery, annotations too (persons' has_pending_bank_account_change is not what is counted), and
    # its aggregation machinery (cloning, relabelling the subquery's aliases) cost a persons page about
    # 1 ms of CPU. The rows counted are the same: no grouping, no DISTINCT, the list's own filters.
    keys = queryset.values("pk")[: cap + 1]
    try:
        sql, params = keys.query.get_compiler(keys.db).as_sql()
    except EmptyResultSet:  # a filter that matches nothing by construction (pk__in=[], .none())
        return 0
    with connections[keys.db].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) capped", params)
        return cursor.fetchone()[0]


class EstimatedCountPaginator(Paginator):
    @property
    def count_cap(self) -> int:
        return COUNT_CAP

    @cached_property
    def _counted(self) -> int:
        return capped_count(self.object_list, self.count_cap)

    @cached_property
    def _planner_estimate(self) -> int | None:
        return estimated_count(self.object_list)

    @cached_property
    def _estimate(self) -> int | None:
        """The estimate, or the cap when the rows go past it: either way a page number is not bounded by it."""
        if self._planner_estimate is not None:
            return self._planner_estimate
        return self._counted if self._counted > self.count_cap else None

    @property
    def count_kind(self) -> str:
        """"estimated" (the planner's figure), "capped" (more than the cap) or "exact"."""
        if self._planner_estimate is not None:
            return "estimated"
        return "capped" if self._counted > self.count_cap else "exact"

    @cached_property
    def count(self) -> int:
        return self._estimate if self._estimate is not None else self._counted

    def validate_number(self, number):
        if self._estimate is None:
            return super().validate_number(number)
        # The estimate may be a little short: a page past it is served when its rows exist.
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        if self._estimate is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        # One row more than the page says whether a next page exists: the count cannot (past the cap
        # or the estimate, a page number would otherwise end the list early).
        rows = list(self.object_list[bottom:bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return OpenEndedPage(rows[:self.per_page], number, self, more=len(rows) > self.per_page)


class OpenEndedPage(Page):
    """A page of a list whose count is not exact: it knows its successor from the rows, not the count."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


def rounded(number: int) -> int:
    """An estimate to three significant figures: 1,180,437 → 1,180,000 (more would claim a precision it has not)."""
    digits = len(str(abs(number)))
    return round(number, -(digits - 3)) if digits > 3 else number


def result_count_text(paginator, count: int) -> tuple[str, str]:
    """What a list says about its number of rows, and a hint when that number is not exact.

    ("10,000 条以上", hint) past the cap, ("约 1,180,000 条", hint) for an estimate, ("1,234 条", "") otherwise.
    """
    kind = getattr(paginator, "count_kind", "exact")
    if kind == "capped":
        cap = paginator.count_cap
        return (gettext("more than %(count)s") % {"count": f"{cap:,}"},
                gettext("Rows are counted up to %(count)s: narrow the search or the filters for an exact number.")
                % {"count": f"{cap:,}"})
    if kind == "estimated":
        return (gettext("about %(count)s") % {"count": f"{rounded(count):,}"},
                gettext("An estimate: the table is too large to count on every page. Filter or search for an "
                        "exact number."))
    return f"{count:,}", ""


class ApiPaginator(EstimatedCountPaginator):
    @property
    def count_cap(self) -> int:
        return API_COUNT_CAP


COUNT_KINDS = ("exact", "capped", "estimated")


class EstimatedCountPagination(PageNumberPagination):
    django_paginator_class = ApiPaginator
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data):
        return Response({
            "count": self.page.paginator.count,
            "count_kind": self.page.paginator.count_kind,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            "Rows in the list: exact, or past the cap the cap + 1, or for a whole large table the planner's estimate "
            "(see count_kind).")
        response["properties"]["count_kind"] = {
            "type": "string", "enum": list(COUNT_KINDS),
            "description": f"exact; capped (more than {API_COUNT_CAP:,} rows: count is the cap + 1); "
                           "estimated (a whole large table: the planner's estimate). Page by `next`.",
        }
        response["required"] = [*response.get("required", []), "count_kind"]
        return response
