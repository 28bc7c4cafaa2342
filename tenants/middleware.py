from django.http import HttpResponseNotFound
from django.template.loader import render_to_string
from django_tenants.middleware.main import TenantMainMiddleware

from .hosts import host_cache


class BureauMiddleware(TenantMainMiddleware):
    """Routes by host; an unknown host gets a plain 404 page that says so, never a crash."""

    def get_tenant(self, domain_model, hostname):
        tenant = host_cache.get(hostname)
        if tenant is None:
            tenant = super().get_tenant(domain_model, hostname)
            host_cache.put(hostname, tenant)
        return tenant

    def no_tenant_found(self, request, hostname):
        body = render_to_string("tenants/unknown_host.html", {"hostname": hostname}, request=request)
        return HttpResponseNotFound(body)
