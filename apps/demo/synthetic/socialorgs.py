"""A bureau's social organisations at report size, written by COPY: the registry, community filings,
annual reports, the lists, ratings and major-event reports, so that the indicators computed from the
tables (apps.socialorgs.selectors.indicators) give the report's figures for its year Y:

    中山 2024: 1,858 registered, 2,589 community filings, 92.80% annual-report rate, 241 on the
               活动异常名录 at the year's end;
    广州 2024: 7,982 registered, 30,947 community filings, 754 rated 3A or above;
    南山 2023: 42 rated 3A or above, party-organisation coverage 100% (两个覆盖).

Figures a report does not give are the defaults below (marked as such in the plan's notes).

The timeline is the one the nightly step (apps.socialorgs.listing) would have written, so running it
later changes nothing about year Y:
  - the report rate of Y counts reports on Y over the organisations registered before Y began;
  - the abnormal list at the end of Y holds those listed on Y-1's deadline + 1 day for a report on
    Y-2 they never sent (set A; they did report on Y-1) and those listed on Y's deadline + 1 day
    for a report on Y-1 (set B); a few more were listed for Y-2 and removed on their late report;
  - reports on the years after Y, up to the last one due on `as_of`, at the same rate (the
    nightly then lists the missing ones as of its own day).
Organisations are cheap: every bureau gets its report's size whatever the population scale.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from apps.people.models import Town
from apps.socialorgs import rules
from apps.socialorgs.models import SocialOrganisation
from tenants.seeds import SEEDS_DIR, load_seed

# Bureaus whose report gives no count of registered organisations: plausible sizes for their level.
DEFAULT_REGISTERED = {"haifeng": 320, "nanshan": 520, "xcity": 600}
DEFAULT_REPORT_RATE = Decimal("90.00")
COMMUNITY_PER_ORG = Decimal(2589) / Decimal(1858)  # 中山's ratio where a report gives no count
SHARE_3A = Decimal("0.05")
SHARE_PARTY = Decimal("0.55")
NEW_PER_YEAR = Decimal("0.045")  # organisations registered in a year, of those live at its end
CLOSED_PER_YEAR = Decimal("0.015")
ABNORMAL_EARLIER_SHARE = Decimal("0.45")  # of the year-end abnormal stock: listed a year earlier (set A)
MAJOR_EVENTS_PER_ORG = Decimal("0.2")

WORDS = [
    "志愿者",
    "慈善",
    "社会工作",
    "养老服务",
    "文化",
    "体育",
    "教育",
    "青少年",
    "残疾人",
    "环保",
    "科技",
    "乡贤",
    "书画",
    "摄影",
    "舞蹈",
    "足球",
    "围棋",
    "医疗",
    "心理",
    "家庭",
    "妇女儿童",
    "邻里",
    "公益",
]
SUFFIXES = {
    "social_group": ["协会", "促进会", "联合会", "商会", "研究会"],
    "service_institution": ["服务中心", "服务社", "培训中心", "发展中心"],
    "foundation": ["基金会", "公益基金会"],
}
TYPE_SHARES = [
    ("social_group", Decimal("0.45")),
    ("service_institution", Decimal("0.52")),
    ("foundation", Decimal("0.03")),
]
COMMUNITY_WORDS = ["志愿服务队", "文体队", "长者互助会", "邻里互助社", "调解队", "读书会", "巡逻队", "义工队"]


@dataclass
class OrgPlan:
    year: int
    registered: int  # live at the end of Y
    required: int  # of which registered before Y began (must report on Y)
    submitted: int  # reports on Y
    abnormal_stock: int
    community: int
    rated_3a: int
    party_share: Decimal
    major_events: int
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        return rules.rate_percent(self.submitted, self.required)


def _required_for(registered: int, rate: Decimal) -> tuple[int, int]:
    """The largest count registered before the year (≤ 95% of the live) whose rounded share is `rate`."""
    for required in range(int(registered * Decimal("0.95")), 0, -1):
        submitted = int((rate * required / 100).to_integral_value())
        if rules.rate_percent(submitted, required) == rate:
            return required, submitted
    raise ValueError(f"no count of organisations gives a rate of {rate}%")


def org_plan(*, schema: str, statistics: dict[str, Decimal], year: int) -> OrgPlan:
    """How many of what, from the report's figures or the defaults. Pure."""
    notes = []

    def figure(key: str, default, note: str):
        if key in statistics:
            return statistics[key]
        notes.append(note)
        return default

    registered = int(
        figure(
            "social_orgs_total",
            DEFAULT_REGISTERED.get(schema, 500),
            f"registered: default {DEFAULT_REGISTERED.get(schema, 500)}",
        )
    )
    rate = Decimal(figure("annual_report_rate", DEFAULT_REPORT_RATE, f"report rate: default {DEFAULT_REPORT_RATE}%"))
    required, submitted = _required_for(registered, rate)
    missing = required - submitted
    abnormal = int(
        figure(
            "abnormal_list_count",
            missing + int(missing * ABNORMAL_EARLIER_SHARE),
            "abnormal list: the missing reports of the year before, and of two years before",
        )
    )
    community = int(
        figure(
            "community_social_orgs",
            int((registered * COMMUNITY_PER_ORG).to_integral_value()),
            "community filings: 中山's ratio to registered organisations",
        )
    )
    rated = int(
        figure(
            "social_orgs_3a_plus",
            int((registered * SHARE_3A).to_integral_value()),
            f"3A+: default {SHARE_3A:.0%} of registered",
        )
    )
    party = (
        Decimal(figure("party_coverage_rate", SHARE_PARTY * 100, f"party coverage: default {SHARE_PARTY:.0%}")) / 100
    )
    events = int(
        figure(
            "major_matters_reviewed",
            int((registered * MAJOR_EVENTS_PER_ORG).to_integral_value()),
            "major-event reports: default one for five organisations",
        )
    )
    return OrgPlan(
        year=year,
        registered=registered,
        required=required,
        submitted=submitted,
        abnormal_stock=abnormal,
        community=community,
        rated_3a=min(rated, registered),
        party_share=party,
        major_events=events,
        notes=notes,
    )


USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _uscc_check_sql(column: str) -> str:
    """The check character of the 17 characters in `column`, as plain arithmetic (no function per row)."""
    terms = " + ".join(
        f"(strpos('{rules.ALPHABET}', substr({column}, {p}, 1)) - 1) * {w}" for p, w in enumerate(USCC_WEIGHTS, start=1)
    )
    return f"substr('{rules.ALPHABET}', (31 - ({terms}) %% 31) %% 31 + 1, 1)"


def _ric_check_sql(column: str) -> str:
    """The ID number's ISO 7064 MOD 11-2 check character of the 17 digits in `column`."""
    terms = " + ".join(f"substr({column}, {p}, 1)::int * {w}" for p, w in enumerate(RIC_WEIGHTS, start=1))
    return f"substr('10X98765432', ({terms}) %% 11 + 1, 1)"


# One row per organisation to write: its index, id, group and the facts drawn for it.
_PLAN_TABLE = """
CREATE TEMPORARY TABLE so_gen ON COMMIT DROP AS
WITH numbered AS (
    SELECT i, nextval(pg_get_serial_sequence('socialorgs_socialorganisation', 'id')) AS id,
           CASE WHEN i <= %(required)s THEN 'required' WHEN i <= %(required)s + %(new)s THEN 'new'
                WHEN i <= %(required)s + %(new)s + %(closed)s THEN 'closed' ELSE 'later' END AS grp
      FROM generate_series(1, %(total)s) AS i
), drawn AS (
    SELECT n.*,
           CASE WHEN n.grp = 'required' AND n.i <= %(early)s
                     THEN %(d_old)s::date + mod(abs(hashint8extended(n.i, %(seed)s + 1)), %(d_early_end)s::date - %(d_old)s::date + 1)::int
                WHEN n.grp = 'required'
                     THEN %(d_old)s::date + mod(abs(hashint8extended(n.i, %(seed)s + 1)), %(d_req_end)s::date - %(d_old)s::date + 1)::int
                WHEN n.grp = 'new'
                     THEN %(d_y0)s::date + mod(abs(hashint8extended(n.i, %(seed)s + 1)), %(d_y1)s::date - %(d_y0)s::date + 1)::int
                WHEN n.grp = 'closed'
                     THEN %(d_old)s::date + mod(abs(hashint8extended(n.i, %(seed)s + 1)), %(d_closed_est_end)s::date - %(d_old)s::date + 1)::int
                ELSE %(d_later)s::date + mod(abs(hashint8extended(n.i, %(seed)s + 1)), greatest(%(as_of)s::date - %(d_later)s::date + 1, 1))::int
           END AS established,
           mod(abs(hashint8extended(n.i, %(seed)s + 2)), 100)::int AS type_roll,
           (%(town_ids)s::bigint[])[1 + mod(abs(hashint8extended(n.i, %(seed)s + 3)), %(towns)s)::int] AS town_id,
           1 + mod(abs(hashint8extended(n.i, %(seed)s + 3)), %(towns)s)::int AS town_no,
           1 + mod(abs(hashint8extended(n.i, %(seed)s + 4)), %(words)s)::int AS word_no,
           mod(abs(hashint8extended(n.i, %(seed)s + 5)), 1000)::int AS roll
      FROM numbered n
)
-- 45%% 社会团体, 52%% 社会服务机构, 3%% 基金会
SELECT d.*, CASE WHEN d.type_roll < 45 THEN 'social_group' WHEN d.type_roll < 97 THEN 'service_institution'
                 ELSE 'foundation' END AS org_type,
       (CASE WHEN d.grp IN ('required', 'new') THEN row_number() OVER (PARTITION BY d.grp IN ('required', 'new')
                                                                      ORDER BY d.i) END) AS live_rn
  FROM drawn d
"""

