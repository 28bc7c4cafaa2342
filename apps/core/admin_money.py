"""Money columns of every changelist as ¥1,234.56, right-aligned (issue 11).

Django renders a DecimalField in a list as a bare "1234.56". Both admin sites (the bureaus' and the
province's) register every model admin with MoneyColumnsMixin, so an app's list shows its amounts as
money without writing a display method per column; apps added later get it too.

A money field is a DecimalField with two decimal places, except the rule parameters that are
multiples or shares of a standard and the figures kept with their own unit (NOT_MONEY).
"""

from __future__ import annotations

import re

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import format_html

from .display import money

# Two-place decimals that are not yuan: multipliers and shares of a standard (tenants.Bureau), a
# duration, and statistics "value" columns whose unit is stored beside them.
NOT_MONEY = re.compile(r"multiplier|multiple|share|ratio|rate|seconds|scale|^value$")
# The class a money cell and its header carry: `field-money_<name>` / `column-money_<name>` (admin CSS
# aligns them right).
PREFIX = "money_"


def is_money_field(field) -> bool:
    return (
        isinstance(field, models.DecimalField)
        and field.decimal_places == 2
        and not NOT_MONEY.search(field.name)
    )


def money_cell(value):
    """A list cell holding an amount: ¥1,234.56, never wrapped (the column is aligned right by CSS)."""
    return format_html('<span class="money">{}</span>', money(value)) if value is not None else None


def money_column(field):
    """A list_display callable showing `field` as money, sortable by it, under the field's own name."""

    def column(obj):
        return money_cell(getattr(obj, field.name))

    column.__name__ = f"{PREFIX}{field.name}"
    column.short_description = field.verbose_name
    column.admin_order_field = field.name
    column.empty_value_display = "-"
    return column


class MoneyColumnsMixin:
    """Replaces every money field named in list_display by a money column (list_editable ones excepted)."""

    def get_list_display(self, request):
        names = super().get_list_display(request)
        editable = set(self.list_editable or ())
        shown = []
        for name in names:
            if isinstance(name, str) and name not in editable and "__" not in name:
                try:
                    field = self.model._meta.get_field(name)
                except FieldDoesNotExist:
                    field = None
                if field is not None and is_money_field(field):
                    name = money_column(field)
            shown.append(name)
        return shown
