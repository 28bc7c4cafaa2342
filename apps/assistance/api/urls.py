"""API routes of this app, mounted under /api/v1/ on bureau hosts."""

from rest_framework.routers import SimpleRouter

from .views import ApplicationViewSet, CareAssessmentViewSet, ReviewViewSet, VagrantCaseViewSet

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="application")
router.register("care-assessments", CareAssessmentViewSet, basename="care-assessment")
router.register("reviews", ReviewViewSet, basename="review")
router.register("vagrant-cases", VagrantCaseViewSet, basename="vagrant-case")

urlpatterns = router.urls
