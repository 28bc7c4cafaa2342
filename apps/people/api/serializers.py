"""Shapes of persons and households in the API. Input is checked by the services, which name the field."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.mixins import OutputModelSerializer, masked_bank_account, masked_id_number

from ..models import BankAccountChange, Community, Household, HouseholdMember, HukouClass, Person, Town


class HouseholdRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    relation = serializers.CharField()


class BankAccountChangeOutputSerializer(OutputModelSerializer):
    old_account = masked_bank_account()
    new_account = masked_bank_account()
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default=None)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)

    class Meta:
        model = BankAccountChange
        fields = ["id", "person", "institution", "old_account", "old_bank_name", "new_account", "new_bank_name",
                  "reason", "status", "requested_by", "requested_at", "decided_by", "decided_at", "decision_note"]
        read_only_fields = fields


class BankAccountDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class PersonOutputSerializer(OutputModelSerializer):
    id_number = masked_id_number()
    bank_account = masked_bank_account()
    town_name = serializers.CharField(source="town.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True, default=None, allow_null=True)
    household = serializers.SerializerMethodField()
    pending_bank_account_change = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id", "id_number", "name", "gender", "birth_date", "hukou_class", "local_hukou", "town", "town_name",
            "community", "community_name", "phone", "bank_account", "bank_name", "monthly_income", "is_student",
            "seriously_ill", "status", "date_of_death", "household", "pending_bank_account_change", "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(BankAccountChangeOutputSerializer(allow_null=True))
    def get_pending_bank_account_change(self, person):
        """The new account waiting for a second user's approval; bank_account stays the old one until then."""
        pending = getattr(person, "pending_bank_account_changes", None)
        if pending is None:  # one person (a detail, an answer to a change), not a page
            pending = person.bank_account_changes.filter(status=BankAccountChange.Status.PENDING)
        change = next(iter(pending), None)
        return BankAccountChangeOutputSerializer(change, context=self.context).data if change else None

    @extend_schema_field(HouseholdRefSerializer(allow_null=True))
    def get_household(self, person):
        member = getattr(person, "membership", None)
        if member is None:
            return None
        return {"id": member.household_id, "code": member.household.code, "relation": member.relation}


class PersonInputSerializer(serializers.Serializer):
    # Deliberately lenient: the service checks the ID number and the rest with specific messages.
    id_number = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    hukou_class = serializers.ChoiceField(choices=HukouClass.choices)
    local_hukou = serializers.BooleanField(default=True)
    town = serializers.PrimaryKeyRelatedField(queryset=Town.objects.all())
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all(), allow_null=True, required=False)
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    bank_account = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    bank_name = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    monthly_income = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, required=False)
    is_student = serializers.BooleanField(default=False)
    seriously_ill = serializers.BooleanField(default=False)


class MemberOutputSerializer(OutputModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)
    id_number = masked_id_number(source="person.id_number")

    class Meta:
        model = HouseholdMember
        fields = ["person", "name", "id_number", "relation", "joined_on"]
        read_only_fields = fields


class MemberInputSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    relation = serializers.ChoiceField(choices=HouseholdMember.Relation.choices)
    joined_on = serializers.DateField(required=False, allow_null=True)


class HouseholdOutputSerializer(OutputModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True, default=None, allow_null=True)
    members = MemberOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = ["id", "code", "town", "town_name", "community", "community_name", "hukou_class", "address",
                  "single_parent", "members", "created_at", "updated_at"]
        read_only_fields = fields


class HouseholdInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64, allow_blank=True, required=False, default="",
                                 help_text="Left empty, a number is assigned.")
    town = serializers.PrimaryKeyRelatedField(queryset=Town.objects.all())
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all(), allow_null=True, required=False)
    hukou_class = serializers.ChoiceField(choices=HukouClass.choices)
    address = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    single_parent = serializers.BooleanField(default=False)
    members = MemberInputSerializer(many=True, required=False, help_text="Only on create: the first members.")