_ORGANISATIONS = """
INSERT INTO socialorgs_socialorganisation (id, name, credit_code, org_type, status, legal_representative_id,
    representative_name, representative_id_number, business_scope, town_id, established_on, closed_on,
    registered_capital, supervising_unit, has_party_org, party_branch, created_at, updated_at)
SELECT x.id, x.base || CASE WHEN x.rn > 1 THEN x.rn::text ELSE '' END, x.code || {uscc_check}, x.org_type,
       CASE WHEN x.grp = 'closed' THEN (CASE WHEN x.roll < 700 THEN 'deregistered' ELSE 'revoked' END)
            WHEN x.roll %% 100 < 15 THEN 'changed' ELSE 'established' END,
       NULL, '法人' || x.i, x.rep || {ric_check}, '', x.town_id, x.established,
       CASE WHEN x.grp = 'closed' THEN %(d_closed_from)s::date
            + mod(abs(hashint8extended(x.i, %(seed)s + 6)), %(d_y1)s::date - %(d_closed_from)s::date + 1)::int END,
       (ARRAY[30000, 50000, 100000, 200000, 500000])[1 + x.roll %% 5], '',
       x.live_rn IS NOT NULL AND x.live_rn <= %(party)s,
       CASE WHEN x.live_rn IS NOT NULL AND x.live_rn <= %(party)s THEN '党支部' ELSE '' END, now(), now()
  FROM (SELECT y.*, row_number() OVER (PARTITION BY y.base ORDER BY y.i) AS rn
          FROM (SELECT g.*,
                       (%(town_names)s::text[])[g.town_no] || (%(word_list)s::text[])[g.word_no]
                       || (%(suffixes)s::text[])[CASE g.org_type WHEN 'social_group' THEN 1 + g.roll %% 5
                                                 WHEN 'service_institution' THEN 6 + g.roll %% 4
                                                 ELSE 10 + g.roll %% 2 END] AS base,
                       '5' || CASE g.org_type WHEN 'social_group' THEN '1' WHEN 'service_institution' THEN '2'
                                  ELSE '3' END || %(area)s || 'MJ' || lpad(g.i::text, 7, '0') AS code,
                       %(area)s || to_char(DATE '1950-01-01' + mod(abs(hashint8extended(g.i, %(seed)s + 7)), 16000)::int,
                                           'YYYYMMDD') || lpad((mod(g.i, 1000))::text, 3, '0') AS rep
                  FROM so_gen g) y) x
""".format(uscc_check=_uscc_check_sql("x.code"), ric_check=_ric_check_sql("x.rep"))

