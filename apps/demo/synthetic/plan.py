"""How many of whom: a synthetic population sized from a bureau's reported figures. Pure: no ORM, no I/O.

Scale 1 is the bureau as its report describes it: the reported caseloads, and a general population
as large as the reported elderly / disabled / low-income figures imply (中山 ≈ 1.18 million, x市
≈ 694,000 from its own 60+ count and share). Smaller scales shrink every figure alike; a group the
report names keeps at least one household or person.

Where a report gives no figure for a group, the figure is derived from its other figures, in this
order of preference, and `PopulationPlan.notes` says which rule was used:

* a stock from yearly flows: `*_new_*` (and `*_stopped_*`) × 5, the assumed average years on a
  programme (x市, 南山 report only new and stopped cases);
* a share of 广州's 低收入人口 monitored (101,000) split like 中山's caseload;
* 中山's proportions (REF below; 中山 is the one report with the whole assistance caseload).

Amounts paid in the report year are reproduced too, where the report gives them:

* a 低保 total beside a reported caseload (中山 10,104万) sets the dibao households' income band:
  the per-capita income that, with the 分类施保 add-ons, pays that total over the year;
* an assistance total without a 低保 caseload (x市's 一卡通 各类救助资金 11,656.26万, read as 低保 +
  特困 basic living + 特困 care) sizes the 低保 caseload instead: what is left after 特困, at the
  default income band, over the person-months of the year (new and stopped cases are paid half of it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from apps.pensions.rules import ADULT_AGE

# 中山 2024: the only report that states every assistance caseload.
REF = {
    "dibao_households": 3469, "dibao_persons": 6444, "tekun_persons": 1186,
    "dibao_marginal_households": 393, "dibao_marginal_persons": 839,
    "hardship_expense_households": 8, "hardship_expense_persons": 19,
}
REF_CASELOAD = 6444 + 1186 + 839 + 19
# 中山's population at scale 1: its 80+ (≈41,300, from 高龄津贴 5,790万 a year at 100/200/500 a month
# and the age mix below) over the 80+ share of the population (3.5%, near the national figure).
REF_POPULATION = 1_181_000
ASSISTANCE_RATE = REF_CASELOAD / REF_POPULATION  # ≈ 0.72% of residents on 低保/特困/边缘/支出型
SHARE_80_PLUS = 0.035
# Age mix of the 80+ (2020 census, rounded): 80-89 84.2%, 90-99 15.5%, 100+ 0.3% (x市 reports 43 of 15,997).
SHARE_90_99, SHARE_100_PLUS = 0.155, 0.003
SPELL_YEARS = 5
# The report year (`year.py`): without reported flows, one case in twelve is new in the year (approved
# January to November, so paid six months on average); a new or stopped case is paid half the year.
NEW_SHARE_UNREPORTED = 1 / 12
FLOW_MONTHS_PAID = 6
# Share of the synthetic dibao members with a 分类施保 reason (elderly, minor, student, single parent,
# severely disabled, seriously ill): measured on 中山 at scale 1 (3,542 of 6,444) and x市 (4,688 of 8,940).
ADDON_SHARE = 0.54
# Per-capita income of dibao households: uniform between 0 and this share of the standard.
DIBAO_INCOME_HIGH = 0.9
# 特困 care levels of the demo caseload (caseload.FAILED_TESTS_CYCLE): 全自理 5, 半失能 3, 全失能 2 in ten.
CARE_MIX = {"self_care": 0.5, "partial": 0.3, "full": 0.2}
PERSONS_PER_MEAL_SITE = REF_POPULATION / 144  # 中山: 144 meal sites
NURSING_RATE = 117_900 / (101_000 / ASSISTANCE_RATE)  # 广州's 重度残疾人护理补贴 recipients per resident
LIVING_SHARE_OF_POOR = 0.25  # holders of a certificate among 低保/边缘 members, when not reported
SEVERE_SHARE_OF_LIVING = 0.30  # of those, level 1-2
MILD_PER_SEVERE = 0.5  # level 3-4 holders outside 低保/边缘 (no subsidy) per level 1-2 holder
ORPHAN_RATE = 540 / REF_POPULATION  # 中山: 儿童生活保障金 1,270.31万 at ≈1,960 a month
CHILD_DIFFICULTY_RATE = 3846 / REF_POPULATION
ORPHAN_INSTITUTIONAL_SHARE = 0.25
# A child recognised in the report year (registry.record_starts: on days over January to November) is
# paid from the month after: about 6.5 of its 12 months unpaid.
NEW_CHILD_UNPAID_MONTHS = 6.5
TEKUN_INSTITUTIONAL_SHARE = 0.30
# Members aged 80+ in the assistance groups (the 经济困难高龄 service subsidy needs some), unless the
# bureau reports that subsidy's amount (elderly_quota).
ELDERLY_SHARE = {"dibao": 0.08, "dibao_marginal": 0.08, "hardship_expense": 0.05, "tekun": 0.45}
# Months of the report year an 80+ member of 低保 or 分散特困 is paid the service subsidy, on average, as a
# share of twelve (the year's deaths and stops): measured on x市 at scale 1, 1,753 paid a month for 1,935.
SERVICE_PAID_SHARE = 0.906
TEKUN_DISABLED_SHARE = 0.30  # 特困 adults under 60 with a level 1-2 certificate


@dataclass
class PopulationPlan:
    scale: Decimal
    persons: int
    dibao_households: int
    dibao_persons: int
    dibao_marginal_households: int
    dibao_marginal_persons: int
    hardship_expense_households: int
    hardship_expense_persons: int
    tekun_persons: int
    tekun_institutional: int
    orphans_institutional: int
    orphans_scattered: int
    children_in_difficulty: int
    elderly_80_plus: int
    elderly_90_99: int
    elderly_100_plus: int
    disabled_severe: int  # level 1-2 certificate holders: 重度残疾人护理补贴
    disabled_living: int  # certificate holders in 低保/边缘 households: 困难残疾人生活补贴
    disabled_mild_other: int  # level 3-4 holders elsewhere
    dibao_income_high: float = DIBAO_INCOME_HIGH  # per-capita income band of dibao households, × the standard
    # 80+ members of 低保 and 分散供养特困 at the year's start, when the report's service subsidy paid says how
    # many (0: not).
    elderly_service_recipients: int = 0
    # Households of two 特困 persons (siblings): where a report counts 特困 new or stopped in households
    # as well as persons (x市: 80 households / 86 persons new, 100 / 118 stopped), one per person more
    # than households, so that the year's plan (year.py) can count both exactly.
    tekun_shared_households: int = 0
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def group_persons(self) -> int:
        return (self.dibao_persons + self.dibao_marginal_persons + self.hardship_expense_persons + self.tekun_persons
                + self.orphans_institutional + self.orphans_scattered + self.children_in_difficulty)

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "notes"}
        data["scale"] = str(self.scale)
        data["notes"] = dict(self.notes)
        return data


def _mean(*values) -> float:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else 0.0


def _dibao_standard(standards: dict) -> float | None:
    classes = [float(standards[("dibao", v)]) for v in ("urban", "rural") if ("dibao", v) in standards]
    if not classes and ("dibao", "unified") in standards:
        classes = [float(standards[("dibao", "unified")])]
    return sum(classes) / len(classes) if classes else None


def _tekun_month(standards: dict) -> float:
    """特困 basic living plus care at the demo's care mix, a month."""
    care = sum(share * float(standards.get(("tekun_care", level), 0)) for level, share in CARE_MIX.items())
    return float(standards.get(("tekun", "basic"), 0)) + care


