from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from tenants.models import BureauSettings

from .admin_site import bureau_admin_site
from .models import JobRun, StaffProfile


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by jobs and services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JobRun, site=bureau_admin_site)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "status", "started_at", "finished_at"]
    list_filter = ["job", "status"]


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
        return ", ".join(group.name for group in user.groups.all())

    @admin.display(description=_("town"))
    def town(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.town if profile and profile.town_id else "-"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups").select_related("staff_profile__town")


@admin.register(Group, site=bureau_admin_site)
class BureauGroupAdmin(GroupAdmin):
    pass


@admin.register(StaffProfile, site=bureau_admin_site)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "town"]
    list_filter = ["town"]
    list_select_related = ["user", "town"]


bureau_admin_site.register(TokenProxy, TokenAdmin)


class BureauSettingsAdmin(admin.ModelAdmin):
    """On a bureau host: that bureau's rule settings only, for its administrators (superusers there).

    The row lives in the public schema; the queryset is pinned to request.tenant so no host can
    reach another bureau's row whatever id is typed into the URL.
    """

    fields = [
        "name_zh", "name_en", "tekun_multiplier", "classified_share", "phaseout_months",
        "review_months_stable", "review_months_other", "review_months_marginal", "temporary_cap_multiple",
        "marginal_income_multiple", "annual_report_deadline", "auto_confirm_eligibility", "settings_notes",
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
