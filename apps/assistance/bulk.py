"""The application workflow for many cases at once: 申请 → 受理 → 入户调查 → 核对 → 公示 → 审批 (or, found
not eligible at the check, rejected), set-based.

`applications_decide` takes a list of cases whose every step is already known (who, which day, the
incomes and assets found, the care tests) — a back office entering a batch of paper files, or the
demo living its report year — and writes what the one-by-one services would (services.py and
workflow.py): the same applications, transitions, investigation records, entitlements and first
reviews, with the same history rows, in a few statements instead of a hundred per case. Each case
is checked by the rules of the one-by-one path (scoping, permissions, step dates, open entitlements
and applications, the dibao / 特困 exclusion, publicity, the approver not the investigator) and is
written in full or refused with the message the one-by-one path gives; a refused case writes
nothing. The computations are the same functions (apps.benefits.rules); the entitlements go through
benefits' set-based `entitlements_apply_changes`, whose history rows name their source as the change
reason (entitlement_create leaves it empty): the one visible difference, besides ids and clocks.

With `history_dated`, each history row (and a transition's `at`) carries the noon of its step's
business day instead of the clock: a batch of past steps reads as it happened (the demo's report
year); so do the entitlements' and grants' (benefits writes them, dated by its changes table).

Household programmes (低保, 低保边缘, 支出型), 特困 and 临时救助 (its grant through the same set-based
path). `reviews_complete_unchanged` is the same for 复核 found unchanged (the next one scheduled),
`reviews_complete_stop` for 复核 that stop the support (benefits' set-based entitlements_stop).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.benefits import rules
from apps.benefits import services as benefits
from apps.benefits.models import Entitlement, ProgrammeCode
from apps.benefits.selectors import StandardBook, class_variant, entitlement_open_q
from apps.core.history_dates import at_noon as history_at
from apps.core.money import money_input
from apps.core.permissions import may, require_permission
from apps.people.models import DisabilityCertificate, Household, HouseholdMember, Person
from tenants.selectors import current_bureau

from .models import (
    EXCLUDED_INCOME_TYPES,
    HOUSEHOLD_PROGRAMMES,
    Application,
    ApplicationProgramme,
    ApplicationTransition,
    AssetCheck,
    CareAssessment,
    Classification,
    IncomeRecord,
    IncomeType,
    Review,
    RigidExpense,
    SupportMode,
)
from .selectors import in_town
from .workflow import publicity_end

STEPS = ("submitted", "accepted", "investigated", "checked", "publicised", "approved")
DECIDED = (Classification.DIBAO, Classification.DIBAO_MARGINAL, Classification.HARDSHIP_EXPENSE)


@dataclass
class Case:
    """One application and every step of it: `dates` has a day for each of STEPS (the rejection of a
    case found not eligible is dated the check's day, as the caseload does)."""

    programme: str
    worker: object  # the caseworker: applies, accepts, investigates, checks, publicises
    dates: dict[str, datetime.date]
    household: object = None
    person: object = None
    incomes: list[tuple[int, str, Decimal]] = field(default_factory=list)  # (person id, income type, monthly)
    assets_passed: bool | None = None  # the assets check (household programmes and 特困 need one)
    assets_note: str = ""
    rigid_expenses: list[tuple[str, Decimal, str]] = field(default_factory=list)  # (kind, amount, note)
    care_tests: dict[str, bool] | None = None  # 特困: the six daily-living tests, assessed on `accepted`
    requested_amount: Decimal | None = None  # 临时救助
    support_mode: str = ""
    care_institution: object = None
    reason: str = ""
    note: str = ""  # the approval's note


@dataclass
class Outcome:
    case: Case
    application: Application | None = None  # approved or rejected
    refused: str = ""  # why nothing was written


class _Refused(Exception):
    pass


def _refuse(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)





def _overlap(start: datetime.date) -> Q:
    """Entitlements paying in some month from `start` on (benefits.services.dibao_tekun_conflict's test)."""
    return Q(status=Entitlement.Status.ACTIVE, end_period__isnull=True) | (
        Q(status__in=rules.PAYING_STATUSES, end_period__gte=start) & Q(end_period__gte=F("start_period")))


class _Facts:
    """What the one-by-one path reads of the registry, loaded once for every case."""

    def __init__(self, *, household_ids: set[int], applicants: set[int] = frozenset()):
        rows = list(HouseholdMember.objects.filter(Q(household_id__in=household_ids) | Q(person_id__in=applicants))
                    .values_list("id", "household_id", "person_id", "relation"))
        person_ids = {p for _i, _h, p, _r in rows} | set(applicants)
        self.persons = {p.pk: p for p in Person.objects.filter(pk__in=person_ids)}
        self.members: dict[int, list[tuple[int, int, str]]] = defaultdict(list)  # household → (row id, person, relation)
        self.membership: dict[int, int] = {}
        for row_id, household_id, person_id, relation in sorted(rows):
            self.members[household_id].append((row_id, person_id, relation))
            self.membership.setdefault(person_id, household_id)
        self.certificates: dict[int, list] = defaultdict(list)
        for cert in DisabilityCertificate.objects.filter(person_id__in=person_ids, level__lte=2):
            self.certificates[cert.person_id].append((cert.valid_from, cert.valid_until))
        self.assessments: dict[int, list[tuple[datetime.date, int, str]]] = defaultdict(list)
        for person_id, on, pk, level in CareAssessment.objects.filter(person_id__in=person_ids).values_list(
                "person_id", "assessed_on", "id", "care_level"):
            self.assessments[person_id].append((on, pk, level))

    def alive(self, person_id: int) -> bool:
        return self.persons[person_id].status == Person.Status.ALIVE

    def head(self, household_id: int) -> Person | None:
        """selectors.household_head: the living head, else the first living member."""
        living = [(i, p, r) for i, p, r in self.members[household_id] if self.alive(p)]
        head = next((m for m in living if m[2] == HouseholdMember.Relation.HEAD), None) or (living[0] if living else None)
        return self.persons[head[1]] if head else None

    def member_facts(self, household_id: int, on: datetime.date) -> list[tuple[Person, rules.MemberFacts]]:
        """selectors.member_facts: the living members by id, with what the rules read of them on `on`."""
        ids = sorted({p for _i, p, _r in self.members[household_id] if self.alive(p)})
        out = []
        for pk in ids:
            p = self.persons[pk]
            severe = any(start <= on and (until is None or until >= on) for start, until in self.certificates[pk])
            out.append((p, rules.MemberFacts(birth_date=p.birth_date, is_student=p.is_student,
                                             seriously_ill=p.seriously_ill, severely_disabled=severe)))
        return out


def _check_dates(case: Case, today: datetime.date) -> None:
    dates = case.dates
    missing = [s for s in STEPS if s not in dates]
    if missing:
        raise ValidationError(f"missing step dates: {', '.join(missing)}")
    if dates["submitted"] > today:
        raise ValidationError({"submitted_on": _("The date %(on)s is in the future.") % {"on": dates["submitted"]}})
    for before, step in zip(STEPS, STEPS[1:], strict=False):
        on = dates[step]
        if on > today:
            raise ValidationError({"on": _("The date %(on)s is in the future.") % {"on": on.isoformat()}})
        if on < dates[before]:
            raise ValidationError({"on": _("The date %(on)s is before the previous step (%(previous)s).")
                                   % {"on": on.isoformat(), "previous": dates[before].isoformat()}})


def _permissions(user, approver) -> None:
    for who, permission, what in (
        (user, "assistance.add_application", _("take applications")),
        (user, "assistance.change_application", None),
        (approver, "assistance.approve_application", None),
    ):
        if not may(who, permission):
            if what:
                raise PermissionDenied(_("You may not %(what)s: that needs the permission %(permission)s.")
                                       % {"what": what, "permission": permission})
            raise PermissionDenied(_("You may not %(action)s an application: that needs the permission "
                                     "%(permission)s.") % {"action": "approve" if who is approver else "accept",
                                                           "permission": permission})


class _Plan:
    """A case's application as each step leaves it, and what its approval writes."""

    def __init__(self, case: Case):
        self.case = case
        self.states: list[tuple[str, str, dict, object, datetime.date, str]] = []  # action, from, fields, user, on, note
        self.fields: dict = {}
        self.incomes: list[IncomeRecord] = []
        self.rigid: list[RigidExpense] = []
        self.assessment: CareAssessment | None = None
        self.entitlements: list[dict] = []
        self.grant: dict | None = None
        self.review: dict | None = None


def _plan_case(case: Case, *, approver, facts: _Facts, book: StandardBook, bureau, today) -> _Plan:
    """Every check and computation of the one-by-one path for one case; raises what it would."""
    plan = _Plan(case)
    worker, d = case.worker, case.dates
    _check_dates(case, today)
    if case.programme not in ApplicationProgramme.values:
        raise ValidationError({"programme": _("%(programme)r is not a programme one applies for (%(programmes)s).")
                               % {"programme": case.programme, "programmes": ", ".join(ApplicationProgramme.values)}})
    _permissions(worker, approver)
    household, person = case.household, case.person
    if household is not None and not in_town(worker, household.town_id):
        raise ValidationError({"household": _("No household #%(id)s in your town.") % {"id": household.pk}})
    if person is not None and not in_town(worker, person.town_id):
        raise ValidationError({"person": _("No person #%(id)s in your town.") % {"id": person.pk}})
    is_household = case.programme in HOUSEHOLD_PROGRAMMES
    if is_household:
        if household is None:
            raise ValidationError({"household": _("A %(programme)s application is made by a household.")
                                   % {"programme": case.programme}})
        person = person or facts.head(household.pk)
        if person is None:
            raise ValidationError({"household": _("Household %(code)s has no living member.")
                                   % {"code": household.code}})
    elif case.programme == ApplicationProgramme.TEKUN:
        if person is None:
            raise ValidationError({"person": _("A 特困 application is made for a person.")})
        household = None
    elif household is None and person is None:
        raise ValidationError(_("Name the household or the person applying."))
    person = facts.persons.get(person.pk, person) if person is not None else None
    if person is not None and person.status != Person.Status.ALIVE:
        raise ValidationError({"person": _("%(name)s is recorded as deceased.") % {"name": person.name}})
    if household is not None and person is not None and person.pk not in {
            p for _i, p, _r in facts.members[household.pk]}:
        raise ValidationError({"person": _("%(name)s is not a member of household %(code)s.")
                               % {"name": person.name, "code": household.code}})
    support_mode, institution, amount = "", None, None
    is_temporary = case.programme == ApplicationProgramme.TEMPORARY

    def cap_check(on: datetime.date) -> None:
        """workflow.temporary_cap_check, on the book loaded once."""
        standard = book.dibao(household.hukou_class if household else person.hukou_class, on)
        if standard is None:
            raise ValidationError(_("No dibao standard is in force on %(on)s; the 临时救助 cap cannot be computed.")
                                  % {"on": on.isoformat()})
        cap = rules.temporary_cap(dibao_standard=standard, multiple=bureau.temporary_cap_multiple)
        if amount > cap:
            raise ValidationError({"requested_amount": _(
                "%(amount)s is above the 临时救助 cap of %(cap)s (%(multiple)s × the dibao standard %(standard)s).")
                % {"amount": amount, "cap": cap, "multiple": bureau.temporary_cap_multiple.normalize(),
                   "standard": standard}})

    if is_temporary:
        if case.requested_amount in (None, ""):
            raise ValidationError({"requested_amount": _("Give the amount requested.")})
        amount = money_input("requested_amount", case.requested_amount, label=_("The requested amount"))
        if amount <= 0:
            raise ValidationError({"requested_amount": _("The requested amount must be more than 0.00.")})
        cap_check(d["submitted"])
    elif not is_household:
        if case.support_mode not in SupportMode.values:
            raise ValidationError({"support_mode": _("Choose 集中供养 (institutional) or 分散供养 (dispersed).")})
        if case.support_mode == SupportMode.INSTITUTIONAL and case.care_institution is None:
            raise ValidationError({"care_institution": _("集中供养 needs the care institution that is paid.")})
        support_mode = case.support_mode
        institution = case.care_institution if support_mode == SupportMode.INSTITUTIONAL else None
    town_id = household.town_id if household else person.town_id
    app = {"programme": case.programme, "household": household, "person": person, "town_id": town_id,
           "submitted_on": d["submitted"], "reason": case.reason or "", "support_mode": support_mode,
           "care_institution": institution, "requested_amount": amount, "created_by": worker,
           "status": Application.Status.SUBMITTED}
    plan.states.append(("submit", "", dict(app), worker, d["submitted"], case.reason or ""))

    def step(action: str, user, on: datetime.date, note: str = "", **changes) -> None:
        if not in_town(user, town_id):
            raise ValidationError(_("Application #%(id)s is not in your town.") % {"id": "—"})
        from_status = app["status"]
        app.update(changes)
        plan.states.append((action, from_status, dict(app), user, on, note.strip()))

    step("accept", worker, d["accepted"], status=Application.Status.ACCEPTED, accepted_on=d["accepted"])
    members = facts.member_facts(household.pk, d["investigated"]) if household else []
    member_ids = {p.pk for p, _f in members} if household else {person.pk}
    if not is_household and not is_temporary:
        member_ids = {person.pk}
    seen = set()
    for person_id, kind, amount in case.incomes:
        if kind not in IncomeType.values:
            raise ValidationError({"income_type": _("%(type)r is not an income type.") % {"type": kind}})
        amount = money_input("monthly_amount", amount, label=_("Income"))
        who = facts.persons.get(person_id)
        if who is None or person_id not in member_ids:
            raise ValidationError({"person": _("%(name)s is not a member of the applying household.")
                                   % {"name": who.name if who else person_id}})
        if (person_id, kind) in seen:
            raise ValidationError(_("%(name)s's %(type)s income is listed twice.") % {"name": who.name, "type": kind})
        seen.add((person_id, kind))
        plan.incomes.append(IncomeRecord(person_id=person_id, income_type=kind, monthly_amount=amount, note=""))
    for kind, amount, note in case.rigid_expenses:
        if kind not in RigidExpense.Kind.values:
            raise ValidationError({"kind": _("%(kind)r is not a kind of rigid expense.") % {"kind": kind}})
        plan.rigid.append(RigidExpense(kind=kind, amount=money_input("amount", amount, label=_("The expense")),
                                       note=(note or "")[:200]))
    care_level = ""
    if case.programme == ApplicationProgramme.TEKUN:
        tests = case.care_tests or {}
        missing = [t for t in rules.ADL_TESTS if not isinstance(tests.get(t), bool)]
        if missing:
            raise ValidationError(_("Give the result (true = managed unaided) of: %(tests)s.")
                                  % {"tests": ", ".join(missing)})
        level = rules.care_level(sum(1 for t in rules.ADL_TESTS if not tests[t]))
        plan.assessment = CareAssessment(person=person, assessed_on=d["accepted"], care_level=level,
                                         assessed_by=worker, **{t: tests[t] for t in rules.ADL_TESTS})
        # workflow._on_investigate: the latest assessment on or before the day (the new one wins a tie).
        known = [(on, pk, lvl) for on, pk, lvl in facts.assessments[person.pk] if on <= d["investigated"]]
        latest = max(known, default=None)
        care_level = level if latest is None or latest[0] <= d["accepted"] else latest[2]
    # 入户调查
    if case.assets_passed is None and case.programme != ApplicationProgramme.TEMPORARY:
        raise ValidationError(_("Record the assets check before closing the investigation."))
    if household:
        if not members:
            raise ValidationError(_("Household %(code)s has no living member.") % {"code": household.code})
        size = len(members)
        addon = rules.addon_count([f for _p, f in members], on=d["investigated"], single_parent=household.single_parent)
    else:
        size, addon = 1, 0
    total = rules.money(sum((r.monthly_amount for r in plan.incomes if r.income_type not in EXCLUDED_INCOME_TYPES),
                            Decimal(0)))
    step("investigate", worker, d["investigated"], status=Application.Status.INVESTIGATED, household_size=size,
         addon_members=addon, total_income=total, per_capita_income=rules.per_capita(total, size),
         care_level=care_level, investigated_by=worker, investigated_on=d["investigated"])
    # 核对
    if is_household:
        standard = book.dibao(household.hukou_class, d["checked"])
        if standard is None:
            raise ValidationError(_("No dibao standard is in force on %(on)s.") % {"on": d["checked"].isoformat()})
        result = rules.classify_household(
            per_capita_income=app["per_capita_income"], standard=standard,
            marginal_multiple=bureau.marginal_income_multiple, assets_passed=case.assets_passed, members=size,
            rigid_expenses_12_months=sum((r.amount for r in plan.rigid), Decimal(0)))
        kind, why = result.kind, result.reason[:300]
    elif case.programme == ApplicationProgramme.TEKUN:
        standard = book.tekun_basic(class_variant(programme=ProgrammeCode.TEKUN, hukou_class=person.hukou_class,
                                                  book=book), d["checked"])
        kind, why = ("", "") if case.assets_passed else (Classification.NOT_ELIGIBLE, "the assets test was not passed")
    else:
        cap_check(d["checked"])
        standard, kind, why = None, "", ""
    checked = {} if is_temporary else {"standard": standard, "classification": kind, "classification_reason": why}
    step("check", worker, d["checked"], status=Application.Status.CHECKED, checked_on=d["checked"], **checked)
    if kind == Classification.NOT_ELIGIBLE:
        step("reject", approver, d["checked"], note=why, status=Application.Status.REJECTED,
             decided_on=d["checked"], decided_by=approver, decision_note=why)
        return plan
    step("publicise", worker, d["publicised"], status=Application.Status.PUBLICISED, publicised_on=d["publicised"])
    # 审批
    if worker.pk == approver.pk:
        raise ValidationError(_("%(user)s investigated application #%(id)s and may not also approve it; another "
                                "approver must decide.") % {"user": approver.get_username(), "id": "—"})
    last_day = publicity_end(d["publicised"])
    if d["approved"] <= last_day:
        raise ValidationError(_("Publicity of application #%(id)s runs until %(end)s; it can be approved from "
                                "%(from)s.") % {"id": "—", "end": last_day.isoformat(),
                                                 "from": (last_day + datetime.timedelta(days=1)).isoformat()})
    on, note = d["approved"], (case.note or "").strip()
    step("approve", approver, on, note=note, status=Application.Status.APPROVED, decided_on=on, decided_by=approver,
         decision_note=note)
    start = rules.add_months(rules.first_of_month(on), 1)
    if is_temporary:
        cap_check(on)
        payee = person or facts.head(household.pk)
        plan.grant = {"programme_id": ProgrammeCode.TEMPORARY, "household_id": household.pk if household else None,
                      "person_id": person.pk if person else None, "payee_person_id": payee.pk, "amount": amount,
                      "period": start, "reason": (note or app["reason"])[:300]}
    elif household:
        if kind not in DECIDED:
            raise ValidationError(_("Application #%(id)s is not eligible (%(reason)s).") % {"id": "—", "reason": why})
        approval_members = facts.member_facts(household.pk, on)
        plan.entitlements.append({
            "programme_id": kind, "variant": class_variant(programme=ProgrammeCode.DIBAO,
                                                           hukou_class=household.hukou_class, book=book),
            "household_id": household.pk, "person_id": None,
            "payee_person_id": (facts.head(household.pk) or person).pk, "payee_institution_id": None,
            "per_capita_income": app["per_capita_income"], "covered_members": size,
            "addon_members": addon if kind == Classification.DIBAO else 0, "care_level": "", "period": start,
            "reason": _("approved %(on)s") % {"on": on.isoformat()},
        })
        if size < 1 or plan.entitlements[0]["addon_members"] > size:
            raise ValidationError(_("At least one member must be covered."))
        stable = rules.household_is_stable([f for _p, f in approval_members], on=on)
        if kind == Classification.DIBAO:
            months = bureau.review_months_stable if stable else bureau.review_months_other
        else:
            months = bureau.review_months_marginal
        plan.review = {"household": household, "town_id": household.town_id, "stable": stable,
                       "due_on": rules.review_due(last=on, months=months)}
    else:
        payee = ({"payee_person_id": None, "payee_institution_id": institution.pk} if institution
                 else {"payee_person_id": person.pk, "payee_institution_id": None})
        reason = str(SupportMode(support_mode).label)
        common = {"household_id": None, "person_id": person.pk, "per_capita_income": None, "covered_members": None,
                  "addon_members": 0, "period": start, "reason": reason, **payee}
        plan.entitlements.append({"programme_id": ProgrammeCode.TEKUN, "care_level": "", **common,
                                  "variant": class_variant(programme=ProgrammeCode.TEKUN,
                                                           hukou_class=person.hukou_class, book=book)})
        plan.entitlements.append({"programme_id": ProgrammeCode.TEKUN_CARE, "variant": care_level,
                                  "care_level": care_level, **common})
    return plan


def _conflicts(plans: list[_Plan], facts: _Facts) -> dict[int, str]:
    """Cases refused by an entitlement already there, by index: an open one of the household's
    programmes (or 特困 for the person), or the dibao / 特困 exclusion (SPEC §4) from the month applied."""
    refused: dict[int, str] = {}
    households = {p.case.household.pk for p in plans if p.case.programme in HOUSEHOLD_PROGRAMMES}
    tekun_people = {p.states[0][2]["person"].pk for p in plans if p.case.programme == ApplicationProgramme.TEKUN}
    open_household: dict[int, str] = {}
    for household_id, programme in (Entitlement.objects.filter(
            entitlement_open_q(), household_id__in=households, programme_id__in=list(DECIDED))
            .order_by("id").values_list("household_id", "programme_id")):
        open_household.setdefault(household_id, programme)
    open_tekun = set(Entitlement.objects.filter(entitlement_open_q(), person_id__in=tekun_people,
                                                programme_id=ProgrammeCode.TEKUN).values_list("person_id", flat=True))
    earliest = min((p.case.dates["submitted"] for p in plans), default=datetime.date.today())
    start = rules.first_of_month(earliest)
    member_ids = {pid for h in households for _i, pid, _r in facts.members[h]}
    tekun_rows = list(Entitlement.objects.filter(_overlap(start), programme_id=ProgrammeCode.TEKUN,
                                                 person_id__in=member_ids)
                      .values_list("person_id", "id", "start_period", "end_period", "status"))
    dibao_rows = list(Entitlement.objects.filter(_overlap(start), programme_id=ProgrammeCode.DIBAO).filter(
        Q(person_id__in=tekun_people) | Q(household_id__in={facts.membership.get(p) for p in tekun_people} - {None}))
        .values_list("person_id", "household_id", "id", "start_period", "end_period", "status"))

    codes = dict(Household.objects.filter(pk__in={r[1] for r in dibao_rows if r[1]}).values_list("id", "code"))

    def pays_from(period, start_period, end_period, status) -> bool:
        if status == Entitlement.Status.ACTIVE and end_period is None:
            return True
        return status in rules.PAYING_STATUSES and end_period is not None and end_period >= period \
            and end_period >= start_period

    for i, plan in enumerate(plans):
        case, person = plan.case, plan.states[0][2]["person"]
        period = rules.first_of_month(case.dates["submitted"])
        if case.programme == ApplicationProgramme.TEMPORARY:
            continue
        if case.household is not None:
            existing = open_household.get(case.household.pk)
            if existing:
                refused[i] = _("Household %(code)s already has an open %(programme)s entitlement; use a review "
                               "(复核) instead.") % {"code": case.household.code, "programme": existing}
                continue
            if case.programme == ApplicationProgramme.DIBAO:
                members = {pid for _i, pid, _r in facts.members[case.household.pk]}
                clash = next((r for r in sorted(tekun_rows, key=lambda r: r[1])
                              if r[0] in members and pays_from(period, *r[2:])), None)
                if clash:
                    refused[i] = _("%(name)s in this household receives 特困 support (entitlement #%(id)s); a "
                                   "person is never on dibao and 特困 at once.") % {
                        "name": facts.persons[clash[0]].name, "id": clash[1]}
        else:
            household_id = facts.membership.get(person.pk)
            clash = next((r for r in sorted(dibao_rows, key=lambda r: r[2])
                          if (r[0] == person.pk or (household_id and r[1] == household_id))
                          and pays_from(period, *r[3:])), None)
            if clash:
                refused[i] = _("%(name)s is covered by dibao entitlement #%(id)s (household %(household)s); a "
                               "person is never on dibao and 特困 at once. Stop the dibao first.") % {
                    "name": person.name, "id": clash[2], "household": codes.get(clash[1], "—")}
            elif person.pk in open_tekun:
                refused[i] = _("%(name)s already receives 特困 support.") % {"name": person.name}
    return refused


def _open_applications(plans: list[_Plan]) -> dict[int, str]:
    """Cases refused by an open application of the programme (one_open constraints), or a second case
    of the same subject in the batch."""
    by_household = {(p.case.household.pk, p.case.programme) for p in plans if p.case.household is not None}
    by_person = {(p.states[0][2]["person"].pk, p.case.programme) for p in plans if p.case.household is None}
    open_ = Application.objects.filter(status__in=Application.OPEN_STATUSES)
    taken_h = set(open_.filter(household_id__in={h for h, _p in by_household})
                  .values_list("household_id", "programme", "id"))
    taken_p = set(open_.filter(household__isnull=True, person_id__in={p for p, _q in by_person})
                  .values_list("person_id", "programme", "id"))
    taken = {("h", a, b): i for a, b, i in taken_h} | {("p", a, b): i for a, b, i in taken_p}
    refused, seen = {}, set()
    for i, plan in enumerate(plans):
        case = plan.case
        key = ("h", case.household.pk, case.programme) if case.household else (
            "p", plan.states[0][2]["person"].pk, case.programme)
        if key in taken or key in seen:
            refused[i] = _("There is already an open %(programme)s application (#%(id)s) for this %(whom)s.") % {
                "programme": case.programme, "id": taken.get(key, "?"),
                "whom": _("household") if case.household else _("person")}
        seen.add(key)
    return refused


def _history(model, rows: list, *, update: bool) -> None:
    """History rows as the one-by-one saves write them (no change reason; each row's _history_user
    and, when dated, _history_date)."""
    if rows:
        model.history.bulk_history_create(rows, update=update, default_change_reason=None)


def _write(plans: list[_Plan], *, approver, dated: bool) -> list[Application]:
    """Every row of the planned cases, in bulk; the entitlements through benefits' set-based path."""
    apps = []
    for plan in plans:
        final = plan.states[-1][2]
        app = Application(**{k: v for k, v in final.items()})
        app.created_by = plan.case.worker
        apps.append(app)
    Application.objects.bulk_create(apps)
    creates, updates, transitions = [], [], []
    for plan, app in zip(plans, apps, strict=True):
        for n, (action, from_status, fields, user, on, note) in enumerate(plan.states):
            snapshot = Application(pk=app.pk, created_at=app.created_at, updated_at=app.updated_at,
                                   **{k: v for k, v in fields.items()})
            snapshot.created_by = plan.case.worker
            snapshot._history_user = user
            if dated:
                snapshot._history_date = history_at(on)
            (updates if n else creates).append(snapshot)
            transitions.append(ApplicationTransition(application_id=app.pk, action=action, from_status=from_status,
                                                     to_status=fields["status"], user=user, on=on, note=note))
    _history(Application, creates, update=False)
    _history(Application, updates, update=True)
    ApplicationTransition.objects.bulk_create(transitions)
    if dated:
        # `at` is auto_now_add: the step's day is set after the insert.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE assistance_applicationtransition t SET at = (t.\"on\" + time '12:00') AT TIME ZONE %s "
                "WHERE t.id = ANY(%s)", [timezone.get_current_timezone_name(), [t.pk for t in transitions]])

    incomes, rigid, checks, assessments = [], [], [], []
    for plan, app in zip(plans, apps, strict=True):
        d, worker = plan.case.dates, plan.case.worker
        for record in plan.incomes:
            record.application_id = app.pk
            record._history_user = worker
            incomes.append(record)
        for expense in plan.rigid:
            expense.application_id = app.pk
            expense._history_user = None
            rigid.append(expense)
        if plan.case.assets_passed is not None:
            checks.append(AssetCheck(application_id=app.pk, passed=plan.case.assets_passed,
                                     note=plan.case.assets_note, checked_on=d["investigated"], checked_by=worker))
            checks[-1]._history_user = None
            if dated:
                checks[-1]._history_date = history_at(d["investigated"])
        if plan.assessment is not None:
            plan.assessment.application_id = app.pk
            plan.assessment._history_user = worker
            assessments.append(plan.assessment)
        if dated:
            for row in plan.incomes:
                row._history_date = history_at(d["investigated"])
            for row in plan.rigid:
                row._history_date = history_at(d["investigated"])
            if plan.assessment is not None:
                plan.assessment._history_date = history_at(d["accepted"])
    for model, rows in ((IncomeRecord, incomes), (RigidExpense, rigid), (AssetCheck, checks),
                        (CareAssessment, assessments)):
        model.objects.bulk_create(rows)
        _history(model, rows, update=False)
    _entitlements(plans, apps, approver=approver, dated=dated)
    return apps


