import datetime

import pytest

TODAY = datetime.date(2024, 12, 15)


@pytest.fixture
def figures(settings):
    """The stand-in figure contributors of tests/province/figures.py (real rows, real functions)."""
    settings.MONTHLY_FIGURES = ["tests.province.figures.monthly"]
    settings.ANNUAL_FIGURES = ["tests.province.figures.annual"]


@pytest.fixture
def rollup(db):
    """rollup("zhongshan") writes that bureau's rollup as of 2024-12-15."""
    from apps.province.services import bureau_rollup_write

    return lambda schema: bureau_rollup_write(schema_name=schema, today=TODAY)
