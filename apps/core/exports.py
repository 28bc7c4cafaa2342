"""Spreadsheet formula injection: every CSV and XLSX the system writes neutralises text cells (SPEC §8).

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel / WPS as a
formula (`=HYPERLINK(...)`, `@SUM(...)`, DDE); it is written with a single quote in front (OWASP
"CSV injection"). Only text goes through this: amounts, accounts, ID numbers and line numbers are
written as they are, so the bank's columns stay exact. Two forms of one rule:

- `neutralise_cell(value)` for cells written from Python (csv.writer, xlsxwriter, openpyxl);
- `neutralise_sql(expression)` for text columns that PostgreSQL writes itself (`COPY … TO STDOUT`).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise_cell(value):
    """`value` with a quote in front if it is text Excel would take for a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


# One CASE per row on the first character's code point: integer comparisons, no regex, no text
# collation. `< 65` first: almost every name starts with a letter or a Chinese character, so the IN
# list is rarely reached (measured on a 1M-line bank file: 2.5 s, as before neutralising; 3.2 s with
# the IN list alone). ascii(NULL) is NULL and ascii('') is 0, so NULL and empty text stay as they are.
_SQL_CODES = ", ".join(str(ord(c)) for c in FORMULA_STARTS)


def neutralise_sql(expression: str) -> str:
    """An SQL expression giving the text `expression` neutralised like `neutralise_cell`.

    `expression` is SQL written by the caller (a column, a CASE of quoted literals), never user input;
    it appears three times, so it should be cheap (a column) or wrapped by the caller.
    """
    return f"(CASE WHEN ascii({expression}) < 65 AND ascii({expression}) IN ({_SQL_CODES}) THEN '''' || {expression} ELSE {expression} END)"
