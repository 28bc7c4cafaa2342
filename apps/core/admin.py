from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from tenants.models import BureauSettings

from .admin_mixins import ReadOnlyAdminMixin
from .admin_site import bureau_admin_site
from .models import JobRun, PersonalDataAccess
from .roles import permission_label, role_label


@admin.register(JobRun, site=bureau_admin_site)
class JobRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["job", "status", "started_at", "finished_at"]
    list_filter = ["job", "status"]


@admin.register(PersonalDataAccess, site=bureau_admin_site)
class PersonalDataAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The auditor's view of who saw whole ID numbers and accounts: append-only, for superusers too."""

    list_display = ["at", "username", "channel", "field", "record", "person_id", "masked_value", "file_name",
                    "row_count", "ip_address", "path"]
    list_filter = ["channel", "field", "at", "username"]
    search_fields = ["=username", "=person_id", "record", "file_name", "=ip_address"]
    date_hierarchy = "at"

    def get_actions(self, request):
        return {}


@admin.register(Group, site=bureau_admin_site)
class BureauGroupAdmin(GroupAdmin):
    list_display = ["name", "role"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "permissions":
            field.label_from_instance = permission_label
        return field

    @admin.display(description=_("role"))
    def role(self, group):
        return role_label(group.name)


class BureauTokenAdmin(TokenAdmin):
    """API tokens are a developer's tool: superusers only, out of everyone else's menu."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser


bureau_admin_site.register(TokenProxy, BureauTokenAdmin)


class BureauSettingsAdmin(admin.ModelAdmin):
    """On a bureau host: that bureau's rule settings only, for its administrators (superusers there).

    The row lives in the public schema; the queryset is pinned to request.tenant so no host can
    reach another bureau's row whatever id is typed into the URL.
    """

    fields = [
        "name_zh", "name_en", "tekun_multiplier", "classified_share", "phaseout_months",
        "review_months_stable", "review_months_other", "review_months_marginal", "temporary_cap_multiple",
        "marginal_income_multiple", "annual_report_deadline", "abnormal_list_months", "auto_confirm_eligibility",
        "password_max_age_days", "settings_notes",
    ]
    readonly_fields = ["name_zh", "name_en"]
    list_display = ["name_zh", "tekun_multiplier", "classified_share", "phaseout_months", "temporary_cap_multiple"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk=request.tenant.pk)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


bureau_admin_site.register(BureauSettings, BureauSettingsAdmin)
