"""benefits' set-based writes in SQL, one statement per file (apps.core.sqlfiles)."""

from apps.core.sqlfiles import SqlFiles

statement = SqlFiles(__file__).statement