def _entitlements(plans: list[_Plan], apps: list[Application], *, approver, dated: bool) -> None:
    wanted = [(plan, app, e) for plan, app in zip(plans, apps, strict=True) for e in plan.entitlements]
    grants = [(plan, app) for plan, app in zip(plans, apps, strict=True) if plan.grant is not None]
    if not wanted and not grants:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('benefits_entitlement', 'id')) "
                       "FROM generate_series(1, %s)", [len(wanted)])
        ids = [row[0] for row in cursor.fetchall()]
    # Persons concerned locked in id order, as entitlement_create does, so a concurrent approval waits.
    person_ids = sorted({e["person_id"] for _p, _a, e in wanted if e["person_id"]}
                        | {m for plan, _a, _e in wanted if plan.case.household is not None
                           for m in [plan.states[0][2]["person"].pk]})
    list(Person.objects.select_for_update().filter(id__in=person_ids).order_by("id").values_list("id", flat=True))
    table = benefits.entitlement_changes_table(table="assistance_bulk_changes")
    def approved_at(plan: _Plan):
        return history_at(plan.case.dates["approved"]) if dated else None

    columns = ("op", "id", "programme_id", "variant", "household_id", "person_id", "payee_person_id",
               "payee_institution_id", "period", "per_capita_income", "covered_members", "addon_members",
               "care_level", "reason", "source", "history_date")
    rows = [("open", pk, e["programme_id"], e["variant"], e["household_id"], e["person_id"], e["payee_person_id"],
             e["payee_institution_id"], e["period"], e["per_capita_income"], e["covered_members"], e["addon_members"],
             e["care_level"], e["reason"][:300], app.source_key[:100], approved_at(plan))
            for pk, (plan, app, e) in zip(ids, wanted, strict=True)]
    grant_columns = ("op", "programme_id", "variant", "household_id", "person_id", "payee_person_id", "period",
                     "amount", "reason", "source", "history_date")
    grant_rows = [("grant", g["programme_id"], "unified", g["household_id"], g["person_id"], g["payee_person_id"],
                   g["period"], g["amount"], g["reason"], app.source_key[:100], approved_at(plan))
                  for plan, app in grants for g in [plan.grant]]
    with connection.cursor() as cursor:
        for names, values in ((columns, rows), (grant_columns, grant_rows)):
            if values:
                cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) "
                                   f"VALUES ({', '.join(['%s'] * len(names))})", values)
    written = benefits.entitlements_apply_changes(table=table, user=approver)
    if written["grants"] != len(grants):
        raise ValidationError(_("A grant for %(source)s already exists.") % {"source": "assistance.application"})
    if written["created"] != len(wanted):
        raise ValidationError(_("There is already an open %(programme)s entitlement for this %(whom)s.")
                              % {"programme": "—", "whom": _("household")})
    reviews = []
    for pk, (plan, _app, entitlement) in zip(ids, wanted, strict=True):
        if plan.review is not None and entitlement is plan.entitlements[0]:
            review = Review(entitlement_id=pk, **plan.review)
            review._history_user = None
            if dated:
                review._history_date = history_at(plan.case.dates["approved"])
            reviews.append(review)
    Review.objects.bulk_create(reviews)
    _history(Review, reviews, update=False)