_DECISIONS = """
INSERT INTO socialorgs_statuschange (organisation_id, status, document_number, decided_on, note, created_at)
SELECT o.id, 'established', '登字〔' || extract(year FROM o.established_on) || '〕' || g.i || '号', o.established_on,
       '', now()
  FROM so_gen g JOIN socialorgs_socialorganisation o ON o.id = g.id
UNION ALL
SELECT o.id, 'changed', '变字〔' || extract(year FROM o.established_on) || '〕' || g.i || '号',
       o.established_on + mod(abs(hashint8extended(g.i, %(seed)s + 8)), greatest(%(d_y1)s::date - o.established_on, 1))::int,
       '', now()
  FROM so_gen g JOIN socialorgs_socialorganisation o ON o.id = g.id WHERE o.status = 'changed'
UNION ALL
SELECT o.id, o.status, '注字〔' || extract(year FROM o.closed_on) || '〕' || g.i || '号', o.closed_on, '', now()
  FROM so_gen g JOIN socialorgs_socialorganisation o ON o.id = g.id WHERE o.closed_on IS NOT NULL
"""

# Reports on Y-2 .. max(Y, the last year due): A missed Y-2, B missed Y-1, the last of the required
# missed Y; the late ones (L) reported on Y-2 on 15 September of Y-1; later years at the plan's rate.
_REPORTS = """
INSERT INTO socialorgs_annualreport (organisation_id, year, submitted_on, result, reviewed_on, income, expenditure,
    net_assets, staff, activities, created_at)
SELECT g.id, w, s.submitted,
       CASE WHEN mod(abs(hashint8extended(g.i * 17 + w, %(seed)s + 9)), 10) < 9 THEN 'qualified'
            ELSE 'basically_qualified' END,
       s.submitted + 20, mod(abs(hashint8extended(g.i, w)), 5000000), mod(abs(hashint8extended(g.i, w + 1)), 4000000),
       mod(abs(hashint8extended(g.i, w + 2)), 3000000), mod(abs(hashint8extended(g.i, w + 3)), 40)::int, '', now()
  FROM so_gen g
 CROSS JOIN generate_series(%(year)s - 2, %(last_year)s) AS w
 CROSS JOIN LATERAL (SELECT CASE WHEN w = %(year)s - 2 AND g.i > %(a)s + %(b)s AND g.i <= %(early)s
                                 THEN make_date(%(year)s - 1, 9, 15)
                                 ELSE make_date(w + 1, 1, 5) + mod(abs(hashint8extended(g.i * 31 + w, %(seed)s + 10)),
                                      greatest(least(make_date(w + 1, %(dl_month)s, %(dl_day)s), %(as_of)s::date)
                                               - make_date(w + 1, 1, 5) + 1, 1))::int END AS submitted) s
 WHERE g.grp <> 'closed' AND g.established < make_date(w, 1, 1)
   AND CASE WHEN w = %(year)s THEN NOT (g.grp = 'required' AND g.i > %(required)s - %(missing)s)
            WHEN w = %(year)s - 1 THEN NOT (g.i > %(a)s AND g.i <= %(a)s + %(b)s)
            WHEN w = %(year)s - 2 THEN g.i > %(a)s
            ELSE mod(abs(hashint8extended(g.i * 13 + w, %(seed)s + 11)), 10000) < %(rate_per_10000)s END
"""

_LISTINGS = """
INSERT INTO socialorgs_listing (organisation_id, kind, reason, report_year, note, listed_on, removed_on, exit, exit_note)
SELECT g.id, 'abnormal', 'report_missing', %(year)s - 2, '', %(listed_a)s::date,
       CASE WHEN g.i > %(a)s + %(b)s THEN make_date(%(year)s - 1, 9, 15) END,
       CASE WHEN g.i > %(a)s + %(b)s THEN 'report_submitted' ELSE '' END, ''
  FROM so_gen g WHERE g.i <= %(a)s OR (g.i > %(a)s + %(b)s AND g.i <= %(early)s)
UNION ALL
SELECT g.id, 'abnormal', 'report_missing', %(year)s - 1, '', %(listed_b)s::date, NULL, '', ''
  FROM so_gen g WHERE g.i > %(a)s AND g.i <= %(a)s + %(b)s
"""

