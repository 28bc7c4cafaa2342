"""居民身份证号: validation, the facts it carries, keyed hashes, and synthetic numbers.

python-stdnum's `cn.ric` is the base, with two corrections: it accepts birth dates in the future,
and it refuses an area code for anyone born before the code came into use (442000 dates from
1988), although a card carries the code of the place that issued it, so an 80-year-old in 中山
holds 442000. Here an area code is valid if the code table has ever known it.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric


@dataclass(frozen=True)
class IdFacts:
    number: str
    birth_date: datetime.date
    gender: str  # "M" or "F"
    area_code: str


@lru_cache(maxsize=4096)
def area_code_known(code: str) -> bool:
    from stdnum import numdb

    parts = numdb.get("cn/loc").info(code)
    return "".join(part for part, _ in parts) == code and bool(parts[-1][1])


def parse_id_number(value: str, *, today: datetime.date | None = None) -> IdFacts:
    """Validate an 18-character ID number and return what it says; ValidationError names the fault."""
    number = (value or "").strip().upper()
    if len(number) == 15 and number.isdigit():
        raise ValidationError(
            _("%(number)s is a 15-digit first-generation ID number; enter the 18-character number."),
            code="legacy_id", params={"number": number},
        )
    if len(number) != 18:
        raise ValidationError(_("An ID number has 18 characters; %(number)s has %(n)d."),
                              code="id_length", params={"number": number, "n": len(number)})
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("An ID number is 17 digits and a check character (a digit or X)."),
                              code="id_format")
    if not area_code_known(number[:6]):
        raise ValidationError(_("%(code)s is not a known area code."), code="id_area", params={"code": number[:6]})
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("%(date)s is not a date of birth."), code="id_birth_date",
                              params={"date": number[6:14]}) from None
    if birth > (today or datetime.date.today()):
        raise ValidationError(_("The date of birth %(date)s is in the future."), code="id_birth_future",
                              params={"date": birth.isoformat()})
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise ValidationError(
            _("The check character of %(number)s should be %(expected)s."), code="id_checksum",
            params={"number": number, "expected": expected},
        )
    return IdFacts(number=number, birth_date=birth, gender="M" if int(number[16]) % 2 else "F",
                   area_code=number[:6])


def id_hash(number: str) -> str:
    """Keyed hash of an ID number: the province matches people across bureaus without the number."""
    return hmac.new(settings.PII_HASH_KEY.encode(), number.upper().encode(), hashlib.sha256).hexdigest()


def make_id_number(area_code: str, birth_date: datetime.date, sequence: int, gender: str) -> str:
    """A valid synthetic ID number; `sequence` 0-499 picks the order code, `gender` its parity."""
    order = (sequence % 500) * 2 + (1 if gender == "M" else 0)
    body = f"{area_code}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def mask_id_number(number: str) -> str:
    """`440***********123X`: enough for staff to tell people apart in a list."""
    if len(number) < 8:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"


def mask_account(account: str) -> str:
    if len(account) < 8:
        return "*" * len(account)
    return f"{account[:4]}{'*' * (len(account) - 8)}{account[-4:]}"
