"""Social-organisation API: the registry, its annual reports and list entries, community filings,
and the indicators of a year. Thin: input through serializers, writes through services, reads
through selectors (scoped to the caseworker's town; a record outside it is a 404)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .. import selectors, services
from . import serializers as s
from .filters import CommunityOrgFilter, SocialOrganisationFilter


class ViewPermission(permissions.DjangoModelPermissions):
    """Every method needs the view permission; writes are checked by the services they call."""

    perms_map = {
        method: ["%(app_label)s.view_%(model_name)s"]
        for method in ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
    }


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=1990, max_value=2100)


@extend_schema(tags=["social-organisations"])
@extend_schema_view(
    create=extend_schema(request=s.SocialOrganisationInput, responses={201: s.SocialOrganisationOutput}),
    partial_update=extend_schema(request=s.SocialOrganisationChange, responses=s.SocialOrganisationOutput),
)
class SocialOrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """社会组织: 社会团体, 社会服务机构 and 基金会 registered by the bureau; a change (PATCH) is a 变更."""

    permission_classes = [ViewPermission]
    serializer_class = s.SocialOrganisationOutput
    filterset_class = SocialOrganisationFilter
    search_fields = ["name", "=credit_code"]
    ordering_fields = ["name", "established_on", "id"]
    ordering = ["name", "id"]

    def get_queryset(self):
        return selectors.organisation_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = s.SocialOrganisationInput(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = services.organisation_register(user=request.user, **data.validated_data)
        return Response(self._output(organisation.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        organisation = self.get_object()
        data = s.SocialOrganisationChange(data=request.data)
        data.is_valid(raise_exception=True)
        services.organisation_change(organisation=organisation, user=request.user, **data.validated_data)
        return Response(self._output(organisation.pk))

    def _output(self, pk):
        return self.get_serializer(self.get_queryset().get(pk=pk)).data

    @extend_schema(request=s.CloseInput, responses=s.SocialOrganisationOutput)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """注销 or 撤销, with the decision's document number and date."""
        organisation = self.get_object()
        data = s.CloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.organisation_close(organisation=organisation, user=request.user, **data.validated_data)
        return Response(self._output(organisation.pk))

    @extend_schema(methods=["get"], responses=s.AnnualReportOutput(many=True), filters=False)
    @extend_schema(methods=["post"], request=s.AnnualReportInput, responses={201: s.AnnualReportOutput})
    @action(detail=True, methods=["get", "post"], url_path="annual-reports", filter_backends=[], pagination_class=None)
    def annual_reports(self, request, pk=None):
        """The organisation's annual reports; POST records one (and ends a stay on the abnormal list for it)."""
        organisation = self.get_object()
        if request.method == "POST":
            data = s.AnnualReportInput(data=request.data)
            data.is_valid(raise_exception=True)
            report = services.annual_report_submit(organisation=organisation, user=request.user, **data.validated_data)
            return Response(s.AnnualReportOutput(report).data, status=status.HTTP_201_CREATED)
        reports = selectors.annual_report_list(user=request.user, organisation_id=organisation.pk)
        return Response(s.AnnualReportOutput(reports, many=True).data)

    @extend_schema(methods=["get"], responses=s.ListingOutput(many=True), filters=False)
    @extend_schema(methods=["post"], request=s.ListingDecision, responses={200: s.ListingOutput})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def listings(self, request, pk=None):
        """Every stay on the 活动异常名录 and the 严重违法失信名单, entries and exits; POST lists or removes
        by decision (needs socialorgs.decide_listing), with the reason."""
        organisation = self.get_object()
        if request.method == "POST":
            data = s.ListingDecision(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            if values["action"] == "list":
                if not values.get("kind"):
                    raise ValidationError({"kind": [_("Choose the list.")]})
                stay = services.listing_add(
                    organisation=organisation,
                    kind=values["kind"],
                    note=values["note"],
                    listed_on=values.get("on"),
                    user=request.user,
                )
            else:
                stay = (
                    selectors.listing_list(user=request.user, organisation_id=organisation.pk)
                    .filter(pk=values.get("listing") or 0)
                    .first()
                )
                if stay is None:
                    raise ValidationError({"listing": [_("Name an entry of this organisation.")]})
                stay = services.listing_remove(
                    listing=stay, note=values["note"], removed_on=values.get("on"), user=request.user
                )
            return Response(s.ListingOutput(stay).data)
        stays = selectors.listing_list(user=request.user, organisation_id=organisation.pk).order_by("listed_on", "id")
        return Response(s.ListingOutput(stays, many=True).data)

    @extend_schema(methods=["get"], responses=s.RatingOutput(many=True), filters=False)
    @extend_schema(methods=["post"], request=s.RatingInput, responses={201: s.RatingOutput})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def ratings(self, request, pk=None):
        """The organisation's ratings (评估等级 1A-5A, valid five years), newest first; POST records one."""
        organisation = self.get_object()
        if request.method == "POST":
            data = s.RatingInput(data=request.data)
            data.is_valid(raise_exception=True)
            rating = services.rating_record(organisation=organisation, user=request.user, **data.validated_data)
            return Response(s.RatingOutput(rating).data, status=status.HTTP_201_CREATED)
        ratings = selectors.rating_list(user=request.user, organisation_id=organisation.pk)
        return Response(s.RatingOutput(ratings, many=True).data)

    @extend_schema(methods=["get"], responses=s.MajorEventOutput(many=True), filters=False)
    @extend_schema(methods=["post"], request=s.MajorEventInput, responses={201: s.MajorEventOutput})
    @action(detail=True, methods=["get", "post"], url_path="major-events", filter_backends=[], pagination_class=None)
    def major_events(self, request, pk=None):
        """The organisation's major-event reports (重大事项报告), newest first; POST records one."""
        organisation = self.get_object()
        if request.method == "POST":
            data = s.MajorEventInput(data=request.data)
            data.is_valid(raise_exception=True)
            report = services.major_event_report(organisation=organisation, user=request.user, **data.validated_data)
            return Response(s.MajorEventOutput(report).data, status=status.HTTP_201_CREATED)
        reports = selectors.major_event_list(user=request.user, organisation_id=organisation.pk)
        return Response(s.MajorEventOutput(reports, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=True)], responses=s.SocialOrgIndicatorsOutput, filters=False
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def indicators(self, request):
        """The bureau's figures of a year (中山 2024: 1,858 registered, 2,589 community filings, 92.80%, 241)."""
        query = YearQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(s.SocialOrgIndicatorsOutput(selectors.indicators(year=query.validated_data["year"])).data)


@extend_schema(tags=["social-organisations"])
@extend_schema_view(create=extend_schema(request=s.CommunityOrgInput, responses={201: s.CommunityOrgOutput}))
class CommunityOrgViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """社区社会组织 filed (备案) with their towns: a caseworker files those of their own town."""

    permission_classes = [ViewPermission]
    serializer_class = s.CommunityOrgOutput
    filterset_class = CommunityOrgFilter
    search_fields = ["name"]
    ordering_fields = ["name", "filed_on", "id"]
    ordering = ["name", "id"]

    def get_queryset(self):
        return selectors.community_org_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = s.CommunityOrgInput(data=request.data)
        data.is_valid(raise_exception=True)
        filing = services.community_org_file(user=request.user, **data.validated_data)
        return Response(self.get_serializer(filing).data, status=status.HTTP_201_CREATED)
