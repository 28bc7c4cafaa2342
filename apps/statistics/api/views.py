"""Statistics API: the annual figures, their comparison with the report, the monthly series, the XLSX.

Bureau-wide aggregates, no person in them; reading needs statistics.view_annualsnapshot, storing a
year's snapshot statistics.compute_annualsnapshot.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.selectors import current_bureau

from .. import exports, labels, selectors, services
from . import serializers as s

YEAR = OpenApiParameter("year", int, required=True, description="calendar year, e.g. 2024")


class CanView(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm("statistics.view_annualsnapshot")
        )


def _year(request) -> int:
    data = s.YearInput(data=request.query_params if request.method == "GET" else request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data["year"]


def _figures(figures) -> list[dict]:
    return [
        {
            "key": f.key,
            "value": labels.plain(f.value, f.unit),
            "unit": f.unit,
            "label": str(f.label),
            "group": f.group,
            "note": str(f.note or ""),
        }
        for f in figures
    ]


def _annual(year: int, figures, snapshot) -> dict:
    return {"year": year, "computed_at": snapshot.computed_at if snapshot else None, "figures": _figures(figures)}


class AnnualView(APIView):
    """GET stats/annual/?year=2024: the year's figures (the stored snapshot, else computed now)."""

    permission_classes = [CanView]

    @extend_schema(tags=["statistics"], parameters=[YEAR], responses=s.AnnualOutput)
    def get(self, request):
        year = _year(request)
        figures, snapshot = selectors.annual_figures_get(year=year)
        return Response(s.AnnualOutput(_annual(year, figures, snapshot)).data)


class AnnualComputeView(APIView):
    """POST stats/annual/compute/ {"year": 2024}: compute and store the year's snapshot."""

    permission_classes = [CanView]

    @extend_schema(tags=["statistics"], request=s.YearInput, responses=s.AnnualOutput)
    def post(self, request):
        year = _year(request)
        try:
            snapshot = services.annual_snapshot_compute(year=year, user=request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        figures, snapshot = selectors.annual_figures_get(year=year)
        return Response(s.AnnualOutput(_annual(year, figures, snapshot)).data)


class FidelityView(APIView):
    """GET stats/fidelity/?year=2024: each reported figure beside the computed one, or why not."""

    permission_classes = [CanView]

    @extend_schema(tags=["statistics"], parameters=[YEAR], responses=s.FidelityOutput)
    def get(self, request):
        year = _year(request)
        rows = []
        for row in selectors.fidelity(year=year):
            item = dataclasses.asdict(row)
            for name in ("computed", "reported", "difference"):
                item[name] = labels.plain(item[name], row.unit if name == "computed" else row.reported_unit)
            item["percent"] = labels.plain(row.percent, "percent")
            item["label"] = str(item["label"])
            item["reason"] = str(item["reason"])
            item["unexplained"] = row.unexplained
            rows.append(item)
        return Response(s.FidelityOutput({"year": year, "rows": rows}).data)


class MonthlyView(APIView):
    """GET stats/monthly/?months=24&last=2024-12: caseload and amounts per programme and month."""

    permission_classes = [CanView]

    @extend_schema(
        tags=["statistics"],
        parameters=[OpenApiParameter("last", str), OpenApiParameter("months", int)],
        responses=s.MonthlyOutput,
    )
    def get(self, request):
        data = s.MonthlyInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        series = selectors.monthly_series(last=data.validated_data.get("last"), months=data.validated_data["months"])
        for item in series["series"]:
            item["values"] = [labels.plain(v, item["unit"]) for v in item["values"]]
        return Response(s.MonthlyOutput(series).data)


class AnnualXlsxView(APIView):
    """GET stats/annual/xlsx/?year=2024: the 年度统计 table and the comparison with the report."""

    permission_classes = [CanView]

    @extend_schema(
        tags=["statistics"],
        parameters=[YEAR],
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        year = _year(request)
        figures, _snapshot = selectors.annual_figures_get(year=year)
        title = f"{current_bureau().name_zh} {year}年度统计"
        chunks = exports.annual_xlsx_chunks(title=title, figures=figures, fidelity=selectors.fidelity(year=year))
        response = StreamingHttpResponse(
            chunks, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="annual-statistics-{year}.xlsx"'
        return response
