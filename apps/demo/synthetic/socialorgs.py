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
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from apps.core.idcard import make_id_number
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


def _day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _ids(cursor, table: str, count: int) -> list[int]:
    cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [count])
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


@transaction.atomic
def socialorgs_generate(*, bureau, as_of: datetime.date | None = None, seed: int = 1) -> dict:
    """Write the bureau's organisations once; a second call finds them and does nothing."""
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
    rng = random.Random(f"socialorgs:{bureau.schema_name}:{seed}")
    deadline_mm_dd = bureau.annual_report_deadline
    towns = list(Town.objects.order_by("id").values_list("id", "name"))
    if not towns:
        raise ValueError(f"{bureau.schema_name} has no towns; run bootstrap first")
    area = bureau.area_code or bureau.id_area_codes[0]
    now = timezone.now()
    y0 = datetime.date(year, 1, 1)
    last_due = rules.last_year_due(as_of, deadline_mm_dd)

    # ---- the registry: required (before Y), new in Y, closed before the end of Y, registered after Y
    new_in_year = plan.registered - plan.required
    closed = int(plan.registered * CLOSED_PER_YEAR * 3)
    later = int(plan.registered * NEW_PER_YEAR) * max(as_of.year - year - (0 if as_of.month > 6 else 1), 0)
    specs = (
        [
            ("required", _day(rng, datetime.date(year - 15, 1, 1), datetime.date(year - 1, 12, 31)))
            for _ in range(plan.required)
        ]
        + [("new", _day(rng, y0, datetime.date(year, 12, 31))) for _ in range(new_in_year)]
        + [
            ("closed", _day(rng, datetime.date(year - 15, 1, 1), datetime.date(year - 4, 12, 31)))
            for _ in range(closed)
        ]
        + [
            ("later", _day(rng, datetime.date(year + 1, 1, 1), min(as_of, datetime.date(as_of.year, 12, 31))))
            for _ in range(later)
        ]
    )
    party_n = int((plan.party_share * plan.registered).to_integral_value())
    with connection.cursor() as cursor:
        ids = _ids(cursor, "socialorgs_socialorganisation", len(specs))
        org_rows, decisions, names = [], [], set()
        orgs = []  # (id, group, established_on, town_id)
        live_index = 0
        for n, ((group, established), org_id) in enumerate(zip(specs, ids, strict=True), start=1):
            roll = rng.random()
            org_type = next(t for t, share in _cumulative(TYPE_SHARES) if roll < share)
            town_id, town_name = towns[rng.randrange(len(towns))]
            base = f"{town_name}{rng.choice(WORDS)}{rng.choice(SUFFIXES[org_type])}"
            name, k = base, 2
            while name in names:
                name, k = f"{base}{k}", k + 1
            names.add(name)
            code = rules.make_credit_code(org_type=org_type, area_code=area, organisation_code=f"MJ{n:07d}")
            rep_birth = datetime.date(1950 + rng.randrange(45), 1 + rng.randrange(12), 1 + rng.randrange(28))
            rep_id = make_id_number(area, rep_birth, n, rng.choice("MF"))
            is_live_at_y = group in ("required", "new")
            has_party = is_live_at_y and live_index < party_n
            live_index += is_live_at_y
            status, closed_on = "established", None
            if group == "closed":
                status = "deregistered" if rng.random() < 0.7 else "revoked"
                closed_on = _day(rng, datetime.date(year - 3, 1, 1), datetime.date(year, 12, 31))
            elif rng.random() < 0.15:
                status = "changed"
            org_rows.append(
                (
                    org_id,
                    name,
                    code,
                    org_type,
                    status,
                    None,
                    f"法人{n}",
                    rep_id,
                    "",
                    town_id,
                    established,
                    closed_on,
                    Decimal(rng.choice((3, 5, 10, 20, 50))) * 10000,
                    "",
                    has_party,
                    "党支部" if has_party else "",
                    now,
                    now,
                )
            )
            decisions.append((org_id, "established", f"登字〔{established.year}〕{n}号", established, "", now))
            if status == "changed":
                changed_on = _day(rng, established, min(as_of, datetime.date(year, 12, 31)))
                decisions.append((org_id, "changed", f"变字〔{changed_on.year}〕{n}号", changed_on, "", now))
            if closed_on:
                decisions.append((org_id, status, f"注字〔{closed_on.year}〕{n}号", closed_on, "", now))
            orgs.append((org_id, group, established, town_id))
        _copy(
            cursor,
            "socialorgs_socialorganisation",
            (
                "id",
                "name",
                "credit_code",
                "org_type",
                "status",
                "legal_representative_id",
                "representative_name",
                "representative_id_number",
                "business_scope",
                "town_id",
                "established_on",
                "closed_on",
                "registered_capital",
                "supervising_unit",
                "has_party_org",
                "party_branch",
                "created_at",
                "updated_at",
            ),
            org_rows,
        )
        _copy(
            cursor,
            "socialorgs_statuschange",
            ("organisation_id", "status", "document_number", "decided_on", "note", "created_at"),
            decisions,
        )

        # ---- annual reports and the lists
        required = [o for o in orgs if o[1] == "required"]
        rng.shuffle(required)
        missing_y = {o[0] for o in required[plan.submitted :]}
        set_b_n = plan.abnormal_stock - int(plan.abnormal_stock * ABNORMAL_EARLIER_SHARE)
        set_a_n = plan.abnormal_stock - set_b_n
        # A and B are drawn from those registered before Y-2 (so they owed both earlier reports).
        old = [o for o in required if o[2] < datetime.date(year - 2, 1, 1)]
        rng.shuffle(old)
        set_a = {o[0] for o in old[:set_a_n]}
        set_b = {o[0] for o in old[set_a_n : set_a_n + set_b_n]}
        late_removed = {o[0] for o in old[set_a_n + set_b_n : set_a_n + set_b_n + max(plan.abnormal_stock // 8, 1)]}
        if len(set_a) + len(set_b) < plan.abnormal_stock:
            raise ValueError(
                f"{bureau.schema_name}: too few organisations for an abnormal list of {plan.abnormal_stock}"
            )
        reports, listings = [], []
        live_after = [o for o in orgs if o[1] != "closed"]
        for work_year in range(year - 2, max(year, last_due) + 1):
            deadline = rules.report_deadline(work_year, deadline_mm_dd)
            for org_id, _group, established, _town in live_after:
                if established >= datetime.date(work_year, 1, 1):
                    continue
                if work_year == year:
                    sends = org_id not in missing_y
                elif work_year == year - 1:
                    sends = org_id not in set_b
                elif work_year == year - 2:
                    sends = org_id not in set_a
                else:
                    sends = rng.random() < float(plan.submitted) / plan.required
                if not sends:
                    continue
                submitted = _day(rng, datetime.date(work_year + 1, 1, 5), min(deadline, as_of))
                if org_id in late_removed and work_year == year - 2:
                    submitted = datetime.date(year - 1, 9, 15)
                result = "qualified" if rng.random() < 0.9 else rng.choice(("basically_qualified", "unqualified"))
                reports.append(
                    (
                        org_id,
                        work_year,
                        submitted,
                        result,
                        submitted + datetime.timedelta(days=20),
                        Decimal(rng.randrange(0, 5_000_000)),
                        Decimal(rng.randrange(0, 4_000_000)),
                        Decimal(rng.randrange(0, 3_000_000)),
                        rng.randrange(0, 40),
                        "",
                        now,
                    )
                )
        for org_id in sorted(set_a) + sorted(late_removed):
            listed = rules.report_deadline(year - 2, deadline_mm_dd) + datetime.timedelta(days=1)
            removed = datetime.date(year - 1, 9, 15) if org_id in late_removed else None
            listings.append(
                (
                    org_id,
                    "abnormal",
                    "report_missing",
                    year - 2,
                    "",
                    listed,
                    removed,
                    "report_submitted" if removed else "",
                    "",
                )
            )
        for org_id in sorted(set_b):
            listed = rules.report_deadline(year - 1, deadline_mm_dd) + datetime.timedelta(days=1)
            listings.append((org_id, "abnormal", "report_missing", year - 1, "", listed, None, "", ""))
        _copy(
            cursor,
            "socialorgs_annualreport",
            (
                "organisation_id",
                "year",
                "submitted_on",
                "result",
                "reviewed_on",
                "income",
                "expenditure",
                "net_assets",
                "staff",
                "activities",
                "created_at",
            ),
            reports,
        )
        _copy(
            cursor,
            "socialorgs_listing",
            (
                "organisation_id",
                "kind",
                "reason",
                "report_year",
                "note",
                "listed_on",
                "removed_on",
                "exit",
                "exit_note",
            ),
            listings,
        )

        # ---- ratings: 3A+ valid at the end of Y, some lower grades, some expired
        live_y = [o for o in orgs if o[1] in ("required", "new") and o[2] < datetime.date(year - 1, 1, 1)]
        rng.shuffle(live_y)
        lower_n, expired_n = plan.rated_3a * 2 // 5, plan.rated_3a // 5
        ratings = []
        for i, (org_id, _group, established, _town) in enumerate(live_y[: plan.rated_3a + lower_n + expired_n]):
            if i < plan.rated_3a + lower_n:
                rated = _day(rng, max(established, datetime.date(year - 4, 1, 1)), datetime.date(year - 1, 12, 31))
                grade = rng.choice((3, 3, 4, 4, 5)) if i < plan.rated_3a else rng.choice((1, 2))
            else:
                if established >= datetime.date(year - 8, 1, 1):
                    continue
                rated = _day(rng, datetime.date(year - 8, 1, 1), datetime.date(year - 6, 12, 31))
                grade = rng.choice((3, 4))
            ratings.append((org_id, grade, rated, rules.rating_valid_until(rated), f"评字〔{rated.year}〕{i + 1}号"))
        _copy(
            cursor,
            "socialorgs_rating",
            ("organisation_id", "grade", "rated_on", "valid_until", "document_number"),
            ratings,
        )

        # ---- major-event reports in Y, community filings in force at the end of Y
        live_ids = [o[0] for o in orgs if o[1] in ("required", "new")]
        kinds = ("major_activity", "foreign", "personnel", "large_donation", "investment", "other")
        events = [
            (
                rng.choice(live_ids),
                rng.choice(kinds),
                _day(rng, y0, datetime.date(year, 12, 31)),
                None,
                "重大事项报告",
                True,
                now,
            )
            for _ in range(plan.major_events)
        ]
        _copy(
            cursor,
            "socialorgs_majoreventreport",
            ("organisation_id", "kind", "reported_on", "event_on", "summary", "reviewed", "created_at"),
            events,
        )
        filings, filing_names = [], set()
        fields = ("service", "charity", "culture", "affairs", "other")
        for n in range(1, plan.community + 1):
            town_id, town_name = towns[rng.randrange(len(towns))]
            name = f"{town_name}{rng.choice(COMMUNITY_WORDS)}{n}"
            filing_names.add(name)
            filings.append(
                (
                    name,
                    town_id,
                    None,
                    rng.choice(fields),
                    _day(rng, datetime.date(year - 6, 1, 1), datetime.date(year, 12, 31)),
                    "",
                    rng.randrange(5, 80),
                    None,
                    now,
                )
            )
        _copy(
            cursor,
            "socialorgs_communityorgfiling",
            (
                "name",
                "town_id",
                "community_id",
                "field",
                "filed_on",
                "contact_name",
                "members",
                "withdrawn_on",
                "created_at",
            ),
            filings,
        )
    return {
        "created": True,
        "organisations": len(org_rows),
        "annual_reports": len(reports),
        "listings": len(listings),
        "ratings": len(ratings),
        "community_filings": len(filings),
        "major_events": len(events),
        "plan": plan,
    }


def _cumulative(shares):
    total = Decimal(0)
    for key, share in shares:
        total += share
        yield key, float(total)
