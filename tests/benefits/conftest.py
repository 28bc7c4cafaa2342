import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; the bureau UI defaults to Chinese.
    with translation.override("en"):
        yield


@pytest.fixture
def user_named(db):
    """user_named("zhongshan-approver") — a demo user of the current bureau schema."""
    from django.contrib.auth import get_user_model

    return lambda username: get_user_model().objects.get(username=username)
