"""Shapes of standards, entitlements and grants in the API. Input is checked by the services."""

import datetime

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.mixins import OutputModelSerializer, masked_bank_account

from .. import rules
from ..models import Entitlement, Grant, Standard


class StandardOutputSerializer(OutputModelSerializer):
    monthly_amount = serializers.SerializerMethodField()

    class Meta:
        model = Standard
        fields = ["id", "programme", "variant", "amount", "unit", "monthly_amount", "effective_from", "source",
                  "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_monthly_amount(self, standard):
        return str(rules.monthly_value(standard.amount, standard.unit))


class StandardInputSerializer(serializers.Serializer):
    # Lenient on purpose: the service names what is wrong (negative amount, missing date, duplicate).
    programme = serializers.CharField(max_length=32)
    variant = serializers.CharField(max_length=16, default="unified")
    amount = serializers.CharField(max_length=32, allow_blank=True)
    unit = serializers.CharField(max_length=8, default="month")
    # Required: the service takes it keyword-only, and a missing one must be a field error, not a TypeError.
    effective_from = serializers.CharField(max_length=32, allow_blank=True, allow_null=True)
    source = serializers.CharField(max_length=300, allow_blank=True, default="")


class EntitlementOutputSerializer(OutputModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True, default=None, allow_null=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default=None, allow_null=True)
    payee_name = serializers.SerializerMethodField()
    payee_account = serializers.SerializerMethodField()
    town = serializers.SerializerMethodField()
    amount = serializers.SerializerMethodField(help_text="What it pays for ?period=YYYY-MM (default: this month).")

    class Meta:
        model = Entitlement
        fields = ["id", "programme", "variant", "household", "household_code", "person", "person_name",
                  "payee_person", "payee_institution", "payee_name", "payee_account", "per_capita_income",
                  "covered_members", "addon_members", "care_level", "start_period", "end_period", "status",
                  "reason", "source", "town", "amount", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField())
    def get_town(self, e):
        return e.household.town_id if e.household_id else e.person.town_id

    @extend_schema_field(serializers.CharField())
    def get_payee_name(self, e):
        return e.payee_person.name if e.payee_person_id else e.payee_institution.name

    @extend_schema_field(serializers.CharField())
    def get_payee_account(self, e):
        payee = e.payee_person or e.payee_institution
        return self._payee_account.to_representation((payee, payee.bank_account))

    @cached_property
    def _payee_account(self):
        # One masking field for the page's rows (the payee is a person or an institution, so no source).
        field = masked_bank_account()
        field._context = self.context
        return field

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_amount(self, e):
        book, period = self.context.get("book"), self.context.get("period") or datetime.date.today().replace(day=1)
        if book is None:
            return None
        return str(book.amount(e, period, payment=self.context["payments"][e.programme_id]))


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True, default="")


class StopSerializer(ReasonSerializer):
    end_period = serializers.CharField(max_length=10, help_text="The last month paid, YYYY-MM.")


class GrantOutputSerializer(OutputModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True, default=None, allow_null=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default=None, allow_null=True)
    payee_account = masked_bank_account()

    class Meta:
        model = Grant
        fields = ["id", "programme", "variant", "household", "household_code", "person", "person_name",
                  "payee_person", "payee_institution", "payee_name", "payee_account", "payee_bank", "amount",
                  "period", "status", "reason", "source", "created_at"]
        read_only_fields = fields
