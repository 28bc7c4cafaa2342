from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from .admin_mixins import ReadOnlyAdminMixin
from .admin_site import bureau_admin_site
from .models import JobRun


@admin.register(JobRun, site=bureau_admin_site)
class JobRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["job", "status", "started_at", "finished_at"]
    list_filter = ["job", "status"]


@admin.register(Group, site=bureau_admin_site)
class BureauGroupAdmin(GroupAdmin):
    pass


bureau_admin_site.register(TokenProxy, TokenAdmin)
