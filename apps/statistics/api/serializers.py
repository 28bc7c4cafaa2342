from rest_framework import serializers

from apps.core.periods import PeriodError, parse_month


class YearInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class MonthlyInput(serializers.Serializer):
    last = serializers.CharField(required=False, help_text="YYYY-MM; default: this month")
    months = serializers.IntegerField(required=False, min_value=1, max_value=60, default=24)

    def validate_last(self, value):
        try:
            return parse_month(value)
        except PeriodError as exc:
            raise serializers.ValidationError(str(exc)) from None


class FigureOutput(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.CharField(allow_null=True, help_text="decimal as text; null when the data cannot give it")
    unit = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField()
    note = serializers.CharField()


class AnnualOutput(serializers.Serializer):
    year = serializers.IntegerField()
    computed_at = serializers.DateTimeField(allow_null=True, help_text="null: computed now, not stored")
    figures = FigureOutput(many=True)


class FidelityRowOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    computed = serializers.CharField(allow_null=True)
    computed_key = serializers.CharField()
    reported = serializers.CharField(allow_null=True)
    reported_unit = serializers.CharField()
    difference = serializers.CharField(allow_null=True)
    percent = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["compared", "not_computed", "not_comparable", "not_reported"])
    within = serializers.BooleanField(allow_null=True, help_text="compared: counts equal, money within ±5 %")
    reason = serializers.CharField()
    gap_reason = serializers.CharField(help_text="why the data does not reproduce the reported figure (from the seeds)")
    unexplained = serializers.BooleanField(help_text="outside the tolerance and no reason given")
    phrase = serializers.CharField()
    source_file = serializers.CharField()
    note = serializers.CharField()
    section = serializers.CharField()


class FidelityOutput(serializers.Serializer):
    year = serializers.IntegerField()
    rows = FidelityRowOutput(many=True)


class SeriesOutput(serializers.Serializer):
    programme = serializers.CharField()
    key = serializers.CharField()
    unit = serializers.CharField()
    values = serializers.ListField(child=serializers.CharField())


class MonthlyOutput(serializers.Serializer):
    periods = serializers.ListField(child=serializers.CharField())
    series = SeriesOutput(many=True)
