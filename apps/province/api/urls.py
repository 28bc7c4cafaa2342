"""Province API routes, mounted under /api/v1/ on the public host (civaffairs/urls_public.py)."""

from django.urls import path

from .views import AlertsView, BureauViewSet, DuplicatesView, IndicatorsView, StandardsView, StatsView

urlpatterns = [
    path("province/bureaus/", BureauViewSet.as_view({"get": "list"}), name="province-bureau-list"),
    path("province/bureaus/<str:schema_name>/", BureauViewSet.as_view({"get": "retrieve"}), name="province-bureau-detail"),
    path("province/stats/", StatsView.as_view(), name="province-stats"),
    path("province/standards/", StandardsView.as_view(), name="province-standards"),
    path("province/duplicates/", DuplicatesView.as_view(), name="province-duplicates"),
    path("province/indicators/", IndicatorsView.as_view(), name="province-indicators"),
    path("province/alerts/", AlertsView.as_view(), name="province-alerts"),
]
