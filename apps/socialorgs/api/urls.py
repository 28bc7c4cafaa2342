"""API routes of this app, mounted under /api/v1/ on bureau hosts."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("social-orgs", views.SocialOrganisationViewSet, basename="socialorgs-organisation")
router.register("community-orgs", views.CommunityOrgViewSet, basename="socialorgs-community-org")

urlpatterns = router.urls
