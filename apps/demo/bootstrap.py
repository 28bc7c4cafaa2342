"""`manage.py bootstrap`: the province, the bureaus from seeds/, their seed data, schedules and demo logins.

Idempotent: everything is created when missing and left as it is when there (a login keeps the
password it has). The bureau registry's own writes are tenants.services; this module strings them
together with the apps that fill a new bureau, which is why it lives on the top floor.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context, tenant_context

from apps.core.roles import ROLE_LABELS, Role, roles_ensure
from apps.disbursement.schedules import schedules_ensure
from apps.people.models import StaffProfile, Town
from tenants.models import Bureau
from tenants.permissions import PROVINCE_OVERSEER_GROUP
from tenants.seeds import Seed
from tenants.services import (
    BootstrapReport,
    bureau_ensure,
    domain_suffix,
    province_ensure,
    province_overseer_group_ensure,
)


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD", "civaffairs-demo")


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


def run_seed_loaders(*, seed: Seed, report: BootstrapReport) -> None:
    """Per-bureau loaders that later apps register in settings.SEED_LOADERS (towns, standards, ...)."""
    for path in getattr(settings, "SEED_LOADERS", []):
        loader = import_string(path)
        with transaction.atomic():
            for line in loader(seed=seed) or []:
                if line.startswith("!"):
                    report.conflicts.append(f"{seed.schema}: {line.lstrip('! ')}")
                    continue
                report.note(line.startswith("+"), f"{seed.schema}: {line.lstrip('+= ')}")


def bootstrap(*, seeds: list[Seed]) -> BootstrapReport:
    report = BootstrapReport()
    with schema_context("public"):
        province_ensure(report=report)
        province_overseer_group_ensure()
        for line in schedules_ensure():
            report.note(line.startswith("+"), line.lstrip("+= "))
        site = f"http://{domain_suffix()}:8000/"
        user_ensure(username="province-admin", superuser=True, report=report, site=site, role="province administrator")
        user_ensure(username="overseer", report=report, site=site, role="province overseer",
                    groups=(PROVINCE_OVERSEER_GROUP,))
    # The first new bureau's schema is migrated and, before any seed is loaded into it, copied for the
    # other new ones: one migration (half a minute and growing) instead of one a bureau.
    bureaus, source = [], None
    for seed in seeds:
        with schema_context("public"):
            bureau, created = bureau_ensure(seed=seed, report=report, schema_source=source)
        if created and source is None:
            source = bureau.schema_name
        bureaus.append(bureau)
    for seed, bureau in zip(seeds, bureaus, strict=True):
        with tenant_context(bureau):
            run_seed_loaders(seed=seed, report=report)
            with transaction.atomic():
                bureau_users_ensure(bureau=bureau, report=report)
    return report
