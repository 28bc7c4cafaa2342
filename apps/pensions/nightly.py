"""The pensions step of the nightly run (settings.NIGHTLY_STEPS: "apps.pensions.nightly.eligibility_step")."""

import datetime

from apps.core.permissions import SYSTEM

from .services import eligibility_run


def eligibility_step(*, today: datetime.date) -> dict:
    """政策主动找人 every night: enrol the newly eligible, re-bracket, end what no longer applies."""
    run = eligibility_run(today=today, user=SYSTEM)
    return {"eligibility_run": run.pk, **run.summary}
