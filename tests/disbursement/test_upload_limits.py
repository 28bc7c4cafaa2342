"""Issue 10 defect 4, bank returns: the size and the run's state are checked before the file is read."""

import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from apps.disbursement.models import BankReturnImport, PaymentLine
from apps.disbursement.returns import bank_return_import
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db

HEADER = "明细编号,账号,金额,结果,失败原因,银行流水号,入账日期\n"
MB = 1024 * 1024


class CountingFile(io.BytesIO):
    """A file that counts the bytes read from it."""

    bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def one_exported_line(cycle):
    made = entitlement(programme="longevity", person=f.person(), variant="80-89")
    run = cycle("zhongshan", "2024-06")
    return run, PaymentLine.objects.get(run=run, entitlement=made)


@override_settings(UPLOAD_MAX_BYTES_BANK_RETURN=1 * MB)
def test_an_oversize_return_is_refused_without_reading_it(in_bureau, users, cycle):
    with in_bureau("zhongshan"):
        run, line = one_exported_line(cycle)
        big = CountingFile((HEADER + f"{line.pk},,100.00,成功,,B1,2024-06-05\n" * 300_000).encode()[:9 * MB])
        started = time.perf_counter()
        with pytest.raises(ValidationError) as refused:
            bank_return_import(run=run, content=big, file_name="big.csv", user=users("zhongshan").finance)
        seconds = time.perf_counter() - started
        imports = BankReturnImport.objects.count()
    assert refused.value.message_dict == {"file": ["The bank return file is 9.0\xa0MB; the limit is 1.0\xa0MB."]}
    assert big.bytes_read == 0 and seconds < 0.5
    assert imports == 0


@override_settings(UPLOAD_MAX_BYTES_BANK_RETURN=1 * MB)
def test_the_api_answers_400_naming_the_limit(in_bureau, cycle, login_as):
    with in_bureau("zhongshan"):
        run, line = one_exported_line(cycle)
    body = (HEADER + f"{line.pk},,100.00,成功,,B1,2024-06-05\n" * 100_000).encode()[:5 * MB // 2]  # spooled to disk
    response = login_as("zhongshan", "zhongshan-finance").post(
        f"/api/v1/payment-runs/{run.pk}/returns/", {"file": SimpleUploadedFile("big.csv", body)})
    assert response.status_code == 400
    assert response.json() == {"file": ["The bank return file is 2.5\xa0MB; the limit is 1.0\xa0MB."]}


def test_a_new_return_for_a_closed_run_is_400_with_a_message(in_bureau, cycle, login_as):
    with in_bureau("zhongshan"):
        run, line = one_exported_line(cycle)
    client = login_as("zhongshan", "zhongshan-finance")
    paid = SimpleUploadedFile("r.csv", (HEADER + f"{line.pk},,100.00,成功,,B1,2024-06-05\n").encode())
    assert client.post(f"/api/v1/payment-runs/{run.pk}/returns/", {"file": paid}).status_code == 200
    # Another file (here 30,000 rows of the same line) for the run that is now closed.
    late = SimpleUploadedFile("late.csv", (HEADER + f"{line.pk},,100.00,失败,账户冻结,B2,2024-06-06\n" * 30_000).encode())
    response = client.post(f"/api/v1/payment-runs/{run.pk}/returns/", {"file": late})
    assert response.status_code == 400, response.content
    assert response.json() == {"file": [
        f"Payment run {run.pk} is closed: the bank has answered for every line, so no further return file is "
        f"taken. A correction of a paid line is a recovery (追回)."]}
    # The first file again is still "already imported, nothing changed".
    again = client.post(f"/api/v1/payment-runs/{run.pk}/returns/", {"file": SimpleUploadedFile(
        "r.csv", (HEADER + f"{line.pk},,100.00,成功,,B1,2024-06-05\n").encode())})
    assert again.status_code == 200


def test_a_zip_bomb_return_is_refused_before_parsing(in_bureau, users, cycle):
    from tests.people.test_upload_limits import zip_bomb_xlsx

    with in_bureau("zhongshan"):
        run, _line = one_exported_line(cycle)
        bomb = zip_bomb_xlsx()
        started = time.perf_counter()
        with pytest.raises(ValidationError) as refused:
            bank_return_import(run=run, content=bomb, file_name="bomb.xlsx",
                               user=users("zhongshan").finance)
        seconds = time.perf_counter() - started
    assert "xl/sharedStrings.xml unpacks" in " ".join(refused.value.messages)
    assert seconds < 1
