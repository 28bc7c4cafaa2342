"""No ID number or bank account in the logs: request lines, query strings and paths are masked (defect 8)."""

import logging

import pytest

from apps.core.logfilters import mask_numbers

ID = "11010519491231002X"
ACCOUNT = "6222000011112222333"


def test_numbers_are_masked_and_other_figures_kept():
    assert mask_numbers(f"GET /api/v1/persons/?search={ID}") == "GET /api/v1/persons/?search=110***********002X"
    assert mask_numbers("search=110105491231002") == "search=110********1002"  # 15-digit ID number
    assert mask_numbers(f"account={ACCOUNT}&x=1") == "account=6222***********2333&x=1"
    assert mask_numbers("account=622200001111") == "account=6222****1111"  # 12 digits
    # Periods, amounts, ids, a 20-digit reference and a checksum stay.
    kept = "period=2024-12 amount=1225.00 id=12345 ref=12345678901234567890 sha=ab12345678901234567cd"
    assert mask_numbers(kept) == kept


def test_the_server_request_line_is_logged_masked(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("django.server").info('"%s" %s %s', f"GET /api/v1/persons/?search={ID} HTTP/1.1", "200", "51")
    logging.getLogger("gunicorn.access").info(
        '%(h)s "%(r)s" %(s)s', {"h": "127.0.0.1", "r": f"GET /api/v1/payments/?search={ACCOUNT} HTTP/1.1", "s": "200"})
    messages = [record.getMessage() for record in caplog.records]
    assert messages == ['"GET /api/v1/persons/?search=110***********002X HTTP/1.1" 200 51',
                        '127.0.0.1 "GET /api/v1/payments/?search=6222***********2333 HTTP/1.1" 200']


@pytest.mark.django_db
def test_a_request_with_a_whole_id_number_logs_it_masked(caplog, login_as):
    caplog.set_level(logging.WARNING, logger="django.request")
    client = login_as("zhongshan", "zhongshan-auditor")
    assert client.get(f"/admin/people/person/{ID}/change/").status_code == 404
    assert client.get("/api/v1/persons/", {"search": ID}).status_code == 200
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "110***********002X" in text and ID not in text
