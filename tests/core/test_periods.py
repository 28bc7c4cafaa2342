"""One month parser for every period typed by a user or a client (issue 9: `?period=2026-11` everywhere)."""

import datetime

import pytest

from apps.core.periods import PeriodError, format_month, parse_month

D = datetime.date


@pytest.mark.parametrize("text, expected", [
    ("2026-11", D(2026, 11, 1)),
    (" 2026-11 ", D(2026, 11, 1)),
    ("202611", D(2026, 11, 1)),       # the bank files' form
    ("2026-11-01", D(2026, 11, 1)),   # what the database stores, sent back by a client
    (D(2026, 11, 1), D(2026, 11, 1)),
    (datetime.datetime(2026, 11, 1, 8, 30), D(2026, 11, 1)),
])
def test_a_month_is_read_in_its_forms(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "1999-12", "2026-11-15", "2026/11", "11-2026", "", None,
                                  "2026-1", "abc"])
def test_anything_else_is_refused_with_the_format_named(text):
    with pytest.raises(PeriodError, match="YYYY-MM"):
        parse_month(text)


def test_a_date_that_is_not_the_first_is_not_moved_silently():
    with pytest.raises(PeriodError, match="2026-11-15 is not a month"):
        parse_month(D(2026, 11, 15))


def test_format_month():
    assert format_month(D(2026, 11, 1)) == "2026-11"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/payment-runs/", "/api/v1/payments/", "/api/v1/grants/",
                                  "/api/v1/entitlements/"])
def test_every_api_list_takes_period_as_yyyy_mm(login_as, path):
    client = login_as("zhongshan", "zhongshan-admin")
    assert client.get(path, {"period": "2026-11"}).status_code == 200
    refused = client.get(path, {"period": "2026-13"})
    assert refused.status_code == 400
    assert "YYYY-MM" in str(refused.json()["period"])