# Ratings of organisations registered before Y-1, in an order drawn by hash: the first `rated` hold
# 3A-5A at the end of Y, the next ones 1A-2A, the next an expired 3A-4A (those registered early enough).
_RATINGS = """
INSERT INTO socialorgs_rating (organisation_id, grade, rated_on, valid_until, document_number)
SELECT r.id, r.grade, r.rated_on, (r.rated_on + interval '5 years')::date, '评字〔' || extract(year FROM r.rated_on) || '〕' || r.k || '号'
  FROM (SELECT q.id, q.k,
               CASE WHEN q.k <= %(rated)s THEN (ARRAY[3, 3, 4, 4, 5])[1 + q.roll %% 5]
                    WHEN q.k <= %(rated)s + %(lower)s THEN 1 + q.roll %% 2 ELSE 3 + q.roll %% 2 END AS grade,
               CASE WHEN q.k <= %(rated)s + %(lower)s
                    THEN greatest(q.established, %(d_rated_from)s::date)
                         + mod(abs(hashint8extended(q.i, %(seed)s + 12)),
                               %(d_rated_to)s::date - greatest(q.established, %(d_rated_from)s::date) + 1)::int
                    ELSE %(d_expired_from)s::date + mod(abs(hashint8extended(q.i, %(seed)s + 12)), 1095)::int END
               AS rated_on, q.established
          FROM (SELECT g.*, row_number() OVER (ORDER BY hashint8extended(g.i, %(seed)s + 13), g.i) AS k
                  FROM so_gen g WHERE g.grp IN ('required', 'new') AND g.established < %(d_rated_eligible)s::date) q
         WHERE q.k <= %(rated)s + %(lower)s + %(expired)s) r
 WHERE r.rated_on >= r.established
"""

_EVENTS = """
INSERT INTO socialorgs_majoreventreport (organisation_id, kind, reported_on, event_on, summary, reviewed, created_at)
SELECT g.id, (ARRAY['major_activity', 'foreign', 'personnel', 'large_donation', 'investment', 'other'])[1 + e %% 6],
       %(d_y0)s::date + mod(abs(hashint8extended(e, %(seed)s + 14)), %(d_y1)s::date - %(d_y0)s::date + 1)::int,
       NULL, '重大事项报告', true, now()
  FROM generate_series(1, %(events)s) AS e
  JOIN so_gen g ON g.live_rn = 1 + mod(abs(hashint8extended(e, %(seed)s + 15)), %(live)s)
"""

_FILINGS = """
INSERT INTO socialorgs_communityorgfiling (name, town_id, community_id, field, filed_on, contact_name, members,
    withdrawn_on, created_at)
SELECT (%(town_names)s::text[])[t] || (%(community_words)s::text[])[1 + mod(abs(hashint8extended(n, %(seed)s + 16)),
       %(community_word_count)s)::int] || n, (%(town_ids)s::bigint[])[t],
       NULL, (ARRAY['service', 'charity', 'culture', 'affairs', 'other'])[1 + n %% 5],
       %(d_filed_from)s::date + mod(abs(hashint8extended(n, %(seed)s + 17)), %(d_y1)s::date - %(d_filed_from)s::date + 1)::int,
       '', 5 + mod(abs(hashint8extended(n, %(seed)s + 18)), 75)::int, NULL, now()
  FROM (SELECT n, 1 + mod(abs(hashint8extended(n, %(seed)s + 19)), %(towns)s)::int AS t
          FROM generate_series(1, %(community)s) AS n) f
"""


