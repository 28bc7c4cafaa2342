"""standards, entitlements, grants: thin views over apps.benefits selectors and services."""


from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.periods import MonthFilter, body_month, query_month
from apps.core.api.permissions import ModelPermissions

from .. import selectors, services
from ..models import Entitlement, Grant, Standard
from .serializers import (
    EntitlementOutputSerializer,
    GrantOutputSerializer,
    ReasonSerializer,
    StandardInputSerializer,
    StandardOutputSerializer,
    StopSerializer,
)


def _input(view, serializer_class):
    serializer = serializer_class(data=view.request.data, context=view.get_serializer_context())
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class StandardFilter(filters.FilterSet):
    in_force_on = filters.DateFilter(method="filter_in_force", label="in force on (YYYY-MM-DD)")

    class Meta:
        model = Standard
        fields = ["programme", "variant", "unit"]

    def filter_in_force(self, queryset, name, value):
        return queryset.filter(pk__in=selectors.standard_list(filters={"in_force_on": value}).values("pk"))


class StandardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """保障标准 with effective dates. Bureau administrators and approvers create and change them; a past
    effective date is allowed (the next payment run pays the arrears)."""

    permission_classes = [ModelPermissions]
    serializer_class = StandardOutputSerializer
    filterset_class = StandardFilter
    ordering_fields = ["effective_from", "programme", "variant"]
    ordering = ["programme", "variant", "-effective_from"]
    queryset = Standard.objects.none()

    def get_queryset(self):
        return selectors.standard_list()

    @extend_schema(request=StandardInputSerializer, responses={201: StandardOutputSerializer})
    def create(self, request):
        standard = services.standard_create(user=request.user, **_input(self, StandardInputSerializer))
        return Response(StandardOutputSerializer(standard).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StandardInputSerializer(partial=True), responses=StandardOutputSerializer)
    def partial_update(self, request, pk=None):
        serializer = StandardInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        standard = services.standard_update(user=request.user, standard=self.get_object(), **serializer.validated_data)
        return Response(StandardOutputSerializer(standard).data)

    @extend_schema(request=StandardInputSerializer, responses=StandardOutputSerializer)
    def update(self, request, pk=None):
        return self.partial_update(request, pk)


class EntitlementFilter(filters.FilterSet):
    town = filters.NumberFilter(method="filter_town")
    active_in = MonthFilter(method="filter_active_in", label="paying in the month YYYY-MM")

    class Meta:
        model = Entitlement
        fields = ["programme", "status", "household", "person", "variant"]

    def filter_town(self, queryset, name, value):
        return queryset.filter(pk__in=selectors.entitlement_list(user=None, filters={"town": value}).values("pk"))

    def filter_active_in(self, queryset, name, value):
        return queryset.filter(selectors.entitlement_active_q(value))


_period = OpenApiParameter("period", str, description="The month the `amount` field is computed for (YYYY-MM).")


# What EntitlementOutputSerializer reads of the related rows (its town, names and the masked account).
LIST_RELATED = ("household", "person", "payee_person", "payee_institution")
LIST_COLUMNS = [field.name for field in Entitlement._meta.concrete_fields] + [
    "household__code", "household__town", "person__name", "person__town", "payee_person__name",
    "payee_person__bank_account", "payee_institution__name", "payee_institution__bank_account",
]


@extend_schema(parameters=[_period])
class EntitlementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Recurring entitlements (a caseworker: of their town). `amount` is what it pays for ?period=."""

    permission_classes = [ModelPermissions]
    serializer_class = EntitlementOutputSerializer
    filterset_class = EntitlementFilter
    ordering_fields = ["id", "start_period", "programme"]
    ordering = ["id"]
    queryset = Entitlement.objects.none()
    action_permissions = {name: {"POST": ["benefits.change_entitlement"]} for name in ("suspend", "resume", "stop")}

    def get_queryset(self):
        entitlements = selectors.entitlement_list(user=self.request.user)
        if self.action == "list":
            # A page reads the related rows' few shown columns, not five whole models a row (a third of
            # its CPU went to building them).
            entitlements = entitlements.select_related(None).select_related(*LIST_RELATED).only(*LIST_COLUMNS)
        return entitlements

    def get_serializer_context(self):
        context = super().get_serializer_context()
        book = selectors.StandardBook.load() if self.request else None
        context.update(book=book, payments=book.payments if book else selectors.programme_payments(),
                       period=query_month(self.request, "period") if self.request else None)
        return context

    def _done(self, entitlement):
        return Response(self.get_serializer(selectors.entitlement_get(user=self.request.user,
                                                                      pk=entitlement.pk)).data)

    @extend_schema(request=ReasonSerializer, responses=EntitlementOutputSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        data = _input(self, ReasonSerializer)
        return self._done(services.entitlement_suspend(entitlement=self.get_object(), user=request.user, **data))

    @extend_schema(request=ReasonSerializer, responses=EntitlementOutputSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        data = _input(self, ReasonSerializer)
        return self._done(services.entitlement_resume(entitlement=self.get_object(), user=request.user, **data))

    @extend_schema(request=StopSerializer, responses=EntitlementOutputSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        data = _input(self, StopSerializer)
        return self._done(services.entitlement_stop(entitlement=self.get_object(), user=request.user,
                                                    reason=data["reason"],
                                                    end_period=body_month(data["end_period"], "end_period")))


class GrantFilter(filters.FilterSet):
    town = filters.NumberFilter(method="filter_town")
    period = MonthFilter()

    class Meta:
        model = Grant
        fields = ["programme", "status", "period", "household", "person"]

    def filter_town(self, queryset, name, value):
        return queryset.filter(pk__in=selectors.grant_list(user=None, filters={"town": value}).values("pk"))


class GrantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One-off payments (临时救助, eco-burial subsidies, funeral reimbursements)."""

    permission_classes = [ModelPermissions]
    serializer_class = GrantOutputSerializer
    filterset_class = GrantFilter
    ordering_fields = ["id", "period", "amount"]
    ordering = ["-period", "id"]
    queryset = Grant.objects.none()
    action_permissions = {"cancel": {"POST": ["benefits.change_grant"]}}

    def get_queryset(self):
        return selectors.grant_list(user=self.request.user)

    @extend_schema(request=ReasonSerializer, responses=GrantOutputSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = _input(self, ReasonSerializer)
        grant = services.grant_cancel(grant=self.get_object(), user=request.user, **data)
        return Response(self.get_serializer(grant).data)
