"""API routes of this app, mounted under /api/v1/ on bureau hosts."""

from rest_framework.routers import SimpleRouter

from .views import HouseholdViewSet, PersonViewSet

router = SimpleRouter()
router.register("persons", PersonViewSet, basename="person")
router.register("households", HouseholdViewSet, basename="household")

urlpatterns = router.urls
