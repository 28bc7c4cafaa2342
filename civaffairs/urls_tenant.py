"""A bureau's host: `<schema>.localhost` — its admin and its API. No province URL lives here."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core.admin_site import bureau_admin_site
from apps.core.api.auth import logout, obtain_auth_token

api_v1 = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("auth/logout/", logout, name="api-logout"),
    *[path("", include(f"{app}.api.urls")) for app in settings.BUREAU_API_APPS],
]

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", bureau_admin_site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("province/", include("apps.province.bureau_urls")),  # a bureau's answer to a duplicate alert
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="civaffairs.urls_tenant"), name="schema"),
    path("api/docs/", login_required(SpectacularSwaggerView.as_view(url_name="schema")), name="swagger-ui"),
]

handler400 = "civaffairs.errors.bad_request"
handler403 = "civaffairs.errors.permission_denied"
handler404 = "civaffairs.errors.page_not_found"
handler500 = "civaffairs.errors.server_error"
