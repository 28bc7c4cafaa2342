from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialorgsConfig(AppConfig):
    name = "apps.socialorgs"
    label = "socialorgs"
    verbose_name = _("Social organisations")
