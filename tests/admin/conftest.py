"""A small bureau with something in every admin: people, the assistance workflow, allowances, a paid month.

Built with the demo's own commands (the code `make demo` runs) inside the test's transaction, so that
every registered model — also those of apps added later — has rows to open.
"""

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from apps.core.admin_site import bureau_admin_site

BUREAU_USERS = [
    f"zhongshan-{role}"
    for role in ("admin", "caseworker1", "caseworker2", "reviewer", "approver", "finance", "auditor")
]
PROVINCE_USERS = ["province-admin", "overseer"]


@pytest.fixture
def populated_zhongshan(in_bureau):
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    period = timezone.localdate().strftime("%Y-%m")
    call_command("generate_population", "--tenant", "zhongshan", "--persons", "1500", "-v", "0", **quiet)
    call_command("pensions_demo_registry", "--tenant", "zhongshan", **quiet)
    call_command(
        "assistance_demo_caseload", "--tenant", "zhongshan", "--limit", "12", "--workers", "1", "-v", "0", **quiet
    )
    call_command("pensions_demo", "--tenant", "zhongshan", "--no-registry", **quiet)
    call_command("demo_disbursement", "--tenant", "zhongshan", "--period", period, "--sample", "6", **quiet)
    return "zhongshan"


def admin_pages(site, user, *, tenant=None):
    """(model label, url) of every changelist, and of the change and history page of the newest record the
    user may reach, for each model admin of `site`. Walks the site's registry: apps added later are swept too.
    """
    request = RequestFactory().get("/admin/")
    request.user = user
    request.tenant = tenant
    for model, model_admin in site._registry.items():
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        yield opts.label, base
        if not model_admin.has_view_or_change_permission(request):
            continue
        obj = model_admin.get_queryset(request).order_by("-pk").first()
        if obj is not None:
            yield opts.label, f"{base}{obj.pk}/change/"
            yield opts.label, f"{base}{obj.pk}/history/"


@pytest.fixture
def admin_sites():
    return {"bureau": bureau_admin_site, "province": admin.site}
