from django.contrib.admin import AdminSite
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .admin_history import ReadableHistoryMixin


class BureauAdminSite(AdminSite):
    """The admin each bureau host serves; the province's (public) admin is django's default site.

    Separate sites keep public-only models (beat schedules, the bureau registry) off the bureau
    admins' screens: search_path would otherwise let a bureau host read the public tables.
    """

    site_header = _("Civil-affairs bureau administration")
    index_title = _("Bureau administration")

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every history page reads in words (apps.core.admin_history), also for apps registered later.
        if admin_class is not None and issubclass(admin_class, SimpleHistoryAdmin) and not issubclass(
            admin_class, ReadableHistoryMixin
        ):
            admin_class = type(admin_class.__name__, (ReadableHistoryMixin, admin_class), {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            context["site_header"] = tenant.name_zh if request.LANGUAGE_CODE.startswith("zh") else tenant.name_en
            context["site_title"] = context["site_header"]
        return context


bureau_admin_site = BureauAdminSite(name="bureau_admin")
