"""The one rule against spreadsheet formulas (apps.core.exports), in Python and in SQL, and where it is used."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection

from apps.core.exports import neutralise_cell, neutralise_sql

CASES = [
    ("=1+2", "'=1+2"), ("+1", "'+1"), ("-2", "'-2"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("张三", "张三"), ("", ""), ("a=b", "a=b"), (" =1", " =1"), ("'=1", "'=1"),
]


@pytest.mark.parametrize(("value", "expected"), [*CASES, (None, None), (Decimal("-1.00"), Decimal("-1.00")), (-3, -3)])
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


@pytest.mark.django_db
def test_the_sql_form_says_the_same():
    with connection.cursor() as cursor:
        for value, expected in [*CASES, (None, None)]:
            cursor.execute(f"SELECT {neutralise_sql('v')} FROM (SELECT %s::text AS v) t", [value])
            assert cursor.fetchone()[0] == expected, value


def test_the_import_template_holds_no_formula():
    from apps.people.importing import template_workbook

    out = io.BytesIO()
    template_workbook().save(out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert {cell.data_type for row in sheet.iter_rows() for cell in row if cell.value is not None} == {"s"}
