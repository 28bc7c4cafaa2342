"""API routes of this app, mounted under /api/v1/ on bureau hosts."""

from django.urls import path

from . import views

urlpatterns = [
    path("stats/annual/", views.AnnualView.as_view(), name="stats-annual"),
    path("stats/annual/compute/", views.AnnualComputeView.as_view(), name="stats-annual-compute"),
    path("stats/annual/xlsx/", views.AnnualXlsxView.as_view(), name="stats-annual-xlsx"),
    path("stats/fidelity/", views.FidelityView.as_view(), name="stats-fidelity"),
    path("stats/monthly/", views.MonthlyView.as_view(), name="stats-monthly"),
]