def _dibao_from_assistance_total(s: dict, f: dict, standards: dict, classified_share: float) -> str | None:
    """低保 persons whose year, beside 特困's, pays the reported assistance total; None without the figures."""
    standard = _dibao_standard(standards)
    if "assistance_paid_total" not in s or "tekun_new_persons" not in s or not standard:
        return None
    tekun_new, tekun_stopped = s["tekun_new_persons"], s.get("tekun_stopped_persons", 0)
    tekun_persons = SPELL_YEARS * _mean(tekun_new, s.get("tekun_stopped_persons"))
    tekun_paid = (12 * tekun_persons - FLOW_MONTHS_PAID * (tekun_new + tekun_stopped)) * _tekun_month(standards)
    per_person_month = standard * (1 - DIBAO_INCOME_HIGH / 2 + classified_share * ADDON_SHARE)
    flows = s.get("dibao_new_persons", 0) + s.get("dibao_stopped_persons", 0)
    person_months = (s["assistance_paid_total"] * 10_000 - tekun_paid) / per_person_month + FLOW_MONTHS_PAID * flows
    f["dibao_persons"] = person_months / 12
    f["dibao_households"] = f["dibao_persons"] * REF["dibao_households"] / REF["dibao_persons"]
    return (f"the assistance total paid, less 特困 ({SPELL_YEARS} × its yearly flows), over the months of the year "
            f"at {per_person_month:.2f} a person (income ≤ {DIBAO_INCOME_HIGH} × the standard, "
            f"{ADDON_SHARE:.0%} with an add-on); 中山's household size")