def applications_decide(*, cases: list[Case], approver, history_dated: bool = False) -> list[Outcome]:
    """Take every case through the workflow (see the module docstring): one Outcome per case, in order.

    Household programmes first, then 特困, then 临时救助, each group checked against what is written
    before it (a person whose household the batch puts on dibao is refused 特困, as one by one). One
    transaction.
    """
    bureau = current_bureau()
    book = StandardBook.load(bureau)
    today = datetime.date.today()
    outcomes = [Outcome(case=c) for c in cases]
    order = list(range(len(cases)))
    def group(case: Case) -> int:
        if case.programme in HOUSEHOLD_PROGRAMMES:
            return 0
        return 1 if case.programme == ApplicationProgramme.TEKUN else 2

    groups = [[i for i in order if group(cases[i]) == g] for g in range(3)]
    with transaction.atomic():
        for group in groups:
            if not group:
                continue
            facts = _Facts(household_ids={cases[i].household.pk for i in group if cases[i].household is not None},
                           applicants={cases[i].person.pk for i in group if cases[i].person is not None})
            planned: list[tuple[int, _Plan]] = []
            for i in group:
                try:
                    planned.append((i, _plan_case(cases[i], approver=approver, facts=facts, book=book,
                                                  bureau=bureau, today=today)))
                except (ValidationError, PermissionDenied) as exc:
                    outcomes[i].refused = _refuse(exc)
            plans = [p for _i, p in planned]
            refused = {**_open_applications(plans), **_conflicts(plans, facts)}
            keep = []
            for n, (i, plan) in enumerate(planned):
                if n in refused:
                    outcomes[i].refused = refused[n]
                else:
                    keep.append((i, plan))
            apps = _write([p for _i, p in keep], approver=approver, dated=history_dated)
            for (i, _plan), app in zip(keep, apps, strict=True):
                outcomes[i].application = app
    return outcomes


