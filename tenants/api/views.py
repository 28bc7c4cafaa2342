from rest_framework import serializers, viewsets

from ..models import Bureau
from ..permissions import IsProvinceOverseer
from ..selectors import bureau_list


class BureauSerializer(serializers.ModelSerializer):
    domains = serializers.SlugRelatedField(many=True, read_only=True, slug_field="domain")

    class Meta:
        model = Bureau
        fields = [
            "schema_name", "name_zh", "name_en", "area_code", "level", "province", "region_class",
            "report_year", "domains", "tekun_multiplier", "classified_share", "phaseout_months",
            "review_months_stable", "review_months_other", "review_months_marginal",
            "temporary_cap_multiple", "marginal_income_multiple", "annual_report_deadline",
        ]


class BureauViewSet(viewsets.ReadOnlyModelViewSet):
    """The bureaus the province oversees, with their rule settings."""

    serializer_class = BureauSerializer
    permission_classes = [IsProvinceOverseer]
    lookup_field = "schema_name"
    pagination_class = None

    def get_queryset(self):
        return bureau_list()
