"""Pensions API: registries, child-welfare records, the eligibility engine and its changes.

Views are thin: input through serializers, writes through services, reads through selectors
(scoped to the caseworker's town; a record outside it is a 404).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.scoping import in_user_town
from apps.people import services as people_services
from apps.people.models import Person
from tenants.selectors import current_bureau

from .. import selectors, services
from ..models import EligibilityRun
from ..tasks import eligibility_run_task
from . import serializers as s


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django's model permissions, with reading behind the view permission too."""

    perms_map = {**permissions.DjangoModelPermissions.perms_map,
                 "GET": ["%(app_label)s.view_%(model_name)s"], "HEAD": ["%(app_label)s.view_%(model_name)s"]}


class ViewPermission(permissions.DjangoModelPermissions):
    """Reading needs the view permission; the POST actions are checked by their services
    (confirming needs pensions.confirm_eligibilitychange, not the add permission)."""

    perms_map = {method: ["%(app_label)s.view_%(model_name)s"]
                 for method in ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")}


def _check_town(request, town_id, field: str = "town"):
    if not in_user_town(request.user, town_id):
        raise ValidationError({field: [_("You can only register records of your own town.")]})


class _RegistryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       mixins.UpdateModelMixin, viewsets.GenericViewSet):
    permission_classes = [ModelPermissions]
    search_fields = ["name"]
    ordering_fields = ["name", "beds", "star_rating", "meals_per_month"]
    filterset_fields = ["town", "star_rating"]
    input_serializer = None
    output_serializer = None

    def get_serializer_class(self):
        return self.output_serializer

    def _write(self, request, instance=None):
        data = self.input_serializer(data=request.data, partial=instance is not None)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        _check_town(request, (values.get("town") or getattr(instance, "town", None)).pk)
        obj = self.create_service(**values) if instance is None else self.update_service(instance, **values)
        return Response(self.output_serializer(obj, context={"request": request}).data,
                        status=status.HTTP_201_CREATED if instance is None else status.HTTP_200_OK)

    def create(self, request, *args, **kwargs):
        return self._write(request)

    def update(self, request, *args, **kwargs):
        return self._write(request, self.get_object())


@extend_schema(tags=["pensions"])
@extend_schema_view(create=extend_schema(request=s.CareInstitutionInput),
                    update=extend_schema(request=s.CareInstitutionInput),
                    partial_update=extend_schema(request=s.CareInstitutionInput))
class InstitutionViewSet(_RegistryViewSet):
    """养老机构: ownership, beds, nursing beds (≤ beds), star rating 1-5, town."""

    input_serializer = s.CareInstitutionInput
    output_serializer = s.CareInstitutionOutput
    filterset_fields = ["town", "ownership", "star_rating"]

    def get_queryset(self):
        return selectors.institution_list(user=self.request.user)

    def create_service(self, **values):
        return people_services.care_institution_create(**values)

    def update_service(self, instance, **values):
        return people_services.care_institution_update(institution=instance, user=self.request.user, **values)

    @extend_schema(parameters=[OpenApiParameter("town", int)], responses=dict)
    @action(detail=False, methods=["get"])
    def totals(self, request):
        """Institutions, beds, nursing beds and their share, meal sites (中山: 34, 3880, 2934, 75.62%, 144)."""
        town = request.query_params.get("town")
        totals = selectors.registry_totals(user=request.user, town_id=int(town) if town.isdigit() else None) \
            if town else selectors.registry_totals(user=request.user)
        # Money-like shares travel as strings ("75.62"), as DRF sends decimals.
        share = totals["nursing_share"]
        return Response({**totals, "nursing_share": None if share is None else str(share)})


@extend_schema(tags=["pensions"])
@extend_schema_view(create=extend_schema(request=s.MealSiteInput), update=extend_schema(request=s.MealSiteInput),
                    partial_update=extend_schema(request=s.MealSiteInput))
class MealSiteViewSet(_RegistryViewSet):
    """长者饭堂 / 幸福食堂: town, star rating, meals served per month (≥ 0)."""

    input_serializer = s.MealSiteInput
    output_serializer = s.MealSiteOutput
    filterset_fields = ["town", "kind", "star_rating"]

    def get_queryset(self):
        return selectors.meal_site_list(user=self.request.user)

    def create_service(self, **values):
        return services.meal_site_create(**values)

    def update_service(self, instance, **values):
        return services.meal_site_update(site=instance, **values)


