import django_filters
from rest_framework.filters import SearchFilter

from ..models import Household, Person


class PersonFilter(django_filters.FilterSet):
    household = django_filters.NumberFilter(field_name="membership__household", label="household id")

    class Meta:
        model = Person
        fields = ["town", "community", "hukou_class", "status", "gender", "local_hukou", "household"]


class HouseholdFilter(django_filters.FilterSet):
    class Meta:
        model = Household
        fields = ["town", "community", "hukou_class", "single_parent"]


class RegistrySearchFilter(SearchFilter):
    """?search= through the view's `search_q(term)`, so an ID number is found by its index, not a scan."""

    def filter_queryset(self, request, queryset, view):
        terms = self.get_search_terms(request)
        for term in terms:
            queryset = queryset.filter(view.search_q(term))
        if terms and getattr(view, "search_distinct", False):
            queryset = queryset.distinct()
        return queryset
