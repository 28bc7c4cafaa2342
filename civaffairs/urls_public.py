"""The public host (`localhost`): the province's site and admin. No bureau URL lives here."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core.api.auth import logout, obtain_auth_token

api_v1 = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("auth/logout/", logout, name="api-logout"),
    path("", include("apps.province.api.urls")),
]

urlpatterns = [
    path("", include("apps.province.urls")),  # the overseers' dashboard
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="civaffairs.urls_public"), name="schema"),
    path("api/docs/", login_required(SpectacularSwaggerView.as_view(url_name="schema")), name="swagger-ui"),
]

admin.site.site_header = admin.site.site_title = "省民政厅 · CivAffairs"

handler400 = "civaffairs.errors.bad_request"
handler403 = "civaffairs.errors.permission_denied"
handler404 = "civaffairs.errors.page_not_found"
handler500 = "civaffairs.errors.server_error"
