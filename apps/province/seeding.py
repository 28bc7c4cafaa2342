"""Loading seeds/province.yaml: reference standards of cities that are not bureaus here (found ones only)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from .models import ReferenceStandard

PROVINCE_SEED = Path(settings.BASE_DIR) / "seeds" / "province.yaml"


@transaction.atomic
def reference_standards_load(*, path: Path = PROVINCE_SEED) -> list[str]:
    """Create the found cities' rows (idempotent); list the cities whose figure is not known."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lines = []
    effective_from = datetime.date(int(data["reference_year"]), 1, 1)  # a year without a date: January 1st
    for city in data["cities"]:
        if not city.get("found"):
            lines.append(f"- {city['name_zh']}: no {data['reference_year']} figure found (not ranked)")
            continue
        if not city.get("source") or city.get("amount") is None:
            raise ValueError(f"{path.name}: {city['name_zh']} is marked found without an amount and a source")
        _row, created = ReferenceStandard.objects.get_or_create(
            area_code=city["area_code"],
            programme=data["programme"],
            effective_from=effective_from,
            defaults={
                "name_zh": city["name_zh"],
                "province": data["province"],
                "region_class": city.get("region_class"),
                "monthly_amount": Decimal(str(city["amount"])),
                "source": str(city["source"])[:300],
            },
        )
        lines.append(f"{'+ created' if created else '= unchanged'} {city['name_zh']} {city['amount']}")
    return lines
