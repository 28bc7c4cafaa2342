"""Bootstrap loader: each bureau's burial defaults (seeds/burial_defaults.yaml), created when missing;
what a bureau has changed since is left alone."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings

from apps.people.models import Town

from .models import Cemetery, EcoBurialRate, FeeItem, WaiverPolicy


def defaults_for(schema: str) -> dict:
    path = Path(settings.BASE_DIR) / "seeds" / "burial_defaults.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(schema) or {}


def _day(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def load_defaults(*, seed) -> list[str]:
    data = defaults_for(seed.schema)
    lines = []
    waiver = data.get("waiver")
    if waiver:
        start = _day(waiver["effective_from"])
        _, created = WaiverPolicy.objects.get_or_create(
            effective_from=start,
            defaults={
                "cap": Decimal(waiver["cap"]),
                "eligible": waiver["eligible"],
                "source": waiver.get("source", "")[:300],
            },
        )
        lines.append(f"{'+' if created else '='} fee waiver policy {start}")
        for item in data.get("items", []):
            _, created = FeeItem.objects.get_or_create(
                code=item["code"],
                effective_from=start,
                defaults={
                    "name": item["name"],
                    "unit_price": Decimal(item["unit_price"]),
                    "per_day": item.get("per_day", False),
                    "max_units": item.get("max_units", 1),
                    "source": ("assumed for the demo" if item.get("assumed") else waiver.get("source", ""))[:300],
                },
            )
            lines.append(f"{'+' if created else '='} fee item {item['code']}")
    for rate in data.get("eco_rates", []):
        _, created = EcoBurialRate.objects.get_or_create(
            mode=rate["mode"],
            effective_from=_day(data["eco_effective_from"]),
            defaults={
                "amount": Decimal(rate["amount"]),
                "source": "assumed for the demo" if rate.get("assumed") else "",
            },
        )
        lines.append(f"{'+' if created else '='} eco-burial rate {rate['mode']}")
    town = Town.objects.order_by("id").first()
    for row in data.get("cemeteries", []):
        _, created = Cemetery.objects.get_or_create(
            name=row["name"],
            defaults={
                "kind": row["kind"],
                "capacity": row["capacity"],
                "town": town,
                "price_cap": Decimal(row["price_cap"]) if row.get("price_cap") else None,
            },
        )
        lines.append(f"{'+' if created else '='} cemetery {row['name']}")
    return lines
