"""API routes of this app, mounted under /api/v1/ on bureau hosts."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("institutions", views.InstitutionViewSet, basename="pensions-institution")
router.register("meal-sites", views.MealSiteViewSet, basename="pensions-meal-site")
router.register("child-welfare", views.ChildWelfareViewSet, basename="pensions-child-welfare")
router.register("eligibility-runs", views.EligibilityRunViewSet, basename="pensions-eligibility-run")
router.register("eligibility-changes", views.EligibilityChangeViewSet, basename="pensions-eligibility-change")

urlpatterns = [
    path("eligibility/run/", views.EligibilityRunView.as_view(), name="pensions-eligibility-run-now"),
    path("eligibility/explain/", views.EligibilityExplainView.as_view(), name="pensions-eligibility-explain"),
    *router.urls,
]
