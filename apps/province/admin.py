"""The province admin (public site): reference standards are edited here; rollup rows are only read."""

from django.contrib import admin

from .models import DuplicateAlert, ReferenceStandard, RollupRefresh, StandardRollup


@admin.register(ReferenceStandard)
class ReferenceStandardAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "area_code", "region_class", "programme", "monthly_amount", "effective_from"]
    list_filter = ["province", "region_class", "programme"]
    search_fields = ["name_zh", "area_code"]


class ReadOnly(admin.ModelAdmin):
    """Written by the bureaus' rollups only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StandardRollup)
class StandardRollupAdmin(ReadOnly):
    list_display = ["bureau", "programme", "variant", "monthly_amount", "effective_from", "refreshed_at"]
    list_filter = ["bureau", "programme"]


@admin.register(RollupRefresh)
class RollupRefreshAdmin(ReadOnly):
    list_display = ["bureau", "refreshed_at", "seconds", "failed_contributors"]


@admin.register(DuplicateAlert)
class DuplicateAlertAdmin(ReadOnly):
    list_display = ["id", "status", "opened_at", "closed_at"]
    list_filter = ["status"]
