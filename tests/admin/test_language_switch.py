"""A language switch (中文 / English) on every admin page, the login page included (issue 11)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_login_page_offers_the_other_language(client_for):
    client = client_for("zhongshan")
    chinese = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="language" value="en"' in chinese and "English" in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    english = client.get("/admin/login/").content.decode()
    assert 'name="language" value="zh-hans"' in english and "中文" in english


def test_every_admin_page_carries_the_switch_and_it_switches(login_as):
    client = login_as("zhongshan", "zhongshan-reviewer")
    page = client.get("/admin/assistance/application/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="language-switch"' in page and "申请" in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/assistance/application/"})
    assert response.status_code == 302 and response["Location"] == "/admin/assistance/application/"
    assert 'value="zh-hans"' in client.get("/admin/assistance/application/").content.decode()


def test_the_province_admin_has_the_switch_too(login_as):
    page = login_as(None, "province-admin").get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="language-switch"' in page


def test_permissions_read_in_chinese_on_group_pages(zs, login_as):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="auditor")
    page = (
        login_as("zhongshan", "zhongshan-admin")
        .get(f"/admin/auth/group/{group.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    assert "Can add grant" not in page and "Can view" not in page
    assert "可以查看" in page