def dibao_income_high(*, stats: dict, standards: dict, classified_share: float) -> tuple[float, str]:
    """The dibao income band that pays the reported 低保 total over the year, else the default."""
    s = {k: float(v) for k, v in stats.items() if v is not None}
    standard = _dibao_standard(standards)
    if not ("dibao_paid" in s and "dibao_persons" in s and standard):
        return DIBAO_INCOME_HIGH, f"default: below {DIBAO_INCOME_HIGH} × the standard"
    person_months = 12 * s["dibao_persons"] - FLOW_MONTHS_PAID * NEW_SHARE_UNREPORTED * s["dibao_persons"]
    target = s["dibao_paid"] * 10_000 / person_months
    income = standard * (1 + classified_share * ADDON_SHARE) - target
    high = min(DIBAO_INCOME_HIGH, max(0.0, 2 * income / standard))
    return high, (f"低保 paid / {person_months:,.0f} person-months = {target:.2f} a person-month: mean per-capita "
                  f"income {income:.2f} with {ADDON_SHARE:.0%} add-ons at {classified_share:.0%}")


def base_figures(*, stats: dict, standards: dict, classified_share: float = 0.4) -> tuple[dict, dict]:
    """Figures at scale 1 (floats) and a note for each: `stats` = reported statistics by key
    (Decimal), `standards` = monthly amounts in the report year by (programme, variant)."""
    s = {k: float(v) for k, v in stats.items() if v is not None}
    f: dict[str, float] = {}
    notes: dict[str, str] = {}

    # --- 低保: reported, or a stock from yearly flows, or a share of the monitored low-income population.
    if "dibao_households" in s and "dibao_persons" in s:
        f["dibao_households"], f["dibao_persons"] = s["dibao_households"], s["dibao_persons"]
        notes["dibao"] = "reported"
    elif "dibao_new_households" in s or "dibao_new_persons" in s:
        households = SPELL_YEARS * _mean(s.get("dibao_new_households"), s.get("dibao_stopped_households"))
        persons = SPELL_YEARS * _mean(s.get("dibao_new_persons"), s.get("dibao_stopped_persons"))
        ratio = REF["dibao_persons"] / REF["dibao_households"]
        f["dibao_households"] = households or persons / ratio
        f["dibao_persons"] = persons or households * ratio
        notes["dibao"] = f"{SPELL_YEARS} × the yearly new (and stopped) cases"
        from_total = _dibao_from_assistance_total(s, f, standards, classified_share)
        if from_total:
            notes["dibao"] = from_total
    elif "low_income_monitored_persons" in s:
        caseload = s["low_income_monitored_persons"]
        f["dibao_persons"] = caseload * REF["dibao_persons"] / REF_CASELOAD
        f["dibao_households"] = f["dibao_persons"] * REF["dibao_households"] / REF["dibao_persons"]
        notes["dibao"] = "中山's share of the low-income population monitored"

    # --- the population, which the rest is proportioned to.
    elderly = _elderly_80_plus(s, standards)
    if "elderly_60plus_persons" in s and s.get("elderly_60plus_share"):
        f["persons"] = s["elderly_60plus_persons"] * 100 / s["elderly_60plus_share"]
        notes["persons"] = "reported 60+ persons / their share of the population"
    elif elderly is not None:
        f["persons"] = elderly[0] / SHARE_80_PLUS
        notes["persons"] = f"the 80+ ({elderly[1]}) / {SHARE_80_PLUS:.1%} of the population"
    elif "low_income_monitored_persons" in s:
        f["persons"] = s["low_income_monitored_persons"] / ASSISTANCE_RATE
        notes["persons"] = f"the low-income population / {ASSISTANCE_RATE:.2%} (中山's assistance rate)"
    elif "dibao_persons" in f:
        caseload = f["dibao_persons"] * REF_CASELOAD / REF["dibao_persons"]
        f["persons"] = caseload / ASSISTANCE_RATE
        notes["persons"] = f"the assistance caseload / {ASSISTANCE_RATE:.2%} (中山's assistance rate)"
    elif "meal_sites" in s:
        f["persons"] = s["meal_sites"] * PERSONS_PER_MEAL_SITE
        notes["persons"] = f"meal sites × {PERSONS_PER_MEAL_SITE:,.0f} residents (中山's ratio)"
    else:
        f["persons"] = 100_000
        notes["persons"] = "no figure to size it from: 100,000"
    if "dibao_persons" not in f:
        f["dibao_persons"] = f["persons"] * ASSISTANCE_RATE * REF["dibao_persons"] / REF_CASELOAD
        f["dibao_households"] = f["dibao_persons"] * REF["dibao_households"] / REF["dibao_persons"]
        notes["dibao"] = f"{ASSISTANCE_RATE:.2%} of the population (中山's assistance rate), split like 中山's caseload"

    # --- the other assistance groups: reported, flows, or 中山's ratio to 低保.
    dibao_ratio = f["dibao_persons"] / REF["dibao_persons"]
    for group, households_key, persons_key in (
        ("dibao_marginal", "dibao_marginal_households", "dibao_marginal_persons"),
        ("hardship_expense", "hardship_expense_households", "hardship_expense_persons"),
    ):
        ratio = REF[persons_key] / REF[households_key]
        if households_key in s or persons_key in s:
            f[households_key] = s.get(households_key) or s[persons_key] / ratio
            f[persons_key] = s.get(persons_key) or s[households_key] * ratio
            notes[group] = "reported"
        elif f"{group}_new_households" in s:
            f[households_key] = SPELL_YEARS * s[f"{group}_new_households"]
            f[persons_key] = f[households_key] * ratio
            notes[group] = f"{SPELL_YEARS} × the yearly new households, 中山's household size"
        else:
            f[households_key], f[persons_key] = REF[households_key] * dibao_ratio, REF[persons_key] * dibao_ratio
            notes[group] = "中山's ratio to 低保"
    if "tekun_persons" in s:
        f["tekun_persons"] = s["tekun_persons"]
        notes["tekun"] = "reported"
    elif "tekun_new_persons" in s:
        f["tekun_persons"] = SPELL_YEARS * _mean(s["tekun_new_persons"], s.get("tekun_stopped_persons"))
        notes["tekun"] = f"{SPELL_YEARS} × the yearly new (and stopped) persons"
    else:
        f["tekun_persons"] = REF["tekun_persons"] * dibao_ratio
        notes["tekun"] = "中山's ratio to 低保"

    # --- the elderly.
    if elderly is not None:
        f["elderly_80_plus"] = elderly[0]
        notes["elderly_80_plus"] = elderly[1]
    else:
        f["elderly_80_plus"] = f["persons"] * SHARE_80_PLUS
        notes["elderly_80_plus"] = f"{SHARE_80_PLUS:.1%} of the population"
    if "longevity_persons_100plus" in s:
        f["elderly_100_plus"] = s["longevity_persons_100plus"]
        notes["elderly_100_plus"] = "reported"
    else:
        f["elderly_100_plus"] = f["elderly_80_plus"] * SHARE_100_PLUS
        notes["elderly_100_plus"] = f"{SHARE_100_PLUS:.1%} of the 80+"
    f["elderly_90_99"] = f["elderly_80_plus"] * SHARE_90_99
    notes["elderly_90_99"] = f"{SHARE_90_99:.1%} of the 80+"
    service_std = standards.get(("elderly_service", "unified"))
    if "elderly_service_paid" in s and service_std:
        # The subsidy is paid to each 80+ member of 低保 and 分散特困 a month: its year's amount is how
        # many of them there are (x市 gives no share of its caseload).
        f["elderly_service_recipients"] = (s["elderly_service_paid"] * 10_000 / 12 / float(service_std)
                                           / SERVICE_PAID_SHARE)
        notes["elderly_service_recipients"] = (f"经济困难高龄服务补贴 paid / 12 / {float(service_std):.0f} "
                                               f"/ {SERVICE_PAID_SHARE} (the year's deaths and stops)")

    # --- disability: 生活补贴 (holders in 低保/边缘 households), 护理补贴 (level 1-2 holders).
    poor = f["dibao_persons"] + f["dibao_marginal_persons"]
    if "disability_living_persons" in s:
        f["disabled_living"] = s["disability_living_persons"]
        notes["disabled_living"] = "reported"
    else:
        f["disabled_living"] = poor * LIVING_SHARE_OF_POOR
        notes["disabled_living"] = f"{LIVING_SHARE_OF_POOR:.0%} of 低保 and 边缘 members"
    if f["disabled_living"] > 0.6 * poor:
        f["disabled_living"] = 0.6 * poor
        notes["disabled_living"] += "; capped at 60% of 低保 and 边缘 members"
    living_std = standards.get(("disability_living", "unified"))
    nursing_std = standards.get(("disability_nursing", "unified"))
    if "disability_nursing_persons" in s:
        f["disabled_severe"] = s["disability_nursing_persons"]
        notes["disabled_severe"] = "reported"
    elif "disability_paid" in s and living_std and nursing_std:
        monthly = s["disability_paid"] * 10_000 / 12
        f["disabled_severe"] = max(0.0, (monthly - f["disabled_living"] * float(living_std)) / float(nursing_std))
        notes["disabled_severe"] = (f"(两项补贴 paid / 12 − living subsidy × {living_std}) / nursing standard {nursing_std}")
    else:
        f["disabled_severe"] = f["persons"] * NURSING_RATE
        notes["disabled_severe"] = f"{NURSING_RATE:.2%} of the population (广州's ratio)"
    f["disabled_mild_other"] = f["disabled_severe"] * MILD_PER_SEVERE
    notes["disabled_mild_other"] = f"{MILD_PER_SEVERE} per level 1-2 holder (level 3-4, no subsidy)"

    # --- children.
    orphan_std = standards.get(("orphan", "scattered")) or standards.get(("orphan", "institutional"))
    if "orphan_persons" in s:
        orphans = s["orphan_persons"]
        notes["orphans"] = "reported"
    elif "children_paid" in s:
        monthly_std = float(orphan_std) if orphan_std else float(standards.get(("tekun", "basic"), 0) or 0)
        # x市 reports January to October: its payments cover 10 months, not 12.
        months = s.get("children_paid_months", 12)
        # The children in care paid every month of it, less those recognised in it (paid from the
        # month after) and those turning 18 in it (ages spread evenly: months / 12 / 18 of them, paid
        # to their birthday's month, half the months on average).
        new = s.get("children_new_identified", 0)
        age_out = months / 12 / ADULT_AGE / 2
        person_months = s["children_paid"] * 10_000 / monthly_std if monthly_std else 0
        orphans = ((person_months + new * NEW_CHILD_UNPAID_MONTHS) / months / (1 - age_out) if monthly_std
                   else f["persons"] * ORPHAN_RATE)
        notes["orphans"] = (f"儿童生活保障金 / {months:.0f} months / "
                            f"{'the orphan standard' if orphan_std else 'the 特困 basic standard'} ({monthly_std:.0f}), "
                            f"with the year's {new:.0f} recognised and those turning {ADULT_AGE}")
    else:
        orphans = f["persons"] * ORPHAN_RATE
        notes["orphans"] = f"{ORPHAN_RATE:.3%} of the population (中山's ratio)"
    # A bureau that states only the scattered standard (x市's 分散养育) pays every orphan it counts at it:
    # an institutional orphan would have no standard and draw nothing.
    only_scattered = ("orphan", "scattered") in standards and ("orphan", "institutional") not in standards
    f["orphans_institutional"] = 0.0 if only_scattered else orphans * ORPHAN_INSTITUTIONAL_SHARE
    f["orphans_scattered"] = orphans - f["orphans_institutional"]
    if "children_in_difficulty" in s:
        # The reports' 困境儿童 figures count orphans and de-facto unsupported children too (x市 says so).
        f["children_in_difficulty"] = max(0.0, s["children_in_difficulty"] - orphans)
        notes["children_in_difficulty"] = "reported, less the orphans"
    else:
        f["children_in_difficulty"] = f["persons"] * CHILD_DIFFICULTY_RATE
        notes["children_in_difficulty"] = f"{CHILD_DIFFICULTY_RATE:.2%} of the population (中山's ratio)"
    return f, notes


