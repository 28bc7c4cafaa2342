"""The registry in the bureau admin: scoped to the caseworker's town, PII masked, history on every model.

Forms show the services' own messages (they call the `*_validate` functions); saves go through the
services, so the admin cannot write what the API would refuse.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.core.admin_mixins import (
    PII_FIELDS,
    PiiMaskingAdminMixin,
    ReadOnlyAdminMixin,
    TownScopedAdminMixin,
    add_service_errors,
    error_text,
)
from apps.core.admin_site import bureau_admin_site
from apps.core.idcard import mask_id_number
from apps.core.registries import story_panels
from apps.core.roles import permission_label, role_label
from apps.core.scoping import user_town_id
from apps.core.widgets import TownTaggedSelect

from . import selectors, services
from .importing import COLUMNS, people_import, template_workbook
from .models import (
    BankAccountChange,
    Community,
    DisabilityCertificate,
    Household,
    HouseholdMember,
    Person,
    StaffProfile,
    Town,
)


class _CommunityChoicesMixin:
    """Community choices are labelled "town community": fetch the towns with them, not one query each."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "community" and "queryset" not in kwargs:
            kwargs["queryset"] = Community.objects.select_related("town")
        if db_field.name == "community":
            kwargs["widget"] = TownTaggedSelect  # the chosen town's communities only (issue 11)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _indexed_search(queryset, search_term, term_q):
    """The admin's search through a selector's `term_q(term)` (indexed lookups, no join to de-duplicate)
    in place of Django's icontains over every search field, which scans a million-row table."""
    for term in search_term.split():
        queryset = queryset.filter(term_q(term))
    return queryset, False


class BeneficiarySearchMixin:
    """The search of a list of what persons and households hold (applications, entitlements, reviews): a whole
    ID number, the beginning or end of a name (the person's or a member's), else a household number, through
    the registry's indexes (selectors.beneficiary_search_q). `search_fields` only shows the search box."""

    search_person_path: str | None = "person"
    search_household_path: str | None = "household"

    def get_search_results(self, request, queryset, search_term):
        for term in search_term.split():
            queryset = queryset.filter(selectors.beneficiary_search_q(
                term, model=queryset.model, person=self.search_person_path, household=self.search_household_path))
        return queryset, False


class _ServiceModelForm(forms.ModelForm):
    """Uniqueness is the services' business: they say which record clashes."""

    # Set by forms whose whole record a service validates (the same checks as the API and import).
    service_fields: tuple = ()
    service_validate = None

    def validate_unique(self):
        pass

    def clean(self):
        data = super().clean()
        if self.errors or self.service_validate is None:
            return data
        fields = {key: data.get(key) for key in self.service_fields if key in self.fields}
        if self.instance.pk:
            fields = {key: value for key, value in fields.items() if key in self.changed_data}
        try:
            self.service_validate(data=fields, instance=self.instance if self.instance.pk else None)
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data


# --------------------------------------------------------------------------- towns and communities


class CommunityInline(admin.TabularInline):
    model = Community
    extra = 0
    fields = ["name"]


@admin.register(Town, site=bureau_admin_site)
class TownAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "area_code"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [CommunityInline]

    def get_queryset(self, request):
        towns = super().get_queryset(request)
        town_id = user_town_id(request.user)
        return towns.filter(pk=town_id) if town_id is not None else towns

    # Towns are the bureau's reference data: a town caseworker reads them only.
    def has_add_permission(self, request):
        return user_town_id(request.user) is None and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return user_town_id(request.user) is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return user_town_id(request.user) is None and super().has_delete_permission(request, obj)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404


@admin.register(Community, site=bureau_admin_site)
class CommunityAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "town"]
    list_filter = ["town"]
    search_fields = ["name", "town__name"]
    list_select_related = ["town"]


# --------------------------------------------------------------------------- persons


class StoryAdminMixin:
    """A person's or household's whole story under its form: read-only panels that the apps above
    people register in settings.PERSON_STORY_PANELS (applications, entitlements, reviews, payments),
    each read through that app's own scoped selectors."""

    story_subject = "person"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["story_panels"] = story_panels(request=request, **{self.story_subject: obj})
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


class PersonAdminForm(_ServiceModelForm):
    class Meta:
        model = Person
        fields = list(services.PERSON_FIELDS)

    service_fields = services.PERSON_FIELDS
    service_validate = staticmethod(services.person_validate)


class DisabilityCertificateForm(_ServiceModelForm):
    class Meta:
        model = DisabilityCertificate
        fields = ["number", "category", "level", "valid_from", "valid_until"]

    def clean(self):
        data = super().clean()
        if self.errors or not self.has_changed():
            return data
        try:
            services.disability_certificate_validate(data=data, instance=self.instance if self.instance.pk else None)
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data


