"""The one month parser (apps.core.periods) as a serializer field and a query filter.

Every API parameter that is a period goes through these, so `?period=2026-11` means the same on
payment runs, payments, grants and entitlements, and a bad month is a 400 naming the parameter.
"""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from apps.core.periods import PeriodError, format_month, parse_month


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-11"})
class PeriodField(serializers.Field):
    """A month, read and written as YYYY-MM."""

    def to_internal_value(self, data):
        try:
            return parse_month(data)
        except PeriodError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, value):
        return format_month(value)


class _MonthFormField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_month(value)
        except PeriodError as exc:
            # The message quotes the client's text, which may hold a "%": django-filter formats
            # messages with their params, so the text travels as a param, never as the format.
            raise forms.ValidationError("%(error)s", params={"error": str(exc)}) from None


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(filters.Filter):
    """`?period=2026-11` → the records of that month."""

    field_class = _MonthFormField


def query_month(request, name: str):
    """A month from the query string for views that read it by hand; 400 naming the parameter if bad."""
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return parse_month(value)
    except PeriodError as exc:
        raise ValidationError({name: [str(exc)]}) from None


def body_month(value, name: str):
    """A month from a request body already validated as text; 400 naming the field if bad."""
    try:
        return parse_month(value)
    except PeriodError as exc:
        raise ValidationError({name: [str(exc)]}) from None
