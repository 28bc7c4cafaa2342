"""Every admin page a role can open answers without a server error (issue 11): changelists, change pages and
history pages of every registered model, in a bureau and in the province, as each role.
"""

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from tests.admin.conftest import BUREAU_USERS, PROVINCE_USERS, admin_pages

pytestmark = pytest.mark.django_db


def _sweep(client, urls) -> list[str]:
    failures = []
    for label, url in urls:
        try:
            response = client.get(url)
        except Exception as exc:  # the test client re-raises the view's exception: that is the 500
            failures.append(f"{url} ({label}): {type(exc).__name__}: {exc}")
            continue
        if response.status_code >= 500:
            failures.append(f"{url} ({label}): {response.status_code}")
    return failures


def _pages(site, schema, username, tenant=None):
    with schema_context(schema):
        user = get_user_model().objects.get(username=username)
        return list(admin_pages(site, user, tenant=tenant))


def test_every_bureau_admin_page_answers_for_every_role(populated_zhongshan, admin_sites, bureau, login_as):
    tenant = bureau("zhongshan")
    failures, opened = [], set()
    for username in BUREAU_USERS:
        pages = _pages(admin_sites["bureau"], "zhongshan", username, tenant)
        opened |= {url for _, url in pages}
        failures += [f"{username} {f}" for f in _sweep(login_as("zhongshan", username), pages)]
    assert not failures, "\n".join(failures)
    # The pages that answered 500 in issue 11 are among those opened.
    for needle in ("/assistance/assetcheck/", "/assistance/careassessment/", "/pensions/longevitystandard/"):
        assert any(needle in url and url.endswith("/change/") for url in opened), needle
        assert any(needle in url and url.endswith("/history/") for url in opened), needle


def test_every_province_admin_page_answers_for_every_user(admin_sites, login_as):
    failures = []
    for username in PROVINCE_USERS:
        pages = _pages(admin_sites["province"], "public", username)
        failures += [f"{username} {f}" for f in _sweep(login_as(None, username), pages)]
    assert not failures, "\n".join(failures)
