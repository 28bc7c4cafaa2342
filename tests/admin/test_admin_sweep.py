"""Every admin page of a bureau and of the province, opened as each role in Chinese (issue 11):

- no page answers a server error (changelists, change pages and history pages of every registered model);
- no list or history page shows a whole ID number or bank account, for any role (SPEC §7), and a change
  page shows them whole only to roles granted it;
- the administrator's pages carry no untranslated message, raw choice code or plain English label;
- no changelist shows an amount as a bare decimal: money reads ¥1,234.56, aligned right.

The admin site's registry is walked, so models of apps added later are swept without editing this file.
"""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from tests.admin.conftest import BUREAU_USERS, PROVINCE_USERS, admin_pages
from tests.admin.inspect import unformatted_amounts, untranslated, whole_numbers

pytestmark = pytest.mark.django_db


# Developer bookkeeping, out of every menu but a superuser's: not a caseworker's screen.
DEVELOPER_PAGES = ("/admin/demo/",)


class Findings:
    def __init__(self):
        self.errors, self.pii, self.english, self.money = [], [], [], []

    def report(self) -> str:
        parts = []
        for title, rows in (
            ("server errors", self.errors),
            ("whole numbers", self.pii),
            ("untranslated", self.english),
            ("amounts not as money", self.money),
        ):
            if rows:
                parts.append(f"{title} ({len(rows)}):\n  " + "\n  ".join(rows))
        return "\n".join(parts)


def _data_words() -> frozenset[str]:
    """Latin-letter values the records hold: they are data, not labels."""
    from django.contrib.auth.models import Group

    from tenants.models import Bureau

    # Role groups keep their code as name (the code relies on it); pages show role_label() beside it.
    words = set(get_user_model().objects.values_list("username", flat=True))
    words |= set(Group.objects.values_list("name", flat=True))
    with schema_context("public"):
        for schema, name_en in Bureau.objects.values_list("schema_name", "name_en"):
            words |= {schema, name_en}
    return frozenset(words)


def _sweep(findings: Findings, client, user, pages, *, check_language: bool) -> set[str]:
    full_id = user.has_perm("people.view_full_id_number")
    full_account = user.has_perm("people.view_full_bank_account")
    opened = set()
    data_words = _data_words() if check_language else frozenset()
    for label, url in pages:
        who = f"{user.username} {url} ({label})"
        try:
            response = client.get(url)
        except Exception as exc:  # the test client re-raises the view's exception: that is the 500
            findings.errors.append(f"{who}: {type(exc).__name__}: {exc}")
            continue
        if response.status_code >= 500:
            findings.errors.append(f"{who}: {response.status_code}")
        if response.status_code != 200:
            continue
        opened.add(url)
        html = response.content.decode()
        detail = url.endswith("/change/")
        leaks = whole_numbers(html, ids=not (detail and full_id), accounts=not (detail and full_account))
        if leaks:
            findings.pii.append(f"{who}: {sorted(leaks)[:3]}")
        if not url.endswith(("/change/", "/history/")):
            amounts = unformatted_amounts(html, apps.get_model(label))
            if amounts:
                findings.money.append(f"{who}: {sorted(amounts)[:3]}")
        if check_language and not url.startswith(DEVELOPER_PAGES):
            words = untranslated(html, data_words)
            if words:
                findings.english.append(f"{url}: {', '.join(sorted(words))}")
    return opened


def _user_and_pages(site, schema, username, tenant=None):
    with schema_context(schema):
        user = get_user_model().objects.get(username=username)
        return user, list(admin_pages(site, user, tenant=tenant))


def test_bureau_admin_pages_for_every_role(populated_zhongshan, admin_sites, bureau, login_as):
    tenant = bureau("zhongshan")
    findings, opened = Findings(), set()
    for username in BUREAU_USERS:
        user, pages = _user_and_pages(admin_sites["bureau"], "zhongshan", username, tenant)
        client = login_as("zhongshan", username)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
        with schema_context("zhongshan"):
            opened |= _sweep(findings, client, user, pages, check_language=username == "zhongshan-admin")
    assert not findings.report(), findings.report()
    # The pages that answered 500 in issue 11 were opened.
    for needle in ("/assistance/assetcheck/", "/assistance/careassessment/", "/pensions/longevitystandard/"):
        assert any(needle in url and url.endswith("/change/") for url in opened), needle
        assert any(needle in url and url.endswith("/history/") for url in opened), needle


def test_province_admin_pages_for_every_user(admin_sites, login_as):
    findings = Findings()
    for username in PROVINCE_USERS:
        user, pages = _user_and_pages(admin_sites["province"], "public", username)
        client = login_as(None, username)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
        _sweep(findings, client, user, pages, check_language=username == "province-admin")
    assert not findings.report(), findings.report()
