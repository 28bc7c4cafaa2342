"""Burial API: deaths (with correction and deletion), fee waivers, eco-burial subsidies, cemeteries
and plot sales, the year's indicators. Thin: services write, selectors read (scoped to the
caseworker's town; another town's record is a 404)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.mixins import TownScopedViewSetMixin
from apps.core.api.permissions import ModelPermissions

from .. import selectors, services
from ..importing import deaths_import
from ..models import DeathRecord
from . import serializers as s


class _CreateListViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [ModelPermissions]
    output_serializer = None

    def get_serializer_class(self):
        return self.output_serializer

    def _created(self, obj):
        return Response(
            self.output_serializer(obj, context={"request": self.request}).data, status=status.HTTP_201_CREATED
        )


def _scoped_death(request, death):
    """The death record as the user may see it (another town's reads as not found)."""
    if not selectors.death_list(user=request.user).filter(pk=death.pk).exists():
        raise ValidationError({"death": [_("There is no death record #%(id)s.") % {"id": death.pk}]})
    return death


@extend_schema(tags=["burial"])
@extend_schema_view(create=extend_schema(request=s.DeathInput, responses=s.DeathOutput))
class DeathViewSet(TownScopedViewSetMixin, mixins.DestroyModelMixin, _CreateListViewSet):
    """死亡登记: a registered person (benefits end after the month of death at once) or an unregistered deceased."""

    output_serializer = s.DeathOutput
    filterset_fields = ["town", "disposition", "cause", "funeral_home"]
    search_fields = ["name", "=id_number"]
    ordering_fields = ["date_of_death", "created_at"]
    action_permissions = {"correct": ["burial.change_deathrecord"], "import_file": ["burial.add_deathrecord"]}

    def get_queryset(self):
        return selectors.death_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = s.DeathInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = values.get("person")
        self.ensure_user_town(person.town if person else values.get("town"))
        return self._created(services.death_record_create(user=request.user, **values))

    @extend_schema(request=s.DeathDateInput, responses=s.DeathOutput)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """A wrong date of death: what the old date set off is undone, then the new date applied."""
        record = self.get_object()
        data = s.DeathDateInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.death_record_correct_date(record=record, user=request.user, **data.validated_data)
        return Response(s.DeathOutput(record, context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": s.DeathImportInput},
        responses={201: s.DeathImportOutput, 400: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        """Excel import (the funeral homes' report): all or nothing, every error listed with its row."""
        data = s.DeathImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = deaths_import(file=data.validated_data["file"], user=request.user)
        body = {
            "rows": result.rows,
            "created": result.created,
            "benefits_stopped": result.benefits_stopped,
            "errors": result.errors,
        }
        return Response(body, status=status.HTTP_201_CREATED if result.ok else status.HTTP_400_BAD_REQUEST)

    @extend_schema(request=s.ReasonInput, responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """A record made in error: the person is alive again and every benefit it ended is restored."""
        record = self.get_object()
        data = s.ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.death_record_delete(record=record, user=request.user, reason=data.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["burial"])
@extend_schema_view(create=extend_schema(request=s.FeeWaiverInput, responses=s.FeeWaiverOutput))
class FeeWaiverViewSet(_CreateListViewSet):
    """殡葬基本服务费减免: items from the price list summed within the cap, paid to the funeral home."""

    output_serializer = s.FeeWaiverOutput
    filterset_fields = ["funeral_home"]

    def get_queryset(self):
        return selectors.fee_waiver_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = s.FeeWaiverInput(data=request.data)
        data.is_valid(raise_exception=True)
        death = _scoped_death(request, data.validated_data["death"])
        items = [dict(i) for i in data.validated_data["items"]]
        return self._created(services.fee_waiver_create(death=death, items=items, user=request.user))


@extend_schema(tags=["burial"])
@extend_schema_view(create=extend_schema(request=s.EcoBurialInput, responses=s.EcoBurialOutput))
class EcoBurialViewSet(_CreateListViewSet):
    """节地生态安葬补贴: once per deceased, the rate of its disposition, to the family's account."""

    output_serializer = s.EcoBurialOutput
    filterset_fields = ["mode"]

    def get_queryset(self):
        return selectors.eco_burial_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = s.EcoBurialInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        death = _scoped_death(request, values.pop("death"))
        return self._created(services.eco_burial_create(death=death, user=request.user, **values))


@extend_schema(tags=["burial"])
@extend_schema_view(create=extend_schema(request=s.CemeteryInput, responses=s.CemeteryOutput))
class CemeteryViewSet(_CreateListViewSet):
    """公墓: 经营性 / 公益性, capacity, plots sold and remaining, the price cap per plot."""

    output_serializer = s.CemeteryOutput
    filterset_fields = ["town", "kind"]
    action_permissions = {"sell": ["burial.add_plotsale"]}

    def get_queryset(self):
        return selectors.cemetery_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = s.CemeteryInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._created(services.cemetery_create(user=request.user, **data.validated_data))

    @extend_schema(request=s.PlotSaleInput, responses=s.CemeteryOutput)
    @action(detail=True, methods=["post"])
    def sell(self, request, pk=None):
        """A plot sold: refused above the price cap (the cap is in the message) or when the cemetery is full."""
        cemetery = self.get_object()
        data = s.PlotSaleInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.get("death") is not None:
            values["death"] = _scoped_death(request, values["death"])
        services.plot_sale_create(cemetery=cemetery, user=request.user, **values)
        return Response(
            s.CemeteryOutput(get_object_or_404(self.get_queryset(), pk=cemetery.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class IndicatorsView(APIView):
    """The year's burial indicators computed from the records: deaths, cremation rate (cremations /
    deaths subject to cremation), exemptions, eco-burial count and rate, waivers and subsidies."""

    permission_classes = [ModelPermissions]
    queryset = DeathRecord.objects.none()

    @extend_schema(
        tags=["burial"], parameters=[OpenApiParameter("year", int, required=True)], responses=s.BurialIndicatorsOutput
    )
    def get(self, request):
        year = request.query_params.get("year", "")
        if not year.isdigit() or not 1900 <= int(year) <= 2100:
            raise ValidationError({"year": [_("Give the year as four digits, e.g. 2024.")]})
        data = {"year": int(year), **selectors.indicators(year=int(year))}
        return Response(s.BurialIndicatorsOutput(data).data)
