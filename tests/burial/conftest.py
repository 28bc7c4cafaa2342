import pytest


@pytest.fixture
def user_named(db):
    """user_named("zhongshan-approver") — a demo user of the current bureau schema."""
    from django.contrib.auth import get_user_model

    return lambda username: get_user_model().objects.get(username=username)
