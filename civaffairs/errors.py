"""Error answers for every host: a page in the user's language on the sites, JSON under /api/.

Named as handler400/403/404/500 by both URL confs. They never show the URL patterns, a traceback or
a setting (DEBUG is off in production; these are what a user sees then).
"""

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.template.exceptions import TemplateDoesNotExist
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _answer(request, status: int, template: str, detail: str):
    if _is_api(request):
        return JsonResponse({"detail": detail}, status=status)
    try:
        body = loader.get_template(template).render({"detail": detail, "status": status}, request)
    except TemplateDoesNotExist:
        body = detail
    return _html(body, status)


def _html(body: str, status: int):
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


@requires_csrf_token
def bad_request(request, exception=None):
    return _answer(request, 400, "400.html", _("The request could not be understood."))


@requires_csrf_token
def permission_denied(request, exception=None):
    return _answer(request, 403, "403.html", _("You do not have permission to see this page."))


@requires_csrf_token
def page_not_found(request, exception=None):
    return _answer(request, 404, "404.html", _("The page you asked for does not exist."))


@requires_csrf_token
def server_error(request):
    # No request context: the error may have come from the database or a context processor.
    if _is_api(request):
        return JsonResponse({"detail": _("Server error. It has been logged; please try again later.")}, status=500)
    try:
        body = loader.get_template("500.html").render({})
    except TemplateDoesNotExist:
        body = _("Server error. It has been logged; please try again later.")
    return _html(body, 500)
