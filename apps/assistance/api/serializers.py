"""Shapes of applications, reviews and vagrant cases in the API. Input is checked by the services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.benefits.models import Entitlement, Grant
from apps.core.api.mixins import OutputModelSerializer
from apps.people.models import Person

from ..models import (
    Application,
    ApplicationTransition,
    AssetCheck,
    CareAssessment,
    IncomeRecord,
    Objection,
    Review,
    RigidExpense,
    VagrantCase,
)
from ..workflow import available_actions


class TransitionSerializer(OutputModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = ApplicationTransition
        fields = ["action", "from_status", "to_status", "user", "on", "at", "note"]
        read_only_fields = fields


class IncomeSerializer(OutputModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True, allow_null=True)

    class Meta:
        model = IncomeRecord
        fields = ["id", "person", "person_name", "income_type", "monthly_amount", "counted", "note"]
        read_only_fields = fields


class AssetCheckSerializer(OutputModelSerializer):
    class Meta:
        model = AssetCheck
        fields = ["passed", "note", "checked_on"]
        read_only_fields = fields


class RigidExpenseSerializer(OutputModelSerializer):
    class Meta:
        model = RigidExpense
        fields = ["id", "kind", "amount", "note"]
        read_only_fields = fields


class ObjectionSerializer(OutputModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "filed_on", "filed_by", "content", "status", "resolution", "resolved_on"]
        read_only_fields = fields


class ApplicationOutputSerializer(OutputModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)
    household_code = serializers.CharField(source="household.code", read_only=True, default=None, allow_null=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default=None, allow_null=True)
    investigated_by = serializers.CharField(source="investigated_by.username", read_only=True, default=None, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None, allow_null=True)
    publicity_ends_on = serializers.DateField(read_only=True)
    available_actions = serializers.SerializerMethodField()
    transitions = TransitionSerializer(many=True, read_only=True)
    incomes = IncomeSerializer(many=True, read_only=True)
    asset_check = serializers.SerializerMethodField()
    rigid_expenses = RigidExpenseSerializer(many=True, read_only=True)
    objections = ObjectionSerializer(many=True, read_only=True)
    entitlements = serializers.SerializerMethodField()
    grants = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id", "programme", "status", "household", "household_code", "person", "person_name", "town",
            "town_name", "submitted_on", "reason", "household_size", "total_income", "per_capita_income",
            "addon_members", "standard", "classification", "classification_reason", "support_mode",
            "care_institution", "care_level", "requested_amount", "accepted_on", "investigated_on",
            "investigated_by", "checked_on", "publicised_on", "publicity_ends_on", "decided_on", "decided_by",
            "decision_note", "available_actions", "transitions", "incomes", "asset_check", "rigid_expenses",
            "objections", "entitlements", "grants", "created_at", "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, app):
        request = self.context.get("request")
        return available_actions(app, request.user if request else None)

    @extend_schema_field(AssetCheckSerializer(allow_null=True))
    def get_asset_check(self, app):
        check = AssetCheck.objects.filter(application=app).first()
        return AssetCheckSerializer(check).data if check else None

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_entitlements(self, app):
        return list(Entitlement.objects.filter(source=app.source_key).values_list("id", flat=True).order_by("id"))

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_grants(self, app):
        return list(Grant.objects.filter(source=app.source_key).values_list("id", flat=True).order_by("id"))


class ApplicationListSerializer(OutputModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)
    household_code = serializers.CharField(source="household.code", read_only=True, default=None, allow_null=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Application
        fields = ["id", "programme", "status", "household", "household_code", "person", "person_name", "town",
                  "town_name", "submitted_on", "per_capita_income", "classification", "publicised_on",
                  "decided_on"]
        read_only_fields = fields


class ApplicationInputSerializer(serializers.Serializer):
    programme = serializers.CharField(max_length=20)
    household = serializers.IntegerField(required=False, allow_null=True)
    person = serializers.IntegerField(required=False, allow_null=True)
    submitted_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(allow_blank=True, default="")
    support_mode = serializers.CharField(allow_blank=True, default="")
    care_institution = serializers.IntegerField(required=False, allow_null=True)
    requested_amount = serializers.CharField(max_length=32, required=False, allow_null=True, allow_blank=True)


class TransitionInputSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=16)
    note = serializers.CharField(allow_blank=True, default="")
    on = serializers.DateField(required=False, allow_null=True, help_text="When the step happened (default today).")


class IncomeInputSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    income_type = serializers.CharField(max_length=24)
    # A string, so the service (not the parser) says "not a number" or "negative".
    monthly_amount = serializers.CharField(max_length=32, allow_blank=True)
    note = serializers.CharField(max_length=200, allow_blank=True, default="")


class AssetCheckInputSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True, default="")
    on = serializers.DateField(required=False, allow_null=True)


class RigidExpenseInputSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=16)
    amount = serializers.CharField(max_length=32, allow_blank=True)
    note = serializers.CharField(max_length=200, allow_blank=True, default="")


class ObjectionInputSerializer(serializers.Serializer):
    content = serializers.CharField(allow_blank=True)
    filed_on = serializers.DateField(required=False, allow_null=True)
    filed_by = serializers.CharField(max_length=100, allow_blank=True, default="")


class ObjectionResolveSerializer(serializers.Serializer):
    objection = serializers.IntegerField()
    upheld = serializers.BooleanField()
    resolution = serializers.CharField(allow_blank=True)


class CareAssessmentSerializer(OutputModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.all(), required=False,
                                                     allow_null=True)

    class Meta:
        model = CareAssessment
        fields = ["id", "person", "application", "assessed_on", "eating", "dressing", "bed_transfer", "toilet",
                  "walking_indoors", "bathing", "care_level"]
        read_only_fields = ["id", "care_level"]
        extra_kwargs = {"assessed_on": {"required": False}}


class ReviewOutputSerializer(OutputModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True, allow_null=True)
    town_name = serializers.CharField(source="town.name", read_only=True)
    programme = serializers.CharField(source="entitlement.programme_id", read_only=True)

    class Meta:
        model = Review
        fields = ["id", "entitlement", "programme", "household", "household_code", "town", "town_name", "stable",
                  "due_on", "status", "completed_on", "outcome", "per_capita_income", "note", "new_entitlement"]
        read_only_fields = fields


class ReviewCompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=16)
    per_capita_income = serializers.CharField(max_length=32, required=False, allow_null=True, allow_blank=True)
    covered_members = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    addon_members = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    note = serializers.CharField(allow_blank=True, default="")
    on = serializers.DateField(required=False, allow_null=True)


class VagrantCaseSerializer(OutputModelSerializer):
    class Meta:
        model = VagrantCase
        fields = ["id", "town", "person", "name", "gender", "intake_on", "found_on_street", "services", "outcome",
                  "closed_on", "cost", "note"]
        read_only_fields = ["id", "outcome", "closed_on"]


class VagrantCloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=16)
    closed_on = serializers.DateField(required=False, allow_null=True)
    cost = serializers.CharField(max_length=32, required=False, allow_null=True)
