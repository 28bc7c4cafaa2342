"""Bootstrap loader: each bureau's standards with their effective dates (seeds/<schema>.yaml).

Run again and again, the loader keeps the table true to the seeds without overriding the bureau: a
seed value that changed updates the row the seeds wrote (through the standards service, as an
administrator's edit would, so arrears follow), unless someone edited the row since the seeds last
wrote it; then the conflict is reported and the bureau's value stays. History records either way.
"""

from apps.core.permissions import SYSTEM
from tenants.seeds import Seed

from .models import Programme
from .services import standard_ensure, standard_update

SAME, UPDATE, CONFLICT = "same", "update", "conflict"


def seed_change(obj, fields: tuple[str, ...], seed_values: dict) -> str:
    """What a reload of the seeds does to `obj` (a model with simple_history): SAME, UPDATE or CONFLICT.

    The values the seeds last wrote are those of the latest history record made by no user (the
    bootstrap runs as SYSTEM); a record by a user after it is an edit by the bureau.
    """
    records = list(obj.history.order_by("history_date", "history_id"))
    last_seed = max((i for i, r in enumerate(records) if r.history_user_id is None), default=None)
    if last_seed is None:
        seeded = {}
        edited = True  # entered by the bureau, never by the seeds
    else:
        seeded = {name: getattr(records[last_seed], name) for name in fields}
        edited = any(r.history_user_id is not None for r in records[last_seed + 1 :])
    if all(seeded.get(name) == seed_values[name] for name in fields):
        return SAME
    return CONFLICT if edited else UPDATE


def load_standards(*, seed: Seed) -> list[str]:
    programmes = {p.code: p for p in Programme.objects.all()}
    lines = []
    for row in seed.data["standards"]:
        programme = programmes[row["programme"]]
        source = " ".join(
            part
            for part in [
                row["source"]["file"],
                row["source"]["phrase"],
                "(date assumed: 1 January)" if row.get("date_assumed") else "",
            ]
            if part
        )[:300]
        standard, created = standard_ensure(
            user=SYSTEM,
            programme=programme,
            variant=row["variant"],
            effective_from=row["effective_from"],
            amount=row["amount"],
            unit=row["unit"],
            source=source,
        )
        what = f"standard {row['programme']}/{row['variant']} {row['effective_from']}"
        if created:
            lines.append(f"+ {what}")
            continue
        change = seed_change(standard, ("amount", "unit"), {"amount": row["amount"], "unit": row["unit"]})
        if change == UPDATE:
            standard_update(user=SYSTEM, standard=standard, amount=row["amount"], unit=row["unit"], source=source)
            lines.append(f"+ {what}: updated to {row['amount']}/{row['unit']} from the seeds")
        elif change == CONFLICT and (standard.amount, standard.unit) != (row["amount"], row["unit"]):
            lines.append(
                f"! {what}: the seeds say {row['amount']}/{row['unit']}, the bureau "
                f"edited it to {standard.amount}/{standard.unit}; the bureau's value stays"
            )
        else:
            lines.append(f"= {what}")
    return lines
