"""The roles of SPEC §1 as django groups, and the permissions each holds in a bureau.

Permissions are named by pattern: "people.*" is every permission of the app, "*.view_*" every view
permission, "assistance.approve_application" one custom permission; "!people.add_careinstitution" takes
away what the others grant. `roles_ensure()` (run by bootstrap in every bureau) makes the groups
match; a pattern that matches nothing yet is skipped, so an app can add its custom permissions later
without touching this file.
"""

from __future__ import annotations

import fnmatch

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Role:
    CASEWORKER = "caseworker"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    FINANCE = "finance"
    BUREAU_ADMIN = "bureau_admin"
    AUDITOR = "auditor"


BUREAU_APPS = ["people", "benefits", "assistance", "pensions", "socialorgs", "burial", "disbursement", "core",
               "statistics"]
VIEW_ALL = [f"{app}.view_*" for app in BUREAU_APPS]
# The personal-data read log is the auditor's (and the administrator's): the people it watches don't read it.
VIEW_ALL_BUT_THE_LOG = VIEW_ALL + ["!core.view_personaldataaccess"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Registers people and households, takes applications, records visits and income: own town only.
    Role.CASEWORKER: VIEW_ALL_BUT_THE_LOG + [
        "people.add_*", "people.change_*", "people.view_full_id_number", "people.view_full_bank_account",
        # …but not the payees the bureau pays, nor which town a colleague serves.
        "!people.add_careinstitution", "!people.change_careinstitution", "!people.add_staffprofile",
        "!people.change_staffprofile",
        "assistance.add_*", "assistance.change_*",
        "burial.add_*", "burial.change_*",
        # …but the bureau's price list, subsidy rates and cemeteries, and the money (waivers, subsidies), are not theirs.
        "!burial.add_feeitem", "!burial.change_feeitem", "!burial.add_waiverpolicy", "!burial.change_waiverpolicy",
        "!burial.add_ecoburialrate", "!burial.change_ecoburialrate", "!burial.add_cemetery", "!burial.change_cemetery",
        "!burial.add_feewaiver", "!burial.change_feewaiver", "!burial.add_ecoburialsubsidy",
        "!burial.change_ecoburialsubsidy",
        "socialorgs.add_communityorgfiling", "socialorgs.change_communityorgfiling",
        "pensions.add_childwelfarerecord", "pensions.change_childwelfarerecord",
    ],
    Role.REVIEWER: VIEW_ALL_BUT_THE_LOG + [
        "people.view_full_id_number",
        "assistance.change_*", "assistance.review_application", "assistance.add_review", "assistance.change_review",
        "socialorgs.add_*", "socialorgs.change_*",
    ],
    Role.APPROVER: VIEW_ALL_BUT_THE_LOG + [
        "people.view_full_id_number",
        "assistance.change_*", "assistance.approve_application",
        "benefits.add_standard", "benefits.change_standard",
        "benefits.change_entitlement", "benefits.add_grant", "benefits.change_grant",
        "disbursement.approve_paymentrun",
        "burial.add_feewaiver", "burial.add_ecoburialsubsidy", "burial.delete_deathrecord",
        "people.approve_bankaccountchange",  # the checker of a payee's new account (maker-checker)
        "pensions.confirm_eligibilitychange", "pensions.run_eligibilityrun",
        "pensions.add_longevitystandard", "pensions.change_longevitystandard",
        "socialorgs.decide_listing",  # lists or removes an organisation by decision, with a reason
    ],
    Role.FINANCE: VIEW_ALL_BUT_THE_LOG + [
        "disbursement.add_paymentrun", "disbursement.start_paymentrun", "disbursement.export_paymentrun",
        "disbursement.import_bankreturn", "disbursement.reissue_paymentline", "disbursement.change_paymentline",
        "people.change_person", "people.view_full_bank_account",  # correcting a failed bank account
        "statistics.compute_annualsnapshot",
    ],
    Role.BUREAU_ADMIN: ["*.*", "people.view_full_id_number", "people.view_full_bank_account"],
    Role.AUDITOR: VIEW_ALL + ["auth.view_*", "simple_history.view_*"],
}

ROLE_LABELS = {
    Role.CASEWORKER: _("town caseworker"), Role.REVIEWER: _("reviewer"), Role.APPROVER: _("approver"),
    Role.FINANCE: _("finance officer"), Role.BUREAU_ADMIN: _("bureau administrator"), Role.AUDITOR: _("auditor"),
}


def role_label(name: str) -> str:
    """A group's name as its members read it (审批 for "approver"); a group that is no role keeps its name."""
    return str(ROLE_LABELS.get(name, name))


# Django stores its four permissions' names in English ("Can add grant") when it creates them.
_BUILTIN_ACTIONS = {
    "add": _("Can add %(model)s"), "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"), "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """"社会救助 | 申请 | 可以查看申请": a permission in the reader's language, for user and group pages."""
    model = permission.content_type.model_class()
    if model is None:  # a model removed since: its stored name is all there is
        return str(permission)
    action, _sep, rest = permission.codename.partition("_")
    if action in _BUILTIN_ACTIONS and rest == model._meta.model_name:
        name = _BUILTIN_ACTIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)  # custom permissions are declared through gettext_lazy
    return f"{model._meta.app_config.verbose_name} | {model._meta.verbose_name} | {name}"


def _matches(permission: Permission, patterns: list[str]) -> bool:
    """fnmatch patterns; one starting with "!" takes away what the others grant."""
    name = f"{permission.content_type.app_label}.{permission.codename}"
    if any(fnmatch.fnmatchcase(name, p[1:]) for p in patterns if p.startswith("!")):
        return False
    if permission.codename.startswith("view_full_"):
        # Unmasked personal data is granted by name only: "people.view_*" must not reveal it.
        return name in patterns
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def roles_ensure() -> dict[str, Group]:
    """Create or update one group per role in the current schema; returns them by role."""
    permissions = list(Permission.objects.select_related("content_type"))
    groups = {}
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([p for p in permissions if _matches(p, patterns)])
        groups[role] = group
    return groups


def user_roles(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))
