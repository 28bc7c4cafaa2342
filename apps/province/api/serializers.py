from rest_framework import serializers

from apps.core.api.mixins import OutputModelSerializer
from apps.core.api.periods import PeriodField
from tenants.models import Bureau


class BureauSerializer(OutputModelSerializer):
    domains = serializers.SlugRelatedField(many=True, read_only=True, slug_field="domain")

    class Meta:
        model = Bureau
        fields = [
            "schema_name", "name_zh", "name_en", "area_code", "level", "province", "region_class",
            "report_year", "domains", "tekun_multiplier", "classified_share", "phaseout_months",
            "review_months_stable", "review_months_other", "review_months_marginal",
            "temporary_cap_multiple", "marginal_income_multiple", "annual_report_deadline",
        ]


class StatsQuerySerializer(serializers.Serializer):
    period = PeriodField(required=False)
    programme = serializers.CharField(required=False, allow_blank=True, max_length=32)
    bureau = serializers.CharField(required=False, allow_blank=True, max_length=63)


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class StatsRowSerializer(serializers.Serializer):
    bureau = serializers.CharField()
    name_zh = serializers.CharField()
    period = serializers.CharField()
    programme = serializers.CharField()
    households_active = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    persons_active = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    new = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    stopped = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    amount_generated = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    amount_paid = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    amount_failed = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    amount_recovered = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)


class StandardRowSerializer(serializers.Serializer):
    bureau = serializers.CharField()
    name_zh = serializers.CharField()
    province = serializers.CharField()
    region_class = serializers.IntegerField(allow_null=True)
    programme = serializers.CharField()
    standard = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    minimum = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    ratio = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)
    percent_above = serializers.DecimalField(max_digits=8, decimal_places=0, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    ranked_among = serializers.IntegerField()
    below_minimum = serializers.BooleanField()


class PartySerializer(serializers.Serializer):
    bureau = serializers.CharField()
    name_zh = serializers.CharField()
    programmes = serializers.ListField(child=serializers.CharField())
    resolved = serializers.BooleanField()
    reason = serializers.CharField()


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person_hash = serializers.CharField(
        help_text="HMAC-SHA256 of the ID number under the province key; never the number."
    )
    status = serializers.CharField()
    parties = PartySerializer(many=True)
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class IndicatorSerializer(serializers.Serializer):
    bureau = serializers.CharField(source="bureau__schema_name")
    name_zh = serializers.CharField(source="bureau__name_zh")
    year = serializers.IntegerField()
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    unit = serializers.CharField()


class AlertSerializer(serializers.Serializer):
    kind = serializers.CharField()
    bureau = serializers.CharField()
    level = serializers.CharField()
    message = serializers.CharField()
