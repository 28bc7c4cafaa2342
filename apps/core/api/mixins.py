"""Viewset and serializer helpers shared by the bureau apps' APIs.

- `TownScopedViewSetMixin`: the viewset's queryset passes through `scope_to_town`, so a record of
  another town is 404 for a caseworker; `ensure_user_town(town)` refuses writes into another town.
- `MaskedField`: a read-only serializer field that shows an ID number or bank account whole only on a
  detail read to users with the permission (`people.view_full_id_number` / `people.view_full_bank_account`),
  and logs that it did.
"""

from __future__ import annotations

import copy

from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

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


class OutputModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose read-only fields keep their model field's blank, so the OpenAPI says so.

    DRF drops `allow_blank` from fields listed in `read_only_fields`; a choice field whose model
    allows "" then appears in the schema as an enum without "", which its answers break.
    """

    def get_fields(self):
        # ModelSerializer introspects the model for every serializer it makes (1.0 ms a list request);
        # what it builds depends on the class alone. Each serializer still gets its own copies (0.3 ms).
        cls = type(self)
        template = cls.__dict__.get("_fields_template")
        if template is None:
            template = super().get_fields()
            cls._fields_template = template
        return copy.deepcopy(template)

    @cached_property
    def _readable_field_list(self) -> list:
        return [field for field in self.fields.values() if not field.write_only]

    def to_representation(self, instance):
        # DRF's own loop, over the readable fields listed once per serializer instead of once per row
        # (its generator was a third of serialising a page).
        row = {}
        for field in self._readable_field_list:
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            empty = (attribute.pk if isinstance(attribute, PKOnlyObject) else attribute) is None
            row[field.field_name] = None if empty else field.to_representation(attribute)
        return row

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        allow_blank = kwargs.get("allow_blank")
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if kwargs.get("read_only") and allow_blank:
            kwargs["allow_blank"] = True
        return kwargs
