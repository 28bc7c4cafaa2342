"""Writes to the bureau registry: creating the province and the bureaus from their seeds."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context, tenant_context

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


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD", "civaffairs-demo")


@dataclass
class BootstrapReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)  # (site, role, username, password)

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


def bureau_ensure(*, seed: Seed, report: BootstrapReport) -> Bureau:
    """Create the bureau (and its schema) from its seed; an existing bureau is left as its admins set it."""
    data = seed.bureau
    bureau = Bureau.objects.filter(schema_name=data["schema"]).first()
    if bureau is None:
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
        bureau.save(verbosity=0)  # creates and migrates the schema (auto_create_schema)
        report.note(True, f"bureau {bureau.schema_name}")
    else:
        report.note(False, f"bureau {bureau.schema_name}")
    host = f"{bureau.schema_name}.{domain_suffix()}"
    _, created = Domain.objects.get_or_create(domain=host, defaults={"tenant": bureau, "is_primary": True})
    report.note(created, f"domain {host}")
    minimum = seed.data.get("provincial_minimum")
    if minimum and bureau.province:
        _, created = ProvincialMinimum.objects.get_or_create(
            province=bureau.province, region_class=minimum["region_class"], programme=minimum["programme"],
            effective_from=_first_standard_date(seed, minimum["programme"]),
            defaults={"amount": Decimal(minimum["amount"]), "source": _source_text(minimum)},
        )
        report.note(created, f"provincial minimum {bureau.province} class {minimum['region_class']}")
    return bureau


def _first_standard_date(seed: Seed, programme: str):
    dates = [s["effective_from"] for s in seed.data["standards"] if s["programme"] == programme]
    return max(dates)


def _source_text(item: dict) -> str:
    source = item.get("source") or {}
    derived = item.get("derived", "")
    return " ".join(p for p in [source.get("file", ""), source.get("phrase", ""), derived] if p)[:300]


def user_ensure(*, username: str, report: BootstrapReport, site: str, role: str, superuser: bool = False,
                staff: bool = True, groups: tuple[str, ...] = ()):
    """Create a demo login in the current schema; an existing one keeps the password it has."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": staff, "is_superuser": superuser}
    )
    if created:
        user.set_password(demo_password())
        user.save(update_fields=["password"])
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    report.note(created, f"user {username}")
    report.logins.append((site, role, username, demo_password()))
    return user


def bureau_users_ensure(*, bureau: Bureau, report: BootstrapReport) -> None:
    """One demo login per role of SPEC §1; two caseworkers in two towns, to show town scoping."""
    from apps.core.roles import ROLE_LABELS, Role, roles_ensure
    from apps.people.models import StaffProfile, Town

    roles_ensure()
    site = f"http://{bureau.schema_name}.{domain_suffix()}:8000/admin/"
    towns = list(Town.objects.order_by("id")[:2])
    # Usernames carry the bureau so a login that works in one bureau is visibly not another's.
    user_ensure(username=f"{bureau.schema_name}-admin", superuser=True, groups=(Role.BUREAU_ADMIN,),
                report=report, site=site, role=ROLE_LABELS[Role.BUREAU_ADMIN])
    for i, town in enumerate(towns, start=1):
        user = user_ensure(username=f"{bureau.schema_name}-caseworker{i}", groups=(Role.CASEWORKER,),
                           report=report, site=site, role=f"{ROLE_LABELS[Role.CASEWORKER]} ({town.name})")
        StaffProfile.objects.get_or_create(user=user, defaults={"town": town})
    for role in (Role.REVIEWER, Role.APPROVER, Role.FINANCE, Role.AUDITOR):
        user_ensure(username=f"{bureau.schema_name}-{role.replace('_', '-')}", groups=(role,),
                    report=report, site=site, role=ROLE_LABELS[role])


def province_overseer_group_ensure() -> Group:
    group, _ = Group.objects.get_or_create(name=PROVINCE_OVERSEER_GROUP)
    view = Permission.objects.filter(
        content_type__app_label="tenants", codename__startswith="view_"
    )
    group.permissions.add(*view)
    return group


def run_seed_loaders(*, seed: Seed, report: BootstrapReport) -> None:
    """Per-bureau loaders that later apps register in settings.SEED_LOADERS (towns, standards, ...)."""
    for path in getattr(settings, "SEED_LOADERS", []):
        loader = import_string(path)
        with transaction.atomic():
            for line in loader(seed=seed) or []:
                report.note(line.startswith("+"), f"{seed.schema}: {line.lstrip('+= ')}")


def bootstrap(*, seeds: list[Seed]) -> BootstrapReport:
    report = BootstrapReport()
    with schema_context("public"):
        province_ensure(report=report)
        province_overseer_group_ensure()
        from apps.disbursement.schedules import schedules_ensure

        for line in schedules_ensure():
            report.note(line.startswith("+"), line.lstrip("+= "))
        site = f"http://{domain_suffix()}:8000/"
        user_ensure(username="province-admin", superuser=True, report=report, site=site, role="province administrator")
        user_ensure(username="overseer", report=report, site=site, role="province overseer",
                    groups=(PROVINCE_OVERSEER_GROUP,))
    for seed in seeds:
        with schema_context("public"):
            bureau = bureau_ensure(seed=seed, report=report)
        with tenant_context(bureau):
            run_seed_loaders(seed=seed, report=report)
            with transaction.atomic():
                bureau_users_ensure(bureau=bureau, report=report)
    return report
