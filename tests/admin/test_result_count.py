"""What a changelist says about its number of rows (issue 11): a count stopped at the cap reads "10,000 条以上"
("more than 10,000") with a hint, a huge table's planner estimate "约 1,180,000 条" ("about …"), never a
bare "10001 results" or an estimate printed to the last row."""

import re

import pytest
from django.db import connection
from django.test import override_settings

from apps.core.models import JobRun
from apps.core.pagination import COUNT_CAP, rounded

pytestmark = pytest.mark.django_db

URL = "/admin/core/jobrun/"
# The number counted past the cap as a text (not a row's id in a link or a checkbox).
COUNTED = re.compile(r"(?<![/\d\"])10,?00[15](?![/\d])")


def _job_runs(n: int, job: str) -> None:
    JobRun.objects.bulk_create([JobRun(job=job, status=JobRun.Status.SUCCEEDED) for _ in range(n)], batch_size=5000)


def _page(client, language: str, **params) -> str:
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_estimates_are_given_to_three_significant_figures():
    assert rounded(1_181_295) == 1_180_000
    assert rounded(10_001) == 10_000
    assert rounded(123_456) == 123_000
    assert rounded(987) == 987


def test_a_list_past_the_cap_says_more_than_ten_thousand_with_a_hint(in_bureau, login_as):
    assert COUNT_CAP == 10_000
    client = login_as("zhongshan", "zhongshan-admin")
    with in_bureau("zhongshan"):
        _job_runs(COUNT_CAP + 5, "nightly.test")
        _job_runs(3, "other.test")
    # Filtered to the 10,005 runs of one job: counted to 10,001 and said so.
    zh = _page(client, "zh-hans", job="nightly.test")
    assert "10,000 条以上" in zh
    assert "缩小搜索或筛选范围可得到确切条数" in zh
    assert not COUNTED.search(zh), COUNTED.search(zh)
    en = _page(client, "en", job="nightly.test")
    assert "more than 10,000" in en
    assert "narrow the search or the filters for an exact number" in en
    # The other job's 3 runs are counted exactly, as Django says it.
    small = _page(client, "en", job="other.test")
    assert "more than" not in small and "about" not in small
    assert "3 job runs" in small


def test_an_unfiltered_huge_table_shows_the_planners_estimate(in_bureau, login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    with in_bureau("zhongshan"):
        _job_runs(12_345, "nightly.test")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_jobrun")
    # A table counts as huge from PAGINATION_EXACT_COUNT_BELOW rows (100,000 in production).
    with override_settings(PAGINATION_EXACT_COUNT_BELOW=10_000):
        zh = _page(client, "zh-hans")
        en = _page(client, "en")
    assert "约 12,300 条" in zh
    assert "估计数" in zh
    assert "about 12,300" in en
    assert "12,345" not in en and not re.search(r"(?<![/\d\"])12345(?![/\d])", en)
