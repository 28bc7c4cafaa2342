"""Bootstrap loader (settings.SEED_LOADERS): the figures each bureau's report quotes, one row per key
and year, kept true to the seeds as the standards are (apps.benefits.seeding.seed_change)."""

from __future__ import annotations

from decimal import Decimal

from apps.benefits.seeding import CONFLICT, UPDATE, seed_change
from tenants.seeds import Seed

from .models import ReportedFigure

# A changed reason for a gap is a change of the figure's meaning too: a reload brings it in.
COMPARED = ("value", "unit", "coverage", "compare_key", "gap_reason", "gap_reason_zh")


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _values(row: dict) -> dict:
    return {
        "value": Decimal(str(row["value"])).quantize(Decimal("0.0001")),
        "unit": row["unit"],
        "coverage": row.get("coverage", ReportedFigure.Coverage.YEAR),
        "compare_key": row.get("compare", row["key"]),
        "section": row["section"],
        "label": (row.get("label_zh") or "")[:100],
        "note": (row.get("note") or "")[:300],
        "gap_reason": (row.get("gap_reason") or "")[:400],
        "gap_reason_zh": (row.get("gap_reason_zh") or "")[:400],
        "source_file": row["source"]["file"][:100],
        "source_phrase": (row["source"].get("phrase") or "")[:100],
    }


def load_reported_figures(*, seed: Seed) -> list[str]:
    existing = {(f.key, f.period): f for f in ReportedFigure.objects.all()}
    lines = []
    for row in seed.data["statistics"]:
        key, period = row["key"], int(row["period"])
        values = _values(row)
        what = f"reported figure {key} {period}"
        figure = existing.get((key, period))
        if figure is None:
            ReportedFigure.objects.create(key=key, period=period, origin=ReportedFigure.Origin.SEED, **values)
            lines.append(f"+ {what}")
            continue
        change = seed_change(figure, COMPARED, values)
        if change == UPDATE:
            for name, value in values.items():
                setattr(figure, name, value)
            figure.save()
            lines.append(f"+ {what}: updated to {_plain(values['value'])} from the seeds")
        elif change == CONFLICT and any(getattr(figure, name) != values[name] for name in COMPARED):
            lines.append(
                f"! {what}: the seeds say {_plain(values['value'])} {values['unit']}, the bureau "
                f"edited it to {_plain(figure.value)} {figure.unit}; the bureau's value stays"
            )
        else:
            lines.append(f"= {what}")
    return lines
