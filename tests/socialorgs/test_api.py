"""The API: registration with its credit-code messages, reports and lists, community filings,
indicators; town scoping and isolation between bureaus."""

import datetime

from django.test import Client
from rest_framework.authtoken.models import Token

from apps.socialorgs.models import CommunityOrgFiling, SocialOrganisation

D = datetime.date


def _towns():
    from apps.people.models import Town

    return list(Town.objects.order_by("id")[:2])


def _register(client, town, **changes):
    body = {
        "name": "中山市测试协会",
        "credit_code": "51442000MJ0000001J",
        "org_type": "social_group",
        "town": town.pk,
        "established_on": "2020-05-06",
        "document_number": "中民社登〔2020〕8号",
        "representative_name": "张三",
        "representative_id_number": "442000198001010033",
        "registered_capital": "30000.00",
    }
    body.update(changes)
    return client.post("/api/v1/social-orgs/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def test_register_report_list_and_read_back(in_bureau, login_as):
    with in_bureau("zhongshan"):
        town, _ = _towns()
    reviewer = login_as("zhongshan", "zhongshan-reviewer")
    response = _register(reviewer, town)
    assert response.status_code == 201, response.json()
    org = response.json()
    assert (org["status"], org["representative_id_number"]) == ("established", "442***********0033")
    bad = _register(reviewer, town, name="另一个", credit_code="51442000MJ0000001K")
    assert bad.status_code == 400
    assert bad.json() == {
        "credit_code": ["The check character (position 18) of 51442000MJ0000001K is wrong: it should be J."]
    }
    report = reviewer.post(
        f"/api/v1/social-orgs/{org['id']}/annual-reports/",
        {"year": 2023, "submitted_on": "2024-04-30", "income": "1200.50", "staff": 3},
        content_type="application/json",
    )
    assert report.status_code == 201, report.json()
    assert [r["year"] for r in reviewer.get(f"/api/v1/social-orgs/{org['id']}/annual-reports/").json()] == [2023]
    # Listing by decision is the approver's.
    decision = {"action": "list", "kind": "abnormal", "note": "未按章程开展活动", "on": "2024-09-02"}
    assert (
        reviewer.post(
            f"/api/v1/social-orgs/{org['id']}/listings/", decision, content_type="application/json"
        ).status_code
        == 403
    )
    approver = login_as("zhongshan", "zhongshan-approver")
    listed = approver.post(f"/api/v1/social-orgs/{org['id']}/listings/", decision, content_type="application/json")
    assert listed.status_code == 200, listed.json()
    removed = approver.post(
        f"/api/v1/social-orgs/{org['id']}/listings/",
        {"action": "remove", "listing": listed.json()["id"], "note": "已整改", "on": "2024-10-08"},
        content_type="application/json",
    )
    assert removed.status_code == 200, removed.json()
    stays = approver.get(f"/api/v1/social-orgs/{org['id']}/listings/").json()
    assert [(s["kind"], s["reason_text"], s["listed_on"], s["removed_on"], s["exit_note"]) for s in stays] == [
        ("abnormal", "未按章程开展活动", "2024-09-02", "2024-10-08", "已整改")
    ]
    indicators = approver.get("/api/v1/social-orgs/indicators/?year=2024").json()
    assert (indicators["registered"], indicators["annual_reports_required"]) == (1, 1)
    assert approver.get("/api/v1/social-orgs/indicators/?year=abc").status_code == 400
    assert approver.get("/api/v1/social-orgs/?listed=none").json()["count"] == 1


def test_caseworker_of_another_town_and_a_token_of_another_bureau_see_nothing(in_bureau, login_as, make_org):
    from django.contrib.auth import get_user_model

    with in_bureau("zhongshan"):
        first, second = _towns()
        mine = make_org(first)
        theirs = make_org(second)
        CommunityOrgFiling.objects.create(name="甲社区组织", town=first, filed_on=D(2023, 1, 1))
        other_filing = CommunityOrgFiling.objects.create(name="乙社区组织", town=second, filed_on=D(2023, 1, 1))
        token = Token.objects.create(user=get_user_model().objects.get(username="zhongshan-admin")).key
    caseworker = login_as("zhongshan", "zhongshan-caseworker1")
    assert [o["id"] for o in caseworker.get("/api/v1/social-orgs/").json()["results"]] == [mine.pk]
    assert caseworker.get(f"/api/v1/social-orgs/{theirs.pk}/").status_code == 404
    assert caseworker.get(f"/api/v1/social-orgs/{theirs.pk}/listings/").status_code == 404
    assert caseworker.get(f"/api/v1/community-orgs/{other_filing.pk}/").status_code == 404
    assert [f["name"] for f in caseworker.get("/api/v1/community-orgs/").json()["results"]] == ["甲社区组织"]
    # The caseworker files community organisations of their own town only.
    filed = caseworker.post(
        "/api/v1/community-orgs/",
        {"name": "丙社区组织", "town": first.pk, "filed_on": "2024-03-01"},
        content_type="application/json",
    )
    assert filed.status_code == 201, filed.json()
    elsewhere = caseworker.post(
        "/api/v1/community-orgs/",
        {"name": "丁社区组织", "town": second.pk, "filed_on": "2024-03-01"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert elsewhere.status_code == 400 and "town" in elsewhere.json()
    # 中山's token on 广州's host: nothing.
    other = Client(HTTP_HOST="guangzhou.localhost", HTTP_AUTHORIZATION=f"Token {token}")
    assert other.get("/api/v1/social-orgs/").status_code == 401
    assert other.get(f"/api/v1/social-orgs/{mine.pk}/").status_code == 401
    # 广州's own admin does not find 中山's organisation either.
    assert login_as("guangzhou", "guangzhou-admin").get(f"/api/v1/social-orgs/{mine.pk}/").status_code == 404
    with in_bureau("zhongshan"):
        assert SocialOrganisation.objects.count() == 2


def test_openapi_lists_the_social_organisation_paths(login_as):
    paths = login_as("zhongshan", "zhongshan-admin").get("/api/schema/?format=json").json()["paths"]
    for path in [
        "/api/v1/social-orgs/",
        "/api/v1/social-orgs/{id}/",
        "/api/v1/social-orgs/{id}/annual-reports/",
        "/api/v1/social-orgs/{id}/listings/",
        "/api/v1/social-orgs/{id}/ratings/",
        "/api/v1/social-orgs/{id}/major-events/",
        "/api/v1/social-orgs/indicators/",
        "/api/v1/community-orgs/",
    ]:
        assert path in paths, path


def test_a_change_and_a_closing_record_their_decisions(in_bureau, login_as, make_org):
    from apps.socialorgs.models import StatusChange

    with in_bureau("zhongshan"):
        town, _ = _towns()
        org = make_org(town, established_on=D(2020, 5, 6))
    reviewer = login_as("zhongshan", "zhongshan-reviewer")
    missing = reviewer.patch(
        f"/api/v1/social-orgs/{org.pk}/", {"name": "中山市新名称协会"}, content_type="application/json"
    )
    assert missing.status_code == 400 and set(missing.json()) == {"document_number", "decided_on"}
    changed = reviewer.patch(
        f"/api/v1/social-orgs/{org.pk}/",
        {"name": "中山市新名称协会", "document_number": "中民社变〔2024〕3号", "decided_on": "2024-03-04"},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["name"], changed.json()["status"]) == ("中山市新名称协会", "changed")
    closed = reviewer.post(
        f"/api/v1/social-orgs/{org.pk}/close/",
        {"status": "revoked", "document_number": "中民社撤〔2024〕9号", "decided_on": "2024-10-10"},
        content_type="application/json",
    )
    assert closed.status_code == 200, closed.json()
    assert (closed.json()["status"], closed.json()["closed_on"]) == ("revoked", "2024-10-10")
    with in_bureau("zhongshan"):
        assert list(
            StatusChange.objects.filter(organisation=org).values_list("status", "document_number", "decided_on")
        ) == [("changed", "中民社变〔2024〕3号", D(2024, 3, 4)), ("revoked", "中民社撤〔2024〕9号", D(2024, 10, 10))]


def test_ratings_and_major_events_recorded_and_read_with_the_annual_reports_roles(in_bureau, login_as, make_org):
    with in_bureau("zhongshan"):
        first, second = _towns()
        org = make_org(first, established_on=D(2015, 1, 1))
        theirs = make_org(second, established_on=D(2015, 1, 1))
    reviewer = login_as("zhongshan", "zhongshan-reviewer")
    ratings = f"/api/v1/social-orgs/{org.pk}/ratings/"
    for grade, rated_on in ((4, "2019-03-01"), (5, "2023-06-10")):
        response = reviewer.post(ratings, {"grade": grade, "rated_on": rated_on}, content_type="application/json")
        assert response.status_code == 201, response.json()
    # Newest first; the 2019 rating ran out on 2024-03-01.
    assert [(r["grade"], r["rated_on"], r["valid_until"], r["valid"]) for r in reviewer.get(ratings).json()] == [
        (5, "2023-06-10", "2028-06-10", True),
        (4, "2019-03-01", "2024-03-01", False),
    ]
    bad = reviewer.post(
        ratings, {"grade": 3, "rated_on": "2014-05-01"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert bad.status_code == 400 and list(bad.json()) == ["rated_on"]
    six = reviewer.post(ratings, {"grade": 6, "rated_on": "2024-01-01"}, content_type="application/json")
    assert six.status_code == 400 and list(six.json()) == ["grade"]
    events = f"/api/v1/social-orgs/{org.pk}/major-events/"
    body = {"kind": "personnel", "reported_on": "2024-05-06", "event_on": "2024-05-01", "summary": "理事长换届"}
    created = reviewer.post(events, body, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert [(e["kind"], e["reported_on"], e["summary"]) for e in reviewer.get(events).json()] == [
        ("personnel", "2024-05-06", "理事长换届")
    ]
    blank = reviewer.post(events, {**body, "summary": " ", "kind": "party"}, content_type="application/json")
    assert blank.status_code == 400 and set(blank.json()) == {"kind", "summary"}

    # The caseworker reads their own town's organisation but records neither; another town's is a 404.
    caseworker = login_as("zhongshan", "zhongshan-caseworker1")
    assert len(caseworker.get(ratings).json()) == 2
    assert caseworker.post(events, body, content_type="application/json").status_code == 403
    assert (
        caseworker.post(ratings, {"grade": 3, "rated_on": "2024-02-02"}, content_type="application/json").status_code
        == 403
    )
    assert caseworker.get(f"/api/v1/social-orgs/{theirs.pk}/ratings/").status_code == 404
    assert caseworker.get(f"/api/v1/social-orgs/{theirs.pk}/major-events/").status_code == 404
    with in_bureau("zhongshan"):
        assert org.ratings.count() == 2 and org.major_events.count() == 1