class DisabilityCertificateInline(admin.TabularInline):
    model = DisabilityCertificate
    form = DisabilityCertificateForm
    extra = 0
    fields = ["number", "category", "level", "valid_from", "valid_until"]


class MembershipInline(admin.TabularInline):
    model = HouseholdMember
    fields = ["household", "relation", "joined_on"]
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0
    verbose_name_plural = _("household")


@admin.register(Person, site=bureau_admin_site)
class PersonAdmin(StoryAdminMixin, _CommunityChoicesMixin, TownScopedAdminMixin, PiiMaskingAdminMixin, SimpleHistoryAdmin):
    form = PersonAdminForm
    change_list_template = "admin/people/person/change_list.html"
    change_form_template = "admin/people/story_change_form.html"
    list_display = ["name", "id_number", "gender", "birth_date", "town", "community", "hukou_class", "status",
                    "household_code", "bank_account"]
    list_filter = ["town", "hukou_class", "status", "gender", "local_hukou", "is_student", "seriously_ill"]
    # "=id_number": a whole ID number finds its person, whatever the list shows (and in any case: x or X).
    search_fields = ["name", "=id_number"]
    search_help_text = _("A name, or a whole ID number.")
    list_select_related = ["town", "community__town", "membership__household"]
    scoped_foreign_keys = {"community": "town"}
    # A search box, not a <select> of the bureau's 765 communities: that list was most of the page's time.
    autocomplete_fields = ["community"]
    fields = ["id_number", "name", "gender", "birth_date", "hukou_class", "local_hukou", "town", "community",
              "phone", "bank_account", "bank_name", "monthly_income", "is_student", "seriously_ill", "status",
              "date_of_death", "created_at", "updated_at"]
    readonly_fields = ["gender", "birth_date", "status", "date_of_death", "created_at", "updated_at"]
    inlines = [MembershipInline, DisabilityCertificateInline]

    def get_search_results(self, request, queryset, search_term):
        # A whole ID number goes to the unique index; anything else is a name's beginning or end.
        return _indexed_search(queryset, search_term, selectors.person_search_q)

    @admin.display(description=_("household"), ordering="membership__household__code")
    def household_code(self, person):
        member = getattr(person, "membership", None)
        return member.household.code if member else "-"

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:  # derived and recorded facts appear once the person exists
            fields = [f for f in fields if f not in ("gender", "birth_date", "status", "date_of_death",
                                                     "created_at", "updated_at")]
        return fields

    def save_model(self, request, obj, form, change):
        town_id = user_town_id(request.user)
        if town_id is not None and obj.town_id != town_id:
            raise PermissionDenied
        data = {key: form.cleaned_data[key] for key in services.PERSON_FIELDS if key in form.cleaned_data}
        if change:
            data = {key: value for key, value in data.items() if key in form.changed_data}
            saved = services.person_update(person=obj, user=request.user, **data) if data else obj
            pending = selectors.bank_account_change_pending(payee=saved)
            if pending is not None and {"bank_account", "bank_name"} & set(data):
                self.message_user(request, gettext(
                    "The new bank account waits for another user's approval (change #%(id)s); payments go to "
                    "the current account until then.") % {"id": pending.pk}, messages.WARNING)
        else:
            saved = services.person_create(**data)
        for field in Person._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        if formset.model is not DisabilityCertificate:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for certificate in formset.deleted_objects:
            services.disability_certificate_delete(certificate=certificate)
        changed = {f.instance: f.changed_data for f in formset.forms if f.instance.pk}
        for certificate in instances:
            if certificate.pk:
                services.disability_certificate_update(certificate=certificate, **{
                    name: getattr(certificate, name) for name in changed.get(certificate, ())})
            else:
                services.disability_certificate_create(
                    person=form.instance, number=certificate.number, category=certificate.category,
                    level=certificate.level, valid_from=certificate.valid_from, valid_until=certificate.valid_until,
                )

    # ------------------------------------------------------------------ Excel import

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{info[0]}_{info[1]}_import"),
            path("import/template/", self.admin_site.admin_view(self.import_template_view),
                 name=f"{info[0]}_{info[1]}_import_template"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_add_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PersonImportForm(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "title": _("Import persons and households from Excel"), "form": form,
            "columns": COLUMNS, "result": None,
        }
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            result = people_import(file=upload, user=request.user, source=upload.name)
            context["result"] = result
            if result.ok:
                messages.success(request, _("Imported %(persons)d persons in %(households)d new households.")
                                 % {"persons": result.persons_created, "households": result.households_created})
            return TemplateResponse(request, "admin/people/person/import_result.html", context)
        return TemplateResponse(request, "admin/people/person/import.html", context)

    def import_template_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="persons-import-template.xlsx"'
        template_workbook().save(response)
        return response


class PersonImportForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload an .xlsx workbook."))
        return upload


# --------------------------------------------------------------------------- households


class HouseholdAdminForm(_ServiceModelForm):
    class Meta:
        model = Household
        fields = list(services.HOUSEHOLD_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "code" in self.fields:  # absent for read-only users
            self.fields["code"].required = False
            self.fields["code"].help_text = _("Left empty, a number is assigned.")

    service_fields = services.HOUSEHOLD_FIELDS
    service_validate = staticmethod(services.household_validate)


class MemberInlineForm(_ServiceModelForm):
    class Meta:
        model = HouseholdMember
        fields = ["person", "relation", "joined_on"]

    def clean(self):
        data = super().clean()
        if self.errors or self.instance.pk or not data.get("person") or data.get("DELETE"):
            return data
        household = self.instance.household if self.instance.household_id else None
        if household is not None and household.pk:
            try:
                services.household_member_validate(household=household, person=data["person"],
                                                   relation=data.get("relation"))
            except ValidationError as exc:
                add_service_errors(self, exc)
        else:
            current = HouseholdMember.objects.filter(person=data["person"]).select_related("household").first()
            if current is not None:
                self.add_error("person", _("%(name)s is already a member of household %(code)s; remove them there first.")
                               % {"name": data["person"].name, "code": current.household.code})
        return data


class MemberInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        leaving_head = any(f.cleaned_data.get("DELETE") and f.instance.pk
                           and f.instance.relation == HouseholdMember.Relation.HEAD for f in self.forms)
        services.household_heads_check(relations=[f.cleaned_data.get("relation") for f in kept],
                                       head_leaves=leaving_head)


class HouseholdMemberInline(admin.TabularInline):
    model = HouseholdMember
    form = MemberInlineForm
    formset = MemberInlineFormSet
    fields = ["person", "relation", "joined_on"]
    autocomplete_fields = ["person"]
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        town_id = user_town_id(request.user)
        if db_field.name == "person" and town_id is not None:
            kwargs["queryset"] = Person.objects.filter(town_id=town_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Household, site=bureau_admin_site)
class HouseholdAdmin(StoryAdminMixin, _CommunityChoicesMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    story_subject = "household"
    change_form_template = "admin/people/story_change_form.html"
    form = HouseholdAdminForm
    list_display = ["code", "town", "community", "hukou_class", "single_parent", "member_count"]
    list_filter = ["town", "hukou_class", "single_parent"]
    search_fields = ["=code", "=members__person__id_number", "members__person__name"]
    search_help_text = _("A household number, a member's name or a member's whole ID number.")
    list_select_related = ["town", "community__town"]
    scoped_foreign_keys = {"community": "town"}
    autocomplete_fields = ["community"]  # as on the person's page
    fields = list(services.HOUSEHOLD_FIELDS)
    inlines = [HouseholdMemberInline]

    def get_search_results(self, request, queryset, search_term):
        return _indexed_search(queryset, search_term, selectors.household_search_q)

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, household):
        return household.member_total

    def get_queryset(self, request):
        # A correlated count: only the page's households are counted, not the whole table grouped.
        members = (HouseholdMember.objects.filter(household=OuterRef("pk")).order_by()
                   .values("household").annotate(n=Count("id")).values("n"))
        return super().get_queryset(request).annotate(member_total=Coalesce(Subquery(members), 0))

    def save_model(self, request, obj, form, change):
        town_id = user_town_id(request.user)
        if town_id is not None and obj.town_id != town_id:
            raise PermissionDenied
        data = {key: form.cleaned_data[key] for key in services.HOUSEHOLD_FIELDS if key in form.cleaned_data}
        if change:
            data = {key: value for key, value in data.items() if key in form.changed_data}
            if "code" in data and not data["code"]:
                data.pop("code")
            saved = services.household_update(household=obj, **data) if data else obj
        else:
            saved = services.household_create(**data)
        for field in Household._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        if formset.model is not HouseholdMember:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        services.household_members_set(
            household=form.instance,
            remove=[member.person for member in formset.deleted_objects],
            change=[{"member": m, "relation": m.relation, "joined_on": m.joined_on} for m in instances if m.pk],
            add=[{"person": m.person, "relation": m.relation, "joined_on": m.joined_on} for m in instances if not m.pk],
        )


@admin.register(HouseholdMember, site=bureau_admin_site)
class HouseholdMemberAdmin(TownScopedAdminMixin, PiiMaskingAdminMixin, SimpleHistoryAdmin):
    """Read here, written on the household's page: the list is where an auditor finds membership history."""

    town_path = "household__town"
    list_display = ["household", "person", "person__id_number", "relation", "joined_on"]
    list_filter = ["relation", "household__town"]
    search_fields = ["=household__code", "person__name", "=person__id_number"]
    list_select_related = ["household", "person"]

    def get_search_results(self, request, queryset, search_term):
        return _indexed_search(queryset, search_term, lambda term: selectors.holder_search_q(term, "household__code"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ExpiringFilter(admin.SimpleListFilter):
    title = _("expiry")
    parameter_name = "expiring"

    def lookups(self, request, model_admin):
        return [("60", _("expiring within 60 days")), ("expired", _("expired"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "60":
            return queryset.filter(selectors.certificates_expiring_q(today))
        if self.value() == "expired":
            return queryset.filter(valid_until__lt=today)
        return queryset


@admin.register(DisabilityCertificate, site=bureau_admin_site)
class DisabilityCertificateAdmin(TownScopedAdminMixin, PiiMaskingAdminMixin, SimpleHistoryAdmin):
    form = DisabilityCertificateForm
    town_path = "person__town"
    scoped_foreign_keys = {"person": "town"}
    # The number of a second-generation certificate starts with the holder's ID number: masked alike.
    pii_fields = {**PII_FIELDS, "number": (mask_id_number, "people.view_full_id_number")}
    list_display = ["number", "person", "person__id_number", "category", "level", "valid_from", "valid_until"]
    list_filter = [ExpiringFilter, "category", "level", "person__town"]
    search_fields = ["=number", "person__name", "=person__id_number"]
    list_select_related = ["person"]
    autocomplete_fields = ["person"]
    fields = ["person", "number", "category", "level", "valid_from", "valid_until"]

    def get_search_results(self, request, queryset, search_term):
        return _indexed_search(queryset, search_term, lambda term: selectors.holder_search_q(term, "number"))

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        saved = services.disability_certificate_create(
            person=obj.person, number=obj.number, category=obj.category, level=obj.level,
            valid_from=obj.valid_from, valid_until=obj.valid_until,
        )
        obj.pk = saved.pk
        obj._state.adding = False


# Users and roles of this bureau: its administrator manages them on the bureau host (each schema has
# its own auth tables), the province's admin never sees them.


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    fields = ["town"]
    verbose_name_plural = _("town (caseworkers)")


@admin.register(User, site=bureau_admin_site)
class BureauUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "roles", "town"]
    list_filter = ["is_active", "is_staff", "groups"]

    @admin.display(description=_("roles"))
    def roles(self, user):
        return "、".join(role_label(group.name) for group in user.groups.all())

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            field.label_from_instance = lambda group: role_label(group.name)
        elif db_field.name == "user_permissions":
            field.label_from_instance = permission_label
        return field

    @admin.display(description=_("town"))
    def town(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.town if profile and profile.town_id else "-"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups").select_related("staff_profile__town")


@admin.register(StaffProfile, site=bureau_admin_site)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "town"]
    list_filter = ["town"]
    list_select_related = ["user", "town"]


@admin.register(BankAccountChange, site=bureau_admin_site)
class BankAccountChangeAdmin(ReadOnlyAdminMixin, PiiMaskingAdminMixin, SimpleHistoryAdmin):
    """Payees' new bank accounts waiting for a second user: approve or reject, never edit."""

    pii_fields = {**PII_FIELDS, "old_account": PII_FIELDS["account"], "new_account": PII_FIELDS["account"]}
    list_display = ["id", "payee_name", "old_account", "old_bank_name", "new_account", "new_bank_name", "status",
                    "requested_by", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["person", "institution", "requested_by", "decided_by"]
    fields = ["person", "institution", "old_account", "old_bank_name", "new_account", "new_bank_name", "reason",
              "status", "requested_by", "requested_at", "decided_by", "decided_at", "decision_note"]
    readonly_fields = fields
    actions = ["approve_changes", "reject_changes"]

    def get_queryset(self, request):
        return selectors.bank_account_change_list(user=request.user)

    @admin.display(description=_("payee"))
    def payee_name(self, change):
        return str(change.payee)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("people.approve_bankaccountchange"):
            actions.pop("approve_changes", None)
            actions.pop("reject_changes", None)
        return actions

    def _decide(self, request, queryset, service, done: str):
        decided = 0
        for change in queryset:
            try:
                service(change=change, user=request.user)
                decided += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, error_text(exc) or gettext("Not allowed."), messages.ERROR)
        if decided:
            self.message_user(request, done % {"n": decided})

    @admin.action(description=_("Approve the selected bank account changes"))
    def approve_changes(self, request, queryset):
        self._decide(request, queryset, services.bank_account_change_approve,
                     ngettext("%(n)d bank account change approved.", "%(n)d bank account changes approved.",
                              queryset.count()))

    @admin.action(description=_("Reject the selected bank account changes"))
    def reject_changes(self, request, queryset):
        self._decide(request, queryset, services.bank_account_change_reject,
                     ngettext("%(n)d bank account change rejected.", "%(n)d bank account changes rejected.",
                              queryset.count()))
