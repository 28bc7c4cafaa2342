"""Issue 10 defect 7: a payee's bank account changes only after a second user approves (maker-checker)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from apps.people import services
from apps.people.importing import people_import
from apps.people.models import BankAccountChange, CareInstitution, Person

pytestmark = pytest.mark.django_db

OLD, NEW, NEWER = "6222000011112222333", "6228480000000000001", "6217000000000000002"


def user(name):
    return get_user_model().objects.get(username=f"zhongshan-{name}")


@pytest.fixture
def payee(zs, person_in):
    town, _ = zs
    return person_in(town, 61, bank_account=OLD, bank_name="农业银行")


def test_registration_sets_the_first_account_without_approval(payee):
    assert (payee.bank_account, payee.bank_name) == (OLD, "农业银行")
    assert not BankAccountChange.objects.filter(person=payee).exists()


def test_finance_changing_an_account_makes_a_pending_request_and_the_person_keeps_the_old(payee):
    finance = user("finance")
    services.person_update(person=payee, user=finance, bank_account=NEW, bank_name="工商银行", phone="13800138000")
    payee.refresh_from_db()
    change = BankAccountChange.objects.get(person=payee)
    assert (payee.bank_account, payee.bank_name, payee.phone) == (OLD, "农业银行", "13800138000")
    assert (change.status, change.old_account, change.old_bank_name, change.new_account, change.new_bank_name) == (
        "pending", OLD, "农业银行", NEW, "工商银行")
    assert change.requested_by == finance and change.requested_at is not None


def test_the_requester_cannot_approve_even_holding_the_permission(payee):
    admin = user("admin")  # the bureau administrator holds every permission
    change = services.bank_account_change_request(payee=payee, user=admin, bank_account=NEW, bank_name="工商银行")
    with pytest.raises(ValidationError) as refused:
        services.bank_account_change_approve(change=change, user=admin)
    payee.refresh_from_db()
    change.refresh_from_db()
    assert refused.value.messages == [
        f"You asked for bank account change #{change.pk}; another user must approve it (maker-checker)."]
    assert (payee.bank_account, change.status) == (OLD, "pending")


def test_finance_may_not_approve(payee):
    change = services.bank_account_change_request(payee=payee, user=user("caseworker1"), bank_account=NEW,
                                                  bank_name="工商银行")
    with pytest.raises(PermissionDenied):
        services.bank_account_change_approve(change=change, user=user("finance"))
    payee.refresh_from_db()
    assert payee.bank_account == OLD


def test_an_approver_approves_and_history_shows_old_and_new(payee):
    finance, approver = user("finance"), user("approver")
    services.person_update(person=payee, user=finance, bank_account=NEW, bank_name="工商银行")
    change = BankAccountChange.objects.get(person=payee)
    services.bank_account_change_approve(change=change, user=approver, note="核对存折")
    payee.refresh_from_db()
    change.refresh_from_db()
    accounts = list(payee.history.order_by("history_date").values_list("bank_account", "bank_name", "history_user"))
    assert (payee.bank_account, payee.bank_name) == (NEW, "工商银行")
    assert (change.status, change.decided_by, change.decision_note) == ("approved", approver, "核对存折")
    assert accounts[0][:2] == (OLD, "农业银行") and accounts[-1] == (NEW, "工商银行", approver.pk)
    assert payee.history.order_by("history_date").last().history_change_reason == f"bank account change #{change.pk}"


def test_a_rejection_keeps_the_old_account(payee):
    change = services.bank_account_change_request(payee=payee, user=user("finance"), bank_account=NEW,
                                                  bank_name="工商银行")
    services.bank_account_change_reject(change=change, user=user("approver"), note="无证明")
    payee.refresh_from_db()
    change.refresh_from_db()
    assert (payee.bank_account, change.status, change.decision_note) == (OLD, "rejected", "无证明")
    with pytest.raises(ValidationError, match=f"Bank account change #{change.pk} is rejected"):
        services.bank_account_change_approve(change=change, user=user("approver"))


def test_a_second_request_supersedes_the_first(payee):
    finance = user("finance")
    first = services.bank_account_change_request(payee=payee, user=finance, bank_account=NEW, bank_name="工商银行")
    second = services.bank_account_change_request(payee=payee, user=finance, bank_account=NEWER, bank_name="建设银行")
    first.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "pending")
    with pytest.raises(ValidationError, match="only a pending change is decided"):
        services.bank_account_change_approve(change=first, user=user("approver"))
    services.bank_account_change_approve(change=second, user=user("approver"))
    payee.refresh_from_db()
    assert (payee.bank_account, payee.bank_name) == (NEWER, "建设银行")


def test_a_care_institution_account_waits_for_approval_too(zs):
    town, _ = zs
    home = services.care_institution_create(name="测试养老院", ownership="public", town=town, beds=10, nursing_beds=5,
                                            bank_account=OLD, bank_name="农业银行")
    home.bank_account = NEW  # as an admin form leaves it: the service reads the row, not this object
    services.care_institution_update(institution=home, user=user("admin"), bank_account=NEW, beds=12)
    assert CareInstitution.objects.values_list("bank_account", "beds").get(pk=home.pk) == (OLD, 12)
    change = BankAccountChange.objects.get(institution=home)
    services.bank_account_change_approve(change=change, user=user("approver"))
    assert CareInstitution.objects.get(pk=home.pk).bank_account == NEW


def test_the_excel_import_of_a_registered_person_requests_the_change(zs, payee):
    town, _ = zs
    book = Workbook()
    book.active.append(["户编号", "与户主关系", "姓名", "公民身份号码", "户籍类别", "镇街", "银行账号", "开户行"])
    book.active.append(["ZS-BANK-1", "户主", payee.name, payee.id_number, "城镇", town.name, NEW, "工商银行"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = people_import(file=buffer, user=user("caseworker1"), source="bank.xlsx")
    payee.refresh_from_db()
    assert result.ok and (result.persons_linked, result.bank_account_changes) == (1, 1)
    assert payee.bank_account == OLD
    assert BankAccountChange.objects.get(person=payee).new_account == NEW


def test_new_payment_lines_use_the_old_account_until_approval(payee):
    from apps.benefits.models import Grant
    from apps.disbursement.models import PaymentLine
    from apps.disbursement.services import payment_run_start

    Grant.objects.create(programme_id="temporary", person=payee, payee_person=payee, amount=Decimal("300.00"),
                         period=datetime.date(2024, 6, 1))
    services.person_update(person=payee, user=user("finance"), bank_account=NEW, bank_name="工商银行")
    run = payment_run_start(period=datetime.date(2024, 6, 1), kind="regular", user=user("finance"), background=False)
    assert PaymentLine.objects.get(run=run).bank_account == OLD


def test_api_reports_the_pending_change_and_decides_it(payee, login_as):
    finance = login_as("zhongshan", "zhongshan-finance")
    response = finance.patch(f"/api/v1/persons/{payee.pk}/", {"bank_account": NEW, "bank_name": "工商银行"},
                             content_type="application/json")
    assert response.status_code == 200, response.content
    change_id = response.json()["pending_bank_account_change"]["id"]
    body = finance.get(f"/api/v1/persons/{payee.pk}/").json()  # whole values on the detail read only
    assert body["bank_account"] == OLD  # finance sees whole accounts; the old one until approval
    assert (body["pending_bank_account_change"]["new_account"], body["pending_bank_account_change"]["status"],
            body["pending_bank_account_change"]["requested_by"]) == (NEW, "pending", "zhongshan-finance")

    assert finance.post(f"/api/v1/bank-account-changes/{change_id}/approve/").status_code == 403
    approver = login_as("zhongshan", "zhongshan-approver")
    listed = approver.get("/api/v1/bank-account-changes/?status=pending").json()["results"]
    assert [c["id"] for c in listed] == [change_id]
    assert listed[0]["new_account"] == "6228***********0001"  # the approver sees accounts masked
    decided = approver.post(f"/api/v1/bank-account-changes/{change_id}/approve/", {"note": "ok"},
                            content_type="application/json")
    assert (decided.status_code, decided.json()["status"]) == (200, "approved")
    after = finance.get(f"/api/v1/persons/{payee.pk}/").json()
    assert (after["bank_account"], after["pending_bank_account_change"]) == (NEW, None)


def test_admin_lists_pending_changes_masked_and_approves(payee, login_as):
    services.bank_account_change_request(payee=payee, user=user("finance"), bank_account=NEW, bank_name="工商银行")
    change = BankAccountChange.objects.get(person=payee)
    approver = login_as("zhongshan", "zhongshan-approver")
    page = approver.get("/admin/people/bankaccountchange/?status=pending").content.decode()
    assert "6228***********0001" in page and NEW not in page
    response = approver.post("/admin/people/bankaccountchange/", {
        "action": "approve_changes", "_selected_action": [change.pk]})
    assert response.status_code == 302
    assert Person.objects.get(pk=payee.pk).bank_account == NEW


def test_admin_person_form_requests_the_change(payee, login_as):
    from django.forms.models import model_to_dict

    finance = login_as("zhongshan", "zhongshan-finance")
    data = {k: v for k, v in model_to_dict(payee).items() if v is not None and k in (
        "id_number", "name", "hukou_class", "local_hukou", "town", "phone", "bank_account", "bank_name",
        "is_student", "seriously_ill")}
    data.update(bank_account=NEW, bank_name="工商银行", **{
        "membership-TOTAL_FORMS": 0, "membership-INITIAL_FORMS": 0,
        "disability_certificates-TOTAL_FORMS": 0, "disability_certificates-INITIAL_FORMS": 0})
    response = finance.post(f"/admin/people/person/{payee.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert Person.objects.get(pk=payee.pk).bank_account == OLD
    assert BankAccountChange.objects.get(person=payee).new_account == NEW
