"""Demo fixtures: 中山's schema with its two first towns (the towns the demo caseworkers serve)."""

import pytest


@pytest.fixture
def zs(in_bureau):
    """Run the test body inside 中山's schema; yields its first two towns."""
    from apps.people.models import Town

    with in_bureau("zhongshan"):
        towns = list(Town.objects.order_by("id")[:2])
        yield towns[0], towns[1]
