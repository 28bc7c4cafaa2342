"""What benefits sends the province (settings.ROLLUP_CONTRIBUTORS): standards in force and keyed hashes.

Numbers and codes only. The hashes are HMAC-SHA256 under settings.PROVINCE_HASH_KEY (not the
Django secret, not PII_HASH_KEY) of the ID numbers of the persons with an open dibao, 特困 or orphan
entitlement: the province matches them across bureaus without ever holding a number.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.conf import settings

from . import rules
from .models import Entitlement, ProgrammeCode, Standard
from .selectors import entitlement_active_q

# 一人多保: the programmes a person must not draw in two bureaus at once.
DUPLICATE_PROGRAMMES = (ProgrammeCode.DIBAO, ProgrammeCode.TEKUN, ProgrammeCode.ORPHAN)


def province_hash(id_number: str) -> str:
    return hmac.new(settings.PROVINCE_HASH_KEY.encode(), id_number.upper().encode(), hashlib.sha256).hexdigest()


def active_persons(*, today: datetime.date) -> list[tuple[int, str, str]]:
    """(person id, ID number, programme) of everyone on a duplicate-watched programme this month.

    A dibao entitlement belongs to the household: each current member counts. Stays inside the bureau;
    the province gets only `rollup()`'s hashes.
    """
    period = rules.first_of_month(today)
    active = Entitlement.objects.filter(entitlement_active_q(period), programme_id__in=DUPLICATE_PROGRAMMES)
    personal = active.filter(person__isnull=False).values_list("person_id", "person__id_number", "programme_id")
    by_household = active.filter(person__isnull=True, household__isnull=False).values_list(
        "household__members__person_id", "household__members__person__id_number", "programme_id"
    )
    return sorted({row for row in [*personal, *by_household] if row[0] is not None})


def published_hashes(*, today: datetime.date) -> set[tuple[str, str]]:
    """(keyed hash, programme) of everyone on a duplicate-watched programme this month, as `active_persons`
    finds them, read as two plain queries and hashed as province_hash does (a million-entitlement
    bureau publishes about 450,000). A person without an ID number cannot be matched and is left out."""
    period = rules.first_of_month(today)
    active = Entitlement.objects.filter(entitlement_active_q(period), programme_id__in=DUPLICATE_PROGRAMMES)
    personal = active.filter(person__isnull=False).values_list("person__id_number", "programme_id")
    by_household = active.filter(person__isnull=True, household__isnull=False).values_list(
        "household__members__person__id_number", "programme_id"
    )
    key = settings.PROVINCE_HASH_KEY.encode()
    # hmac.digest: OpenSSL's one-shot HMAC, a third of copying a keyed HMAC object per number.
    digest = hmac.digest
    out = set()
    for rows in (personal, by_household):
        for number, programme in rows.iterator(chunk_size=20_000):
            if number:
                out.add((digest(key, number.upper().encode(), "sha256").hex(), programme))
    return out


def rollup(*, today: datetime.date) -> dict:
    period = rules.first_of_month(today)
    in_force = (
        Standard.objects.filter(effective_from__lte=period)
        .order_by("programme_id", "variant", "-effective_from")
        .distinct("programme_id", "variant")
        .values_list("programme_id", "variant", "amount", "unit", "effective_from")
    )
    standards = [
        {
            "programme": programme,
            "variant": variant,
            "monthly_amount": rules.monthly_value(amount, unit),
            "effective_from": effective_from,
        }
        for programme, variant, amount, unit, effective_from in in_force
    ]
    return {"standards": standards, "hashes": published_hashes(today=today)}
