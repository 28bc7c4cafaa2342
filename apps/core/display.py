"""Values as a Chinese reader expects them on a screen: 2026年11月8日, times in Asia/Shanghai, ¥17,521,604.01,
choice labels instead of codes, 是/否, masked personal numbers, JSON as "label: value" lines.

Used by admin displays, the readable history (apps.core.admin_history) and the `civ` template filters.
"""

from __future__ import annotations

import datetime
import json
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils import formats, timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from .idcard import mask_account, mask_id_number

CENT = Decimal("0.01")
ID_NUMBER_FIELDS = frozenset({"id_number", "number"})
ACCOUNT_FIELDS = frozenset({"bank_account", "account", "payee_account", "old_account", "new_account"})


def money(value) -> str:
    """¥17,521,604.01 (grouped, two places, half up); "" for None or a value that is not a number."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def date(value) -> str:
    """2026年11月8日 in Chinese (the locale's DATE_FORMAT), a datetime in the bureau's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return datetime_(value)
    return formats.date_format(value, "DATE_FORMAT")


def datetime_(value) -> str:
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


def yes_no(value) -> str:
    if value is None:
        return _("Unknown")
    return _("Yes") if value else _("No")


def masked(field_name: str, value) -> str | None:
    """The masked form of a personal number held in `field_name`, or None if the field holds none."""
    if not value:
        return None
    if field_name in ID_NUMBER_FIELDS:
        return mask_id_number(str(value))
    if field_name in ACCOUNT_FIELDS:
        return mask_account(str(value))
    return None


def json_lines(value, labels: dict | None = None):
    """A JSON value as an HTML list of "label: value" lines (never raw JSON); lists joined by "、"."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, dict):
        labels = labels or {}
        return format_html_join(
            "", "<div>{}：{}</div>", ((labels.get(key, key), _scalar(item)) for key, item in value.items())
        )
    return _scalar(value)


def _scalar(value) -> str:
    if isinstance(value, (list, tuple)):
        return "、".join(_scalar(item) for item in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{key}：{_scalar(item)}" for key, item in value.items())
    if isinstance(value, bool):
        return yes_no(value)
    if value is None:
        return "—"
    return str(value)


def field_value(field: models.Field, value) -> str:
    """A model field's stored value as a reader sees it (choice label, 是/否, date, money, masked number)."""
    if value is None or value == "":
        return "—"
    hidden = masked(field.name, value)
    if hidden is not None:
        return hidden
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return yes_no(value)
    if isinstance(field, models.DateTimeField):
        return datetime_(value)
    if isinstance(field, models.DateField):
        return date(value)
    if isinstance(field, models.DecimalField) and field.decimal_places == 2:
        return money(value)
    if isinstance(field, models.JSONField):
        return _scalar(value)
    return str(value)
