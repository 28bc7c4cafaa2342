from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PensionsConfig(AppConfig):
    name = "apps.pensions"
    label = "pensions"
    verbose_name = _("Elderly, disability and child welfare")
