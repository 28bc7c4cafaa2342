"""With DEBUG off the admin's CSS still loads: whitenoise serves static files through the WSGI app."""

import io

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from civaffairs.wsgi import application


@pytest.fixture
def keep_test_connection(db):
    """As django's test Client does: the request signals must not close the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def wsgi_get(path: str, host: str) -> tuple[str, dict, bytes]:
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": host, "SERVER_PORT": "80",
        "HTTP_HOST": host, "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO(), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], body


@pytest.mark.parametrize("host", ["zhongshan.localhost", "localhost"])
def test_the_admin_css_is_served_with_debug_off(keep_test_connection, settings, host):
    assert settings.DEBUG is False

    status, headers, body = wsgi_get("/static/admin/css/base.css", host)

    assert status == "200 OK"
    assert headers["Content-Type"].startswith("text/css")
    assert b"body" in body
