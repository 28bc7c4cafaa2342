"""Query-parameter filters shared by the bureau APIs.

A list view declares each parameter it reads as a django-filter field, so a bad value — text where
an id belongs, a value outside the choices, a NUL byte — is a 400 naming the parameter before any
query runs, and the OpenAPI lists the parameter with its type and choices.
"""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters
from rest_framework import filters as drf_filters


class IdFilter(filters.NumberFilter):
    """`?run=12`: a record's id, a whole positive number (NumberFilter would take 1.5 and round it)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


# Query parameters that no FilterSet declares: the pagination's, the search's and the ordering's.
NOT_FILTERS = frozenset({"page", "page_size", "search", "ordering", "format"})


class FilterBackend(filters.DjangoFilterBackend):
    """django-filter, without building the filter form for a request that names no filter.

    A FilterSet builds a form of every declared filter per request (a tenth of a list's time); with
    no filter parameter given, every filter would be skipped anyway (django-filter skips empty
    values, `method=` filters included, and none of ours is required).
    """

    def filter_queryset(self, request, queryset, view):
        if NOT_FILTERS.issuperset(request.query_params.keys()):
            return queryset
        return super().filter_queryset(request, queryset, view)


class SearchFilter(drf_filters.SearchFilter):
    """DRF's ?search=, declared in the OpenAPI only by views that search (`search_fields`).

    DRF declares it on every list view, so entitlements, grants, reviews and recoveries advertised a
    search that returned every row.
    """

    def get_schema_operation_parameters(self, view):
        if not getattr(view, "search_fields", None):
            return []
        return super().get_schema_operation_parameters(view)
