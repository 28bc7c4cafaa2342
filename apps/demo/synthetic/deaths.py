"""The deaths of a bureau's report year at scale 1, whatever the population's scale: deaths are cheap.

Each bureau's report gives totals, and the records here add up to them (the indicators computed from
the data reproduce the report):

- 中山 2024: 10,026 fee waivers totalling 475.5万 (each 接运 150 + 消毒 50 + 火化 250 = 450, and 4,055 of
  them two days of 冷藏 at 30: 10,026 × 450 + 4,055 × 60 = 4,755,000) and 544 tree/sea burials with
  8.6万 of subsidies (456 × 150 + 88 × 200 = 86,000), on 中山's assumed price list (seeds/burial_defaults.yaml);
- 海丰 2023: 4,214 deaths, every one cremated (100%) and waived 1,100 (463.54万);
- x市 2024: 3,715 deaths, 47 exempt from cremation (Hui burial), the other 3,668 cremated (100%) and
  waived 4,430 each (1626.19万 of 惠民殡葬奖补 due, −0.08%);
- 广州 2024: waivers totalling 7,057.08万 (53,060 × 1,330) and an eco-burial rate of 90%, over an
  assumed 80,000 deaths (the report gives no count);
- 南山 2023: no figure in the report; 3,420 deaths, waivers and eco-burials assumed (DeathPlan says so).

Set-based: the unregistered deceased, their waivers, subsidies and items are INSERT … SELECT over
generate_series; their grants go through the benefits services' set-based path
(entitlement_changes_table + entitlements_apply_changes). A few registered residents' deaths go
through the real burial service (their benefits end, their households' dibao is recomputed).
Idempotent: a year that already has death records is left alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction

from apps.benefits import services as benefits
from apps.benefits.models import Entitlement
from apps.burial import rules as burial_rules
from apps.burial import services as burial
from apps.burial.models import DeathRecord, FeeItem, WaiverPolicy
from apps.core.permissions import SYSTEM
from apps.people import services as people
from apps.people.models import FuneralHome, Person, Town

from ..models import PopulationMarker
from .names import SURNAMES


@dataclass(frozen=True)
class DeathPlan:
    year: int
    deaths: int
    exempt: int = 0
    # Waivers: every eligible death gets `waiver_items` (codes); the first `cold_count` also
    # `cold_days` days of 冷藏.
    waiver_items: tuple[str, ...] = ()
    cold_days: int = 2
    cold_count: int = 0
    # Deaths of residents without local hukou (the last ones generated): 广州 waives only theirs.
    non_local: int = 0
    # Eco-burials: mode -> count, each with its subsidy where the bureau has a rate for the mode.
    eco: dict[str, int] = field(default_factory=dict)
    # Registered residents whose death goes through the real service (part of `deaths`).
    registered: int = 3
    # Where the count of deaths is not in the report: why the demo uses this one.
    deaths_assumed: str = ""


PLANS = {
    "zhongshan": DeathPlan(
        year=2024,
        deaths=10_026,
        waiver_items=("transport", "disinfection", "cremation"),
        cold_count=4_055,
        eco={"tree": 456, "sea": 88},
    ),
    # 广州 2024 reports the waivers' total (7,057.08万) and the eco-burial rate (90%), not the deaths:
    # 53,060 non-local deaths waived the six items in full (1,330 each: 70,569,800, −0.0014%) and
    # 72,000 of 80,000 deaths (90.00%) in columbaria, tree or sea burial (广州 pays no subsidy).
    "guangzhou": DeathPlan(
        year=2024,
        deaths=80_000,
        waiver_items=("transport", "disinfection", "farewell_hall", "cremation", "urn"),
        cold_days=3,
        cold_count=53_060,
        non_local=53_060,
        eco={"columbarium": 50_000, "tree": 22_000},
        deaths_assumed="the report gives no count of deaths: 80,000 assumed (about 4.3‰ of 18.8 million residents)",
    ),
    # 海丰 2023: 4,214 cremations, each waived 1,100 (463.54万).
    "haifeng": DeathPlan(year=2023, deaths=4_214,
                         waiver_items=("transport", "disinfection", "farewell_hall", "cremation", "urn")),
    # x市 2024: 47 Hui burials exempt; the 3,668 cremations each waived 4,430 (1626.19万 due, −0.08%).
    "xcity": DeathPlan(year=2024, deaths=3_715, exempt=47,
                       waiver_items=("transport", "cremation", "urn", "ashes_burial")),
    # 南山 2023 gives no burial figure at all: 3,420 deaths assumed (about 1.9‰ of 1.8 million), every
    # one waived the ten items (2,200 each: 深圳 waives them for every resident), 1,026 (30%) in tree or
    # sea burial with the assumed rewards of seeds/burial_defaults.yaml.
    "nanshan": DeathPlan(
        year=2023,
        deaths=3_420,
        waiver_items=("transport", "disinfection", "cosmetic", "farewell_hall", "cremation", "urn",
                      "ashes_storage", "ceremony", "eco_scatter"),
        cold_days=3,
        cold_count=3_420,
        eco={"tree": 700, "sea": 326},
        deaths_assumed="the report gives no burial figure: 3,420 deaths assumed (about 1.9‰ of 1.8 million residents)",
    ),
}
ASSISTANCE = ("dibao", "dibao_marginal", "hardship_expense", "tekun", "tekun_care")
# Dispositions of the deaths that are neither exempt nor eco-burials, in turn.
PLAIN_DISPOSITIONS = ["plot", "plot", "home"]


def funeral_home() -> FuneralHome:
    """The bureau's first funeral home (made if it has none): where the demo's deceased go."""
    home = FuneralHome.objects.order_by("id").first()
    if home is None:
        town = Town.objects.order_by("id").first()
        home = people.funeral_home_create(
            name=f"{town.name}殡仪馆", town=town, bank_account="6228480010000000019", bank_name="农业银行"
        )
    return home


def _registered(plan: DeathPlan, home: FuneralHome) -> int:
    """A few local residents aged 85+ die through the real service (their allowances end).

    Never one of the social-assistance caseload: its deaths are the report year's (apps.demo.reportyear),
    dated before its months are paid, so the year-end caseload stays the report's. Nor anyone the
    synthetic population marks for a group: the deaths are made before the year's new cases are
    approved, and a household left without a living member could not be.
    """
    assisted = Entitlement.objects.filter(programme_id__in=ASSISTANCE)
    marked = PopulationMarker.objects.all()
    people_ = list(
        Person.objects.filter(
            status=Person.Status.ALIVE, local_hukou=True, birth_date__lt=datetime.date(plan.year - 85, 1, 1)
        )
        .exclude(pk__in=assisted.filter(person__isnull=False).values("person_id"))
        .exclude(membership__household_id__in=assisted.filter(household__isnull=False).values("household_id"))
        .exclude(pk__in=marked.filter(person__isnull=False).values("person_id"))
        .exclude(membership__household_id__in=marked.filter(household__isnull=False).values("household_id"))
        .order_by("id")[: plan.registered]
    )
    for i, person in enumerate(people_):
        day = datetime.date(plan.year, 3 + i, 10)
        record = burial.death_record_create(
            user=SYSTEM,
            person=person,
            date_of_death=day,
            funeral_home=home,
            cremated_on=day + datetime.timedelta(days=3),
            disposition="plot",
            today=day + datetime.timedelta(days=5),
        )
        if plan.waiver_items and not plan.non_local:  # the residents chosen here hold local hukou
            items = [{"code": c} for c in plan.waiver_items]
            if plan.cold_count >= plan.deaths:  # else the generated deaths hold every day of 冷藏
                items.append({"code": "cold_storage", "units": plan.cold_days})
            burial.fee_waiver_create(death=record, items=items, user=SYSTEM, today=day + datetime.timedelta(days=5))
    return len(people_)


def caseload_death_waiver(*, schema: str, death: DeathRecord, today: datetime.date) -> bool:
    """The fee waiver of a caseload death recorded through the service (apps.demo.reportyear), with the
    items every generated death of the bureau's plan has; its grant waits for the next run. False where
    the plan waives nothing, or only for residents without local hukou, or the policy excludes the person."""
    plan = PLANS.get(schema)
    if plan is None or plan.year != death.date_of_death.year or not plan.waiver_items or plan.non_local:
        return False
    policy = (WaiverPolicy.objects.filter(effective_from__lte=death.date_of_death).order_by("-effective_from").first())
    if policy is None or not burial_rules.eligible(policy=policy.eligible, local_hukou=death.local_hukou):
        return False
    burial.fee_waiver_create(death=death, items=[{"code": c} for c in plan.waiver_items], user=SYSTEM, today=today)
    return True


INSERT_DEATHS = """
INSERT INTO burial_deathrecord (person_id, name, id_number, local_hukou, town_id, date_of_death, place_of_death,
                                cause, funeral_home_id, cremated_on, exemption, disposition, benefits_effect,
                                recorded_by_id, created_at)
