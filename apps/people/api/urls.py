"""API routes of this app, mounted under /api/v1/ on bureau hosts."""

from rest_framework.routers import SimpleRouter

from .views import BankAccountChangeViewSet, HouseholdViewSet, PersonViewSet

router = SimpleRouter()
router.register("persons", PersonViewSet, basename="person")
router.register("households", HouseholdViewSet, basename="household")
router.register("bank-account-changes", BankAccountChangeViewSet, basename="bank-account-change")

urlpatterns = router.urls
