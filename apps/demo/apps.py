from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The top floor: synthetic populations, demo caseloads, bootstrap and `make demo`. Nothing imports it."""

    name = "apps.demo"
    label = "demo"
    verbose_name = _("Demo data")
