"""Query parameters of the social-organisation lists, declared so a bad value is a 400 naming it."""

from django_filters import rest_framework as filters

from apps.core.api.filters import IdFilter

from ..models import CommunityOrgFiling, OrgStatus, OrgType, SocialOrganisation

LISTED = [("abnormal", "abnormal"), ("dishonest", "dishonest"), ("none", "none")]
RATINGS = [(str(grade), str(grade)) for grade in range(6)]


class SocialOrganisationFilter(filters.FilterSet):
    org_type = filters.ChoiceFilter(choices=OrgType.choices)
    status = filters.ChoiceFilter(choices=OrgStatus.choices)
    town = IdFilter(field_name="town")
    listed = filters.ChoiceFilter(
        choices=LISTED, method="filter_listed", help_text="abnormal / dishonest: on that list now; none: on neither"
    )
    rating = filters.ChoiceFilter(
        choices=RATINGS, method="filter_rating", help_text="1-5: the current valid rating's grade; 0: no valid rating"
    )

    class Meta:
        model = SocialOrganisation
        fields = ["org_type", "status", "town"]

    def filter_listed(self, queryset, name, value):
        if value == "abnormal":
            return queryset.filter(on_abnormal=True)
        if value == "dishonest":
            return queryset.filter(on_dishonest=True)
        return queryset.filter(on_abnormal=False, on_dishonest=False)

    def filter_rating(self, queryset, name, value):
        grade = int(value)
        return queryset.filter(current_grade__isnull=True) if grade == 0 else queryset.filter(current_grade=grade)


class CommunityOrgFilter(filters.FilterSet):
    town = IdFilter(field_name="town")
    field = filters.ChoiceFilter(choices=CommunityOrgFiling.Field.choices)

    class Meta:
        model = CommunityOrgFiling
        fields = ["town", "field"]
