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


# One CASE per row on the first character: no regex, no function call, a million rows in the time of
# reading them. `left(NULL, 1)` is NULL, so NULL stays NULL.
_SQL_STARTS = ", ".join(["'='", "'+'", "'-'", "'@'", "chr(9)", "chr(13)"])


def neutralise_sql(expression: str) -> str:
    """An SQL expression giving the text `expression` neutralised like `neutralise_cell`.

    `expression` is SQL written by the caller (a column, a CASE of quoted literals), never user input;
    it appears twice, so it should be cheap (a column) or wrapped by the caller.
    """
    return f"(CASE WHEN left({expression}, 1) IN ({_SQL_STARTS}) THEN '''' || {expression} ELSE {expression} END)"
