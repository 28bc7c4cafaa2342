"""Writes to the bureau registry: creating the province and the bureaus from their seeds.

The whole bootstrap (logins, seed loaders, schedules) is apps.demo.bootstrap; this floor imports no app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import Bureau, Domain, ProvincialMinimum
from .permissions import PROVINCE_OVERSEER_GROUP
from .seeds import Seed

PUBLIC_NAME_ZH = "广东省民政厅"
PUBLIC_NAME_EN = "Guangdong Department of Civil Affairs"
SETTING_FIELDS = [
    "classified_share", "phaseout_months", "review_months_stable", "review_months_other",
    "review_months_marginal", "temporary_cap_multiple", "marginal_income_multiple", "annual_report_deadline",
]


def domain_suffix() -> str:
    return os.environ.get("BUREAU_DOMAIN_SUFFIX", "localhost")


@dataclass
class BootstrapReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)  # (site, role, username, password)
    # A seed value the bureau edited since the seeds wrote it: left as the bureau set it, reported.
    conflicts: list[str] = field(default_factory=list)

    def note(self, created: bool, what: str) -> None:
        (self.created if created else self.unchanged).append(what)


@transaction.atomic
def province_ensure(*, report: BootstrapReport) -> Bureau:
    public, created = Bureau.objects.get_or_create(
        schema_name="public",
        defaults={"kind": Bureau.Kind.PROVINCE, "name_zh": PUBLIC_NAME_ZH, "name_en": PUBLIC_NAME_EN,
                  "level": Bureau.Level.PROVINCE, "province": "广东省"},
    )
    report.note(created, "province (public schema)")
    _, created = Domain.objects.get_or_create(domain=domain_suffix(), defaults={"tenant": public, "is_primary": True})
    report.note(created, f"domain {domain_suffix()}")
    return public


def bureau_ensure(*, seed: Seed, report: BootstrapReport, schema_source: str | None = None) -> tuple[Bureau, bool]:
    """Create the bureau (and its schema) from its seed; an existing bureau is left as its admins set it.

    Its schema is migrated, or copied from `schema_source` (a migrated bureau schema holding no data
    yet). Returns the bureau and whether it was created.
    """
    data = seed.bureau
    bureau = Bureau.objects.filter(schema_name=data["schema"]).first()
    created = bureau is None
    if created:
        bureau = Bureau(
            schema_name=data["schema"], kind=Bureau.Kind.BUREAU, name_zh=data["name_zh"], name_en=data["name_en"],
            area_code=data["area_code"] or "", level=data["level"], province=data.get("province") or "",
            region_class=data.get("region_class"), report_year=data["report_year"],
            id_area_codes=data["id_area_codes"], tekun_multiplier=Decimal(data["tekun_multiplier"]),
            settings_notes=data.get("settings_notes", ""),
        )
        for name in SETTING_FIELDS:
            if name in data["settings"]:
                value = data["settings"][name]
                setattr(bureau, name, Decimal(value) if isinstance(value, str) and name != "annual_report_deadline" else value)
        bureau.full_clean(exclude=["schema_name"])
        if schema_source:
            bureau.schema_source = schema_source
        bureau.save(verbosity=0)  # creates the schema (auto_create_schema)
    report.note(created, f"bureau {bureau.schema_name}")
    host = f"{bureau.schema_name}.{domain_suffix()}"
    _, domain_created = Domain.objects.get_or_create(domain=host, defaults={"tenant": bureau, "is_primary": True})
    report.note(domain_created, f"domain {host}")
    minimum = seed.data.get("provincial_minimum")
    if minimum and bureau.province:
        _, minimum_created = ProvincialMinimum.objects.get_or_create(
            province=bureau.province, region_class=minimum["region_class"], programme=minimum["programme"],
            effective_from=_first_standard_date(seed, minimum["programme"]),
            defaults={"amount": Decimal(minimum["amount"]), "source": _source_text(minimum)},
        )
        report.note(minimum_created, f"provincial minimum {bureau.province} class {minimum['region_class']}")
    return bureau, created


def _first_standard_date(seed: Seed, programme: str):
    dates = [s["effective_from"] for s in seed.data["standards"] if s["programme"] == programme]
    return max(dates)


def _source_text(item: dict) -> str:
    source = item.get("source") or {}
    derived = item.get("derived", "")
    return " ".join(p for p in [source.get("file", ""), source.get("phrase", ""), derived] if p)[:300]


def province_overseer_group_ensure() -> Group:
    group, _ = Group.objects.get_or_create(name=PROVINCE_OVERSEER_GROUP)
    view = Permission.objects.filter(
        content_type__app_label="tenants", codename__startswith="view_"
    )
    group.permissions.add(*view)
    return group
