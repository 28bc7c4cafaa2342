"""A bank return csv cannot read is a 400 naming the row, never a 500 (issue 10, defect 5)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.disbursement.models import BankReturnImport, PaymentLine
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db

HEADER = "明细编号,账号,金额,结果,失败原因,银行流水号,入账日期\n"


def test_a_field_of_300000_characters_is_refused_with_its_row(in_bureau, cycle, login_as):
    with in_bureau("zhongshan"):
        entitlement(programme="longevity", person=f.person(), variant="80-89")
        run = cycle("zhongshan", "2024-06")
        line = PaymentLine.objects.get(run=run)
    huge = SimpleUploadedFile("r.csv", (HEADER + f"{line.pk},,100.00,成功,{'x' * 300_000},,\n").encode())
    response = login_as("zhongshan", "zhongshan-finance").post(f"/api/v1/payment-runs/{run.pk}/returns/",
                                                               {"file": huge})
    assert response.status_code == 400, response.content[:300]
    assert response.json()["file"] == [
        "Row 2 has a field longer than 131,072 characters: this is not a bank return."]
    with in_bureau("zhongshan"):
        assert PaymentLine.objects.get(pk=line.pk).status == "pending"  # nothing applied
        assert BankReturnImport.objects.get(run=run).status == "rejected"


def test_a_nul_byte_in_a_return_is_refused(in_bureau, cycle, login_as):
    with in_bureau("zhongshan"):
        entitlement(programme="longevity", person=f.person(), variant="80-89")
        run = cycle("zhongshan", "2024-06")
        line = PaymentLine.objects.get(run=run)
    broken = SimpleUploadedFile("r.csv", (HEADER + f"{line.pk},,100.00,成功,\x00,,\n").encode())
    response = login_as("zhongshan", "zhongshan-finance").post(f"/api/v1/payment-runs/{run.pk}/returns/",
                                                               {"file": broken})
    assert response.status_code == 400, response.content[:300]
    assert response.json()["file"] == ["Row 2 holds a NUL byte: this is not a bank return."]
