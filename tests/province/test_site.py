"""The province site and API: overseers read, nobody writes, bureau users get nothing, no person shows."""

import io

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

PASSWORD = "civaffairs-demo"


@pytest.fixture
def rolled_up(rollup):
    for schema in ("zhongshan", "guangzhou", "haifeng", "nanshan", "xcity"):
        rollup(schema)


def test_dashboard_shows_the_five_bureaus_with_charts(rolled_up, login_as, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client = login_as("public", "overseer")
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Django" not in html and "全省民政监管" in html and "保障标准与省最低标准对比" in html
    for name in ("中山市民政局", "广州市民政局", "海丰县民政局", "深圳市南山区民政局"):
        assert name in html
    assert "vendor/echarts-5.6.0.min.js" in html and 'id="chart-standards"' in html
    assert "1,225.00" in html and "1,075.00" in html
    assert "province-charts" in html


def test_echarts_is_served_from_our_own_static_files(client_for):
    response = client_for("public").get("/static/vendor/echarts-5.6.0.min.js")
    assert response.status_code == 200
    assert b"echarts" in b"".join(response.streaming_content if response.streaming else [response.content])[:5000]


def test_drill_down_and_filters(rolled_up, login_as):
    client = login_as("public", "overseer")
    page = client.get("/bureaus/zhongshan/").content.decode()
    assert "中山市民政局" in page and "1,225.00" in page and "1,282.00" not in page
    assert client.get("/?bureau=guangzhou").status_code == 302
    assert client.get("/bureaus/nowhere/").status_code == 404
    bad = client.get("/?period=2024-13&programme=nonsense")
    assert bad.status_code == 200 and "nonsense" in bad.content.decode()


def test_xlsx_export_of_a_table(rolled_up, login_as):
    client = login_as("public", "overseer")
    response = client.get("/export/standards.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "bureau"
    zs = next(r for r in rows if r[0] == "中山市民政局")
    assert zs[3] == 1225 and zs[4] == 1075
    assert client.get("/export/nothing.xlsx").status_code == 404
    assert client.get("/export/stats.xlsx?period=2024-13").status_code == 400


def test_api_endpoints_answer_overseers(rolled_up, login_as):
    client = login_as("public", "overseer")
    standards = client.get("/api/v1/province/standards/").json()
    zs = next(r for r in standards if r["bureau"] == "zhongshan")
    assert (zs["standard"], zs["minimum"], zs["ratio"]) == ("1225.00", "1075.00", "1.1395")
    assert client.get("/api/v1/province/stats/?period=2024-12").status_code == 200
    assert client.get("/api/v1/province/stats/?period=2024-13").status_code == 400
    assert client.get("/api/v1/province/indicators/?year=2024").status_code == 200
    assert client.get("/api/v1/province/indicators/?year=abc").status_code == 400
    assert client.get("/api/v1/province/alerts/").status_code == 200
    assert client.get("/api/v1/province/duplicates/?status=bogus").status_code == 400
    assert len(client.get("/api/v1/province/bureaus/").json()) == 5


def test_overseer_changes_nothing(rolled_up, login_as):
    client = login_as("public", "overseer")
    for path in (
        "/api/v1/province/standards/",
        "/api/v1/province/stats/",
        "/api/v1/province/duplicates/",
        "/api/v1/province/alerts/",
    ):
        assert client.post(path, {}).status_code in (403, 405)
    assert client.post("/refresh/").status_code == 403
    # …and reaches no bureau: its session is the public schema's, unknown on a bureau host.
    assert client.get("/admin/", HTTP_HOST="zhongshan.localhost").status_code == 302
    assert client.get("/api/v1/persons/", HTTP_HOST="zhongshan.localhost").status_code in (401, 403)


def test_bureau_user_gets_nothing_on_the_public_host(client_for):
    client = client_for("public")
    response = client.post("/admin/login/?next=/", {"username": "zhongshan-admin", "password": PASSWORD})
    assert response.status_code == 200  # the form again: no such user in the public schema
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/province/stats/").status_code in (401, 403)
    token = client.post("/api/v1/auth/token/", {"username": "zhongshan-admin", "password": PASSWORD})
    assert token.status_code == 400


def test_anonymous_is_sent_to_log_in(client_for):
    response = client_for("public").get("/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_province_admin_lists_no_province_and_deletes_no_bureau(login_as):
    from tenants.models import Bureau

    client = login_as("public", "province-admin")
    page = client.get("/admin/tenants/bureau/").content.decode()
    assert "中山市民政局" in page and "广东省民政厅" not in page
    zs = Bureau.objects.get(schema_name="zhongshan")
    assert client.get(f"/admin/tenants/bureau/{zs.pk}/delete/").status_code == 403


def test_the_cached_dashboard_follows_a_new_rollup(rolled_up, login_as, rollup):
    from django_tenants.utils import schema_context

    from apps.benefits.models import Standard

    client = login_as("public", "overseer")
    assert "1,225.00" in client.get("/").content.decode()
    assert "1,225.00" in client.get("/").content.decode()  # served from the cache
    with schema_context("zhongshan"):
        Standard.objects.filter(programme_id="dibao", amount="1225.00").update(amount="1250.00")
    rollup("zhongshan")
    page = client.get("/").content.decode()
    assert "1,250.00" in page and "1,225.00" not in page