@extend_schema(tags=["pensions"])
class ChildWelfareViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """孤儿 / 事实无人抚养儿童 records kept by staff; the engine pays from them."""

    permission_classes = [ModelPermissions]
    serializer_class = s.ChildWelfareOutput
    filterset_fields = ["kind", "placement", "person"]
    search_fields = ["person__name", "=person__id_number"]

    def get_queryset(self):
        return selectors.child_welfare_list(user=self.request.user)

    def _write(self, request, instance=None):
        data = s.ChildWelfareInput(data=request.data, partial=instance is not None)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = values.get("person") or instance.person
        _check_town(request, person.town_id, "person")
        if instance is None:
            record = services.child_welfare_record_create(**values)
        else:
            record = services.child_welfare_record_update(record=instance, **values)
        return Response(s.ChildWelfareOutput(record, context={"request": request}).data,
                        status=status.HTTP_201_CREATED if instance is None else status.HTTP_200_OK)

    @extend_schema(request=s.ChildWelfareInput)
    def create(self, request, *args, **kwargs):
        return self._write(request)

    @extend_schema(request=s.ChildWelfareInput)
    def update(self, request, *args, **kwargs):
        return self._write(request, self.get_object())


class CanRunEngine(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("pensions.run_eligibilityrun")


@extend_schema(tags=["pensions"])
class EligibilityRunView(APIView):
    """POST eligibility/run/: run the engine now (or queue it on Celery); needs pensions.run_eligibilityrun."""

    permission_classes = [permissions.IsAuthenticated, CanRunEngine]

    @extend_schema(request=s.EligibilityRunInput, responses={200: s.EligibilityRunOutput, 202: s.EligibilityRunOutput})
    def post(self, request):
        data = s.EligibilityRunInput(data=request.data)
        data.is_valid(raise_exception=True)
        today = data.validated_data.get("today") or timezone.localdate()
        if data.validated_data["wait"]:
            run = services.eligibility_run(today=today, user=request.user)
            return Response(s.EligibilityRunOutput(run).data, status=status.HTTP_200_OK)
        run = EligibilityRun.objects.create(today=today, triggered_by=request.user,
                                            auto_confirm=current_bureau().auto_confirm_eligibility)
        transaction.on_commit(lambda: eligibility_run_task.delay(run.pk))
        return Response(s.EligibilityRunOutput(run).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["pensions"])
class EligibilityRunViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [ModelPermissions]
    serializer_class = s.EligibilityRunOutput

    def get_queryset(self):
        return selectors.eligibility_run_list(user=self.request.user)


@extend_schema(tags=["pensions"])
class EligibilityChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """What the engine found; POST {id}/confirm/ or {id}/reject/ (pensions.confirm_eligibilitychange)."""

    permission_classes = [ViewPermission]
    serializer_class = s.EligibilityChangeOutput
    filterset_fields = ["status", "programme", "action", "run", "person", "reason_code"]
    search_fields = ["person__name", "=person__id_number"]

    def get_queryset(self):
        return selectors.eligibility_change_list(user=self.request.user)

    def _decide(self, request, ids, decision, note):
        try:
            if decision == "confirm":
                result = services.eligibility_changes_confirm(change_ids=ids, user=request.user, note=note)
            else:
                result = services.eligibility_changes_reject(change_ids=ids, user=request.user, note=note)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(result)

    @extend_schema(request=s.DecisionInput, responses=dict)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        change = self.get_object()
        data = s.DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._decide(request, [change.pk], "confirm", data.validated_data["note"])

    @extend_schema(request=s.DecisionInput, responses=dict)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        change = self.get_object()
        data = s.DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._decide(request, [change.pk], "reject", data.validated_data["note"])

    @extend_schema(request=s.BulkDecisionInput, responses=dict)
    @action(detail=False, methods=["post"])
    def decide(self, request):
        """Confirm or reject many at once: {"ids": [...], "decision": "confirm"|"reject", "note": "..."}."""
        data = s.BulkDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        return self._decide(request, v["ids"], v["decision"], v["note"])


@extend_schema(tags=["pensions"])
class EligibilityExplainView(APIView):
    """GET eligibility/explain/?person=ID[&today=YYYY-MM-DD]: per programme, eligible or not and why."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("person", int, required=True), OpenApiParameter("today", str)],
                   responses=dict)
    def get(self, request):
        if not request.user.has_perm("pensions.view_eligibilitychange"):
            raise PermissionDenied()
        data = s.ExplainInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        person = get_object_or_404(Person, pk=data.validated_data["person"])
        if not in_user_town(request.user, person.town_id):
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        today = data.validated_data.get("today") or timezone.localdate()
        return Response({"person": person.pk, "today": today,
                         "programmes": selectors.eligibility_explain(person=person, today=today)})
