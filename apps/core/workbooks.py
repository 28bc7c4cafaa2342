"""The pieces every Excel import shares: a column of the template, an error naming row and column, and
how a cell reads as text. Each import (people, social organisations) keeps its own columns and checks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese header of the template, as bureaus fill it in
    key: str
    required: bool = False


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)d, %(column)s: %(message)s") % {
            "row": self.row, "column": self.column or "-", "message": self.message}


def cell_text(value) -> str:
    """A cell as the text a user typed: 12.0 reads "12", a date cell "2024-06-01"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()
