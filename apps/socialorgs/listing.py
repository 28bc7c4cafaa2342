"""The nightly keeping of the 活动异常名录 and the 严重违法失信名单: four set-based statements.

On `today`, with Y the latest report year whose deadline has passed (rules.last_year_due):

1. a stay on the abnormal list for a missing report ends when that report is in, on the day it was
   submitted (exit "report_submitted");
2. a stay on the abnormal list of an organisation deregistered or revoked ends on its closing day;
3. a stay on the abnormal list older than the bureau's period (Bureau.abnormal_list_months) ends
   today and the organisation is put on the dishonesty list today (reason "kept_past_period");
4. every live organisation with no open stay on either list and a report missing on a year it had
   to report on, up to Y, never listed for that year, is put on the abnormal list today for the
   earliest such year (reason "report_missing", that report year).

The order matters: removals first, so an organisation that reported is not moved; moves before the
new listings, so one moved today is not listed again. Each statement is idempotent (a second run
the same day changes nothing) and the database refuses a second open stay on one list
(`listing_one_open_stay_per_list`). One transaction: the lists are never seen half-updated.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction

from tenants.selectors import current_bureau

from . import rules

_REMOVE_REPORTED = """
UPDATE socialorgs_listing l
   SET removed_on = GREATEST(r.submitted_on, l.listed_on), exit = 'report_submitted'
  FROM socialorgs_annualreport r
 WHERE l.kind = 'abnormal' AND l.removed_on IS NULL AND l.reason = 'report_missing'
   AND r.organisation_id = l.organisation_id AND r.year = l.report_year AND r.submitted_on <= %(today)s
"""

_REMOVE_CLOSED = """
UPDATE socialorgs_listing l
   SET removed_on = LEAST(%(today)s, GREATEST(o.closed_on, l.listed_on)), exit = 'closed'
  FROM socialorgs_socialorganisation o
 WHERE l.kind = 'abnormal' AND l.removed_on IS NULL AND o.id = l.organisation_id
   AND o.status IN ('deregistered', 'revoked') AND o.closed_on <= %(today)s
"""

_MOVE_TO_DISHONEST = """
WITH moved AS (
    UPDATE socialorgs_listing l
       SET removed_on = %(today)s, exit = 'moved_to_dishonest'
     WHERE l.kind = 'abnormal' AND l.removed_on IS NULL
       AND (l.listed_on + make_interval(months => %(months)s))::date <= %(today)s
    RETURNING l.organisation_id
)
INSERT INTO socialorgs_listing (organisation_id, kind, reason, report_year, note, listed_on, exit, exit_note)
SELECT m.organisation_id, 'dishonest', 'kept_past_period', NULL, '', %(today)s, '', ''
  FROM moved m
 WHERE NOT EXISTS (SELECT 1 FROM socialorgs_listing d
                    WHERE d.organisation_id = m.organisation_id AND d.kind = 'dishonest' AND d.removed_on IS NULL)
"""

# The earliest missing year of each organisation, so one that skipped an older year while no
# nightly ran (or before it was registered here) is still caught; only one stay can be open, so the
# later missing years follow once that report is in. Years already listed once (whatever ended
# that stay: a decision, a move to the dishonesty list) are not listed again. The look-back starts
# at the first year whose reports the bureau keeps: one for which it holds reports from at least half
# of the organisations that owed them. A bureau that began keeping reports in 2022, with a handful
# carried over from 2021, does not list everyone for 2021 (nor for 1995).
_LIST_MISSING = """
WITH kept AS (
    SELECT r.year, count(*) AS reports,
           (SELECT count(*) FROM socialorgs_socialorganisation o WHERE o.established_on < make_date(r.year, 1, 1))
               AS owed
      FROM socialorgs_annualreport r
     GROUP BY r.year
), first_year AS (
    SELECT LEAST(%(year)s, (SELECT MIN(year) FROM kept WHERE reports * 2 >= owed)) AS y
)
INSERT INTO socialorgs_listing (organisation_id, kind, reason, report_year, note, listed_on, exit, exit_note)
SELECT DISTINCT ON (o.id) o.id, 'abnormal', 'report_missing', w.y, '', %(today)s, '', ''
  FROM socialorgs_socialorganisation o
 CROSS JOIN first_year f
 CROSS JOIN LATERAL generate_series(GREATEST(f.y, extract(year FROM o.established_on)::int + 1), %(year)s) AS w(y)
 WHERE o.status IN ('established', 'changed') AND o.established_on < %(year_start)s
   AND NOT EXISTS (SELECT 1 FROM socialorgs_listing l WHERE l.organisation_id = o.id AND l.removed_on IS NULL)
   AND NOT EXISTS (SELECT 1 FROM socialorgs_annualreport r
                    WHERE r.organisation_id = o.id AND r.year = w.y AND r.submitted_on <= %(today)s)
   AND NOT EXISTS (SELECT 1 FROM socialorgs_listing l
                    WHERE l.organisation_id = o.id AND l.reason = 'report_missing' AND l.report_year = w.y)
 ORDER BY o.id, w.y
"""


@transaction.atomic
def lists_update(*, today: datetime.date) -> dict:
    """Apply the four steps in the current bureau's schema; the counts of what each did."""
    bureau = current_bureau()
    year = rules.last_year_due(today, bureau.annual_report_deadline)
    params = {
        "today": today,
        "year": year,
        "year_start": datetime.date(year, 1, 1),
        "months": bureau.abnormal_list_months,
    }
    counts = {"report_year": year}
    with connection.cursor() as cursor:
        for key, sql in (
            ("removed_reported", _REMOVE_REPORTED),
            ("removed_closed", _REMOVE_CLOSED),
            ("moved_to_dishonest", _MOVE_TO_DISHONEST),
            ("listed_abnormal", _LIST_MISSING),
        ):
            cursor.execute(sql, params)
            counts[key] = cursor.rowcount
    return counts


def nightly_step(*, today: datetime.date) -> dict:
    """settings.NIGHTLY_STEPS entry."""
    return lists_update(today=today)