def _review_refusal(review: Review, *, on: datetime.date, user, today: datetime.date) -> str | None:
    """Why a review cannot be completed on `on` by `user`, as the one-by-one service says it; None if it can."""
    if not in_town(user, review.town_id):
        return _("Review #%(id)s is not in your town.") % {"id": review.pk}
    if review.status not in (Review.Status.SCHEDULED, Review.Status.OVERDUE):
        return _("Review #%(id)s is %(status)s.") % {"id": review.pk, "status": review.get_status_display()}
    if on > today:
        return _("The date %(on)s is in the future.") % {"on": on.isoformat()}
    return None


def reviews_complete_unchanged(*, reviews: list[tuple[Review, datetime.date]], user, note: str = "",
                               history_dated: bool = False) -> dict[int, str]:
    """services.review_complete(outcome=UNCHANGED) for many (review, day) at once: each review done
    that day and the next one scheduled from it (stable or not as the members are that day), with
    the same history rows. Returns the refused reviews (id → why); the others are all written.
    """
    require_permission(user, "assistance.review_application", what=_("complete reviews"))
    bureau = current_bureau()
    today = datetime.date.today()
    days = {review.pk: on for review, on in reviews}
    refused: dict[int, str] = {}
    done, following = [], []
    with transaction.atomic():
        locked = list(Review.objects.select_for_update(of=("self",)).select_related("entitlement")
                      .filter(pk__in=days).order_by("id"))
        facts = _Facts(household_ids={r.entitlement.household_id for r in locked if r.entitlement.household_id})
        for review in locked:
            on = days[review.pk]
            refusal = _review_refusal(review, on=on, user=user, today=today)
            if refusal:
                refused[review.pk] = refusal
                continue
            review.status, review.outcome, review.completed_on, review.completed_by = (
                Review.Status.DONE, Review.Outcome.UNCHANGED, on, user)
            review.per_capita_income, review.note, review.new_entitlement = None, note or "", None
            review._history_user = user
            entitlement = review.entitlement
            stable = rules.household_is_stable(
                [f for _p, f in facts.member_facts(entitlement.household_id, on)], on=on)
            if entitlement.programme_id == ProgrammeCode.DIBAO:
                months = bureau.review_months_stable if stable else bureau.review_months_other
            else:
                months = bureau.review_months_marginal
            nxt = Review(entitlement=entitlement, household_id=entitlement.household_id, town_id=review.town_id,
                         stable=stable, due_on=rules.review_due(last=on, months=months))
            nxt._history_user = None
            if history_dated:
                review._history_date = nxt._history_date = history_at(on)
            done.append(review)
            following.append(nxt)
        Review.objects.bulk_update(done, ["status", "outcome", "completed_on", "completed_by", "per_capita_income",
                                          "note", "new_entitlement"])
        _history(Review, done, update=True)
        Review.objects.bulk_create(following)
        _history(Review, following, update=False)
    return refused