@transaction.atomic
def socialorgs_generate(*, bureau, as_of: datetime.date | None = None, seed: int = 1) -> dict:
    """Write the bureau's organisations once, in a handful of INSERT … SELECT statements; a second
    call finds them and does nothing."""
    if SocialOrganisation.objects.exists():
        return {"created": False, "organisations": SocialOrganisation.objects.count()}
    as_of = as_of or timezone.localdate()
    year = bureau.report_year
    loaded = load_seed(SEEDS_DIR / f"{bureau.schema_name}.yaml")
    statistics = {
        row["key"]: Decimal(row["value"])
        for row in loaded.data["statistics"]
        if row.get("section") == "social_orgs" and int(row.get("period", year)) == year
    }
    plan = org_plan(schema=bureau.schema_name, statistics=statistics, year=year)
    towns = list(Town.objects.order_by("id").values_list("id", "name"))
    if not towns:
        raise ValueError(f"{bureau.schema_name} has no towns; run bootstrap first")
    deadline = rules.report_deadline(year, bureau.annual_report_deadline)
    missing = plan.required - plan.submitted
    b = plan.abnormal_stock - int(plan.abnormal_stock * ABNORMAL_EARLIER_SHARE)
    a = plan.abnormal_stock - b
    late = max(plan.abnormal_stock // 8, 1)
    early = a + b + late
    if early > plan.required - missing:
        raise ValueError(f"{bureau.schema_name}: too few organisations for an abnormal list of {plan.abnormal_stock}")
    new = plan.registered - plan.required
    closed = int(plan.registered * CLOSED_PER_YEAR * 3)
    later = int(plan.registered * NEW_PER_YEAR) * max(as_of.year - year - (0 if as_of.month > 6 else 1), 0)
    live = plan.registered
    params = {
        "seed": seed * 1000,
        "year": year,
        "required": plan.required,
        "new": new,
        "closed": closed,
        "total": plan.required + new + closed + later,
        "early": early,
        "a": a,
        "b": b,
        "missing": missing,
        "last_year": max(year, rules.last_year_due(as_of, bureau.annual_report_deadline)),
        "rate_per_10000": int(plan.submitted * 10000 / plan.required),
        "as_of": as_of,
        "d_old": datetime.date(year - 15, 1, 1),
        "d_early_end": datetime.date(year - 3, 12, 31),
        "d_req_end": datetime.date(year - 1, 12, 31),
        "d_y0": datetime.date(year, 1, 1),
        "d_y1": datetime.date(year, 12, 31),
        "d_closed_est_end": datetime.date(year - 4, 12, 31),
        "d_closed_from": datetime.date(year - 3, 1, 1),
        "d_later": datetime.date(year + 1, 1, 1),
        "dl_month": deadline.month,
        "dl_day": deadline.day,
        "listed_a": rules.report_deadline(year - 2, bureau.annual_report_deadline) + datetime.timedelta(days=1),
        "listed_b": rules.report_deadline(year - 1, bureau.annual_report_deadline) + datetime.timedelta(days=1),
        "town_ids": [t[0] for t in towns],
        "town_names": [t[1] for t in towns],
        "towns": len(towns),
        "word_list": WORDS,
        "words": len(WORDS),
        "suffixes": SUFFIXES["social_group"] + SUFFIXES["service_institution"] + SUFFIXES["foundation"],
        "area": bureau.area_code or bureau.id_area_codes[0],
        "party": int((plan.party_share * live).to_integral_value()),
        "rated": plan.rated_3a,
        "lower": plan.rated_3a * 2 // 5,
        "expired": plan.rated_3a // 5,
        "d_rated_from": datetime.date(year - 4, 1, 1),
        "d_rated_to": datetime.date(year - 1, 12, 31),
        "d_rated_eligible": datetime.date(year - 1, 1, 1),
        "d_expired_from": datetime.date(year - 8, 1, 1),
        "events": plan.major_events,
        "live": live,
        "community": plan.community,
        "community_words": COMMUNITY_WORDS,
        "community_word_count": len(COMMUNITY_WORDS),
        "d_filed_from": datetime.date(year - 6, 1, 1),
    }
    counts, seconds = {}, {}
    with connection.cursor() as cursor:
        for key, sql in (
            ("plan", _PLAN_TABLE),
            ("organisations", _ORGANISATIONS),
            ("decisions", _DECISIONS),
            ("annual_reports", _REPORTS),
            ("listings", _LISTINGS),
            ("ratings", _RATINGS),
            ("major_events", _EVENTS),
            ("community_filings", _FILINGS),
        ):
            started = time.perf_counter()
            cursor.execute(sql, params)
            counts[key], seconds[key] = cursor.rowcount, round(time.perf_counter() - started, 2)
            if key == "plan":
                cursor.execute("CREATE UNIQUE INDEX ON so_gen (i); CREATE INDEX ON so_gen (live_rn); ANALYZE so_gen")
        cursor.execute("DROP TABLE so_gen")
    counts.pop("plan")
    return {"created": True, **counts, "seconds": seconds, "plan": plan}