def _elderly_80_plus(s: dict, standards: dict) -> tuple[float, str] | None:
    if "longevity_persons" in s:
        return s["longevity_persons"], "reported 高龄津贴 recipients"
    brackets = {variant: float(amount) for (programme, variant), amount in standards.items()
                if programme == "longevity" and _bracket_low(variant) >= 80}
    if "longevity_paid" in s and brackets:
        average = _bracket_average(brackets)
        return (s["longevity_paid"] * 10_000 / 12 / average,
                f"高龄津贴 paid / 12 / {average:.2f} (the brackets' average at the 80+ age mix)")
    return None


def _bracket_low(variant: str) -> int:
    digits = variant.split("-")[0].rstrip("+")
    return int(digits) if digits.isdigit() else 0


def _bracket_average(brackets: dict[str, float]) -> float:
    """Average monthly 高龄津贴 over the 80+ at the census age mix."""
    mix = {85: 1 - SHARE_90_99 - SHARE_100_PLUS, 95: SHARE_90_99, 100: SHARE_100_PLUS}
    total = 0.0
    for age, weight in mix.items():
        amount = 0.0
        for variant, value in brackets.items():
            low = _bracket_low(variant)
            high = 200 if variant.endswith("+") else int(variant.split("-")[1])
            if low <= age <= high:
                amount = value
        total += weight * amount
    return total or 1.0


