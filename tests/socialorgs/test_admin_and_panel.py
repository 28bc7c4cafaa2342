"""The bureau admin pages (Chinese, filtered, masked, scoped) and the workbench panel."""

import datetime

from apps.socialorgs import listing, services
from apps.socialorgs.panels import panel_for

D = datetime.date


def test_the_panel_shows_reports_due_and_new_listings_with_links(zs, make_org, user_of):
    town, other = zs
    make_org(town, established_on=D(2022, 3, 1))
    make_org(other, established_on=D(2022, 3, 1))
    listing.lists_update(today=D(2024, 6, 1))  # both listed for 2023
    panel = panel_for(user=user_of("zhongshan", "reviewer"), today=D(2024, 6, 5))
    assert [(item.count, item.url) for item in panel.items] == [
        (2, "/admin/socialorgs/listing/?kind__exact=abnormal&listed_on__gte=2024-05-29")
    ]
    due = panel_for(user=user_of("zhongshan", "reviewer"), today=D(2025, 4, 15))
    assert [(item.label, item.url) for item in due.items] == [
        (
            "2 organisations have not reported on 2024; the deadline is 2025年5月31日",
            "/admin/socialorgs/socialorganisation/?report_missing=2024&live=yes",
        )
    ]
    # A caseworker counts their own town only.
    mine = panel_for(user=user_of("zhongshan", "caseworker1"), today=D(2025, 4, 15))
    assert [item.count for item in mine.items] == [1]


def test_admin_pages_in_chinese_with_filters_and_masks(in_bureau, login_as, make_org, user_of):
    with in_bureau("zhongshan"):
        from apps.people.models import Town

        town = Town.objects.order_by("id").first()
        org = make_org(town, established_on=D(2022, 3, 1))
        listing.lists_update(today=D(2024, 6, 1))
        services.rating_record(organisation=org, grade=4, rated_on=D(2023, 5, 5), user=user_of("zhongshan", "reviewer"))
    client = login_as("zhongshan", "zhongshan-admin")
    page = client.get("/admin/socialorgs/socialorganisation/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "统一社会信用代码" in page and "活动异常名录" in page and "4A" in page
    for url in [
        "/admin/socialorgs/socialorganisation/?listed=abnormal&rating=4&report_missing=2023&live=yes",
        "/admin/socialorgs/listing/?kind__exact=abnormal&listed_on__gte=2024-05-29",
        "/admin/socialorgs/annualreport/",
        "/admin/socialorgs/rating/",
        "/admin/socialorgs/majoreventreport/",
        "/admin/socialorgs/communityorgfiling/",
        "/admin/socialorgs/socialorganisation/import/",
        f"/admin/socialorgs/socialorganisation/{org.pk}/change/",
        f"/admin/socialorgs/socialorganisation/{org.pk}/close/",
        "/admin/socialorgs/listing/decide/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert org.name in client.get("/admin/socialorgs/socialorganisation/?listed=abnormal").content.decode()
    # Lists mask the representative's ID number.
    assert "442000198001010033" not in client.get("/admin/socialorgs/socialorganisation/").content.decode()


def test_a_caseworker_does_not_reach_another_towns_organisation_in_the_admin(in_bureau, login_as, make_org):
    with in_bureau("zhongshan"):
        from apps.people.models import Town

        first, second = list(Town.objects.order_by("id")[:2])
        theirs = make_org(second)
    client = login_as("zhongshan", "zhongshan-caseworker1")
    assert client.get(f"/admin/socialorgs/socialorganisation/{theirs.pk}/change/").status_code == 404
    assert theirs.name not in client.get("/admin/socialorgs/socialorganisation/").content.decode()
