"""Every display of a whole ID number or account on a detail page is logged, lists stay masked and log
nothing, a bank file is one entry; the auditor reads the log and nobody edits it (issue 10, 等保 2.0)."""

import pytest
from django.contrib.auth import get_user_model

from apps.core.models import PersonalDataAccess
from apps.people.services import person_create

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
ACCOUNT = "6222000011112222333"


@pytest.fixture
def person(zs):
    town, _ = zs
    return person_create(id_number=ID, name="访问测试", hukou_class="urban", town=town,
                         bank_account=ACCOUNT, bank_name="农业银行")


def _entries():
    return list(PersonalDataAccess.objects.order_by("id").values_list(
        "username", "channel", "field", "record", "person_id", "masked_value", "ip_address", "path"))


def test_an_api_detail_writes_one_entry_per_whole_value_and_a_list_none(person, login_as):
    approver = login_as("zhongshan", "zhongshan-approver")
    listing = approver.get("/api/v1/persons/", {"search": ID}).json()["results"]
    assert [(r["id_number"], r["bank_account"]) for r in listing] == [("110***********002X", "6222***********2333")]
    assert _entries() == []
    detail = approver.get(f"/api/v1/persons/{person.pk}/").json()
    # The approver may see whole ID numbers, not accounts.
    assert (detail["id_number"], detail["bank_account"]) == (ID, "6222***********2333")
    path = f"/api/v1/persons/{person.pk}/"
    assert _entries() == [("zhongshan-approver", "api", "id_number", f"people.person:{person.pk}", person.pk,
                           "110***********002X", "127.0.0.1", path)]
    # Finance sees both: two entries, written together.
    login_as("zhongshan", "zhongshan-finance").get(path)
    assert [e[:3] for e in _entries()[1:]] == [("zhongshan-finance", "api", "bank_account")]


def test_an_admin_detail_writes_entries_and_a_list_none(person, login_as, django_assert_max_num_queries):
    approver = login_as("zhongshan", "zhongshan-approver")
    listing = approver.get("/admin/people/person/").content.decode()
    assert ID not in listing and "110***********002X" in listing
    assert _entries() == []
    page = approver.get(f"/admin/people/person/{person.pk}/change/").content.decode()
    assert ID in page and ACCOUNT not in page
    assert _entries() == [("zhongshan-approver", "admin", "id_number", f"people.person:{person.pk}", person.pk,
                           "110***********002X", "127.0.0.1", f"/admin/people/person/{person.pk}/change/")]
    admin = login_as("zhongshan", "zhongshan-admin")
    assert ACCOUNT in admin.get(f"/admin/people/person/{person.pk}/change/").content.decode()
    assert sorted(e[2] for e in _entries() if e[0] == "zhongshan-admin") == ["bank_account", "id_number"]


def test_the_auditor_lists_and_filters_the_log_and_nobody_edits_it(person, login_as):
    login_as("zhongshan", "zhongshan-approver").get(f"/api/v1/persons/{person.pk}/")
    entry = PersonalDataAccess.objects.get()
    auditor = login_as("zhongshan", "zhongshan-auditor")
    page = auditor.get("/admin/core/personaldataaccess/", {"channel__exact": "api"})
    assert page.status_code == 200 and list(page.context["cl"].result_list) == [entry]
    assert list(auditor.get("/admin/core/personaldataaccess/", {"channel__exact": "admin"})
                .context["cl"].result_list) == []
    assert auditor.get(f"/admin/core/personaldataaccess/{entry.pk}/change/").status_code == 200
    # The people it watches don't read it.
    assert login_as("zhongshan", "zhongshan-approver").get("/admin/core/personaldataaccess/").status_code == 403
    # Nobody changes or deletes an entry, the bureau's superuser neither.
    assert get_user_model().objects.get(username="zhongshan-admin").is_superuser
    for username in ["zhongshan-auditor", "zhongshan-admin"]:
        client = login_as("zhongshan", username)
        url = f"/admin/core/personaldataaccess/{entry.pk}/"
        assert client.post(url + "change/", {"username": "x"}).status_code == 403
        assert client.post(url + "delete/", {"post": "yes"}).status_code == 403
        assert client.get("/admin/core/personaldataaccess/add/").status_code == 403
        changelist = client.post("/admin/core/personaldataaccess/", {
            "action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
        assert changelist.status_code in (200, 302)
    assert PersonalDataAccess.objects.filter(pk=entry.pk, username="zhongshan-approver").exists()


@pytest.mark.parametrize("schema", ["zhongshan", "public"])
def test_the_database_refuses_to_change_or_delete_a_log_entry(schema, in_bureau):
    """Append-only in PostgreSQL itself, in every bureau schema (copied ones too) and the public one:
    whatever a superuser in the admin or a bug in the code tries, an entry stays as written."""
    from django.db import DatabaseError, transaction
    from django_tenants.utils import schema_context

    context = in_bureau(schema) if schema != "public" else schema_context("public")
    with context:
        entry = PersonalDataAccess.objects.create(username="auditor-test", channel="admin", field="id_number",
                                                  record="people.person:1", masked_value="110105********002X")
        for attempt in (lambda: PersonalDataAccess.objects.filter(pk=entry.pk).update(username="someone-else"),
                        lambda: PersonalDataAccess.objects.filter(pk=entry.pk).delete()):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                attempt()
        assert PersonalDataAccess.objects.get(pk=entry.pk).username == "auditor-test"
