"""Lists over large tables show the planner's estimate instead of counting every row (issue 10/11 speed)."""

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
