from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tenants.admin import TenantAdminMixin

from .models import Bureau, Domain, ProvincialMinimum


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Bureau)
class BureauAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = [
        "name_zh", "schema_name", "area_code", "level", "region_class", "tekun_multiplier",
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
        return ["schema_name"] if obj else []


@admin.register(ProvincialMinimum)
class ProvincialMinimumAdmin(admin.ModelAdmin):
    list_display = ["province", "region_class", "programme", "amount", "effective_from", "source"]
    list_filter = ["province", "region_class", "programme"]
