"""The workbench and a person's story in a real browser, as 中山's caseworkers see them."""

from django.utils import timezone

from tests.workbench import planting


def _in_zhongshan(fn):
    """fn(town1, town2) inside 中山's schema (the demo caseworkers' two towns)."""
    from django_tenants.utils import schema_context

    from apps.people.models import Town

    def run():
        with schema_context("zhongshan"):
            return fn(*Town.objects.order_by("id")[:2])

    return run


def _counts(page, panel_key):
    return [int(text) for text in page.locator(f'section[data-panel="{panel_key}"] li .count').all_inner_texts()]


def test_the_caseworkers_workbench_shows_exactly_their_towns_work(page_as, committed):
    today = timezone.localdate()
    made = committed(_in_zhongshan(lambda town1, town2: [planting.plant(town1, today), planting.plant(town2, today)]))
    try:
        page = page_as("caseworker1")
        page.goto("/admin/")

        # 受理 2, 入户调查 1, 核对 1, 公示 3 waiting; publicity ending this week 1, over without a decision 1
        assert _counts(page, "assistance.applications") == [2, 1, 1, 3, 1, 1]
        assert _counts(page, "assistance.reviews") == [2, 3]  # overdue, due within 30 days
        lapsed = page.locator('section[data-panel="assistance.applications"] li[data-level="danger"] a')
        assert lapsed.count() == 1

        lapsed.click()
        page.wait_for_url("**/admin/assistance/application/?publicity=ended")
        rows = page.locator("#result_list tbody tr")
        assert rows.count() == 1
        assert rows.locator(".lifecycle-danger").count() == 1

        other = page_as("caseworker2")
        other.goto("/admin/")
        assert _counts(other, "assistance.applications") == [2, 1, 1, 3, 1, 1]  # their own town's, not the sum
    finally:
        committed(_in_zhongshan(lambda *_towns: [planting.unplant(m) for m in made]))


def test_a_persons_story_page(page_as, committed):
    today = timezone.localdate()
    head_pk, app_pk, made = committed(
        _in_zhongshan(lambda town1, _town2: (lambda s: (s[0].pk, s[2].pk, s[3]))(planting.plant_story(town1, today)))
    )
    try:
        page = page_as("caseworker1")
        response = page.goto(f"/admin/people/person/{head_pk}/change/")
        assert response.status == 200

        story = page.locator("#story")
        panels = story.locator(".story-panel").evaluate_all("els => els.map(e => e.dataset.panel)")
        assert panels == [
            "assistance.applications",
            "benefits.entitlements",
            "assistance.reviews",
            "disbursement.payments",
            "people.history",
        ]
        application = story.locator('[data-panel="assistance.applications"] tbody tr')
        assert application.count() == 1
        assert application.first.get_attribute("class") == "level-danger"
        payments = story.locator('[data-panel="disbursement.payments"] tbody tr')
        assert payments.count() == 2
        assert "已销户" in payments.first.inner_text()
        assert "6222********2222" in payments.first.inner_text()

        application.first.locator("a").click()
        page.wait_for_url(f"**/admin/assistance/application/{app_pk}/change/")
        assert page.locator(".progress-step").count() == 6
        assert page.locator(".progress-current").count() == 1

        other = page_as("caseworker2")
        other.goto(f"/admin/people/person/{head_pk}/change/")
        assert other.locator("#story").count() == 0  # another town's person: not found, no story
    finally:
        committed(_in_zhongshan(lambda *_towns: planting.remove(made)))


def test_the_administrators_month_chart_is_drawn_from_local_files(page_as, settings):
    settings.MONTHLY_FIGURES = ["tests.workbench.figures.sample"]  # the live server shares the settings
    page = page_as("admin")
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto("/admin/")

    panel = page.locator('section[data-panel="workbench.month"]')
    assert panel.count() == 1
    assert all("localhost" in url for url in requests), requests  # nothing from another host
    assert any(url.endswith("/static/vendor/echarts-5.6.0.min.js") for url in requests)
    chart = panel.locator(".workbench-chart")
    chart.locator("canvas").first.wait_for()
    assert chart.get_attribute("data-rendered") == "1"