SELECT NULL, (%(surnames)s::text[])[1 + (i * 7919) %% cardinality(%(surnames)s::text[])] || '某' || i, '',
       i <= %(n)s - %(non_local)s,
       (%(towns)s::bigint[])[1 + i %% cardinality(%(towns)s::bigint[])],
       d.day, '', (ARRAY['illness', 'illness', 'age', 'accident', 'other'])[1 + i %% 5],
       %(home)s,
       CASE WHEN i <= %(exempt)s THEN NULL ELSE d.day + 2 END,
       CASE WHEN i <= %(exempt)s THEN 'ethnic' ELSE '' END,
       CASE WHEN i <= %(exempt)s THEN 'burial'
            WHEN i <= %(exempt)s + %(eco1)s THEN %(mode1)s
            WHEN i <= %(exempt)s + %(eco1)s + %(eco2)s THEN %(mode2)s
            ELSE (%(plain)s::text[])[1 + i %% cardinality(%(plain)s::text[])] END,
       '{}'::jsonb, NULL, now()
FROM generate_series(1, %(n)s) i
CROSS JOIN LATERAL (SELECT make_date(%(year)s, 1, 1) + ((i * 37) %% 365) AS day) d
RETURNING id
"""

# One waiver per eligible death of the year without one — generated, or of the report year's caseload
# (apps.demo.reportyear records those through the service, without a waiver): the items' sum (never
# above the cap here); the first `cold` of them with `cold_units` days of 冷藏.
INSERT_WAIVERS = """
WITH todo AS (
    SELECT d.id, d.date_of_death, row_number() OVER (ORDER BY d.id) AS rn
    FROM burial_deathrecord d
    WHERE extract(year FROM d.date_of_death) = %(year)s AND d.exemption = ''
      AND (%(policy)s = 'all' OR (%(policy)s = 'local') = d.local_hukou)
      AND NOT EXISTS (SELECT 1 FROM burial_feewaiver w WHERE w.death_id = d.id)
), w AS (
    INSERT INTO burial_feewaiver (death_id, funeral_home_id, items_total, amount, grant_id, approved_on, created_at)
    SELECT t.id, %(home)s, %(base)s + CASE WHEN t.rn <= %(cold)s THEN %(cold_amount)s ELSE 0 END,
           %(base)s + CASE WHEN t.rn <= %(cold)s THEN %(cold_amount)s ELSE 0 END, NULL, t.date_of_death + 3, now()
    FROM todo t
    RETURNING id, amount
), items AS (
    INSERT INTO burial_feewaiveritem (waiver_id, item_id, units, amount)
    SELECT w.id, fi.id, CASE WHEN fi.code = 'cold_storage' THEN %(cold_units)s ELSE 1 END,
           fi.unit_price * CASE WHEN fi.code = 'cold_storage' THEN %(cold_units)s ELSE 1 END
    FROM w JOIN burial_feeitem fi ON fi.id = ANY(%(items)s)
                                  OR (fi.id = %(cold_item)s AND w.amount > %(base)s)
    RETURNING 1
)
SELECT count(*), coalesce(sum(amount), 0), (SELECT count(*) FROM items) FROM w
"""

INSERT_SUBSIDIES = """
INSERT INTO burial_ecoburialsubsidy (death_id, mode, amount, applicant_name, applicant_account, applicant_bank,
                                     grant_id, approved_on, created_at)
