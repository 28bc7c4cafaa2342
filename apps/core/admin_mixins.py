"""Admin helpers every bureau app uses: town scoping and masked personal data.

    @admin.register(Entitlement, site=bureau_admin_site)
    class EntitlementAdmin(TownScopedAdminMixin, PiiMaskingAdminMixin, SimpleHistoryAdmin):
        town_path = "person__town"                      # how the record reaches its town
        scoped_foreign_keys = {"person": "town"}        # FK choices a caseworker may pick, and their town path
        list_display = ["person", "person__id_number"]  # masked unless people.view_full_id_number

A record outside a caseworker's town is "not found" (404) in every view, history included, so its
existence does not leak.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, flatten_fieldsets, get_fields_from_path, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404

from .idcard import mask_account, mask_id_number
from .models import PersonalDataAccess
from .pii_access import FIELD_OF_PERMISSION, personal_data_read_note
from .scoping import scope_to_town, user_town_id

# Field name -> (masking function, permission that shows the whole value).
PII_FIELDS = {
    "id_number": (mask_id_number, "people.view_full_id_number"),
    "bank_account": (mask_account, "people.view_full_bank_account"),
    "account": (mask_account, "people.view_full_bank_account"),
    "payee_account": (mask_account, "people.view_full_bank_account"),
}


def _resolve(obj, path: str):
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


class TownScopedAdminMixin:
    """Confines users with a town (caseworkers) to that town's records, in lists, forms and history."""

    town_path: str = "town"
    # Foreign keys whose choices are limited to the user's town: field name -> path from that model to its town.
    scoped_foreign_keys: dict[str, str] = {}

    def get_queryset(self, request):
        return scope_to_town(super().get_queryset(request), request.user, self.town_path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        town_id = user_town_id(request.user)
        if town_id is not None:
            path = self._town_path_of_fk(db_field.name)
            if path is not None:
                queryset = kwargs["queryset"] if "queryset" in kwargs else db_field.remote_field.model._default_manager.all()
                kwargs["queryset"] = queryset.filter(**{f"{path}_id" if path else "pk": town_id})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _town_path_of_fk(self, name: str) -> str | None:
        if name in self.scoped_foreign_keys:
            return self.scoped_foreign_keys[name]
        if self.town_path == name:  # the record's own town field: the choice is the user's town itself
            return ""
        return None

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index with a message; out of scope must look like absent: 404.
        raise Http404

    def _ensure_in_scope(self, request, object_id) -> None:
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._ensure_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._ensure_in_scope(request, object_id)
        if request.method == "POST":
            # A revert would bypass the services' checks; history is a record, not an undo.
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True

    def save_model(self, request, obj, form, change):
        town_id = user_town_id(request.user)
        if town_id is not None:
            record_town = _resolve(obj, self.town_path)
            if record_town is None or record_town.pk != town_id:
                raise PermissionDenied
        super().save_model(request, obj, form, change)


class PiiMaskingAdminMixin:
    """Shows ID numbers and bank accounts masked (`440***********123X`) in lists for everyone (SPEC §7), and
    on a record's own page unless the user may see them whole; that display goes into the personal-data
    read log (apps.core.pii_access), one insert per page.

    Applies to list_display entries and to form fields named like a key of `pii_fields`, also
    through relations (`person__id_number`). Search keeps working on the whole value.
    """

    pii_fields: dict = PII_FIELDS

    def _pii(self, name: str):
        return self.pii_fields.get(name.rsplit("__", 1)[-1])

    def _masked_name(self, name: str, request, *, listing: bool = False) -> str:
        pii = self._pii(name)
        if pii is None or (not listing and request.user.has_perm(pii[1])):
            return name
        masked = f"{name.replace('__', '_')}_masked"
        if not hasattr(self, masked):
            setattr(self, masked, self._masked_display(name, pii[0]))
        return masked

    def _masked_display(self, name: str, mask):
        field_name = name.rsplit("__", 1)[-1]
        try:
            model = self.model
            for part in name.split("__")[:-1]:
                model = model._meta.get_field(part).related_model
            label = model._meta.get_field(field_name).verbose_name
        except Exception:  # a property or a callable: fall back to its name
            label = field_name.replace("_", " ")

        @admin.display(description=label)
        def display(obj):
            value = _resolve(obj, name)
            return mask(value) if value else "-"

        return display

    def get_list_display(self, request):
        return [self._masked_name(name, request, listing=True) if isinstance(name, str) else name
                for name in super().get_list_display(request)]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("original")
        if request.method == "GET" and response.status_code == 200 and obj is not None:
            self._note_whole_values(request, obj)
        return response

    def _note_whole_values(self, request, obj) -> None:
        shown = flatten_fieldsets(self.get_fieldsets(request, obj))
        for name in shown:
            pii = self._pii(name) if isinstance(name, str) else None
            if pii is None or not request.user.has_perm(pii[1]):
                continue
            holder = _resolve(obj, name.rsplit("__", 1)[0]) if "__" in name else obj
            value = _resolve(obj, name)
            if holder is not None and value:
                personal_data_read_note(request=request, channel=PersonalDataAccess.Channel.ADMIN,
                                        field=FIELD_OF_PERMISSION[pii[1]], holder=holder, value=value)

    def get_fields(self, request, obj=None):
        return [self._masked_name(name, request) if isinstance(name, str) else name
                for name in super().get_fields(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        for name in self._declared_field_names(request, obj):
            masked = self._masked_name(name, request)
            if masked != name and masked not in readonly:
                readonly.append(masked)
        return readonly

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        for name in self._declared_field_names(request, obj):
            if "__" not in name and self._masked_name(name, request) != name and name not in exclude:
                exclude.append(name)
        return exclude

    def _declared_field_names(self, request, obj):
        if self.fields:
            return [name for name in self.fields if isinstance(name, str)]
        if self.fieldsets:
            return [name for _, options in self.fieldsets for name in options.get("fields", ()) if isinstance(name, str)]
        return [field.name for field in self.model._meta.fields]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return [(title, {**options, "fields": [self._masked_name(n, request) if isinstance(n, str) else n
                                               for n in options.get("fields", ())]})
                for title, options in fieldsets]


class ReadOnlyAdminMixin:
    """For records that only jobs and services write: listed and shown, never added, edited or deleted.

    Works on a ModelAdmin and on an inline (whose permission hooks also take the parent `obj`).
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Rows of a record's history shown on its page; the view permission still decides who sees them."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


def error_text(error: ValidationError | PermissionDenied) -> str:
    """A service's refusal as one line for a message banner."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def add_service_errors(form, error: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form: on the field it names, else above the form."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error))
        return
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message if target else f"{field}: {message}")
    else:
        for message in error.messages:
            form.add_error(None, message)


def _is_town(model) -> bool:
    return model is not None and model._meta.label == "people.Town"


def _reaches_town(model) -> bool:
    """A town, or a record of one town (a community): what a caseworker's filter must narrow."""
    return _is_town(model) or any(f.name == "town" and f.many_to_one and _is_town(f.related_model)
                                  for f in model._meta.fields)


class OwnTownRelatedFilter(admin.RelatedFieldListFilter):
    """A caseworker's filter over towns offers their own town only, over communities those of their town."""

    def field_choices(self, field, request, model_admin):
        town_id = user_town_id(request.user)
        if town_id is None:
            return super().field_choices(field, request, model_admin)
        limit = {"pk": town_id} if _is_town(field.related_model) else {"town_id": town_id}
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=limit)


class OwnTownListFilterMixin:
    """Mixed into every bureau admin by BureauAdminSite.register: list filters over towns and communities
    name only the caseworker's own (issue 11: the filter listed all 15 towns)."""

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if user_town_id(request.user) is None:
            return filters
        narrowed = []
        for entry in filters:
            if isinstance(entry, str):
                try:
                    field = get_fields_from_path(self.model, entry)[-1]
                except (FieldDoesNotExist, NotRelationField):
                    field = None
                if field is not None and field.many_to_one and _reaches_town(field.related_model):
                    entry = (entry, OwnTownRelatedFilter)
            narrowed.append(entry)
        return narrowed
