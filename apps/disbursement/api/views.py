"""payment-runs, payments, recoveries: thin views over the disbursement's services and selectors."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from apps.benefits.models import ProgrammeCode
from apps.core.api.filters import IdFilter
from apps.core.api.periods import MonthFilter

from .. import selectors, services
from ..bankfile import bank_file_open
from ..models import BankFileDownload, PaymentLine, PaymentRun, RecoveryLine
from ..returns import BankReturnRejected, bank_return_import
from .serializers import (
    BankReturnImportOutputSerializer,
    BankReturnInputSerializer,
    BankReturnRejectedSerializer,
    OverpaymentOutputSerializer,
    PaymentLineOutputSerializer,
    PaymentRunInputSerializer,
    PaymentRunOutputSerializer,
    RecoveryOutputSerializer,
)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def needs(permission: str) -> type[BasePermission]:
    """A permission class requiring one django permission (reads included)."""

    class Needs(BasePermission):
        def has_permission(self, request, view):
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(permission))

    Needs.__name__ = f"Needs[{permission}]"
    return Needs


class JsonRegardlessOfFormat(BaseContentNegotiation):
    """`?format=csv` names the bank file's format here, not a DRF renderer: errors stay JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PaymentRunFilter(filters.FilterSet):
    period = MonthFilter()

    class Meta:
        model = PaymentRun
        fields = ["period", "kind", "status"]


RUN_COLUMNS = [field.name for field in PaymentRun._meta.concrete_fields]


class PaymentRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payment runs with their progress. POST starts one (a worker generates it); approve, export, returns."""

    serializer_class = PaymentRunOutputSerializer
    permission_classes = [needs("disbursement.view_paymentrun")]
    filterset_class = PaymentRunFilter
    ordering_fields = ["id", "period", "started_at"]

    def get_queryset(self):
        runs = selectors.payment_run_list()
        if self.action == "list":
            # The two users are shown by their usernames: whole auth_user rows made the page's statement
            # 42 columns to compile and read (24 now), 12% of the request's Python calls.
            runs = runs.only(*RUN_COLUMNS, "started_by__username", "approved_by__username")
        return runs

    @extend_schema(request=PaymentRunInputSerializer, responses={202: PaymentRunOutputSerializer})
    def create(self, request):
        data = PaymentRunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.payment_run_start(user=request.user, **data.validated_data)
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=PaymentRunOutputSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        run = services.payment_run_approve(run=self.get_object(), user=request.user)
        return Response(self.get_serializer(run).data)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx"], description="csv (default) or xlsx")],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=JsonRegardlessOfFormat)
    def export(self, request, pk=None):
        fmt = request.query_params.get("format", "csv")
        name, chunks = bank_file_open(run=self.get_object(), user=request.user, fmt=fmt,
                                      channel=BankFileDownload.Channel.API)
        response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @extend_schema(request={"multipart/form-data": BankReturnInputSerializer},
                   responses={200: BankReturnImportOutputSerializer, 400: BankReturnRejectedSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def returns(self, request, pk=None):
        data = BankReturnInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            record = bank_return_import(run=self.get_object(), content=upload, file_name=upload.name,
                                        user=request.user)
        except BankReturnRejected as rejected:
            body = BankReturnImportOutputSerializer(rejected.record).data
            return Response({"file": rejected.record.errors, "import": body}, status=status.HTTP_400_BAD_REQUEST)
        return Response(BankReturnImportOutputSerializer(record).data)


class PaymentLineFilter(filters.FilterSet):
    run = IdFilter(field_name="run_id")
    status = filters.ChoiceFilter(field_name="shown_status", choices=PaymentLine.Status.choices)
    programme = filters.ChoiceFilter(field_name="programme_id", choices=ProgrammeCode.choices)
    line_type = filters.ChoiceFilter(choices=PaymentLine.LineType.choices)
    period = MonthFilter()
    town = IdFilter(field_name="town_id")

    class Meta:
        model = PaymentLine
        fields = ["run", "status", "programme", "line_type", "period", "town"]


class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payment lines (a caseworker: of their town). Filters: run, status, programme, line_type, period, town."""

    serializer_class = PaymentLineOutputSerializer
    permission_classes = [needs("disbursement.view_paymentline")]
    filterset_class = PaymentLineFilter
    search_fields = ["payee_name", "=id_number"]
    ordering_fields = ["id", "amount", "period"]

    def get_queryset(self):
        return selectors.payment_line_list(user=self.request.user)


class RecoveryFilter(filters.FilterSet):
    programme = filters.ChoiceFilter(field_name="programme_id", choices=ProgrammeCode.choices)
    reason = filters.ChoiceFilter(choices=[("death", "death"), ("stopped", "stopped")])
    run = IdFilter(field_name="run_id")
    period = MonthFilter()

    class Meta:
        model = RecoveryLine
        fields = ["programme", "reason", "run", "period"]


class RecoveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """追回: paid lines for months after a death or a stop, with the amount to recover."""

    serializer_class = RecoveryOutputSerializer
    permission_classes = [needs("disbursement.view_recoveryline")]
    filterset_class = RecoveryFilter
    ordering_fields = ["id", "amount", "period"]  # never by ID number or account: a binary-search oracle

    def get_queryset(self):
        return selectors.recovery_list(user=self.request.user)


class OverpaymentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Months paid above a since-lowered standard: for a decision of staff, never recovered automatically."""

    serializer_class = OverpaymentOutputSerializer
    permission_classes = [needs("disbursement.view_overpayment")]

    def get_queryset(self):
        return selectors.overpayment_list(user=self.request.user)

