"""The bureau admin's 年度统计 page (figures, the comparison with the report, XLSX) and reported figures."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.core.admin_site import bureau_admin_site
from tenants.selectors import current_bureau

from . import exports, labels, selectors, services
from .models import AnnualSnapshot, ReportedFigure


def _year(request) -> int:
    bureau = current_bureau()
    default = bureau.report_year or timezone.localdate().year
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


@admin.register(AnnualSnapshot, site=bureau_admin_site)
class AnnualStatisticsAdmin(admin.ModelAdmin):
    """One page per year instead of a list: the figures grouped as a 年度统计 table, then the report."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("compute/", view(self.compute_view), name="statistics_annualsnapshot_compute"),
            path("xlsx/", view(self.xlsx_view), name="statistics_annualsnapshot_xlsx"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        year = _year(request)
        figures, snapshot = selectors.annual_figures_get(year=year)
        groups: list[tuple[str, list[dict]]] = []
        for figure in figures:
            if not groups or groups[-1][0] != labels.group_label(figure.group):
                groups.append((labels.group_label(figure.group), []))
            groups[-1][1].append(
                {
                    "label": figure.label,
                    "value": labels.display(figure.value, figure.unit),
                    "unit": labels.unit_label(figure.unit),
                    "note": figure.note,
                    "key": figure.key,
                }
            )
        rows = [
            {
                "label": row.label,
                "computed": labels.display(row.computed, row.unit),
                "reported": labels.display(row.reported, row.reported_unit),
                "difference": labels.display(row.difference, row.reported_unit),
                "percent": "—" if row.percent is None else f"{row.percent}%",
                "phrase": row.phrase,
                "source_file": row.source_file,
                "status": row.status,
                "status_label": labels.status_label(row.status),
                "reason": row.reason,
                "gap_reason": row.gap_reason,
                "unexplained": row.unexplained,
                "note": row.note,
                "within": row.within,
            }
            for row in selectors.fidelity(year=year)
            if row.status != "not_reported"
        ]
        bureau = current_bureau()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "year": year,
            "title": gettext("Annual statistics %(year)s") % {"year": year},
            "groups": groups,
            "rows": rows,
            "snapshot": snapshot,
            "report_year": bureau.report_year,
            "years": list(range(timezone.localdate().year, 2019, -1)),
            "can_compute": request.user.has_perm("statistics.compute_annualsnapshot"),
        }
        return TemplateResponse(request, "admin/statistics/annual.html", context)

    def compute_view(self, request):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("bureau_admin:statistics_annualsnapshot_changelist"))
        year = _year(request)
        try:
            services.annual_snapshot_compute(year=int(request.POST.get("year", year)), user=request.user)
        except (PermissionDenied, ValueError) as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
        else:
            self.message_user(request, gettext("The annual statistics were computed and stored."))
        return HttpResponseRedirect(
            reverse("bureau_admin:statistics_annualsnapshot_changelist") + f"?year={request.POST.get('year', year)}"
        )

    def xlsx_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        year = _year(request)
        figures, _snapshot = selectors.annual_figures_get(year=year)
        title = f"{current_bureau().name_zh} {year}年度统计"
        response = StreamingHttpResponse(
            exports.annual_xlsx_chunks(title=title, figures=figures, fidelity=selectors.fidelity(year=year)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="annual-statistics-{year}.xlsx"'
        return response


class SectionFilter(admin.SimpleListFilter):
    title = _("section")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        return [(code, labels.section_label(code)) for code in labels.SECTIONS]

    def queryset(self, request, queryset):
        return queryset.filter(section=self.value()) if self.value() else queryset


@admin.register(ReportedFigure, site=bureau_admin_site)
class ReportedFigureAdmin(SimpleHistoryAdmin):
    list_display = ["key", "period", "value", "unit_display", "coverage", "label", "source_phrase", "origin"]
    list_filter = ["period", SectionFilter, "coverage", "origin"]
    search_fields = ["key", "label", "source_phrase"]
    readonly_fields = ["origin", "updated_at"]
    fields = [
        "key",
        "period",
        "value",
        "unit",
        "coverage",
        "compare_key",
        "section",
        "label",
        "note",
        "source_file",
        "source_phrase",
        "origin",
        "updated_at",
    ]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("unit"), ordering="unit")
    def unit_display(self, figure):
        return labels.unit_label(figure.unit)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.origin = ReportedFigure.Origin.ADMIN
        super().save_model(request, obj, form, change)
