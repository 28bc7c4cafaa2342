from django.apps import AppConfig
from django.apps import apps as registry
from django.utils.translation import gettext_lazy as _

from .history_dates import date_history_row


def revoke_tokens_on_lockout(sender, *, username=None, **kwargs):
    # A lock-out may mean the password is being guessed or was already taken: end its API tokens too.
    if username:
        Token = registry.get_model("authtoken", "Token")
        Token.objects.filter(user__username=username).delete()


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("Bureau administration")

    def ready(self):
        from axes.signals import user_locked_out  # axes' signals module loads its models

        user_locked_out.connect(revoke_tokens_on_lockout, dispatch_uid="core.revoke_tokens_on_lockout")
        from simple_history.signals import pre_create_historical_record

        pre_create_historical_record.connect(date_history_row, dispatch_uid="core.date_history_row")
        # django-axes names its app "Axes" with no translation; the province admin's menu reads in words.
        registry.get_app_config("axes").verbose_name = _("login protection")
