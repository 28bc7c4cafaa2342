from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tenants.admin import TenantAdminMixin

from .models import Bureau, Domain, ProvincialMinimum


class DomainForm(forms.ModelForm):
    class Meta:
        model = Domain
        fields = ["domain", "is_primary"]
        # django-tenants' fields carry no translated names.
        labels = {"domain": _("domain"), "is_primary": _("is primary")}


class DomainInline(admin.TabularInline):
    model = Domain
    form = DomainForm
    extra = 0
    verbose_name = _("domain")
    verbose_name_plural = _("domains")


class BureauForm(forms.ModelForm):
    class Meta:
        model = Bureau
        fields = ["schema_name"]  # the admin's fieldsets name the rest
        labels = {"schema_name": _("schema name")}


@admin.register(Bureau)
class BureauAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = BureauForm
    list_display = [
        "name_zh", "schema", "area_code", "level", "region_class", "tekun_multiplier",
        "classified_share", "phaseout_months", "temporary_cap_multiple",
    ]
    list_filter = ["kind", "level", "region_class"]
    search_fields = ["name_zh", "name_en", "schema_name", "area_code"]
    inlines = [DomainInline]
    fieldsets = [
        (None, {"fields": ["schema_name", "kind", "name_zh", "name_en", "area_code", "level", "province",
                           "region_class", "report_year", "id_area_codes"]}),
        (_("Rule settings"), {"fields": [
            "tekun_multiplier", "classified_share", "phaseout_months", "review_months_stable",
            "review_months_other", "review_months_marginal", "temporary_cap_multiple",
            "marginal_income_multiple", "annual_report_deadline", "abnormal_list_months",
            "auto_confirm_eligibility", "settings_notes",
        ]}),
    ]

    def get_queryset(self, request):
        # The province (the public schema) is not a bureau: it is not listed among them.
        return super().get_queryset(request).filter(kind=Bureau.Kind.BUREAU)

    def has_delete_permission(self, request, obj=None):
        # Deleting a bureau would drop a schema of people and payments: never from a form.
        return False

    def get_readonly_fields(self, request, obj=None):
        # A schema is renamed by a migration, never by editing a form.
        return ["schema"] if obj else []

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        first = [("schema" if name == "schema_name" else name) for name in fieldsets[0][1]["fields"]]
        return [(fieldsets[0][0], {**fieldsets[0][1], "fields": first}), *fieldsets[1:]]

    @admin.display(description=_("schema name"), ordering="schema_name")
    def schema(self, bureau):
        return bureau.schema_name


# The programmes a provincial minimum exists for, named as the bureaus' catalogue names them (same msgids).
MINIMUM_PROGRAMMES = {"dibao": _("最低生活保障 (dibao)"), "tekun": _("特困人员基本生活")}


class MinimumProgrammeFilter(admin.SimpleListFilter):
    title = _("programme")
    parameter_name = "programme"

    def lookups(self, request, model_admin):
        return list(MINIMUM_PROGRAMMES.items())

    def queryset(self, request, queryset):
        return queryset.filter(programme=self.value()) if self.value() else queryset


@admin.register(ProvincialMinimum)
class ProvincialMinimumAdmin(admin.ModelAdmin):
    list_display = ["province", "region_class", "programme_label", "amount", "effective_from", "source"]
    list_filter = ["province", "region_class", MinimumProgrammeFilter]

    @admin.display(description=_("programme"), ordering="programme")
    def programme_label(self, minimum):
        return MINIMUM_PROGRAMMES.get(minimum.programme, minimum.programme)
