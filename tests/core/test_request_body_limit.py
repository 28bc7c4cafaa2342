"""Issue 10 defect 4: a body above every upload limit is refused by its declared length, unread."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


@override_settings(UPLOAD_MAX_BYTES_XLSX=2 * MB, UPLOAD_MAX_BYTES_BANK_RETURN=3 * MB)
def test_an_api_upload_declaring_more_than_every_limit_is_413_naming_the_largest(login_as):
    client = login_as("zhongshan", "zhongshan-finance")
    # The client sends 7 bytes but declares 500 MB: only the header is looked at.
    response = client.post("/api/v1/payment-runs/1/returns/", data=b"1,2,3\r\n", content_type="text/csv",
                           CONTENT_LENGTH=str(500 * MB), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert response.json() == {"detail": "The request is 500.0\xa0MB; the largest upload accepted is 4.0\xa0MB."}
    assert response["Connection"] == "close"


@override_settings(UPLOAD_MAX_BYTES_XLSX=2 * MB, UPLOAD_MAX_BYTES_BANK_RETURN=3 * MB)
def test_an_admin_upload_above_the_limit_is_413_in_the_users_language(login_as):
    client = login_as("zhongshan", "zhongshan-admin")
    response = client.post("/admin/people/person/import/", data=b"x", content_type="application/octet-stream",
                           CONTENT_LENGTH=str(10 * MB), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert response.content.decode() == "The request is 10.0\xa0MB; the largest upload accepted is 4.0\xa0MB."


@override_settings(UPLOAD_MAX_BYTES_XLSX=2 * MB, UPLOAD_MAX_BYTES_BANK_RETURN=3 * MB)
def test_a_body_within_the_limit_reaches_the_view(login_as):
    response = login_as("zhongshan", "zhongshan-finance").post(
        "/api/v1/payment-runs/999999/returns/", {"file": SimpleUploadedFile("r.csv", b"1,2,3\r\n")})
    assert response.status_code == 404  # the view looked for the run


@override_settings(UPLOAD_MAX_BYTES_XLSX=2 * MB, UPLOAD_MAX_BYTES_BANK_RETURN=3 * MB)
def test_the_refusal_speaks_chinese_to_a_chinese_user(login_as):
    response = login_as("zhongshan", "zhongshan-finance").post(
        "/api/v1/payment-runs/1/returns/", data=b"x", content_type="text/csv", CONTENT_LENGTH=str(5 * MB),
        HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.json() == {"detail": "请求大小为 5.0\xa0MB；可接受的最大上传为 4.0\xa0MB。"}
