from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

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
