from django.conf import settings
from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .admin_history import ReadableHistoryMixin
from .admin_lists import ListSpeedMixin
from .admin_mixins import OwnTownListFilterMixin
from .admin_money import MoneyColumnsMixin
from .idcard import mask_id_number
from .scoping import user_town_id

# The bureau admin's menu, grouped by the work people do rather than by app (issue 11). A model goes
# to the first group naming it exactly ("app.model"), else to the first whose "app.*" matches; a model
# no group names keeps its app's own section after the groups (apps added later are not lost).
MENU_GROUPS = [
    (
        "assistance",
        _("Social assistance"),
        [
            "assistance.*",
            "benefits.entitlement",
            "benefits.grant",
        ],
    ),
    (
        "welfare",
        _("Elderly care and welfare"),
        [
            "pensions.*",
            "people.careinstitution",
        ],
    ),
    (
        "payments",
        _("Payments"),
        [
            "disbursement.*",
        ],
    ),
    (
        "people",
        _("People"),
        [
            "people.person",
            "people.household",
            "people.householdmember",
            "people.disabilitycertificate",
            "people.bankaccountchange",
        ],
    ),
    (
        "settings",
        _("Bureau settings"),
        [
            "benefits.programme",
            "benefits.standard",
            "pensions.longevitystandard",
            "people.town",
            "people.community",
            "people.staffprofile",
            "auth.user",
            "auth.group",
            "tenants.bureausettings",
            "core.*",
            "django_celery_beat.*",
        ],
    ),
]
# Tools of developers and operators: the demo's synthetic-population records and API tokens. Only a
# superuser sees them in the menu (their pages keep their own permission checks).
DEVELOPER_MODELS = {"demo.*", "authtoken.tokenproxy", "authtoken.token"}


def _matches(key: str, patterns) -> bool:
    app_label = key.split(".", 1)[0]
    return key in patterns or f"{app_label}.*" in patterns


def _group_of(key: str) -> str | None:
    for group, _label, patterns in MENU_GROUPS:
        if key in patterns:
            return group
    for group, _label, patterns in MENU_GROUPS:
        if f"{key.split('.', 1)[0]}.*" in patterns:
            return group
    return None


class BureauAdminSite(AdminSite):
    """The admin each bureau host serves; the province's (public) admin is django's default site.

    Separate sites keep public-only models (beat schedules, the bureau registry) off the bureau
    admins' screens: search_path would otherwise let a bureau host read the public tables.

    Its home page is settings.BUREAU_ADMIN_HOME when set (the workbench, a floor above this one:
    `view(request, *, site, extra_context)`), and its menu is grouped by task (MENU_GROUPS).
    """

    site_header = _("Civil-affairs bureau administration")
    index_title = _("Bureau administration")

    def register(self, model_or_iterable, admin_class=None, **options):
        # For every app, also those registered later: history pages read in words (apps.core.admin_history)
        # a caseworker's list filters name only their own town, amounts read as money, and lists keep fast
        # at a million rows (apps.core.admin_lists).
        admin_class = admin_class or ModelAdmin
        mixins = [MoneyColumnsMixin, ListSpeedMixin, OwnTownListFilterMixin]
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

    def index(self, request, extra_context=None):
        home = getattr(settings, "BUREAU_ADMIN_HOME", "")
        if not home:
            return super().index(request, extra_context)
        request.current_app = self.name
        return import_string(home)(request, site=self, extra_context=extra_context)

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        if not request.user.is_superuser:
            for app in app_list:
                app["models"] = [m for m in app["models"] if not _matches(self._key(app, m), DEVELOPER_MODELS)]
            app_list = [app for app in app_list if app["models"]]
        if app_label is not None:
            return app_list  # an app's own page keeps its models
        return self._grouped(app_list)

    @staticmethod
    def _key(app, model) -> str:
        return f"{app['app_label']}.{model['object_name'].lower()}"

    def _grouped(self, app_list):
        index_url = reverse(f"{self.name}:index")
        groups = {
            key: {
                "name": label,
                "app_url": f"{index_url}#group-{key}",
                "has_module_perms": True,
                "models": [],
                "group": key,
            }
            for key, label, _patterns in MENU_GROUPS
        }
        rest = []
        for app in app_list:
            left = []
            for model in app["models"]:
                model["_app_label"] = app["app_label"]
                group = _group_of(self._key(app, model))
                (groups[group]["models"] if group else left).append(model)
            if left:
                rest.append({**app, "models": left})
        for group in groups.values():
            # A group is labelled as the app of its first model: django-tenants' admin templates show a
            # section only when its app_label is one of the bureau's apps.
            if group["models"]:
                group["app_label"] = group["models"][0]["_app_label"]
        return [group for group in groups.values() if group["models"]] + rest


class ProvinceAdminSite(AdminSite):
    """Django's default site (the province's admin, on the public host), its amounts read as money.

    Installed as the default site by civaffairs.admin_config (INSTALLED_APPS), so `admin.register` in any app
    registers here.
    """

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, MoneyColumnsMixin):
            admin_class = type(admin_class.__name__, (MoneyColumnsMixin, admin_class),
                               {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)


class MaskedAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete results name a person with the masked ID number, so namesakes can be told apart."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        number = getattr(obj, "id_number", None)
        if number:
            result["text"] = f"{result['text']} {mask_id_number(number)}"
        return result


bureau_admin_site = BureauAdminSite(name="bureau_admin")
