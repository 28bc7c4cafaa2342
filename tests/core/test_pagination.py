"""Lists over large tables show the planner's estimate instead of counting every row (issue 10/11 speed)."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from apps.people.models import Person
from tests import factories as f

pytestmark = pytest.mark.django_db


def _counted(queries) -> bool:
    return any("COUNT(*)" in query["sql"] for query in queries)


@pytest.fixture
def analysed_registry(in_bureau):
    with in_bureau("zhongshan"):
        for n in range(25):
            f.person(name=f"估算{n}")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE people_person")
        yield Person.objects.count()


@override_settings(PAGINATION_EXACT_COUNT_BELOW=10)
def test_an_unfiltered_list_over_a_large_table_uses_the_estimate(analysed_registry, login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/persons/")
    assert response.status_code == 200
    # A small table is sampled whole by ANALYZE: the estimate is the number of rows.
    assert response.json()["count"] == analysed_registry
    assert not _counted(queries.captured_queries)


@override_settings(PAGINATION_EXACT_COUNT_BELOW=10)
def test_a_filtered_list_is_counted_exactly(analysed_registry, login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/persons/?search=估算1")
    assert response.json()["count"] == 11  # 估算1, 估算10 … 估算19
    assert _counted(queries.captured_queries)


@override_settings(PAGINATION_EXACT_COUNT_BELOW=10**9)
def test_a_table_below_the_threshold_is_counted_exactly(analysed_registry, login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/persons/")
    assert response.json()["count"] == analysed_registry
    assert _counted(queries.captured_queries)


@override_settings(PAGINATION_EXACT_COUNT_BELOW=10)
def test_a_page_past_the_rows_is_404_and_a_bad_page_number_too(analysed_registry, login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    assert client.get("/api/v1/persons/?page=999").status_code == 404
    assert client.get("/api/v1/persons/?page=abc").status_code == 404
    assert client.get("/api/v1/persons/?page=1").status_code == 200


def test_the_api_pages_20_rows_and_a_client_may_ask_up_to_100(analysed_registry, login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    default = client.get("/api/v1/persons/").json()
    assert len(default["results"]) == 20 and default["count_kind"] == "exact"
    assert len(client.get("/api/v1/persons/?page_size=7").json()["results"]) == 7
    assert len(client.get("/api/v1/persons/?page_size=500").json()["results"]) == min(100, analysed_registry)


def test_past_the_api_cap_the_count_says_capped_and_next_still_leads_to_every_row(
        analysed_registry, login_as, monkeypatch):
    """25 matches, a cap of 10, pages of 4: the count says 11 ("more than 10"), yet seven pages come
    back by following `next` — the count does not end the list early."""
    from apps.core import pagination

    monkeypatch.setattr(pagination, "API_COUNT_CAP", 10)
    client = login_as("zhongshan", "zhongshan-admin")
    url, names, pages = "/api/v1/persons/?" + urlencode({"search": "估算", "page_size": 4}), [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        assert (body["count"], body["count_kind"]) == (11, "capped")
        names += [row["name"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 7 and sorted(names) == sorted(f"估算{n}" for n in range(25))


def test_the_openapi_describes_count_kind(login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    schema = client.get("/api/schema/?format=json").json()
    page = schema["components"]["schemas"]["PaginatedPersonOutputList"]
    count_kind = page["properties"]["count_kind"]
    ref = count_kind.get("$ref") or count_kind.get("allOf", [{}])[0].get("$ref")
    if ref:  # drf-spectacular names an enum as a component of its own
        count_kind = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert count_kind["enum"] == ["exact", "capped", "estimated"]
    assert "count_kind" in page["required"]


def test_a_capped_count_reads_the_rows_in_the_lists_own_order(analysed_registry, login_as):
    """Without the order, the planner may walk any index to find the first 101 matches (person_name in
    name order read 663,000 names for 王 at 1.18 million residents); in the page's order it reads what
    the page reads."""
    client = login_as("zhongshan", "zhongshan-admin")
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/persons/?search=估算")
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    assert counts and all('ORDER BY "people_person"."id" ASC' in sql for sql in counts)


@override_settings(PAGINATION_EXACT_COUNT_BELOW=10)
def test_a_count_leaves_out_what_a_row_shows_but_not_a_grouping(analysed_registry, login_as, in_bureau):
    """The persons page shows whether each row has a pending bank-account change (a subquery per row):
    counting its rows computes none of them. An aggregate annotation groups the rows, and stays."""
    from django.db.models import Count

    from apps.core.pagination import capped_count
    from apps.people.models import Household

    client = login_as("zhongshan", "zhongshan-admin")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/api/v1/persons/?search=估算").json()
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    assert page["count"] == 25 and counts and not any("EXISTS" in sql for sql in counts)
    with in_bureau("zhongshan"):
        grouped = Household.objects.annotate(n=Count("members"))
        assert capped_count(grouped) == Household.objects.count()


def test_a_capped_count_counts_what_djangos_count_counts(analysed_registry, in_bureau):
    """The count is a statement of its own over the list's keys: it must agree with the ORM's count
    for a filter, an annotation a row shows, a filter that can match nothing, and the cap."""
    from django.db.models import Exists, OuterRef

    from apps.core.pagination import capped_count
    from apps.people.models import HouseholdMember, Person

    with in_bureau("zhongshan"):
        members = Exists(HouseholdMember.objects.filter(person=OuterRef("pk")))
        lists = [
            Person.objects.all(),
            Person.objects.filter(name__startswith="估算"),
            Person.objects.annotate(in_household=members).filter(in_household=True),
            Person.objects.filter(pk__in=[]),
            Person.objects.none(),
        ]
        for persons in lists:
            for cap in (0, 3, 10_000):
                assert capped_count(persons, cap) == min(persons.count(), cap + 1), (persons.query, cap)
