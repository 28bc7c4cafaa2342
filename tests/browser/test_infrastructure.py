"""The browser harness itself: Debian's chromium reaches a bureau's own host with a logged-in session."""


def test_a_logged_in_page_reaches_its_bureau_host(page_as, live_url):
    page = page_as("admin")

    response = page.goto("/admin/")

    assert response.status == 200
    assert page.url == f"{live_url('zhongshan')}/admin/"
    assert "中山市民政局" in page.title()


def test_without_a_session_the_admin_asks_for_a_login(browser, live_url):
    context = browser.new_context()
    page = context.new_page()

    page.goto(f"{live_url('zhongshan')}/admin/")

    assert "/admin/login/" in page.url
    context.close()