SELECT d.id, d.disposition, r.amount, left(d.name, 1) || '家属', '6222' || lpad(d.id::text, 12, '0'), '农业银行',
       NULL, d.date_of_death + 10, now()
FROM burial_deathrecord d
JOIN LATERAL (SELECT amount FROM burial_ecoburialrate x WHERE x.mode = d.disposition
              AND x.effective_from <= d.date_of_death ORDER BY x.effective_from DESC LIMIT 1) r ON true
WHERE d.person_id IS NULL AND extract(year FROM d.date_of_death) = %(year)s AND d.disposition = ANY(%(modes)s)
  AND NOT EXISTS (SELECT 1 FROM burial_ecoburialsubsidy s WHERE s.death_id = d.id)
"""

# The grants of waivers and subsidies without one, handed to the benefits services' set-based path.
FILL_GRANTS = """
INSERT INTO {table} (op, programme_id, variant, period, amount, reason, source, payee_name, payee_account, payee_bank)
SELECT 'grant', 'funeral_waiver', 'unified', date_trunc('month', w.approved_on)::date, w.amount,
       '殡葬基本服务费减免 ' || d.name, 'burial.waiver:' || w.id, h.name, h.bank_account, h.bank_name
FROM burial_feewaiver w JOIN burial_deathrecord d ON d.id = w.death_id JOIN people_funeralhome h ON h.id = w.funeral_home_id
WHERE w.grant_id IS NULL
UNION ALL
SELECT 'grant', 'eco_burial', 'unified', date_trunc('month', s.approved_on)::date, s.amount,
       '节地生态安葬补贴 ' || d.name, 'burial.eco:' || s.id, s.applicant_name, s.applicant_account, s.applicant_bank
