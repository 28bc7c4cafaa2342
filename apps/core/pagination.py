"""Counting pages without counting a million rows on every page.

A list over a whole registry (1.18 million persons in 中山) spent most of its time in `SELECT count(*)`.
When a list is unfiltered and the table is large, the planner's estimate (pg_class.reltuples, kept
current by autovacuum and ANALYZE) is as good a number for "about how many pages" and costs nothing;
a filtered list, or a small table, is counted exactly up to COUNT_CAP rows: a search for a common
surname (黄: 60,000 of 中山's residents) would otherwise read every match to count them, where the
page itself reads 50. Past the cap the count says COUNT_CAP + 1 ("more than 10,000"). Pages past the
estimate or the cap still work: the last page is found by the query itself.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination


def estimated_count(queryset) -> int | None:
    """The planner's row estimate for an unfiltered queryset over a large table, else None."""
    query = getattr(queryset, "query", None)
    if query is None or query.where or query.distinct or query.combinator or query.group_by is not None:
        return None
    if getattr(query, "extra", None) or query.extra_tables or len(query.alias_map) > 1:
        return None
    with connections[queryset.db].cursor() as cursor:
        # to_regclass resolves through search_path: the bureau's own table.
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                       [queryset.model._meta.db_table])
        row = cursor.fetchone()
    if row is None or row[0] is None or row[0] < settings.PAGINATION_EXACT_COUNT_BELOW:
        return None  # never analysed (-1), small, or unknown: count it
    return int(row[0])


COUNT_CAP = 10_000


def capped_count(queryset) -> int:
    """The number of rows, counted no further than COUNT_CAP + 1."""
    if not hasattr(queryset, "query"):
        return len(queryset)
    return queryset.order_by()[: COUNT_CAP + 1].count()


class EstimatedCountPaginator(Paginator):
    @cached_property
    def _counted(self) -> int:
        return capped_count(self.object_list)

    @cached_property
    def _estimate(self) -> int | None:
        """The estimate, or the cap when the rows go past it: either way a page number is not bounded by it."""
        estimate = estimated_count(self.object_list)
        if estimate is not None:
            return estimate
        return self._counted if self._counted > COUNT_CAP else None

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
        rows = list(self.object_list[bottom:bottom + self.per_page])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)


class EstimatedCountPagination(PageNumberPagination):
    django_paginator_class = EstimatedCountPaginator
