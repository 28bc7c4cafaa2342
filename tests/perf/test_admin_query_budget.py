"""Query budgets of the bureau admin's big changelists (issue 11 item 8): a page costs the same number of
queries with 3 rows as with 30 (no query per row), an unfiltered list over a large table is never
counted row by row (the planner's estimate), and a search goes to the indexes, never a scan of names.

At 1.18 million residents the page times are `python -m benchmarks.admin_pages --tenant zhongshan`.
"""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from apps.core.admin_site import bureau_admin_site
from apps.people.models import DisabilityCertificate
from tests import factories as f

pytestmark = pytest.mark.django_db

# The registry's lists, and the most queries a page of each may take (session, user, permissions,
# list filters' choices, the page's rows and their related rows in one query each).
BUDGETS = {
    "/admin/people/person/": 12,
    "/admin/people/household/": 12,
    "/admin/people/householdmember/": 12,
    "/admin/people/disabilitycertificate/": 12,
}

# Pages that are reports, not lists: 年度统计 computes the year's figures (tests/statistics time it).
NOT_LISTS = {"statistics.AnnualSnapshot"}


def _rows(n: int) -> None:
    for _ in range(n):
        head, spouse = f.person(), f.person(gender="F")
        f.household(head, spouse)
        DisabilityCertificate.objects.create(
            person=head,
            number=f"{head.id_number}11",
            category="physical",
            level=2,
            valid_from="2024-01-01",
            valid_until="2030-01-01",
        )


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured.captured_queries]


def _whole_counts(queries: list[str]) -> list[str]:
    return [sql for sql in queries if "COUNT(" in sql.upper() and " WHERE " not in sql.upper()]


@override_settings(PAGINATION_EXACT_COUNT_BELOW=5)
def test_the_big_lists_cost_the_same_with_more_rows_and_never_count_the_registry(in_bureau, login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    with in_bureau("zhongshan"):
        _rows(5)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    for url in BUDGETS:  # the session's first pages look up what later pages have cached
        _queries(client, url)
    few = {url: len(_queries(client, url)) for url in BUDGETS}
    with in_bureau("zhongshan"):
        _rows(20)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    for url, budget in BUDGETS.items():
        queries = _queries(client, url)
        assert len(queries) == few[url], f"{url}: {few[url]} queries with few rows, {len(queries)} with more"
        assert len(queries) <= budget, f"{url}: {len(queries)} queries, budget {budget}"
        assert not _whole_counts(queries), f"{url} counts the whole table: {_whole_counts(queries)}"


def test_every_bureau_changelist_keeps_to_a_query_budget(in_bureau, login_as):
    """Every list of the bureau admin, with a few rows of the registry: no page takes more than 25 queries."""
    client = login_as("zhongshan", "zhongshan-admin")
    with in_bureau("zhongshan"):
        _rows(3)
    over = {}
    for model in bureau_admin_site._registry:
        if model._meta.label in NOT_LISTS:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        count = len(_queries(client, url))
        if count > 25:
            over[url] = count
    assert over == {}


@pytest.mark.parametrize("term", ["测试", "试1", "11010519491231002X"])
def test_registry_searches_use_the_indexes(in_bureau, login_as, term):
    """The SQL of a person or household search names the indexed expressions, never UPPER(name) LIKE '%x%'."""
    client = login_as("zhongshan", "zhongshan-admin")
    with in_bureau("zhongshan"):
        _rows(2)
    for url in BUDGETS:
        queries = _queries(client, f"{url}?q={term}")
        assert not [sql for sql in queries if "LIKE UPPER('%" in sql or "LIKE '%" in sql], url


def test_a_name_is_found_by_its_beginning_or_its_end(in_bureau, login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    with in_bureau("zhongshan"):
        person = f.person(name="欧阳明月")
        code = f.household(person).code
    for term in ("欧阳", "明月", "欧阳明月"):
        page = client.get("/admin/people/person/", {"q": term}).content.decode()
        assert person.id_number[:6] in page or "欧阳明月" in page, term
        households = client.get("/admin/people/household/", {"q": term}).content.decode()
        assert code in households, term
    assert "欧阳明月" not in client.get("/admin/people/person/", {"q": "阳明"}).content.decode()


def test_a_search_with_more_matches_than_the_cap_is_counted_no_further(in_bureau, login_as, monkeypatch):
    from apps.core import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    monkeypatch.setattr(pagination, "API_COUNT_CAP", 4)
    client = login_as("zhongshan", "zhongshan-admin")
    with in_bureau("zhongshan"):
        for n in range(7):
            f.person(name=f"封顶{n}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/persons/", {"search": "封顶"})
    assert response.json()["count"] == 5  # "more than 4"
    assert response.json()["count_kind"] == "capped"
    assert any("LIMIT 5" in q["sql"] for q in captured.captured_queries)
    assert len(response.json()["results"]) == 7
    page = client.get("/admin/people/person/", {"q": "封顶"}).content.decode()
    assert "封顶6" in page


def test_lists_of_what_people_hold_are_searched_through_the_registry_indexes(in_bureau, login_as):
    """Entitlements (a household's or a person's) are found by a member's or the person's whole ID number, the
    beginning or end of their name, or the household number; never by LIKE '%…%' over a join."""
    client = login_as("zhongshan", "zhongshan-admin")
    with in_bureau("zhongshan"):
        head, spouse = f.person(name="司马光明"), f.person(name="欧阳春", gender="F")
        home = f.household(head, spouse)
        dibao = f.entitlement(programme="dibao", household=home)
        elder = f.person(name="诸葛长寿", birth_date=datetime.date(1940, 1, 1))
        longevity = f.entitlement(programme="longevity", person=elder, variant="80-89")
        other = f.entitlement(programme="dibao", household=f.household(f.person(name="王五")))
    url = "/admin/benefits/entitlement/"
    cases = {
        "司马": {dibao.pk}, "阳春": {dibao.pk}, spouse.id_number: {dibao.pk}, home.code: {dibao.pk},
        "诸葛": {longevity.pk}, elder.id_number: {longevity.pk}, "长寿": {longevity.pk},
    }
    for term, expected in cases.items():
        queries = _queries(client, f"{url}?q={term}")
        assert not [sql for sql in queries if "LIKE UPPER('%" in sql or "LIKE '%" in sql], term
        page = client.get(url, {"q": term}).content.decode()
        for pk in (dibao.pk, longevity.pk, other.pk):
            shown = f"/admin/benefits/entitlement/{pk}/change/" in page
            assert shown == (pk in expected), (term, pk)
