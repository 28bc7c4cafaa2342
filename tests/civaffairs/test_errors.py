"""Issue 10, defect 2 and the friendly error pages: an unknown URL or a failing view shows a page in
the user's language (Chinese by default) on the sites and JSON under /api/, on every host — never the
URL patterns, a traceback or a setting."""

import json

import pytest
from django.test import Client

from tests.civaffairs import urls_failing

HOSTS = ["zhongshan.localhost", "localhost"]
LEAKS = ["Traceback", "urlpatterns", "URLconf", "Using the URL", "admin/", "SECRET_KEY", "DATABASE",
         "hunter2", "boom", "RuntimeError", "settings"]


def assert_no_leak(body: str) -> None:
    for leak in LEAKS:
        assert leak not in body, leak


@pytest.mark.parametrize("host", HOSTS)
def test_an_unknown_url_gets_a_friendly_404_page_in_chinese_by_default(db, settings, host):
    settings.LANGUAGE_CODE = "zh-hans"

    response = Client(HTTP_HOST=host).get("/no/such/page/")

    body = response.content.decode()
    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="zh-hans">' in body
    assert "页面不存在" in body
    assert "您要找的页面不存在。" in body
    assert_no_leak(body)


@pytest.mark.parametrize("host", HOSTS)
def test_the_404_page_speaks_english_to_who_asks_for_it(db, host):
    response = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en").get("/no/such/page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("host", HOSTS)
def test_an_unknown_api_url_gets_json(db, host):
    response = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": "The page you asked for does not exist."}


@pytest.mark.parametrize(("host", "urlconf_setting", "urlconf"), [
    ("zhongshan.localhost", "ROOT_URLCONF", "tests.civaffairs.urls_failing_tenant"),
    ("localhost", "PUBLIC_SCHEMA_URLCONF", "tests.civaffairs.urls_failing_public"),
])
def test_a_failing_view_gets_a_friendly_500_page_with_no_traceback(db, settings, host, urlconf_setting, urlconf):
    settings.LANGUAGE_CODE = "zh-hans"
    setattr(settings, urlconf_setting, urlconf)
    client = Client(HTTP_HOST=host, raise_request_exception=False)

    page = client.get("/explode/")
    api = client.get("/api/v1/explode/")

    assert page.status_code == 500
    assert "服务器出错" in page.content.decode()
    assert_no_leak(page.content.decode())
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"
    assert json.loads(api.content) == {"detail": "服务器出错，已记录在案，请稍后再试。"}


def test_the_failing_urlconf_really_fails_without_the_handler():
    # The 500 tests above prove something only if the view raises.
    with pytest.raises(RuntimeError):
        urls_failing.explode(None)


def test_a_forbidden_admin_page_gets_a_friendly_403(login_as, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client = login_as("zhongshan", "zhongshan-auditor")

    response = client.get("/admin/people/person/add/")

    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    assert_no_leak(response.content.decode())
