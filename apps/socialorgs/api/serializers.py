"""Input and output shapes of the social-organisation API; views hand the input to services."""

from django.utils import timezone
from rest_framework import serializers

from apps.core.api.mixins import OutputModelSerializer, masked_id_number
from apps.people.models import Community, Person, Town

from .. import rules
from ..models import (
    AnnualReport,
    CommunityOrgFiling,
    Listing,
    MajorEventReport,
    OrgStatus,
    OrgType,
    Rating,
    SocialOrganisation,
)
from ..selectors import listing_reason_text


class SocialOrganisationOutput(OutputModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)
    representative_id_number = masked_id_number()
    current_grade = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The grade (1-5 A) of the current valid rating, if any."
    )
    on_abnormal_list = serializers.BooleanField(source="on_abnormal", read_only=True)
    on_dishonesty_list = serializers.BooleanField(source="on_dishonest", read_only=True)

    class Meta:
        model = SocialOrganisation
        fields = [
            "id",
            "name",
            "credit_code",
            "org_type",
            "status",
            "town",
            "town_name",
            "legal_representative",
            "representative_name",
            "representative_id_number",
            "business_scope",
            "established_on",
            "closed_on",
            "registered_capital",
            "supervising_unit",
            "has_party_org",
            "party_branch",
            "current_grade",
            "on_abnormal_list",
            "on_dishonesty_list",
        ]


class _OrganisationFields(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    town = serializers.PrimaryKeyRelatedField(queryset=Town.objects.all())
    legal_representative = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    representative_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    representative_id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    business_scope = serializers.CharField(required=False, allow_blank=True)
    # Checked by the service, so a bad amount gets its own message.
    registered_capital = serializers.CharField(max_length=20, required=False)
    supervising_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)
    has_party_org = serializers.BooleanField(required=False)
    party_branch = serializers.CharField(max_length=100, required=False, allow_blank=True)


class SocialOrganisationInput(_OrganisationFields):
    """成立: the registration and its decision's document number (the date is the date established)."""

    credit_code = serializers.CharField(max_length=30)
    org_type = serializers.ChoiceField(choices=OrgType.choices)
    established_on = serializers.DateField()
    document_number = serializers.CharField(max_length=60)


class SocialOrganisationChange(_OrganisationFields):
    """变更: any of the registration details, under a decision's document number and date."""

    document_number = serializers.CharField(max_length=60)
    decided_on = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "town"):
            self.fields[name].required = False


class CloseInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(OrgStatus.DEREGISTERED, OrgStatus.DEREGISTERED.label), (OrgStatus.REVOKED, OrgStatus.REVOKED.label)]
    )
    document_number = serializers.CharField(max_length=60)
    decided_on = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class AnnualReportOutput(OutputModelSerializer):
    class Meta:
        model = AnnualReport
        fields = [
            "id",
            "organisation",
            "year",
            "submitted_on",
            "result",
            "reviewer",
            "reviewed_on",
            "income",
            "expenditure",
            "net_assets",
            "staff",
            "activities",
        ]


class AnnualReportInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=1990, max_value=2100)
    submitted_on = serializers.DateField()
    income = serializers.CharField(max_length=20, required=False)
    expenditure = serializers.CharField(max_length=20, required=False)
    net_assets = serializers.CharField(max_length=20, required=False)
    staff = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    activities = serializers.CharField(required=False, allow_blank=True)


class ListingOutput(OutputModelSerializer):
    reason_text = serializers.SerializerMethodField()

    class Meta:
        model = Listing
        fields = [
            "id",
            "organisation",
            "kind",
            "reason",
            "report_year",
            "reason_text",
            "listed_on",
            "listed_by",
            "removed_on",
            "exit",
            "exit_note",
            "removed_by",
        ]

    def get_reason_text(self, obj) -> str:
        return listing_reason_text(obj)


class ListingDecision(serializers.Serializer):
    """List the organisation (`kind`, `note`) or end an open stay (`listing`, `note`)."""

    action = serializers.ChoiceField(choices=[("list", "list"), ("remove", "remove")])
    kind = serializers.ChoiceField(choices=Listing.Kind.choices, required=False)
    listing = serializers.IntegerField(min_value=1, required=False)
    note = serializers.CharField(max_length=300)
    on = serializers.DateField(required=False)


class RatingOutput(OutputModelSerializer):
    valid = serializers.SerializerMethodField(help_text="Whether the rating holds today (five years from rated_on).")

    class Meta:
        model = Rating
        fields = ["id", "organisation", "grade", "rated_on", "valid_until", "valid", "document_number"]

    def get_valid(self, obj) -> bool:
        return rules.rating_valid_on(rated_on=obj.rated_on, day=timezone.localdate())


class RatingInput(serializers.Serializer):
    grade = serializers.IntegerField(min_value=1, max_value=5, help_text="1-5 (1A-5A)")
    rated_on = serializers.DateField()
    document_number = serializers.CharField(max_length=60, required=False, allow_blank=True)


class MajorEventOutput(OutputModelSerializer):
    class Meta:
        model = MajorEventReport
        fields = ["id", "organisation", "kind", "reported_on", "event_on", "summary", "reviewed"]


class MajorEventInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MajorEventReport.Kind.choices)
    reported_on = serializers.DateField()
    event_on = serializers.DateField(required=False, allow_null=True)
    summary = serializers.CharField(max_length=4000)


class SocialOrgIndicatorsOutput(serializers.Serializer):
    year = serializers.IntegerField()
    registered = serializers.IntegerField()
    registered_by_type = serializers.DictField(child=serializers.IntegerField())
    established = serializers.IntegerField()
    deregistered = serializers.IntegerField()
    revoked = serializers.IntegerField()
    community_filings = serializers.IntegerField()
    annual_reports_required = serializers.IntegerField()
    annual_reports_submitted = serializers.IntegerField()
    annual_reports_on_time = serializers.IntegerField()
    annual_report_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    abnormal_list = serializers.IntegerField()
    dishonesty_list = serializers.IntegerField()
    listed_abnormal_in_year = serializers.IntegerField()
    rated_3a_plus = serializers.IntegerField()
    ratings_expired = serializers.IntegerField()
    party_organisations = serializers.IntegerField()
    party_coverage = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    major_event_reports = serializers.IntegerField()


class CommunityOrgOutput(OutputModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)

    class Meta:
        model = CommunityOrgFiling
        fields = [
            "id",
            "name",
            "town",
            "town_name",
            "community",
            "field",
            "filed_on",
            "contact_name",
            "members",
            "withdrawn_on",
        ]


class CommunityOrgInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    town = serializers.PrimaryKeyRelatedField(queryset=Town.objects.all())
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all(), required=False, allow_null=True)
    field = serializers.ChoiceField(choices=CommunityOrgFiling.Field.choices, required=False)
    filed_on = serializers.DateField()
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    members = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
