"""THE AMOUNT RULE (SPEC §4) as pure functions: no ORM, no I/O; Decimal in, Decimal out.

The disbursement engine computes the same amounts in SQL; both must agree to the cent, so every
rounding step here is written out and named:

- money is Decimal with two places, ROUND_HALF_UP;
- a yearly standard counts as round(amount / 12, 2) per month (6431/yr → 535.92);
- the derived 特困 basic standard is ceil(multiplier × monthly dibao standard) to the whole yuan;
- dibao = max(0, S − per-capita income) × covered members + round(share × S, 2) × add-on members.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONTH = "month"
YEAR = "year"


def money(value) -> Decimal:
    """Two places, half up: the only rounding money ever gets."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(period: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after (or before) `period`'s month."""
    index = period.year * 12 + (period.month - 1) + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def add_months_to_date(day: datetime.date, months: int) -> datetime.date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    target = add_months(day, months)
    next_month = add_months(target, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return target.replace(day=min(day.day, last_day))


def monthly_value(amount, unit: str) -> Decimal:
    """A standard's monthly value: the amount, or a yearly amount / 12 rounded to the cent first."""
    if unit == MONTH:
        return money(amount)
    if unit == YEAR:
        return money(Decimal(amount) / 12)
    raise ValueError(f"unknown unit {unit!r}")


@dataclass(frozen=True)
class StandardRow:
    """What the rules need of a Standard row."""

    effective_from: datetime.date
    amount: Decimal
    unit: str


def standard_in_force(rows: Iterable[StandardRow], period: datetime.date) -> StandardRow | None:
    """The row with the latest effective_from on or before the period's first day."""
    day = first_of_month(period)
    best = None
    for row in rows:
        if row.effective_from <= day and (best is None or row.effective_from > best.effective_from):
            best = row
    return best


def monthly_in_force(rows: Iterable[StandardRow], period: datetime.date) -> Decimal | None:
    row = standard_in_force(rows, period)
    return None if row is None else monthly_value(row.amount, row.unit)


def tekun_basic_derived(dibao_monthly: Decimal, multiplier: Decimal) -> Decimal:
    """特困 basic living standard from the dibao standard: up to the next whole yuan (955.5 → 956)."""
    return money((Decimal(multiplier) * Decimal(dibao_monthly)).to_integral_value(rounding=ROUND_CEILING))


def tekun_basic(*, explicit_class: Decimal | None, explicit_unified: Decimal | None, dibao_class: Decimal | None,
                dibao_unified: Decimal | None, multiplier: Decimal) -> Decimal | None:
    """The 特困 basic standard of one class, from the monthly standards in force in the period.

    An explicit 特困 standard of the class is honoured, else an explicit unified one, but never below
    the floor ceil(multiplier × the dibao standard of the class, else the unified one) (SPEC §4): a
    dibao raise without a new 特困 standard lifts 特困 to the floor from that month. Without an
    explicit standard it is the floor.
    """
    explicit = tekun_explicit(explicit_class=explicit_class, explicit_unified=explicit_unified)
    floor = tekun_floor(dibao_class=dibao_class, dibao_unified=dibao_unified, multiplier=multiplier)
    if explicit is None or floor is None:
        return floor if explicit is None else explicit
    return max(explicit, floor)


def tekun_explicit(*, explicit_class: Decimal | None, explicit_unified: Decimal | None) -> Decimal | None:
    """The explicit 特困 standard that applies to a class: its own, else the unified one."""
    explicit = explicit_class if explicit_class is not None else explicit_unified
    return None if explicit is None else money(explicit)


def tekun_floor(*, dibao_class: Decimal | None, dibao_unified: Decimal | None, multiplier: Decimal) -> Decimal | None:
    """ceil(multiplier × dibao standard of the class, else the unified one); None without a dibao standard."""
    dibao = dibao_class if dibao_class is not None else dibao_unified
    return None if dibao is None else tekun_basic_derived(dibao, multiplier)


def classified_addon(standard: Decimal, share: Decimal) -> Decimal:
    """分类施保: the add-on one qualifying member receives, rounded to the cent on its own."""
    return money(Decimal(share) * Decimal(standard))


def dibao_amount(*, standard: Decimal, per_capita_income: Decimal, covered_members: int, addon_members: int,
                 classified_share: Decimal) -> Decimal:
    """max(0, S − income) × covered + round(share × S, 2) × add-on members."""
    gap = max(ZERO, money(standard) - money(per_capita_income))
    return money(gap * covered_members + classified_addon(standard, classified_share) * addon_members)


def per_capita(total_monthly_income: Decimal, members: int) -> Decimal:
    if members <= 0:
        raise ValueError("a household has at least one member")
    return money(Decimal(total_monthly_income) / members)


# --------------------------------------------------------------------------- classification


class Classification:
    DIBAO = "dibao"
    DIBAO_MARGINAL = "dibao_marginal"
    HARDSHIP_EXPENSE = "hardship_expense"
    NOT_ELIGIBLE = "not_eligible"


@dataclass(frozen=True)
class ClassificationResult:
    kind: str
    reason: str  # English, for the record; the UI shows the translated kind


def classify_household(*, per_capita_income: Decimal, standard: Decimal, marginal_multiple: Decimal,
                       assets_passed: bool, members: int, rigid_expenses_12_months: Decimal = ZERO
                       ) -> ClassificationResult:
    """低保 / 低保边缘 / 支出型 / not eligible, from the household's investigated facts.

    支出型 (Guangdong and the 2021 national guidance): a household that is neither dibao nor 低保边缘
    qualifies when its per-capita income, after the rigid expenses (medical, education, ...) of the
    last 12 months spread over 12 months, falls below the 低保边缘 limit.
    """
    income = money(per_capita_income)
    standard = money(standard)
    limit = money(Decimal(marginal_multiple) * standard)
    if not assets_passed:
        return ClassificationResult(Classification.NOT_ELIGIBLE, "the assets test was not passed")
    if income < standard:
        return ClassificationResult(Classification.DIBAO, f"per-capita income {income} < standard {standard}")
    if income < limit:
        return ClassificationResult(
            Classification.DIBAO_MARGINAL,
            f"per-capita income {income} ≥ standard {standard} and < {marginal_multiple} × standard = {limit}",
        )
    after_expenses = money(income - money(Decimal(rigid_expenses_12_months) / 12) / members) if members else income
    if rigid_expenses_12_months and after_expenses < limit:
        return ClassificationResult(
            Classification.HARDSHIP_EXPENSE,
            f"per-capita income {income} is {after_expenses} after rigid expenses, < {limit}",
        )
    return ClassificationResult(
        Classification.NOT_ELIGIBLE,
        f"per-capita income {income} is not below {marginal_multiple} × standard = {limit}"
        + (f" (after rigid expenses: {after_expenses})" if rigid_expenses_12_months else ""),
    )


# --------------------------------------------------------------------------- people facts

# SPEC §4 names "elderly" without an age; 60 is the statutory age of the elderly in China
# (老年人权益保障法 art. 2) and the age Guangdong's 分类施保 rules use.
ELDERLY_AGE = 60
ADULT_AGE = 18


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class MemberFacts:
    birth_date: datetime.date
    is_student: bool = False
    seriously_ill: bool = False
    severely_disabled: bool = False  # a certificate of level 1–2 valid on the day


def addon_reasons(member: MemberFacts, *, on: datetime.date, single_parent: bool) -> list[str]:
    """Why a covered member earns the 分类施保 add-on (empty: no add-on)."""
    age = age_on(member.birth_date, on)
    reasons = []
    if age >= ELDERLY_AGE:
        reasons.append("elderly")
    if age < ADULT_AGE:
        reasons.append("minor")
    if member.is_student:
        reasons.append("student")
    if single_parent:
        reasons.append("single_parent")
    if member.severely_disabled:
        reasons.append("severely_disabled")
    if member.seriously_ill:
        reasons.append("seriously_ill")
    return reasons


def addon_count(members: Iterable[MemberFacts], *, on: datetime.date, single_parent: bool) -> int:
    """Members with at least one add-on reason; a member counts once however many reasons apply."""
    return sum(1 for m in members if addon_reasons(m, on=on, single_parent=single_parent))


def household_is_stable(members: Iterable[MemberFacts], *, on: datetime.date) -> bool:
    """Stable (reviewed yearly): every member is elderly, a minor, severely disabled or seriously ill."""
    members = list(members)
    if not members:
        return False
    for m in members:
        age = age_on(m.birth_date, on)
        if not (age >= ELDERLY_AGE or age < ADULT_AGE or m.severely_disabled or m.seriously_ill):
            return False
    return True


# --------------------------------------------------------------------------- 特困 care level

ADL_TESTS = ("eating", "dressing", "bed_transfer", "toilet", "walking_indoors", "bathing")


def care_level(failed_tests: int) -> str:
    """Six daily-living tests: all passed 全自理, 1–3 failed 半失能, 4 or more 全失能."""
    if not 0 <= failed_tests <= len(ADL_TESTS):
        raise ValueError(f"failed tests must be 0..{len(ADL_TESTS)}, not {failed_tests}")
    if failed_tests == 0:
        return "self_care"
    if failed_tests <= 3:
        return "partial"
    return "full"


# --------------------------------------------------------------------------- reviews and caps


def review_due(*, last: datetime.date, months: int) -> datetime.date:
    return add_months_to_date(last, months)


def phaseout_end(*, decided_on: datetime.date, months: int) -> datetime.date:
    """The last period paid in a 渐退期: `months` more periods after the month of the decision.

    Reviewed in March with 6 months: April to September are paid unchanged, September is the last.
    With 0 months the decision's own month is the last.
    """
    return add_months(first_of_month(decided_on), months)


def temporary_cap(*, dibao_standard: Decimal, multiple: Decimal) -> Decimal:
    return money(Decimal(multiple) * Decimal(dibao_standard))


# --------------------------------------------------------------------------- one entitlement, one period


# Statuses whose months up to the last period stay payable: a stop or an end takes effect *after*
# end_period, so an unpaid month up to it (a regular run, arrears) is still owed. Suspended pays nothing.
PAYING_STATUSES = ("active", "stopped", "ended")


def pays_in(*, status: str, start_period: datetime.date, end_period: datetime.date | None,
            period: datetime.date) -> bool:
    """Paid for P iff start ≤ P ≤ end: active (no end = open-ended), or stopped/ended with a last period.

    A stop before the first period leaves end = the month before the start: no month pays.
    """
    period = first_of_month(period)
    if status not in PAYING_STATUSES or start_period > period:
        return False
    if end_period is None:
        return status == "active"
    return period <= end_period


def entitlement_amount(*, programme: str, payment: str, standard: Decimal | None,
                       per_capita_income: Decimal | None = None, covered_members: int | None = None,
                       addon_members: int = 0, classified_share: Decimal = ZERO) -> Decimal:
    """The monthly amount of a paying entitlement, given the standard in force for it in the period.

    `standard` is the monthly value already chosen for the programme (dibao: of its variant; tekun:
    the basic standard with derivation; tekun_care: of its care level; the rest: of the variant).
    No standard in force, or a programme that pays nothing, gives 0.00.
    """
    if payment == "none" or standard is None:
        return ZERO
    if programme == "dibao":
        return dibao_amount(standard=standard, per_capita_income=per_capita_income or ZERO,
                            covered_members=covered_members or 0, addon_members=addon_members or 0,
                            classified_share=classified_share)
    return money(standard)
