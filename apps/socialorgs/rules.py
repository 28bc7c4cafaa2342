"""Pure rules of the social-organisation registry: credit codes, deadlines, rating validity, rates.

No ORM, no I/O. The nightly step applies the deadline and period rules set-based in SQL
(apps.socialorgs.listing); the functions here state them once, for the services and the tests.

统一社会信用代码 (GB 32100-2015), 18 characters:
    position 1     registration authority: 5 = civil affairs (民政)
    position 2     the organisation's type: 1 社会团体, 2 民办非企业单位 (社会服务机构), 3 基金会, 9 其他
    positions 3-8  the area code (GB/T 2260) of the registering bureau
    positions 9-17 the organisation code
    position 18    the check character (python-stdnum `cn.uscc` checks this, and only this)
Each part is checked on its own and a failure names the part.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import uscc

CIVIL_AFFAIRS_AUTHORITY = "5"
# Type digit (position 2) of each organisation type of apps.socialorgs.models.OrgType.
TYPE_DIGITS = {"social_group": "1", "service_institution": "2", "foundation": "3", "other": "9"}
RATING_VALID_YEARS = 5
THREE_A = 3
# GB 32100: digits and capital letters but I, O, S, V, Z.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def area_code_known(code: str) -> bool:
    """Whether GB/T 2260 (python-stdnum's table) has ever known the six-digit code."""
    parts = numdb.get("cn/loc").info(code)
    return "".join(part for part, _info in parts) == code and bool(parts[-1][1])


def bureau_area_prefix(area_code: str) -> str:
    """The prefix of the codes a bureau's registry issues under: a city (4401 00) its districts too
    (440103 …), a county or district (441521) its own code only."""
    if not area_code:
        return ""
    if area_code.endswith("0000"):
        return area_code[:2]
    if area_code.endswith("00"):
        return area_code[:4]
    return area_code


def parse_credit_code(value: str, *, org_type: str | None, bureau_area_code: str) -> str:
    """The credit code, normalised (upper case, no blanks), or ValidationError naming the wrong part.

    `org_type` None skips the type check (the type is not known yet); `bureau_area_code` "" (a bureau
    without a GB/T 2260 code) accepts any known area code.
    """
    code = uscc.compact(value or "")
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; %(code)s has %(n)d.") % {"code": code, "n": len(code)},
            code="uscc_length",
        )
    if not code[:8].isdigit():
        raise ValidationError(
            _("Positions 1-8 of a unified social credit code are digits; %(part)s is not.") % {"part": code[:8]},
            code="uscc_format",
        )
    bad = [c for c in code[8:] if c not in ALPHABET]
    if bad:
        raise ValidationError(
            _(
                "%(chars)s cannot appear in a unified social credit code "
                "(positions 9-18 use digits and capital letters other than I, O, S, V, Z)."
            )
            % {"chars": "".join(bad)},
            code="uscc_format",
        )
    expected = uscc.calc_check_digit(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character (position 18) of %(code)s is wrong: it should be %(expected)s.")
            % {"code": code, "expected": expected},
            code="uscc_check",
        )
    if code[0] != CIVIL_AFFAIRS_AUTHORITY:
        raise ValidationError(
            _(
                "The registration authority code (position 1) is %(digit)s; a social organisation "
                "registered by civil affairs has 5."
            )
            % {"digit": code[0]},
            code="uscc_authority",
        )
    if org_type is not None:
        wanted = TYPE_DIGITS.get(org_type)
        if code[1] != wanted:
            raise ValidationError(
                _(
                    "The type code (position 2) is %(digit)s; this type of organisation has %(wanted)s "
                    "(1 社会团体, 2 民办非企业单位, 3 基金会, 9 其他)."
                )
                % {"digit": code[1], "wanted": wanted},
                code="uscc_type",
            )
    elif code[1] not in TYPE_DIGITS.values():
        raise ValidationError(
            _("The type code (position 2) is %(digit)s; it is 1, 2, 3 or 9.") % {"digit": code[1]}, code="uscc_type"
        )
    area = code[2:8]
    prefix = bureau_area_prefix(bureau_area_code)
    if not area_code_known(area) or not area.startswith(prefix):
        raise ValidationError(
            _("The area code (positions 3-8) is %(area)s; this bureau registers organisations under %(bureau)s.")
            % {"area": area, "bureau": (prefix.ljust(6, "x") if prefix else _("a known area code"))},
            code="uscc_area",
        )
    return code


def make_credit_code(*, org_type: str, area_code: str, organisation_code: str) -> str:
    """A valid code from its parts (synthetic data, tests): 5, the type digit, the area, the code, the check."""
    body = CIVIL_AFFAIRS_AUTHORITY + TYPE_DIGITS[org_type] + area_code + organisation_code
    if len(body) != 17:
        raise ValueError(f"{body!r}: the parts make {len(body)} characters, not 17")
    return body + uscc.calc_check_digit(body)


def report_deadline(year: int, deadline_mm_dd: str) -> datetime.date:
    """The last day to submit the annual report on `year`: the bureau's MM-DD of the next year."""
    month, day = (int(part) for part in deadline_mm_dd.split("-"))
    return datetime.date(year + 1, month, day)


def last_year_due(today: datetime.date, deadline_mm_dd: str) -> int:
    """The latest report year whose deadline has passed on `today` (2024-06-01, 05-31 → 2023)."""
    year = today.year - 1
    return year if report_deadline(year, deadline_mm_dd) < today else year - 1


def report_required(
    *, established_on: datetime.date, closed_on: datetime.date | None, year: int, deadline_mm_dd: str
) -> bool:
    """An organisation reports on a year when it was registered before the year began and still
    existed on the deadline (one registered during the year starts with the next year's report)."""
    if established_on >= datetime.date(year, 1, 1):
        return False
    return closed_on is None or closed_on > report_deadline(year, deadline_mm_dd)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """29 February moves to 28 February in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - day 28 exists in every month


def rating_valid_until(rated_on: datetime.date) -> datetime.date:
    """The first day a rating no longer holds: five years after it was given (2019-03-01 → 2024-03-01)."""
    return add_years(rated_on, RATING_VALID_YEARS)


def rating_valid_on(*, rated_on: datetime.date, day: datetime.date) -> bool:
    return rated_on <= day < rating_valid_until(rated_on)


def dishonesty_due_on(listed_on: datetime.date, period_months: int) -> datetime.date:
    """The day an organisation still on the abnormal list moves to the dishonesty list."""
    return add_months(listed_on, period_months)


def rate_percent(part: int, whole: int) -> Decimal | None:
    """part / whole in percent, two places, half up (17 of 19 → 89.47); None when nothing is required."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
