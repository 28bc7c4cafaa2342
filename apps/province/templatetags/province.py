"""Cells of the province's tables as a Chinese reader expects them: 1,234.56, 2026年11月8日, —."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def cell(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "—"
    if isinstance(value, Decimal):
        if value.as_tuple().exponent >= 0:  # a whole number as computed (a rank, a percent)
            return f"{value:,}"
        return f"{value:,.2f}" if value == value.quantize(Decimal("0.01")) else f"{value:,.4f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return value
