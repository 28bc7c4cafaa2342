"""History pages a Chinese reader can use: each change as "field: old → new" with choice labels, 是/否,
dates as 2026年11月8日, times in Asia/Shanghai, money as ¥1,234.56, ID numbers and accounts masked (a
history list is a list: SPEC §7), and a deleted related row named in words, not `Deleted 用户 (pk=None)`.

BureauAdminSite.register mixes `ReadableHistoryMixin` into every SimpleHistoryAdmin it is given, so an
app's admin gets it without asking.
"""

from __future__ import annotations

import dataclasses

from django.db import models
from django.utils.html import conditional_escape
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from . import display


def _related_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, DeletedObject):
        if value.pk is None:
            return "—"
        return _("deleted %(type)s #%(pk)s") % {"type": value.model._meta.verbose_name, "pk": value.pk}
    return str(value)


class ReadableRecordHelper(HistoricalRecordContextHelper):
    def format_delta_change(self, change):
        field = self.model._meta.get_field(change.field)
        return dataclasses.replace(
            change,
            field=capfirst(field.verbose_name),
            old=conditional_escape(self._text(field, change.old)),
            new=conditional_escape(self._text(field, change.new)),
        )

    @staticmethod
    def _text(field, value) -> str:
        if isinstance(field, models.ManyToManyField):
            return "、".join(str(row) for row in value or ()) or "—"
        if field.is_relation:
            return _related_text(value)
        return display.field_value(field, value)


class ReadableHistoryMixin:
    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableRecordHelper(self.model, historical_record)
