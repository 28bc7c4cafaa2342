"""persons and households: list, create, retrieve, update — thin, through selectors and services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from apps.core.api.filters import FilterBackend
from apps.core.api.mixins import TownScopedViewSetMixin
from apps.core.api.permissions import ModelPermissions

from .. import selectors, services
from ..models import BankAccountChange, Person
from .filters import HouseholdFilter, PersonFilter, RegistrySearchFilter
from .serializers import (
    BankAccountChangeOutputSerializer,
    BankAccountDecisionInputSerializer,
    HouseholdInputSerializer,
    HouseholdOutputSerializer,
    MemberInputSerializer,
    MemberOutputSerializer,
    PersonInputSerializer,
    PersonOutputSerializer,
)


class _RegistryViewSet(TownScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    permission_classes = [ModelPermissions]
    filter_backends = [FilterBackend, RegistrySearchFilter, OrderingFilter]
    ordering = ["id"]

    def _input(self, serializer_class, *, partial=False):
        serializer = serializer_class(data=self.request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _output(self, instance, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(instance).data, status=status_code)


# What PersonOutputSerializer reads beyond the person's own columns.
PERSON_LIST_COLUMNS = [field.name for field in Person._meta.concrete_fields] + [
    "town__name", "community__name", "membership__person", "membership__relation", "membership__household",
    "membership__household__code",
]


class PersonViewSet(_RegistryViewSet):
    """Registered persons of the bureau (a caseworker: of their town). Search: a name fragment or a whole ID number."""

    serializer_class = PersonOutputSerializer
    filterset_class = PersonFilter
    search_fields = ["name", "=id_number"]  # documents ?search=; search_q does the work
    search_q = staticmethod(selectors.person_search_q)
    ordering_fields = ["id", "name", "birth_date", "created_at"]

    def get_queryset(self):
        persons = selectors.person_list(user=self.request.user)
        if self.action == "list":
            # A page reads the few shown columns of town, community and household, not whole rows.
            persons = persons.only(*PERSON_LIST_COLUMNS)
        return persons

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            selectors.pending_bank_account_changes_attach(page)
        return page

    @extend_schema(request=PersonInputSerializer, responses={201: PersonOutputSerializer})
    def create(self, request):
        data = self._input(PersonInputSerializer)
        self.ensure_user_town(data["town"])
        person = services.person_create(**data)
        return self._output(selectors.person_get(user=request.user, pk=person.pk), status.HTTP_201_CREATED)

    @extend_schema(request=PersonInputSerializer, responses=PersonOutputSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=PersonInputSerializer(partial=True), responses=PersonOutputSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial):
        person = self.get_object()
        data = self._input(PersonInputSerializer, partial=partial)
        if "town" in data:
            self.ensure_user_town(data["town"])
        services.person_update(person=person, user=self.request.user, **data)
        return self._output(selectors.person_get(user=self.request.user, pk=person.pk))


class HouseholdViewSet(_RegistryViewSet):
    """Households with their members. Members: POST {id}/members/, DELETE {id}/members/{person}/."""

    serializer_class = HouseholdOutputSerializer
    filterset_class = HouseholdFilter
    search_fields = ["=code", "members__person__name", "=members__person__id_number"]
    search_q = staticmethod(selectors.household_search_q)
    ordering_fields = ["id", "code", "created_at"]
    action_permissions = {
        "members": {"POST": ["people.add_householdmember"]},
        "member_remove": {"DELETE": ["people.change_household"]},
    }

    def get_queryset(self):
        return selectors.household_list(user=self.request.user)

    @extend_schema(request=HouseholdInputSerializer, responses={201: HouseholdOutputSerializer})
    def create(self, request):
        data = self._input(HouseholdInputSerializer)
        members = data.pop("members", [])
        self.ensure_user_town(data["town"])
        with transaction.atomic():
            household = services.household_create(**data)
            errors = []
            for item in members:
                try:
                    self._member_add(household, item)
                    errors.append({})
                except ValidationError as exc:
                    errors.append(exc.detail)
            if any(errors):
                transaction.set_rollback(True)
                raise ValidationError({"members": errors})
        return self._output(selectors.household_get(user=request.user, pk=household.pk), status.HTTP_201_CREATED)

    @extend_schema(request=HouseholdInputSerializer, responses=HouseholdOutputSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=HouseholdInputSerializer(partial=True), responses=HouseholdOutputSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial):
        household = self.get_object()
        data = self._input(HouseholdInputSerializer, partial=partial)
        if data.pop("members", None):
            raise ValidationError({"members": [_("Change members through the members sub-resource.")]})
        if not data.get("code", True):
            data.pop("code")
        if "town" in data:
            self.ensure_user_town(data["town"])
        services.household_update(household=household, **data)
        return self._output(selectors.household_get(user=self.request.user, pk=household.pk))

    def _member_add(self, household, item):
        try:
            person = selectors.person_get(user=self.request.user, pk=item["person"])
        except Person.DoesNotExist:
            raise ValidationError({"person": [_("Person #%(id)s was not found.") % {"id": item["person"]}]}) from None
        try:
            return services.household_member_add(household=household, person=person, relation=item["relation"],
                                                 joined_on=item.get("joined_on"))
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc

    @extend_schema(request=MemberInputSerializer, responses={201: MemberOutputSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        household = self.get_object()
        member = self._member_add(household, self._input(MemberInputSerializer))
        return Response(MemberOutputSerializer(member, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<person_id>\d+)")
    def member_remove(self, request, pk=None, person_id=None):
        household = self.get_object()
        person = get_object_or_404(selectors.person_list(user=request.user), pk=person_id)
        services.household_member_remove(household=household, person=person)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("status", str, enum=BankAccountChange.Status.values, description="pending, approved, …")]))
class BankAccountChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payees' bank account changes waiting for (or given) a second user's decision. Filter: ?status=pending."""

    serializer_class = BankAccountChangeOutputSerializer
    permission_classes = [ModelPermissions]
    action_permissions = {
        "approve": {"POST": ["people.approve_bankaccountchange"]},
        "reject": {"POST": ["people.approve_bankaccountchange"]},
    }

    def get_queryset(self):
        status_filter = self.request.query_params.get("status")
        if status_filter and status_filter not in BankAccountChange.Status.values:
            raise ValidationError({"status": [_("Unknown status %(status)s.") % {"status": status_filter}]})
        return selectors.bank_account_change_list(user=self.request.user, status=status_filter)

    def _decide(self, service):
        data = BankAccountDecisionInputSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        change = service(change=self.get_object(), user=self.request.user, **data.validated_data)
        return Response(self.get_serializer(change).data)

    @extend_schema(request=BankAccountDecisionInputSerializer, responses=BankAccountChangeOutputSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(services.bank_account_change_approve)

    @extend_schema(request=BankAccountDecisionInputSerializer, responses=BankAccountChangeOutputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(services.bank_account_change_reject)
