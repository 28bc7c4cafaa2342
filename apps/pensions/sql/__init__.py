"""The eligibility engine's statements, one per file (apps.core.sqlfiles); see apps.pensions.engine."""

from apps.core.sqlfiles import SqlFiles

statement = SqlFiles(__file__).statement
