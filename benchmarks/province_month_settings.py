"""Settings of the province_month benchmark's workers: the project's, with a nightly run of one step.

The benchmark exports approved runs the way production does (core.nightly → export_approved_runs), but
the fixture must come out as it went in: the other nightly steps (ending entitlements, off-cycle and
supplementary runs, rollups) would change it and are not what a month costs.
"""

from civaffairs.settings import *  # noqa: F403

NIGHTLY_STEPS = ["apps.disbursement.nightly.export_approved_runs"]