FROM burial_ecoburialsubsidy s JOIN burial_deathrecord d ON d.id = s.death_id
WHERE s.grant_id IS NULL
"""

LINK_GRANTS = """
WITH a AS (
    UPDATE burial_feewaiver w SET grant_id = g.id FROM benefits_grant g
    WHERE w.grant_id IS NULL AND g.source = 'burial.waiver:' || w.id RETURNING 1
), b AS (
    UPDATE burial_ecoburialsubsidy s SET grant_id = g.id FROM benefits_grant g
    WHERE s.grant_id IS NULL AND g.source = 'burial.eco:' || s.id RETURNING 1
)
SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)
"""


def generate_deaths(*, schema: str, plan: DeathPlan | None = None, caseload_deaths: int = 0) -> dict:
    """The report year's deaths of the bureau whose schema is current (nothing for a bureau without a
    plan); `plan` in place of the bureau's (a test's smaller year).

    `caseload_deaths`: deaths of the report year's caseload still to be recorded (apps.demo.reportyear
    generates the year's deaths before it lives the year, so that each month's run pays the month's
    grants); they are part of the year's total, and get their waiver when recorded (caseload_death_waiver).
    """
    plan = plan or PLANS.get(schema)
    if plan is None:
        return {"skipped": "no burial figures in this bureau's report"}
    if DeathRecord.objects.filter(date_of_death__year=plan.year, person__isnull=True).exists():
        return {"skipped": f"{plan.year} already has death records"}
    with transaction.atomic():
        home = funeral_home()
        # The report year's caseload deaths (apps.demo.reportyear) are part of the year's total.
        lived = DeathRecord.objects.filter(date_of_death__year=plan.year).count() + caseload_deaths
        registered = lived + _registered(plan, home)
        towns = list(Town.objects.order_by("id").values_list("id", flat=True))
        modes = list(plan.eco.items()) + [("tree", 0), ("sea", 0)]
        with connection.cursor() as cursor:
            cursor.execute(
                INSERT_DEATHS,
                {
                    "surnames": [s for s, _w in SURNAMES],
                    "towns": towns,
                    "home": home.pk,
                    "exempt": plan.exempt,
                    "eco1": modes[0][1],
                    "mode1": modes[0][0],
                    "eco2": modes[1][1],
                    "mode2": modes[1][0],
                    "plain": PLAIN_DISPOSITIONS,
                    "n": plan.deaths - registered,
                    "non_local": plan.non_local,
                    "year": plan.year,
                },
            )
            generated = cursor.rowcount
            waivers = subsidies = 0
            if plan.waiver_items:
                items = {i.code: i for i in FeeItem.objects.filter(code__in=[*plan.waiver_items, "cold_storage"])}
                base = sum(items[c].unit_price for c in plan.waiver_items)
                policy = WaiverPolicy.objects.filter(effective_from__lte=datetime.date(plan.year, 12, 31)).latest(
                    "effective_from")
                cursor.execute(
                    INSERT_WAIVERS,
                    {
                        "year": plan.year,
                        "home": home.pk,
                        "base": base,
                        "cold": plan.cold_count,
                        "cold_units": plan.cold_days,
                        "cold_amount": items["cold_storage"].unit_price * plan.cold_days if plan.cold_count else 0,
                        "items": [items[c].pk for c in plan.waiver_items],
                        "cold_item": items["cold_storage"].pk if plan.cold_count else None,
                        "policy": policy.eligible,
                    },
                )
                waivers = cursor.fetchone()[0]
            if plan.eco:
                cursor.execute(INSERT_SUBSIDIES, {"year": plan.year, "modes": list(plan.eco)})
                subsidies = cursor.rowcount
            table = benefits.entitlement_changes_table(table="burial_demo_grants")
            cursor.execute(FILL_GRANTS.format(table=table))
            written = benefits.entitlements_apply_changes(table=table, user=SYSTEM)
            cursor.execute(LINK_GRANTS)
    return {
        "year": plan.year,
        **({"deaths_assumed": plan.deaths_assumed} if plan.deaths_assumed else {}),
        "registered": registered,
        "generated": generated,
        "waivers": waivers,
        "subsidies": subsidies,
        "grants": written["grants"],
    }
