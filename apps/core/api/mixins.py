"""Viewset and serializer helpers shared by the bureau apps' APIs.

- `TownScopedViewSetMixin`: the viewset's queryset passes through `scope_to_town`, so a record of
  another town is 404 for a caseworker; `ensure_user_town(town)` refuses writes into another town.
- `MaskedField`: a read-only serializer field that shows an ID number or bank account whole only on a
  detail read to users with the permission (`people.view_full_id_number` / `people.view_full_bank_account`),
  and logs that it did.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from apps.core.idcard import mask_account, mask_id_number
from apps.core.models import PersonalDataAccess
from apps.core.pii_access import FIELD_OF_PERMISSION, personal_data_read_note
from apps.core.scoping import in_user_town, scope_to_town


class TownScopedViewSetMixin:
    town_path: str = "town"

    def get_queryset(self):
        return scope_to_town(super().get_queryset(), self.request.user, self.town_path)

    def ensure_user_town(self, town, field: str = "town") -> None:
        if town is not None and not in_user_town(self.request.user, town.pk):
            raise ValidationError({field: [_("You can only register records of your own town.")]})


@extend_schema_field(OpenApiTypes.STR)
class MaskedField(serializers.Field):
    """Shows `source` masked, whole only on a detail read (`retrieve`) to a user holding `permission`.

    Lists stay masked for everyone (SPEC §7); each whole value shown is noted in the personal-data
    read log (apps.core.pii_access), written once per request.
    """

    def __init__(self, *, mask, permission: str, **kwargs):
        kwargs["read_only"] = True
        self.mask, self.permission = mask, permission
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        # The row the value comes from, beside the value: the log names whose number was shown.
        holder = instance
        for attr in self.source_attrs[:-1]:
            holder = getattr(holder, attr, None) if holder is not None else None
        return holder, super().get_attribute(instance)

    def to_representation(self, value):
        # From get_attribute: (row, value); a caller handing a bare value is logged without the row.
        holder, value = value if isinstance(value, tuple) else (None, value)
        if not value:
            return value
        request = self.context.get("request")
        view = self.context.get("view")
        if (request is not None and getattr(view, "action", None) == "retrieve"
                and request.user.has_perm(self.permission)):
            personal_data_read_note(request=request, channel=PersonalDataAccess.Channel.API,
                                    field=FIELD_OF_PERMISSION[self.permission], holder=holder, value=value)
            return value
        return self.mask(value)


def masked_id_number(**kwargs) -> MaskedField:
    return MaskedField(mask=mask_id_number, permission="people.view_full_id_number", **kwargs)


def masked_bank_account(**kwargs) -> MaskedField:
    return MaskedField(mask=mask_account, permission="people.view_full_bank_account", **kwargs)


def _copy_field(field: serializers.Field) -> serializers.Field:
    """An unbound copy of a template field, for one serializer to bind.

    A plain field keeps nothing that binding or reading changes but what bind() sets on the copy, so a
    shallow copy serves; a deep copy re-runs every field's __init__ (0.9 ms a page). A field holding
    other fields (a nested serializer, a list's child, a many-relation's child) is copied whole: its
    children are bound to it.
    """
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") or hasattr(field, "child_relation"):
        return copy.deepcopy(field)
    return copy.copy(field)


def _column_of(field: serializers.Field, model) -> tuple[str | None, bool]:
    """(attname, is_pk): the model column a field shows unchanged by DRF's get_attribute, else (None, False).

    A concrete non-relation field read through Field.get_attribute, or a foreign key shown as its
    primary key (PrimaryKeyRelatedField, which reads the key column, not the related row).
    """
    if model is None or len(field.source_attrs) != 1:
        return None, False
    try:
        model_field = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None, False
    if not getattr(model_field, "concrete", False):
        return None, False
    if type(field) is serializers.PrimaryKeyRelatedField:
        if (model_field.many_to_one or model_field.one_to_one) and field.pk_field is None and field.use_pk_only_optimization():
            return model_field.attname, True
        return None, False
    if model_field.is_relation or type(field).get_attribute is not serializers.Field.get_attribute:
        return None, False
    return model_field.attname, False


def _iso_datetime(field: serializers.Field, current) -> Callable | None:
    """For a plain DateTimeField shown in ISO 8601: what its to_representation gives for a column's value,
    without looking up the format and the current time zone again for every row (two timestamps a row
    were a twelfth of a persons page's CPU). None for any other field."""
    if (type(field) is not serializers.DateTimeField or hasattr(field, "timezone") or current is None
            or str(getattr(field, "format", api_settings.DATETIME_FORMAT)).lower() != ISO_8601):
        return None

    def convert(value):
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            return field.to_representation(value)  # naive or not a datetime: DRF decides
        try:
            text = value.astimezone(current).isoformat()
        except OverflowError:
            return field.to_representation(value)  # DRF's own error
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


class OutputModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose read-only fields keep their model field's blank, so the OpenAPI says so.

    DRF drops `allow_blank` from fields listed in `read_only_fields`; a choice field whose model
    allows "" then appears in the schema as an enum without "", which its answers break.
    """

    def get_fields(self):
        # ModelSerializer introspects the model for every serializer it makes (1.0 ms a list request);
        # what it builds depends on the class alone. Each serializer still binds its own copies.
        cls = type(self)
        template = cls.__dict__.get("_fields_template")
        if template is None:
            template = super().get_fields()
            cls._fields_template = template
        return {name: _copy_field(field) for name, field in template.items()}

    @cached_property
    def _readers(self) -> list[tuple[str, serializers.Field, str | None, Callable | None]]:
        """(name, field, attname, convert) per readable field; attname where the value is a column read as
        is, convert what makes a column's value the answer's (None: the value itself, a key)."""
        model = getattr(getattr(self, "Meta", None), "model", None)
        current = timezone.get_current_timezone() if settings.USE_TZ else None
        readers = []
        for field in self.fields.values():
            if field.write_only:
                continue
            attname, is_pk = _column_of(field, model)
            convert = None if is_pk else (_iso_datetime(field, current) or field.to_representation)
            readers.append((field.field_name, field, attname, convert))
        return readers

    def to_representation(self, instance):
        # DRF's own loop, over the readable fields listed once per serializer instead of once per row
        # (its generator was a third of serialising a page). A field showing one of the row's own
        # columns reads it straight off the row: DRF's generic path (source walk, callable test,
        # PKOnlyObject) gives the same value and cost a sixth of a page's CPU.
        row = {}
        direct = isinstance(instance, Model)  # a dict handed in goes DRF's way
        for name, field, attname, convert in self._readers:
            if direct and attname is not None:
                value = getattr(instance, attname)
                row[name] = value if value is None or convert is None else convert(value)
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            empty = (attribute.pk if isinstance(attribute, PKOnlyObject) else attribute) is None
            row[name] = None if empty else field.to_representation(attribute)
        return row

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        allow_blank = kwargs.get("allow_blank")
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if kwargs.get("read_only") and allow_blank:
            kwargs["allow_blank"] = True
        return kwargs
