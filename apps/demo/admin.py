"""The synthetic population's bookkeeping on the bureau admin: read-only, for bureau-wide staff."""

from django.contrib import admin

from apps.core.admin_mixins import ReadOnlyAdminMixin
from apps.core.admin_site import bureau_admin_site
from apps.core.scoping import user_town_id
from apps.people.models import Household

from .models import PopulationMarker, SyntheticPopulation


class _BureauWideReadOnly(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Generator bookkeeping: bureau-wide staff read it; nobody edits it here."""

    def has_view_permission(self, request, obj=None):
        return user_town_id(request.user) is None and super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        # Developer bookkeeping: out of every menu but a superuser's (issue 11).
        return request.user.is_active and request.user.is_superuser


@admin.register(SyntheticPopulation, site=bureau_admin_site)
class SyntheticPopulationAdmin(_BureauWideReadOnly):
    list_display = ["seed", "scale", "as_of", "status", "persons", "households", "chunks_done", "chunks_total",
                    "started_at", "finished_at"]


@admin.register(PopulationMarker, site=bureau_admin_site)
class PopulationMarkerAdmin(_BureauWideReadOnly):
    list_display = ["group", "variant", "household", "person"]
    list_filter = ["group", "variant"]
    search_fields = ["=household__code"]
    list_select_related = ["household", "person"]
    raw_id_fields = ["household", "person"]

    def get_search_results(self, request, queryset, search_term):
        # The household first, by its code's index: joined, the planner walked a million markers in id
        # order looking for it (0.5 s).
        if not search_term.strip():
            return queryset, False
        homes = list(Household.objects.filter(code=search_term.strip()).values_list("pk", flat=True))
        return queryset.filter(household_id__in=homes), False
