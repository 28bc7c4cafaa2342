"""Pure rules of the pensions programmes: age brackets, dates, shares. No ORM, no I/O.

The eligibility engine applies the same rules set-based in SQL (apps.pensions.engine); the
functions here parse and check what the SQL is given, and state the date rules in one place:

- "from the month after": a benefit earned by a dated fact (a birthday that reaches a bracket, a
  certificate's first day, a child-welfare record's date) is paid from the month after that date
  (born 1944-11-30, 80 on 2024-11-30 → first period 2024-12; 100 on 2024-12-01 → 2025-01);
- "to the end of the month": a benefit lost by a dated fact (death, the 18th birthday, a
  certificate's last day) is paid for the month of that date and stops from the next
  (dies 2025-03-10 → last period 2025-03; 18 on 2024-05-20 → last period 2024-05).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Periods come from the benefits kernel, so every app counts months the same way.
from apps.benefits.rules import add_months, first_of_month  # noqa: F401 - re-exported to this app

# 经济困难高龄老年人服务补贴 and the nursing subsidy's level limit are national rules, not bureau settings.
ELDERLY_SERVICE_AGE = 80
SEVERE_LEVEL_MAX = 2
ADULT_AGE = 18

_BRACKET = re.compile(r"^(\d{1,3})-(\d{1,3})$")
_OPEN_BRACKET = re.compile(r"^(\d{1,3})\+$")
_GRANT = re.compile(r"^grant:(?P<bracket>[^:]+):(?P<month>\d{1,2})$")


@dataclass(frozen=True, order=True)
class Bracket:
    lo: int
    hi: int | None  # None: open-ended ("100+")
    variant: str

    def contains(self, age: int) -> bool:
        return age >= self.lo and (self.hi is None or age <= self.hi)

    def label(self) -> str:
        return self.variant


@dataclass(frozen=True)
class AnnualGrant:
    """A once-a-year grant to everyone in a bracket, paid for the given month (广州: 100+, October)."""

    variant: str
    bracket: Bracket
    month: int


def parse_bracket(variant: str) -> Bracket:
    """"80-89" → ages 80 to 89; "100+" → 100 and over. ValidationError says what is wrong."""
    text = (variant or "").strip()
    if match := _BRACKET.match(text):
        lo, hi = int(match.group(1)), int(match.group(2))
        if hi < lo:
            raise ValidationError(
                _("The bracket %(variant)s ends before it starts."), code="bracket_reversed",
                params={"variant": text})
        return Bracket(lo=lo, hi=hi, variant=text)
    if match := _OPEN_BRACKET.match(text):
        return Bracket(lo=int(match.group(1)), hi=None, variant=text)
    raise ValidationError(
        _("%(variant)s is not an age bracket: write it as 80-89 or 100+."), code="bracket_format",
        params={"variant": text})


def is_grant_variant(variant: str) -> bool:
    return variant.startswith("grant:")


def parse_grant(variant: str) -> AnnualGrant:
    """"grant:100+:10" → a grant each October to everyone aged 100 or over."""
    match = _GRANT.match((variant or "").strip())
    if not match:
        raise ValidationError(
            _("%(variant)s is not an annual grant: write it as grant:100+:10 (bracket, month)."),
            code="grant_format", params={"variant": variant})
    month = int(match.group("month"))
    if not 1 <= month <= 12:
        raise ValidationError(_("%(variant)s names month %(month)d; a month is 1 to 12."), code="grant_month",
                              params={"variant": variant, "month": month})
    return AnnualGrant(variant=variant, bracket=parse_bracket(match.group("bracket")), month=month)


def check_brackets(variants) -> list[Bracket]:
    """The bracket table of a bureau, sorted; refused when brackets overlap, leave a gap or do not
    end in an open bracket. Grant variants are checked for their own format and skipped."""
    brackets: list[Bracket] = []
    errors: list[ValidationError] = []
    for variant in sorted(set(variants)):
        try:
            if is_grant_variant(variant):
                parse_grant(variant)
            else:
                brackets.append(parse_bracket(variant))
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError(errors)
    brackets.sort()
    for before, after in zip(brackets, brackets[1:], strict=False):
        if before.hi is None:
            errors.append(ValidationError(
                _("The brackets %(a)s and %(b)s overlap: %(a)s already covers every age from %(lo)d."),
                code="bracket_overlap", params={"a": before.variant, "b": after.variant, "lo": before.lo}))
        elif after.lo <= before.hi:
            errors.append(ValidationError(
                _("The brackets %(a)s and %(b)s overlap at ages %(lo)d-%(hi)d."), code="bracket_overlap",
                params={"a": before.variant, "b": after.variant, "lo": after.lo,
                        "hi": before.hi if after.hi is None else min(before.hi, after.hi)}))
        elif after.lo > before.hi + 1:
            errors.append(ValidationError(
                _("No bracket covers ages %(lo)d-%(hi)d (between %(a)s and %(b)s)."), code="bracket_gap",
                params={"a": before.variant, "b": after.variant, "lo": before.hi + 1, "hi": after.lo - 1}))
    if brackets and brackets[-1].hi is not None:
        errors.append(ValidationError(
            _("The last bracket %(variant)s must be open-ended (e.g. %(lo)d+), or people over %(hi)d get nothing."),
            code="bracket_not_open", params={"variant": brackets[-1].variant, "lo": brackets[-1].hi + 1,
                                             "hi": brackets[-1].hi}))
    if errors:
        raise ValidationError(errors)
    return brackets


# --------------------------------------------------------------------------- dates


def month_after(day: datetime.date) -> datetime.date:
    """The first period paid for a fact dated `day`."""
    return add_months(first_of_month(day), 1)


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The anniversary; 29 February falls on 28 February in other years (as PostgreSQL counts)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def years_before(day: datetime.date, years: int) -> datetime.date:
    return years_after(day, -years)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def last_period_before_adulthood(birth_date: datetime.date) -> datetime.date:
    """Born 2006-05-20 → 18 on 2024-05-20 → the last period paid is 2024-05."""
    return first_of_month(years_after(birth_date, ADULT_AGE))


def share_percent(part: int, whole: int) -> Decimal | None:
    """2934 of 3880 → 75.62 (percent, two places, half up)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def split_evenly(total: int, parts: int) -> list[int]:
    """3880 beds over 34 institutions → 4 × 115 + 30 × 114: deterministic, summing to the total."""
    if parts <= 0:
        return []
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]