def _round(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def flow_scaled(value, scale: Decimal) -> int:
    """A reported yearly flow at `scale`, half up; a reported flow keeps at least one."""
    exact = Decimal(str(value)) * scale
    rounded = int(exact.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return max(1, rounded) if exact > 0 else 0


def tekun_shared_households(*, stats: dict, scale: Decimal) -> int:
    """Two-person 特困 households the year's flows need: persons less households, new and stopped."""
    shared = 0
    for flow in ("new", "stopped"):
        households, persons = stats.get(f"tekun_{flow}_households"), stats.get(f"tekun_{flow}_persons")
        if households is not None and persons is not None:
            shared += max(0, flow_scaled(persons, scale) - flow_scaled(households, scale))
    return shared


def population_plan(*, stats: dict, standards: dict, scale: Decimal,
                    classified_share: Decimal = Decimal("0.40")) -> PopulationPlan:
    base, notes = base_figures(stats=stats, standards=standards, classified_share=float(classified_share))
    income_high, notes["dibao_income"] = dibao_income_high(stats=stats, standards=standards,
                                                           classified_share=float(classified_share))
    k = float(scale)

    def scaled(key: str, at_least_one: bool = True) -> int:
        value = _round(base.get(key, 0) * k)
        return max(1, value) if at_least_one and base.get(key, 0) >= 1 else value

    plan = PopulationPlan(
        scale=scale, persons=scaled("persons"),
        dibao_households=scaled("dibao_households"), dibao_persons=scaled("dibao_persons"),
        dibao_marginal_households=scaled("dibao_marginal_households"),
        dibao_marginal_persons=scaled("dibao_marginal_persons"),
        hardship_expense_households=scaled("hardship_expense_households"),
        hardship_expense_persons=scaled("hardship_expense_persons"),
        tekun_persons=scaled("tekun_persons"), tekun_institutional=0,
        orphans_institutional=scaled("orphans_institutional", at_least_one=False),
        orphans_scattered=scaled("orphans_scattered"),
        children_in_difficulty=scaled("children_in_difficulty"),
        elderly_80_plus=scaled("elderly_80_plus"), elderly_90_99=scaled("elderly_90_99", at_least_one=False),
        elderly_100_plus=scaled("elderly_100_plus", at_least_one=False),
        disabled_severe=scaled("disabled_severe"), disabled_living=scaled("disabled_living"),
        disabled_mild_other=scaled("disabled_mild_other"), dibao_income_high=round(income_high, 4),
        elderly_service_recipients=scaled("elderly_service_recipients", at_least_one=False), notes=notes,
    )
    # A household has at least one member; a group's persons at least its households.
    for group in ("dibao", "dibao_marginal", "hardship_expense"):
        households, persons = f"{group}_households", f"{group}_persons"
        setattr(plan, persons, max(getattr(plan, persons), getattr(plan, households)))
        # At most six members each (the generator's largest household).
        setattr(plan, persons, min(getattr(plan, persons), 6 * getattr(plan, households)))
    plan.tekun_institutional = _round(plan.tekun_persons * TEKUN_INSTITUTIONAL_SHARE)
    # Shared households live at home (分散供养), after the institutional ones.
    plan.tekun_shared_households = min(tekun_shared_households(stats=stats, scale=scale),
                                       (plan.tekun_persons - plan.tekun_institutional) // 2)
    if plan.tekun_shared_households:
        notes["tekun_shared"] = (f"{plan.tekun_shared_households} households of two 特困 persons: the reported "
                                 "new and stopped persons less households")
    plan.elderly_100_plus = min(plan.elderly_100_plus, plan.elderly_80_plus)
    plan.elderly_90_99 = min(plan.elderly_90_99, plan.elderly_80_plus - plan.elderly_100_plus)
    poor = plan.dibao_persons + plan.dibao_marginal_persons
    plan.disabled_living = min(plan.disabled_living, poor)
    # The population holds every group and, besides them, their relatives and the elderly.
    minimum = plan.group_persons + plan.orphans_scattered + plan.children_in_difficulty + plan.elderly_80_plus
    if plan.persons < minimum:
        notes["persons"] += f"; raised to {minimum} to hold every group"
        plan.persons = minimum
    return plan


def elderly_quota(plan: PopulationPlan) -> dict[str, int]:
    """How many members of each assistance group are 80+; the rest of the 80+ are in the general population."""
    shares = dict(ELDERLY_SHARE)
    if plan.elderly_service_recipients:
        # The service subsidy's recipients are the 80+ of 低保 and of 分散特困 (the institutional 特困,
        # TEKUN_INSTITUTIONAL_SHARE of them, are not paid it): both shares scaled alike to make their number.
        dispersed = plan.tekun_persons - plan.tekun_institutional
        at_default = plan.dibao_persons * shares["dibao"] + dispersed * shares["tekun"]
        if at_default:
            factor = plan.elderly_service_recipients / at_default
            shares["dibao"] *= factor
            shares["tekun"] = min(1.0, shares["tekun"] * factor)
    quota = {
        "dibao": _round(plan.dibao_persons * shares["dibao"]),
        "dibao_marginal": _round(plan.dibao_marginal_persons * shares["dibao_marginal"]),
        "hardship_expense": _round(plan.hardship_expense_persons * shares["hardship_expense"]),
        "tekun": _round(plan.tekun_persons * shares["tekun"]),
    }
    total = sum(quota.values())
    if total > plan.elderly_80_plus:  # tiny scales: never more 80+ than the plan has
        factor = plan.elderly_80_plus / total
        quota = {k: math.floor(v * factor) for k, v in quota.items()}
    quota["general"] = plan.elderly_80_plus - sum(quota.values())
    return quota
