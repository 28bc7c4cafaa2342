"""Hosts decide the site: a bureau host serves its bureau only, the public host the province only."""

import pytest

from apps.core.models import JobRun

pytestmark = pytest.mark.django_db

PASSWORD = "civaffairs-demo"


def test_unknown_host_gets_a_clear_404(client_for, db):
    from django.test import Client

    response = Client(HTTP_HOST="nowhere.localhost").get("/admin/")
    assert response.status_code == 404
    assert "nowhere.localhost" in response.content.decode()


def test_host_outside_allowed_hosts_is_404_not_500(db):
    from django.test import Client

    response = Client(HTTP_HOST="evil.example.com").get("/admin/")
    assert response.status_code in (400, 404)


def test_public_host_serves_no_bureau_url(login_as):
    client = login_as("public", "province-admin")
    assert client.get("/admin/core/jobrun/").status_code == 404


def test_bureau_host_serves_no_province_url(login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    assert client.get("/api/v1/province/bureaus/").status_code == 404
    assert client.get("/admin/tenants/bureau/").status_code == 404
    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 404


def _login(client, username):
    return client.post("/admin/login/", {"username": username, "password": PASSWORD, "next": "/admin/"})


def test_bureau_admin_logs_in_to_own_bureau_only(client_for):
    own = client_for("zhongshan")
    response = _login(own, "zhongshan-admin")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert own.get("/admin/").status_code == 200

    for schema in ("guangzhou", "public"):
        response = _login(client_for(schema), "zhongshan-admin")
        assert response.status_code == 200, schema  # the login form again, with an error
        assert response.context["form"].errors, schema


def test_session_of_one_bureau_is_no_session_in_another(client_for):
    client = client_for("zhongshan")
    assert _login(client, "zhongshan-admin").status_code == 302
    # The test client sends its cookies to any host: the session id must mean nothing elsewhere.
    client.defaults["HTTP_HOST"] = "guangzhou.localhost"
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.defaults["HTTP_HOST"] = "localhost"
    assert client.get("/admin/").status_code == 302


def test_bureau_admin_is_chinese_by_default_and_english_on_request(client_for, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # the product default; the suite otherwise runs in English
    client = client_for("zhongshan")
    page = client.get("/admin/login/").content.decode()
    assert 'lang="zh-hans"' in page
    assert "中山市民政局" in page
    assert "登录" in page
    english = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in english and "Log in" in english


def test_province_admin_lists_the_five_bureaus_with_settings(login_as):
    client = login_as("public", "overseer")
    page = client.get("/admin/tenants/bureau/").content.decode()
    for name in ["中山市民政局", "广州市民政局", "海丰县民政局", "深圳市南山区民政局"]:
        assert name in page
    assert "1.30" in page  # xcity's 特困 multiplier
    response = client.get("/api/v1/province/bureaus/")
    assert response.status_code == 200
    rows = {row["schema_name"]: row for row in response.json()}
    assert set(rows) == {"zhongshan", "guangzhou", "haifeng", "nanshan", "xcity"}
    assert rows["xcity"]["tekun_multiplier"] == "1.30"
    assert rows["zhongshan"]["tekun_multiplier"] == "1.60"
    assert rows["zhongshan"]["classified_share"] == "0.40"
    assert rows["zhongshan"]["domains"] == ["zhongshan.localhost"]


def test_overseer_cannot_change_bureaus(login_as, bureau):
    client = login_as("public", "overseer")
    zhongshan = bureau("zhongshan")
    assert client.get(f"/admin/tenants/bureau/{zhongshan.pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/tenants/bureau/{zhongshan.pk}/change/", {"name_zh": "x"})
    assert response.status_code == 403


def test_province_api_refuses_bureau_users_and_anonymous(client_for):
    assert client_for("public").get("/api/v1/province/bureaus/").status_code in (401, 403)


def test_tables_are_per_bureau(in_bureau):
    with in_bureau("zhongshan"):
        JobRun.objects.create(job="probe")
        assert JobRun.objects.filter(job="probe").count() == 1
    with in_bureau("guangzhou"):
        assert JobRun.objects.filter(job="probe").count() == 0
