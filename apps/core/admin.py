from django.contrib import admin

from .admin_site import bureau_admin_site
from .models import JobRun


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
