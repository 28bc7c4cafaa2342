"""API routes of this app, mounted under /api/v1/ on bureau hosts."""

from rest_framework.routers import SimpleRouter

from .views import EntitlementViewSet, GrantViewSet, StandardViewSet

router = SimpleRouter()
router.register("standards", StandardViewSet, basename="standard")
router.register("entitlements", EntitlementViewSet, basename="entitlement")
router.register("grants", GrantViewSet, basename="grant")

urlpatterns = router.urls
