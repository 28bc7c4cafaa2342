"""The bureau's side of duplicate alerts: a workbench panel naming its own person (settings.WORKBENCH_PANELS).

Runs in the bureau's schema. The province's alert carries only a keyed hash; the bureau finds which of
its own people it is by hashing the ID numbers of its active beneficiaries with the same key. The other
bureaus appear by name and programme, never with their person.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.benefits.rollups import active_persons, province_hash
from apps.core.permissions import may
from apps.core.registries import Panel, PanelItem
from apps.people.models import Person

from .selectors import duplicates_for_bureau

RESOLVE_PERMISSION = "benefits.change_entitlement"


# Finding a hash's person means hashing every active beneficiary: done once per set of open alerts and
# day, not on every workbench page (the cache is per bureau: django_tenants.cache.make_key).
PERSONS_CACHE_SECONDS = 600


def _persons_of(wanted: frozenset[str], *, today) -> dict[str, int]:
    digest_of_set = hashlib.sha256("".join(sorted(wanted)).encode()).hexdigest()

    def find() -> dict[str, int]:
        found = {}
        for person_id, number, _programme in active_persons(today=today):
            digest = province_hash(number)
            if digest in wanted:
                found[digest] = person_id
        return found

    key = f"province:alert-persons:{today}:{digest_of_set}"
    persons = cache.get_or_set(key, find, PERSONS_CACHE_SECONDS)
    if len(persons) != Person.objects.filter(pk__in=persons.values()).count():
        # A cached person was removed or replaced since (a correction, a re-import): look again.
        persons = find()
        cache.set(key, persons, PERSONS_CACHE_SECONDS)
    return persons


def own_alerts(*, schema_name: str, today) -> list[dict]:
    """The open alerts this bureau has not resolved, each with the bureau's own person."""
    alerts = [
        a
        for a in duplicates_for_bureau(schema_name=schema_name)
        if not any(p["bureau"] == schema_name and p["resolved"] for p in a.parties)
    ]
    if not alerts:
        return []
    persons = _persons_of(frozenset(a.person_hash for a in alerts), today=today)
    names = dict(Person.objects.filter(pk__in=persons.values()).values_list("pk", "name"))
    out = []
    for alert in alerts:
        mine = next(p for p in alert.parties if p["bureau"] == schema_name)
        others = [p for p in alert.parties if p["bureau"] != schema_name]
        person_id = persons.get(alert.person_hash)
        out.append(
            {
                "alert": alert,
                "person_id": person_id,
                "person_name": names.get(person_id, ""),
                "programmes": mine["programmes"],
                "others": others,
            }
        )
    return out


def duplicates_panel(*, request) -> Panel | None:
    if not may(request.user, RESOLVE_PERMISSION):
        return None
    rows = own_alerts(schema_name=connection.schema_name, today=timezone.localdate())
    if not rows:
        return None
    items = []
    for row in rows:
        elsewhere = "、".join(f"{p['name_zh']}({'/'.join(p['programmes'])})" for p in row["others"])
        items.append(
            PanelItem(
                label=_("%(name)s is also on benefits in %(elsewhere)s")
                % {"name": row["person_name"] or _("(person not found)"), "elsewhere": elsewhere},
                url=reverse("province-duplicate-resolve", args=[row["alert"].pk]),
                level="danger",
                note="/".join(row["programmes"]),
            )
        )
    return Panel(key="province.duplicates", title=_("Duplicate benefits (一人多保)"), items=items, order=5)
