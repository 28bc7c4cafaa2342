"""applications (+ transition), reviews, care assessments, vagrant cases: thin views over services."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.core.api.permissions import ModelPermissions
from apps.pensions.models import CareInstitution  # apps.people.models after the lead's move
from apps.people.models import Household, Person

from .. import selectors, services
from ..models import Application, CareAssessment, Objection, Review, VagrantCase
from .serializers import (
    ApplicationInputSerializer,
    ApplicationListSerializer,
    ApplicationOutputSerializer,
    AssetCheckInputSerializer,
    CareAssessmentSerializer,
    IncomeInputSerializer,
    ObjectionInputSerializer,
    ObjectionResolveSerializer,
    ReviewCompleteSerializer,
    ReviewOutputSerializer,
    RigidExpenseInputSerializer,
    TransitionInputSerializer,
    VagrantCaseSerializer,
    VagrantCloseSerializer,
)


def _input(view, serializer_class):
    serializer = serializer_class(data=view.request.data, context=view.get_serializer_context())
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ApplicationFilter(filters.FilterSet):
    open = filters.BooleanFilter(method="filter_open", label="open (not yet decided)")

    class Meta:
        model = Application
        fields = ["programme", "status", "town", "household", "person", "classification"]

    def filter_open(self, queryset, name, value):
        return queryset.filter(status__in=Application.OPEN_STATUSES) if value else queryset.exclude(
            status__in=Application.OPEN_STATUSES)


CHANGE = {"POST": ["assistance.change_application"]}


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications for 低保, 低保边缘, 支出型, 特困 and 临时救助 (a caseworker: of their town).

    `POST {id}/transition/` with {"action", "note", "on"} moves it: accept → investigate → check →
    publicise → approve | reject. A refused step is 400 with the reason; a missing role permission 403.
    """

    permission_classes = [ModelPermissions]
    filterset_class = ApplicationFilter
    search_fields = ["household__code", "person__name", "=person__id_number"]
    ordering_fields = ["id", "submitted_on", "status"]
    ordering = ["-id"]
    queryset = Application.objects.none()
    action_permissions = {"transition": CHANGE, "incomes": CHANGE, "asset_check": CHANGE, "rigid_expenses": CHANGE,
                          "objections": CHANGE, "resolve_objection": {"POST": ["assistance.review_application"]}}

    def get_queryset(self):
        qs = selectors.application_list(user=self.request.user)
        if self.action == "retrieve" or self.action in self.action_permissions:
            qs = qs.prefetch_related("transitions__user", "incomes__person", "rigid_expenses", "objections")
        return qs

    def get_serializer_class(self):
        return ApplicationListSerializer if self.action == "list" else ApplicationOutputSerializer

    def _state(self, app, code=status.HTTP_200_OK):
        app = self.get_queryset().get(pk=app.pk)
        return Response(ApplicationOutputSerializer(app, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ApplicationInputSerializer, responses={201: ApplicationOutputSerializer})
    def create(self, request):
        data = _input(self, ApplicationInputSerializer)
        # Not found and of another town read the same, so a caseworker learns nothing of other towns.
        for field, model in (("household", Household), ("person", Person)):
            if data.get(field) is not None:
                obj = model.objects.filter(pk=data[field]).first()
                if obj is None:
                    raise ValidationError({field: [_("No %(what)s #%(id)s in your town.")
                                                   % {"what": field, "id": data[field]}]})
                data[field] = obj
        if data.get("care_institution") is not None:
            data["care_institution"] = CareInstitution.objects.filter(pk=data["care_institution"]).first()
            if data["care_institution"] is None:
                raise ValidationError({"care_institution": [_("No such care institution.")]})
        app = services.application_create(user=request.user, **data)
        return self._state(app, status.HTTP_201_CREATED)

    @extend_schema(request=TransitionInputSerializer, responses=ApplicationOutputSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        data = _input(self, TransitionInputSerializer)
        app = services.application_transition(application=self.get_object(), user=request.user, **data)
        return self._state(app)

    @extend_schema(request=IncomeInputSerializer, responses=ApplicationOutputSerializer)
    @action(detail=True, methods=["post"])
    def incomes(self, request, pk=None):
        app = self.get_object()
        data = _input(self, IncomeInputSerializer)
        person = Person.objects.filter(pk=data.pop("person")).first()
        if person is None:
            raise ValidationError({"person": [_("That person is not a member of the applying household.")]})
        services.income_record_set(application=app, user=request.user, person=person, **data)
        return self._state(app)

    @extend_schema(request=AssetCheckInputSerializer, responses=ApplicationOutputSerializer)
    @action(detail=True, methods=["post"], url_path="asset-check")
    def asset_check(self, request, pk=None):
        app = self.get_object()
        services.asset_check_record(application=app, user=request.user, **_input(self, AssetCheckInputSerializer))
        return self._state(app)

    @extend_schema(request=RigidExpenseInputSerializer, responses=ApplicationOutputSerializer)
    @action(detail=True, methods=["post"], url_path="rigid-expenses")
    def rigid_expenses(self, request, pk=None):
        app = self.get_object()
        services.rigid_expense_add(application=app, user=request.user, **_input(self, RigidExpenseInputSerializer))
        return self._state(app)

    @extend_schema(request=ObjectionInputSerializer, responses=ApplicationOutputSerializer)
    @action(detail=True, methods=["post"])
    def objections(self, request, pk=None):
        app = self.get_object()
        services.objection_file(application=app, user=request.user, **_input(self, ObjectionInputSerializer))
        return self._state(app)

    @extend_schema(request=ObjectionResolveSerializer, responses=ApplicationOutputSerializer)
    @action(detail=True, methods=["post"], url_path="resolve-objection")
    def resolve_objection(self, request, pk=None):
        app = self.get_object()
        data = _input(self, ObjectionResolveSerializer)
        objection = get_object_or_404(Objection, pk=data.pop("objection"), application=app)
        services.objection_resolve(objection=objection, user=request.user, **data)
        return self._state(app)


class CareAssessmentViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Six daily-living tests (true = managed unaided) → care level 全自理 / 半失能 / 全失能."""

    permission_classes = [ModelPermissions]
    serializer_class = CareAssessmentSerializer
    queryset = CareAssessment.objects.none()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        person = data.pop("person")
        on = data.pop("assessed_on", None)
        serializer.instance = services.care_assessment_record(person=person, user=self.request.user, on=on, **data)


class ReviewFilter(filters.FilterSet):
    overdue = filters.BooleanFilter(method="filter_overdue", label="overdue (past due, not done)")

    class Meta:
        model = Review
        fields = ["status", "town", "stable", "household"]

    def filter_overdue(self, queryset, name, value):
        import datetime

        late = selectors.reviews_overdue_list(user=None, today=datetime.date.today()).values("pk")
        return queryset.filter(pk__in=late) if value else queryset.exclude(pk__in=late)


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reviews (复核); ?overdue=true lists the backlog. `POST {id}/complete/` records the outcome."""

    permission_classes = [ModelPermissions]
    serializer_class = ReviewOutputSerializer
    filterset_class = ReviewFilter
    ordering_fields = ["due_on", "id"]
    ordering = ["due_on", "id"]
    queryset = Review.objects.none()
    action_permissions = {"complete": {"POST": ["assistance.review_application"]}}

    def get_queryset(self):
        return selectors.review_list(user=self.request.user)

    @extend_schema(request=ReviewCompleteSerializer, responses=ReviewOutputSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        review = services.review_complete(review=self.get_object(), user=request.user,
                                          **_input(self, ReviewCompleteSerializer))
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data)


class VagrantCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         viewsets.GenericViewSet):
    """流浪乞讨救助 cases: intake, services, outcome, cost. `POST {id}/close/` records the outcome."""

    permission_classes = [ModelPermissions]
    serializer_class = VagrantCaseSerializer
    filterset_fields = ["town", "outcome"]
    ordering = ["-intake_on", "-id"]
    queryset = VagrantCase.objects.none()
    action_permissions = {"close": {"POST": ["assistance.change_vagrantcase"]}}

    def get_queryset(self):
        return selectors.vagrant_case_list(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.vagrant_case_create(user=self.request.user, **data)

    @extend_schema(request=VagrantCloseSerializer, responses=VagrantCaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        case = services.vagrant_case_close(case=self.get_object(), user=request.user,
                                           **_input(self, VagrantCloseSerializer))
        return Response(self.get_serializer(case).data)
