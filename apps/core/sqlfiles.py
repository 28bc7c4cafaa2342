"""Statements kept in an app's `sql/` folder, one per file, read once.

Files are plain SQL with psycopg parameters (`%(period)s`, bound at execution, never formatted in)
and, where a statement is assembled, `{placeholders}` filled with SQL fragments the code builds
(a column list from the model, an optional filter). Literal braces are written `{{ }}`; a literal
percent sign `%%` (psycopg's escape).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


class SqlFiles:
    """`SqlFiles(__file__)` in an app's `sql/__init__.py`; `.statement("name", part=…)` reads `name.sql`."""

    def __init__(self, package_file: str):
        self.directory = Path(package_file).resolve().parent
        self._raw = cache(self._read)

    def _read(self, name: str) -> str:
        return (self.directory / f"{name}.sql").read_text(encoding="utf-8")

    def statement(self, name: str, **parts: str) -> str:
        """The statement in `<name>.sql` with its {placeholders} filled."""
        return self._raw(name).format(**parts)
