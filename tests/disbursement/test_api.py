"""The API: payment-runs (+ approve, export, returns), payments, recoveries — JSON errors, never a 500."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.disbursement.models import PaymentLine, PaymentRun
from apps.disbursement.services import payment_run_start
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db


def generated_run(users, schema="zhongshan"):
    entitlement(programme="longevity", person=f.person(), variant="80-89")
    entitlement(programme="longevity", person=f.person(), variant="100+")
    return payment_run_start(period=datetime.date(2024, 6, 1), kind="regular", user=users(schema).finance,
                             background=False)


def test_list_and_read_runs(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        run = generated_run(users)
    response = login_as("zhongshan", "zhongshan-auditor").get("/api/v1/payment-runs/")
    assert response.status_code == 200
    item = response.json()["results"][0]
    assert (item["id"], item["period"], item["status"], item["line_count"], item["total_amount"]) == (
        run.pk, "2024-06", "generated", 2, "600.00")
    assert item["started_by"] == "zhongshan-finance" and item["progress_percent"] == 100.0


def test_start_a_run(login_as, in_bureau):
    client = login_as("zhongshan", "zhongshan-finance")
    response = client.post("/api/v1/payment-runs/", {"period": "2024-09", "kind": "regular"},
                           content_type="application/json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "generating"  # a worker generates it once the request commits
    bad = client.post("/api/v1/payment-runs/", {"period": "2024-13"}, content_type="application/json")
    assert bad.status_code == 400 and "period" in bad.json()
    refused = login_as("zhongshan", "zhongshan-caseworker1").post(
        "/api/v1/payment-runs/", {"period": "2024-10"}, content_type="application/json")
    assert refused.status_code == 403 and "detail" in refused.json()
    with in_bureau("zhongshan"):
        assert PaymentRun.objects.filter(period=datetime.date(2024, 9, 1)).count() == 1
        assert not PaymentRun.objects.filter(period=datetime.date(2024, 10, 1)).exists()


def test_approve_by_the_starter_is_refused_with_a_clear_message(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        run = generated_run(users)
    starter = login_as("zhongshan", "zhongshan-finance").post(f"/api/v1/payment-runs/{run.pk}/approve/")
    assert starter.status_code == 403  # finance holds no approve permission at all
    approver = login_as("zhongshan", "zhongshan-approver")
    ok = approver.post(f"/api/v1/payment-runs/{run.pk}/approve/")
    assert ok.status_code == 200 and ok.json()["status"] == "approved" and ok.json()["approved_by"] == "zhongshan-approver"
    twice = approver.post(f"/api/v1/payment-runs/{run.pk}/approve/")
    assert twice.status_code == 400 and "cannot become" in twice.json()["non_field_errors"][0]


def test_a_starter_with_approve_permission_is_refused(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        entitlement(programme="longevity", person=f.person(), variant="80-89")
        run = payment_run_start(period=datetime.date(2024, 6, 1), kind="regular", user=users("zhongshan").admin,
                                background=False)
    response = login_as("zhongshan", "zhongshan-admin").post(f"/api/v1/payment-runs/{run.pk}/approve/")
    assert response.status_code == 400
    assert "maker-checker" in response.json()["non_field_errors"][0]


def test_export_csv_and_xlsx(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        run = generated_run(users)
    login_as("zhongshan", "zhongshan-approver").post(f"/api/v1/payment-runs/{run.pk}/approve/")
    client = login_as("zhongshan", "zhongshan-finance")
    response = client.get(f"/api/v1/payment-runs/{run.pk}/export/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf\xe5\xba\x8f\xe5\x8f\xb7")  # BOM + 序号
    assert f"控制记录,批次号,{run.pk},笔数,2,总金额,600.00,SHA-256,".encode() in content
    xlsx = client.get(f"/api/v1/payment-runs/{run.pk}/export/?format=xlsx")
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    bad = client.get(f"/api/v1/payment-runs/{run.pk}/export/?format=pdf")
    assert bad.status_code == 400 and bad.json() == {"format": ["Choose csv or xlsx."]}
    caseworker = login_as("zhongshan", "zhongshan-caseworker1").get(f"/api/v1/payment-runs/{run.pk}/export/")
    assert caseworker.status_code == 403


def test_export_of_an_unapproved_run_is_a_json_error(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        run = generated_run(users)
    response = login_as("zhongshan", "zhongshan-finance").get(f"/api/v1/payment-runs/{run.pk}/export/?format=csv")
    assert response.status_code == 400 and "approved run" in response.json()["non_field_errors"][0]


def test_returns_upload(in_bureau, users, cycle, login_as):
    with in_bureau("zhongshan"):
        entitlement(programme="longevity", person=f.person(), variant="80-89")
        run = cycle("zhongshan", "2024-06")
        line = PaymentLine.objects.get(run=run)
    header = "明细编号,账号,金额,结果,失败原因,银行流水号,入账日期\n"
    client = login_as("zhongshan", "zhongshan-finance")
    wrong = SimpleUploadedFile("r.csv", (header + f"{line.pk},,99.00,成功,,,\n").encode(), content_type="text/csv")
    rejected = client.post(f"/api/v1/payment-runs/{run.pk}/returns/", {"file": wrong})
    assert rejected.status_code == 400
    assert rejected.json()["file"] == [f"Row 2: line {line.pk} is for 100.00, the file says 99.00."]
    assert rejected.json()["import"]["status"] == "rejected"
    good = SimpleUploadedFile("r.csv", (header + f"{line.pk},,100.00,成功,,B9,2024-06-03\n").encode())
    accepted = client.post(f"/api/v1/payment-runs/{run.pk}/returns/", {"file": good})
    assert accepted.status_code == 200 and accepted.json()["paid_count"] == 1
    missing = client.post(f"/api/v1/payment-runs/{run.pk}/returns/", {})
    assert missing.status_code == 400 and "file" in missing.json()


def test_payments_filters_and_masking(in_bureau, users, login_as):
    from apps.people.models import Town

    with in_bureau("zhongshan"):
        towns = list(Town.objects.order_by("id")[:2])
        mine = f.person(town_name=towns[0].name, bank_account="6222000011112222333")
        theirs = f.person(town_name=towns[1].name)
        entitlement(programme="longevity", person=mine, variant="80-89")
        entitlement(programme="longevity", person=theirs, variant="90-99")
        run = payment_run_start(period=datetime.date(2024, 6, 1), kind="regular", user=users("zhongshan").finance,
                                background=False)
    finance = login_as("zhongshan", "zhongshan-finance")
    everything = finance.get(f"/api/v1/payments/?run={run.pk}")
    assert everything.status_code == 200 and everything.json()["count"] == 2
    only_longevity_90 = finance.get(f"/api/v1/payments/?run={run.pk}&programme=longevity&status=pending")
    assert only_longevity_90.json()["count"] == 2
    assert finance.get("/api/v1/payments/?status=paid").json()["count"] == 0
    not_an_id = finance.get("/api/v1/payments/?run=abc")
    assert (not_an_id.status_code, list(not_an_id.json())) == (400, ["run"])  # a field error, no longer a 404
    caseworker = login_as("zhongshan", "zhongshan-caseworker1").get("/api/v1/payments/")
    rows = caseworker.json()["results"]
    assert [r["payee_name"] for r in rows] == [mine.name]
    with in_bureau("zhongshan"):
        # Only the payment view permission: no people.view_full_* permission.
        from django.contrib.auth.models import Permission, User

        viewer = User.objects.create_user("zhongshan-viewer", password="x" * 12, is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_paymentline"))
    masked = login_as("zhongshan", "zhongshan-viewer").get("/api/v1/payments/").json()["results"]
    amounts = {r["payee_name"]: (r["amount"], r["id_number"], r["bank_account"]) for r in masked}
    assert amounts[mine.name] == ("100.00", mine.id_number[:3] + "*" * 11 + mine.id_number[-4:], "6222***********2333")
    # Finance sees whole accounts, on a line's own page only (SPEC §7: lists are masked for everyone).
    first = finance.get("/api/v1/payments/").json()["results"][0]
    assert first["bank_account"] == "6222***********2333"
    assert finance.get(f"/api/v1/payments/{first['id']}/").json()["bank_account"] == "6222000011112222333"


def test_recoveries(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        person = f.person()
        entitlement(programme="longevity", person=person, variant="80-89")
        for month in (3, 4):
            run = payment_run_start(period=datetime.date(2025, month, 1), kind="regular",
                                    user=users("zhongshan").finance, background=False)
            PaymentLine.objects.filter(run=run).update(status="paid")
        person.status, person.date_of_death = "deceased", datetime.date(2025, 3, 10)
        person.save()
    response = login_as("zhongshan", "zhongshan-auditor").get("/api/v1/recoveries/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["period"], r["amount_to_recover"], r["reason"], r["cutoff"]) for r in rows] == [
        ("2025-04", "100.00", "death", "2025-03")]


def test_another_bureau_sees_nothing(in_bureau, users, login_as):
    with in_bureau("zhongshan"):
        run = generated_run(users)
    other = login_as("guangzhou", "guangzhou-admin")
    assert other.get(f"/api/v1/payment-runs/{run.pk}/").status_code == 404
    assert other.get("/api/v1/payments/").json()["count"] == 0


def test_anonymous_gets_nothing(client_for):
    assert client_for("zhongshan").get("/api/v1/payment-runs/").status_code in (401, 403)


def test_openapi_schema_lists_the_paths(login_as):
    response = login_as("zhongshan", "zhongshan-admin").get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/v1/payment-runs/", "/api/v1/payment-runs/{id}/approve/", "/api/v1/payment-runs/{id}/export/",
                 "/api/v1/payment-runs/{id}/returns/", "/api/v1/payments/", "/api/v1/recoveries/"):
        assert path in text


