"""The province's API on the public host: read-only aggregates for overseers (GET only)."""

from __future__ import annotations

from django.core.cache import cache
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.permissions import IsProvinceOverseer
from tenants.selectors import bureau_list

from .. import selectors
from ..views import PAGE_CACHE_SECONDS, version_key
from .serializers import (
    AlertSerializer,
    BureauSerializer,
    DuplicateSerializer,
    IndicatorSerializer,
    StandardRowSerializer,
    StatsQuerySerializer,
    StatsRowSerializer,
    YearQuerySerializer,
)


class ProvinceView(APIView):
    permission_classes = [IsProvinceOverseer]


class BureauViewSet(viewsets.ReadOnlyModelViewSet):
    """The bureaus the province oversees, with their rule settings."""

    serializer_class = BureauSerializer
    permission_classes = [IsProvinceOverseer]
    lookup_field = "schema_name"
    pagination_class = None

    def get_queryset(self):
        return bureau_list()


class StatsView(ProvinceView):
    """Caseload and amounts per bureau, month and programme (the last 24 months, or one period)."""

    @extend_schema(parameters=[StatsQuerySerializer], responses=StatsRowSerializer(many=True))
    def get(self, request):
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        key = version_key("stats", request.query_params.urlencode())
        data = cache.get(key)
        if data is None:
            rows = selectors.stats(
                period=query.validated_data.get("period"),
                programme=query.validated_data.get("programme", ""),
                bureau=query.validated_data.get("bureau", ""),
            )
            data = StatsRowSerializer(rows, many=True).data
            cache.set(key, data, PAGE_CACHE_SECONDS)
        return Response(data)


class StandardsView(ProvinceView):
    """Each bureau's standard in force against its provincial minimum: ratio, rank, below-minimum flag."""

    @extend_schema(responses=StandardRowSerializer(many=True))
    def get(self, request):
        return Response(StandardRowSerializer(selectors.standards_table(), many=True).data)


class DuplicatesView(ProvinceView):
    """Keyed hashes active in more than one bureau, with the bureaus and programmes; never the number."""

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=["open", "closed", "all"])],
        responses=DuplicateSerializer(many=True),
    )
    def get(self, request):
        status = request.query_params.get("status", "open")
        if status not in ("open", "closed", "all"):
            return Response({"status": ["Use open, closed or all."]}, status=400)
        alerts = selectors.duplicate_list(status="" if status == "all" else status)
        return Response(DuplicateSerializer(alerts, many=True).data)


class IndicatorsView(ProvinceView):
    """Social-organisation and burial indicators of every bureau for a year."""

    @extend_schema(parameters=[YearQuerySerializer], responses=IndicatorSerializer(many=True))
    def get(self, request):
        query = YearQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(IndicatorSerializer(selectors.indicators(year=query.validated_data["year"]), many=True).data)


class AlertsView(ProvinceView):
    """Late or failing runs, standards below the minimum, open duplicates, review backlogs."""

    @extend_schema(responses=AlertSerializer(many=True))
    def get(self, request):
        return Response(AlertSerializer(selectors.alert_list(), many=True).data)
