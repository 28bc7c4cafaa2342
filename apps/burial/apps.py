from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BurialConfig(AppConfig):
    name = "apps.burial"
    label = "burial"
    verbose_name = _("Funerals and burial")
