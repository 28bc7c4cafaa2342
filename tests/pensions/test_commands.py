"""The pensions app's own command: one run of the eligibility engine."""

import datetime
import io

from django.core.management import call_command

from tests import factories

D = datetime.date


def test_eligibility_run_command(in_bureau):
    with in_bureau("zhongshan"):
        factories.person(birth_date=D(1930, 2, 2))
    out = io.StringIO()
    call_command("eligibility_run", tenant="zhongshan", today="2024-12-01", confirm=True, stdout=out)
    assert "'changes': 1" in out.getvalue()
