"""Input and output shapes of the pensions API; views hand the input to services."""

from rest_framework import serializers

from apps.core.api.mixins import OutputModelSerializer, masked_bank_account, masked_id_number
from apps.people.models import CareInstitution, Person, Town

from ..models import ChildWelfareRecord, EligibilityChange, EligibilityRun, MealSite
from ..selectors import reason_text


class CareInstitutionOutput(OutputModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)
    bank_account = masked_bank_account()

    class Meta:
        model = CareInstitution
        fields = ["id", "name", "ownership", "town", "town_name", "beds", "nursing_beds", "star_rating",
                  "bank_account", "bank_name"]


class CareInstitutionInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    ownership = serializers.ChoiceField(choices=CareInstitution.Ownership.choices)
    town = serializers.PrimaryKeyRelatedField(queryset=Town.objects.all())
    beds = serializers.IntegerField()
    nursing_beds = serializers.IntegerField()
    star_rating = serializers.IntegerField(required=False, allow_null=True)
    bank_account = serializers.CharField(required=False, allow_blank=True, max_length=19)
    bank_name = serializers.CharField(required=False, allow_blank=True, max_length=50)


class MealSiteOutput(OutputModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)

    class Meta:
        model = MealSite
        fields = ["id", "name", "kind", "town", "town_name", "star_rating", "meals_per_month"]


class MealSiteInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=MealSite.Kind.choices, required=False)
    town = serializers.PrimaryKeyRelatedField(queryset=Town.objects.all())
    star_rating = serializers.IntegerField(required=False, allow_null=True)
    # Checked by the service, so a negative number gets its own message rather than DRF's.
    meals_per_month = serializers.IntegerField(required=False)


class PersonBrief(OutputModelSerializer):
    id_number = masked_id_number()
    town_name = serializers.CharField(source="town.name", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "id_number", "town", "town_name", "birth_date"]


class ChildWelfareOutput(OutputModelSerializer):
    person_detail = PersonBrief(source="person", read_only=True)

    class Meta:
        model = ChildWelfareRecord
        fields = ["id", "person", "person_detail", "kind", "placement", "since", "ended_on", "end_reason",
                  "institution", "guardian", "note", "created_at", "updated_at"]


class ChildWelfareInput(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    kind = serializers.ChoiceField(choices=ChildWelfareRecord.Kind.choices)
    placement = serializers.ChoiceField(choices=ChildWelfareRecord.Placement.choices)
    since = serializers.DateField()
    ended_on = serializers.DateField(required=False, allow_null=True)
    end_reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    institution = serializers.PrimaryKeyRelatedField(queryset=CareInstitution.objects.all(), required=False,
                                                     allow_null=True)
    guardian = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class EligibilityRunOutput(OutputModelSerializer):
    class Meta:
        model = EligibilityRun
        fields = ["id", "today", "status", "auto_confirm", "triggered_by", "started_at", "finished_at", "summary",
                  "created_at"]


class EligibilityRunInput(serializers.Serializer):
    today = serializers.DateField(required=False, help_text="Run as of this day (default: today).")
    wait = serializers.BooleanField(
        default=False, help_text="Run in the request and answer with the result, instead of queueing it.")


class EligibilityChangeOutput(OutputModelSerializer):
    person_detail = PersonBrief(source="person", read_only=True)
    reason = serializers.SerializerMethodField()

    class Meta:
        model = EligibilityChange
        fields = ["id", "run", "person", "person_detail", "programme", "action", "variant", "period", "end_period",
                  "amount", "reason_code", "reason", "facts", "status", "entitlement", "created_entitlement",
                  "created_grant", "decided_by", "decided_at", "note", "created_at"]

    def get_reason(self, obj) -> str:
        return reason_text(obj.reason_code, obj.facts)


class DecisionInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class BulkDecisionInput(DecisionInput):
    ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    decision = serializers.ChoiceField(choices=[("confirm", "confirm"), ("reject", "reject")])


class ExplainInput(serializers.Serializer):
    person = serializers.IntegerField()
    today = serializers.DateField(required=False)
