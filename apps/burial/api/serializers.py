"""Input and output shapes of the burial API; views hand the input to services."""

from rest_framework import serializers

from apps.core.api.mixins import OutputModelSerializer, masked_bank_account, masked_id_number
from apps.people.models import FuneralHome, Person, Town

from ..models import Cemetery, DeathRecord, Disposition, EcoBurialSubsidy, FeeWaiver


class DeathOutput(OutputModelSerializer):
    id_number = masked_id_number()
    town_name = serializers.CharField(source="town.name", read_only=True)
    benefits_stopped = serializers.SerializerMethodField()

    class Meta:
        model = DeathRecord
        fields = [
            "id",
            "person",
            "name",
            "id_number",
            "local_hukou",
            "town",
            "town_name",
            "date_of_death",
            "place_of_death",
            "cause",
            "funeral_home",
            "cremated_on",
            "exemption",
            "disposition",
            "benefits_stopped",
            "created_at",
        ]

    def get_benefits_stopped(self, obj) -> int:
        return len((obj.benefits_effect or {}).get("ended", []))


class DeathInput(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    # Validated by the service like the registry's (check character, area code, birth date).
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=30)
    local_hukou = serializers.BooleanField(required=False, default=True)
    town = serializers.PrimaryKeyRelatedField(queryset=Town.objects.all(), required=False, allow_null=True)
    date_of_death = serializers.DateField()
    place_of_death = serializers.CharField(required=False, allow_blank=True, max_length=100)
    cause = serializers.ChoiceField(choices=DeathRecord.Cause.choices, required=False)
    funeral_home = serializers.PrimaryKeyRelatedField(
        queryset=FuneralHome.objects.all(), required=False, allow_null=True
    )
    cremated_on = serializers.DateField(required=False, allow_null=True)
    exemption = serializers.ChoiceField(choices=DeathRecord.Exemption.choices, required=False, allow_blank=True)
    disposition = serializers.ChoiceField(choices=Disposition.choices, required=False, allow_blank=True)


class DeathDateInput(serializers.Serializer):
    date_of_death = serializers.DateField()
    reason = serializers.CharField(max_length=100)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=100)


class WaiverItemInput(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    units = serializers.IntegerField(required=False, default=1, min_value=1, max_value=365)


class FeeWaiverInput(serializers.Serializer):
    death = serializers.PrimaryKeyRelatedField(queryset=DeathRecord.objects.all())
    items = WaiverItemInput(many=True)


class FeeWaiverOutput(OutputModelSerializer):
    items = serializers.SerializerMethodField()

    class Meta:
        model = FeeWaiver
        fields = ["id", "death", "funeral_home", "items", "items_total", "amount", "grant", "approved_on"]

    def get_items(self, obj) -> list[dict]:
        return [
            {"code": i.item.code, "name": i.item.name, "units": i.units, "amount": f"{i.amount:.2f}"}
            for i in obj.items.select_related("item")
        ]


class EcoBurialInput(serializers.Serializer):
    death = serializers.PrimaryKeyRelatedField(queryset=DeathRecord.objects.all())
    applicant_name = serializers.CharField(max_length=50)
    applicant_account = serializers.RegexField(
        r"^\d{12,19}$", max_length=19, error_messages={"invalid": "A bank account number is 12 to 19 digits."}
    )
    applicant_bank = serializers.CharField(required=False, allow_blank=True, max_length=50)


class EcoBurialOutput(OutputModelSerializer):
    applicant_account = masked_bank_account()

    class Meta:
        model = EcoBurialSubsidy
        fields = [
            "id",
            "death",
            "mode",
            "amount",
            "applicant_name",
            "applicant_account",
            "applicant_bank",
            "grant",
            "approved_on",
        ]


class CemeteryOutput(OutputModelSerializer):
    plots_sold = serializers.IntegerField(read_only=True)
    remaining = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cemetery
        fields = ["id", "name", "kind", "town", "capacity", "price_cap", "plots_sold", "remaining"]


class CemeteryInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Cemetery.Kind.choices)
    town = serializers.PrimaryKeyRelatedField(queryset=Town.objects.all())
    capacity = serializers.IntegerField(min_value=0, max_value=10_000_000)
    price_cap = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True, min_value=0)


class PlotSaleInput(serializers.Serializer):
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    sold_on = serializers.DateField()
    death = serializers.PrimaryKeyRelatedField(queryset=DeathRecord.objects.all(), required=False, allow_null=True)


class BurialIndicatorsOutput(serializers.Serializer):
    year = serializers.IntegerField()
    deaths = serializers.IntegerField()
    cremations = serializers.IntegerField()
    exemptions = serializers.IntegerField()
    cremation_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    eco_burials = serializers.IntegerField()
    eco_burial_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    waivers = serializers.IntegerField()
    waiver_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    subsidies = serializers.IntegerField()
    subsidy_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class DeathImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="death records as an Excel workbook (.xlsx), one row per death")


class DeathImportOutput(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    benefits_stopped = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())
