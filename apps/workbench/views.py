"""The bureau admin's home page: the panels every app registers in settings.WORKBENCH_PANELS.

apps.core.admin_site calls `home` in place of django's model index (settings.BUREAU_ADMIN_HOME); the
menu, grouped by task, stays beside the panels. A panel that fails is logged and left out by the
registry: the rest of the page still answers.
"""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from apps.core.registries import workbench_panels
from apps.core.scoping import user_town_id
from apps.people.models import Town


def home(request, *, site, extra_context=None):
    panels = workbench_panels(request=request)
    town_id = user_town_id(request.user)
    context = {
        **site.each_context(request),
        "title": _("Workbench"),
        "subtitle": None,
        "app_list": site.get_app_list(request),
        "panels": [panel for panel in panels if panel.chart is None],
        "charts": [
            {"panel": panel, "element_id": f"chart-{i}", "data_id": f"chart-data-{i}"}
            for i, panel in enumerate(p for p in panels if p.chart is not None)
        ],
        "town": Town.objects.filter(pk=town_id).first() if town_id else None,
        **(extra_context or {}),
    }
    request.current_app = site.name
    return TemplateResponse(request, "admin/workbench/home.html", context)
