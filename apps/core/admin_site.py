from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .admin_history import ReadableHistoryMixin
from .admin_mixins import OwnTownListFilterMixin
from .idcard import mask_id_number
from .scoping import user_town_id


class BureauAdminSite(AdminSite):
    """The admin each bureau host serves; the province's (public) admin is django's default site.

    Separate sites keep public-only models (beat schedules, the bureau registry) off the bureau
    admins' screens: search_path would otherwise let a bureau host read the public tables.
    """

    site_header = _("Civil-affairs bureau administration")
    index_title = _("Bureau administration")

    def register(self, model_or_iterable, admin_class=None, **options):
        # For every app, also those registered later: history pages read in words (apps.core.admin_history)
        # and a caseworker's list filters name only their own town.
        admin_class = admin_class or ModelAdmin
        mixins = [OwnTownListFilterMixin]
        if issubclass(admin_class, SimpleHistoryAdmin):
            mixins.insert(0, ReadableHistoryMixin)
        mixins = [m for m in mixins if not issubclass(admin_class, m)]
        if mixins:
            admin_class = type(admin_class.__name__, (*mixins, admin_class), {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)

    def autocomplete_view(self, request):
        return MaskedAutocompleteJsonView.as_view(admin_site=self)(request)

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            context["site_header"] = tenant.name_zh if request.LANGUAGE_CODE.startswith("zh") else tenant.name_en
            town_id = user_town_id(request.user)
            if town_id is not None:
                # A caseworker sees which town they work in on every page.
                town = request.user.staff_profile.town
                context["site_header"] = f"{context['site_header']} · {town.name}"
            context["site_title"] = context["site_header"]
        return context


class MaskedAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete results name a person with the masked ID number, so namesakes can be told apart."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        number = getattr(obj, "id_number", None)
        if number:
            result["text"] = f"{result['text']} {mask_id_number(number)}"
        return result


bureau_admin_site = BureauAdminSite(name="bureau_admin")