def reviews_complete_stop(*, reviews: list[tuple[Review, datetime.date]], user, note: str = "",
                          history_dated: bool = False) -> dict[int, str]:
    """services.review_complete(outcome=STOP) for many (review, day) at once: each review done that day
    and its entitlement stopped after the day's month (benefits' entitlements_stop), with the same
    rows and history rows. Returns the refused reviews (id → why); the others are all written, a
    refused one writes nothing.
    """
    require_permission(user, "assistance.review_application", what=_("complete reviews"))
    today = datetime.date.today()
    days = {review.pk: on for review, on in reviews}
    refused: dict[int, str] = {}
    with transaction.atomic():
        locked = list(Review.objects.select_for_update(of=("self",)).select_related("entitlement")
                      .filter(pk__in=days).order_by("id"))
        for review in locked:
            refusal = _review_refusal(review, on=days[review.pk], user=user, today=today)
            if refusal:
                refused[review.pk] = refusal
        todo = [r for r in locked if r.pk not in refused]
        by_entitlement = {r.entitlement_id: r for r in todo}
        stopped = benefits.entitlements_stop(user=user, stops=[
            (r.entitlement_id, rules.first_of_month(days[r.pk]),
             note or _("review %(on)s") % {"on": days[r.pk].isoformat()},
             history_at(days[r.pk]) if history_dated else None) for r in todo])
        for entitlement_id, why in stopped.items():
            refused[by_entitlement[entitlement_id].pk] = why
        done = []
        for review in todo:
            if review.pk in refused:
                continue
            on = days[review.pk]
            review.status, review.outcome, review.completed_on, review.completed_by = (
                Review.Status.DONE, Review.Outcome.STOP, on, user)
            review.per_capita_income, review.note, review.new_entitlement = None, note or "", None
            review._history_user = user
            if history_dated:
                review._history_date = history_at(on)
            done.append(review)
        Review.objects.bulk_update(done, ["status", "outcome", "completed_on", "completed_by", "per_capita_income",
                                          "note", "new_entitlement"])
        _history(Review, done, update=True)
    return refused
