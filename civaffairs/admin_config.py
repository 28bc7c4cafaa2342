from django.contrib.admin.apps import AdminConfig


class ProvinceAdminConfig(AdminConfig):
    """django.contrib.admin with apps.core.admin_site.ProvinceAdminSite as its default site (`admin.site`)."""

    default_site = "apps.core.admin_site.ProvinceAdminSite"
