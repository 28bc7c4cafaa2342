"""API routes of this app, mounted under /api/v1/ on bureau hosts."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("deaths", views.DeathViewSet, basename="burial-death")
router.register("fee-waivers", views.FeeWaiverViewSet, basename="burial-fee-waiver")
router.register("eco-burials", views.EcoBurialViewSet, basename="burial-eco-burial")
router.register("cemeteries", views.CemeteryViewSet, basename="burial-cemetery")

urlpatterns = [
    path("burial/indicators/", views.IndicatorsView.as_view(), name="burial-indicators"),
    *router.urls,
]
