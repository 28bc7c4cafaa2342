from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from .hosts import host_cache


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Province and bureaus")

    def ready(self):
        for model in ("tenants.Bureau", "tenants.BureauSettings", "tenants.Domain"):  # a proxy's save names the proxy
            post_save.connect(host_cache.clear, sender=model, dispatch_uid=f"host_cache_{model}_save")
            post_delete.connect(host_cache.clear, sender=model, dispatch_uid=f"host_cache_{model}_delete")
