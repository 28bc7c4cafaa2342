"""The province dashboard in a real browser: the overseer logs in on the public host, reads the
bureaus' standards against the minimum with ratio and rank, and the charts draw on their canvases."""

import datetime
from decimal import Decimal

BUREAUS = ("zhongshan", "guangzhou", "nanshan", "haifeng", "xcity")
PASSWORD = "civaffairs-demo"
ON = datetime.date(2024, 12, 15)
CHARTS = ("chart-standards", "chart-caseload", "chart-amounts", "chart-health", "chart-backlog")


def _plant():
    """The five bureaus' rollups, class 1's minimum and three reference cities (test figures, as in
    tests/province/test_standards.py), so 中山 ranks 6th of 7 as its report says."""
    from apps.province.models import ReferenceStandard
    from apps.province.services import bureau_rollup_write
    from tenants.models import ProvincialMinimum

    ProvincialMinimum.objects.create(
        province="广东省",
        region_class=1,
        programme="dibao",
        amount=Decimal("1300"),
        effective_from=datetime.date(2024, 1, 1),
        source="browser test",
    )
    for code, amount in (("449901", "1500"), ("449902", "1300"), ("449903", "1250")):
        ReferenceStandard.objects.create(
            name_zh=f"测试市{code}",
            area_code=code,
            province="广东省",
            region_class=3,
            programme="dibao",
            monthly_amount=Decimal(amount),
            effective_from=datetime.date(2024, 1, 1),
            source="browser test",
        )
    for schema in BUREAUS:
        bureau_rollup_write(schema_name=schema, today=ON)


def _unplant():
    from apps.province import models
    from tenants.models import ProvincialMinimum

    models.DuplicateResolution.objects.all().delete()
    models.DuplicateAlert.objects.all().delete()
    for model in (
        models.StandardRollup,
        models.MonthlyRollup,
        models.AnnualRollup,
        models.HealthRollup,
        models.PublishedHash,
        models.RollupRefresh,
    ):
        model.objects.filter(bureau__schema_name__in=BUREAUS).delete()
    models.ReferenceStandard.objects.filter(source="browser test").delete()
    ProvincialMinimum.objects.filter(source="browser test").delete()


def _canvas_painted(page, chart_id: str) -> bool:
    """Whether ECharts drew on the chart's canvas: some pixel is not transparent."""
    return page.evaluate(
        """(id) => {
            const canvas = document.querySelector('#' + id + ' canvas');
            if (!canvas || !canvas.width || !canvas.height) return false;
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
            return false;
        }""",
        chart_id,
    )


def test_the_overseer_logs_in_and_reads_the_standards_and_charts(browser, live_url, committed, page_as):
    # page_as is not used to log in (the overseer types the password here); its teardown closes this
    # thread's connection before the session drops the test database.
    context = browser.new_context(base_url=live_url("public"), locale="zh-CN")
    try:
        committed(_plant)
        context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_url("public")}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        page.goto("/")
        page.wait_for_url("**/admin/login/**")
        page.fill("#id_username", "overseer")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(live_url("public") + "/")
        assert "全省民政监管" in page.content()

        # The standards table: 中山's dibao 1,225.00 against the class-2 minimum 1,075.00, ratio
        # 1.1395 (14% above), 6th of 7 (1500, 南山 1413, 1300, 广州 1282, 1250, 中山 1225, 海丰 961).
        rows = page.locator('table[data-table="standards"] tbody tr')
        zhongshan = (
            rows.filter(has_text="中山市民政局").filter(has_text="1,225.00").first.locator("td").all_inner_texts()
        )
        assert "1,075.00" in zhongshan and "1.1395" in zhongshan
        assert zhongshan[-3:-1] == ["6", "7"], zhongshan
        guangzhou = (
            rows.filter(has_text="广州市民政局").filter(has_text="1,282.00").first.locator("td").all_inner_texts()
        )
        assert "1,300.00" in guangzhou and "0.9862" in guangzhou and guangzhou[-3:-1] == ["4", "7"], guangzhou
        for name in ("中山市民政局", "广州市民政局", "海丰县民政局", "深圳市南山区民政局"):
            assert rows.filter(has_text=name).count() >= 1, name

        # Every chart is drawn: ECharts marks its container and paints its canvas.
        for chart_id in CHARTS:
            page.wait_for_selector(f"#{chart_id}[data-rendered='1'] canvas")
            page.wait_for_function(
                "(id) => { const c = document.querySelector('#' + id + ' canvas'); return c && c.width > 0; }",
                arg=chart_id,
            )
        page.wait_for_timeout(500)  # ECharts' first-frame animation
        assert [c for c in CHARTS if not _canvas_painted(page, c)] == []
        assert errors == []
    finally:
        context.close()
        committed(_unplant)
