"""The demo caseload: the synthetic population's assistance groups taken through the real workflow.

Each marked household (demo.PopulationMarker groups dibao, dibao_marginal, hardship_expense) and
each 特困 candidate becomes an application that goes 申请 → 受理 → 入户调查 (income records from each
member's declared monthly income, assets check passed) → 核对 → 公示 → 审批, by the town's caseworker
(or the bureau administrator where a town has no demo caseworker) and the bureau's approver, with every
rule of the services applied. Steps are dated so approvals fall over the months before `as_of`
(publicity eight days before approval), so entitlements are active now and reviews fall due over time.

One transaction per application; a candidate that already has an application of its programme is
skipped, so a second run creates nothing.
"""

from __future__ import annotations

import datetime
import math
import multiprocessing
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django_tenants.utils import tenant_context

from apps.assistance import bulk, services
from apps.assistance.models import Application, RigidExpense
from apps.benefits import rules
from apps.benefits.selectors import StandardBook
from apps.people.models import CareInstitution, Household, HouseholdMember, Person, StaffProfile
from tenants.models import Bureau
from tenants.selectors import current_bureau

from .models import PopulationMarker

# Approvals spread over this many days before as_of, deterministically by id.
SPREAD_DAYS = 150
HOUSEHOLD_GROUPS = ("dibao", "dibao_marginal", "hardship_expense")
# Six daily-living tests failed, picked by person id: mostly self-care, some partial, a few full.
FAILED_TESTS_CYCLE = (0, 0, 0, 0, 1, 2, 3, 0, 4, 6)


ApprovalDays = Callable[[str, int], "datetime.date | None"]


@dataclass
class CaseloadReport:
    created: Counter = field(default_factory=Counter)  # applications approved, by resulting programme
    rejected: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)  # a service refused a step: reason → count
    skipped: int = 0
    notes: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {"approved": dict(self.created), "rejected": dict(self.rejected), "refused": dict(self.refused),
                "skipped_existing": self.skipped, "notes": dict(self.notes)}


def _setting(schema: str):
    """What both caseload paths start from: the bureau, its standards, its users, and a care
    institution per town (the first one, and the first of all for a town with none)."""
    bureau = current_bureau()
    institutions: dict = {}
    for inst in CareInstitution.objects.order_by("id"):
        institutions.setdefault(inst.town_id, inst)
        institutions.setdefault(None, inst)
    return bureau, StandardBook.load(bureau), _users(schema), institutions


def _users(schema: str):
    User = get_user_model()
    approver = User.objects.get(username=f"{schema}-approver")
    # Towns without a demo caseworker: the bureau administrator takes their applications (never the
    # approver, so investigation and approval stay with different people).
    fallback = User.objects.get(username=f"{schema}-admin")
    by_town = {p.town_id: p.user for p in StaffProfile.objects.select_related("user").filter(
        town__isnull=False, user__groups__name="caseworker")}
    return approver, fallback, by_town


def _shard(markers, key: str, shard: tuple[int, int] | None):
    if shard is None or shard[1] == 1:
        return markers
    index, count = shard
    return markers.annotate(shard=F(key) % count).filter(shard=index)


def household_candidates(limit: int | None, shard=None) -> Iterator[tuple[str, Household]]:
    """Marked households without an application of their group's programme yet (anti-join)."""
    applied = Application.objects.filter(household_id=OuterRef("household_id"), programme=OuterRef("group"))
    markers = (PopulationMarker.objects.filter(group__in=HOUSEHOLD_GROUPS, household__isnull=False)
               .filter(~Exists(applied)).select_related("household").order_by("household_id"))
    markers = _shard(markers, "household_id", shard)
    if limit is not None:
        markers = markers[:limit]
    for marker in markers.iterator(chunk_size=500):
        yield marker.group, marker.household


def tekun_candidates(limit: int | None, shard=None) -> Iterator[tuple[str, Person]]:
    applied = Application.objects.filter(person_id=OuterRef("person_id"), programme="tekun")
    markers = (PopulationMarker.objects.filter(group="tekun", person__isnull=False).filter(~Exists(applied))
               .select_related("person").order_by("person_id"))
    markers = _shard(markers, "person_id", shard)
    if limit is not None:
        markers = markers[:limit]
    for marker in markers.iterator(chunk_size=500):
        yield marker.variant, marker.person


def _dates(key: int, as_of: datetime.date, approved: datetime.date | None = None) -> dict[str, datetime.date]:
    """Each step's day: the approval `approved` (the report year's plan), else spread before `as_of` by key."""
    approved = approved or as_of - datetime.timedelta(days=1 + (key * 7919) % SPREAD_DAYS)
    publicised = approved - datetime.timedelta(days=8)
    return {"submitted": publicised - datetime.timedelta(days=12), "accepted": publicised - datetime.timedelta(days=11),
            "investigated": publicised - datetime.timedelta(days=5), "checked": publicised - datetime.timedelta(days=1),
            "publicised": publicised, "approved": approved}


def _income_type(person: Person, on: datetime.date) -> str:
    return "pension" if rules.age_on(person.birth_date, on) >= 65 else "wages"


def _household_application(group: str, household: Household, *, worker, approver, book: StandardBook,
                           marginal_multiple: Decimal, as_of: datetime.date, report: CaseloadReport,
                           approved: datetime.date | None = None) -> None:
    d = _dates(household.pk, as_of, approved)
    member_ids = HouseholdMember.objects.filter(household=household).values_list("person_id", flat=True)
    members = list(Person.objects.filter(pk__in=list(member_ids), status=Person.Status.ALIVE).order_by("id"))
    app = services.application_create(user=worker, programme=group, household=household, submitted_on=d["submitted"],
                                      reason="演示数据：存量个案")
    app = services.application_transition(application=app, action="accept", user=worker, on=d["accepted"])
    services.income_records_set(application=app, user=worker, records=[
        {"person": p, "income_type": _income_type(p, d["investigated"]), "monthly_amount": p.monthly_income}
        for p in members if p.monthly_income])
    services.asset_check_record(application=app, user=worker, passed=True, note="演示数据", on=d["investigated"])
    if group == "hardship_expense" and members:
        # Medical bills over the last 12 months that bring per-capita income to 1.2 × the standard.
        standard = book.dibao(household.hukou_class, d["checked"]) or Decimal(0)
        total = sum((p.monthly_income or Decimal(0)) for p in members)
        excess = Decimal(total) / len(members) - Decimal("1.2") * standard
        if excess > 0:
            services.rigid_expense_add(application=app, user=worker, kind=RigidExpense.Kind.MEDICAL,
                                       amount=Decimal(math.ceil(excess * len(members) * 12)), note="演示数据")
    app = services.application_transition(application=app, action="investigate", user=worker, on=d["investigated"])
    app = services.application_transition(application=app, action="check", user=worker, on=d["checked"])
    if app.classification == "not_eligible":
        services.application_transition(application=app, action="reject", user=approver, on=d["checked"],
                                        note=app.classification_reason)
        report.rejected[group] += 1
        return
    app = services.application_transition(application=app, action="publicise", user=worker, on=d["publicised"])
    services.application_transition(application=app, action="approve", user=approver, on=d["approved"],
                                    note="演示数据：存量个案")
    report.created[app.classification] += 1
    if app.classification != group:
        report.notes[f"{group} household classified {app.classification}"] += 1


def _tekun_application(variant: str, person: Person, *, worker, approver, institutions: dict, as_of: datetime.date,
                       report: CaseloadReport, approved: datetime.date | None = None) -> None:
    d = _dates(person.pk, as_of, approved)
    institution = None
    if variant == "institutional":
        institution = institutions.get(person.town_id) or institutions.get(None)
        if institution is None:
            report.notes["institutional 特困 without a care institution: dispersed"] += 1
    mode = "institutional" if institution else "dispersed"
    app = services.application_create(user=worker, programme="tekun", person=person, submitted_on=d["submitted"],
                                      reason="演示数据：存量个案", support_mode=mode, care_institution=institution)
    app = services.application_transition(application=app, action="accept", user=worker, on=d["accepted"])
    failed = FAILED_TESTS_CYCLE[person.pk % len(FAILED_TESTS_CYCLE)]
    tests = {name: i >= failed for i, name in enumerate(rules.ADL_TESTS)}
    services.care_assessment_record(person=person, user=worker, on=d["accepted"], application=app, **tests)
    services.asset_check_record(application=app, user=worker, passed=True, note="演示数据", on=d["investigated"])
    app = services.application_transition(application=app, action="investigate", user=worker, on=d["investigated"])
    app = services.application_transition(application=app, action="check", user=worker, on=d["checked"])
    app = services.application_transition(application=app, action="publicise", user=worker, on=d["publicised"])
    services.application_transition(application=app, action="approve", user=approver, on=d["approved"],
                                    note="演示数据：存量个案")
    report.created[f"tekun ({mode})"] += 1


def demo_caseload(*, schema: str, limit: int | None = None, as_of: datetime.date | None = None,
                  progress: Callable[[int], None] | None = None, shard: tuple[int, int] | None = None,
                  approvals: ApprovalDays | None = None) -> CaseloadReport:
    """Run the current bureau's marked groups through the workflow; see the module docstring.

    `shard=(k, n)` takes only the candidates whose id is k modulo n: n processes share the work
    without ever touching the same household or person. `approvals(group, key)` dates each approval
    (the report year's plan, `apps.demo.synthetic.year`); a candidate it dates after `as_of` (or not
    at all) waits for a later call.
    """
    as_of = as_of or datetime.date.today()
    bureau, book, (approver, fallback, caseworkers), institutions = _setting(schema)
    report = CaseloadReport()
    remaining = limit

    def run(make: Callable[[], None], key: str) -> None:
        try:
            with transaction.atomic():
                make()
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            report.refused[f"{key}: {text[:120]}"] += 1
        if progress:
            progress(1)

    def day(group: str, key: int) -> datetime.date | None:
        return approvals(group, key) if approvals else None

    def due(group: str, key: int) -> bool:
        if approvals is None:
            return True
        approved = approvals(group, key)
        return approved is not None and approved <= as_of

    for group, household in household_candidates(None if approvals else remaining, shard):
        if not due(group, household.pk):
            continue
        worker = caseworkers.get(household.town_id, fallback)
        run(lambda g=group, h=household, w=worker: _household_application(
            g, h, worker=w, approver=approver, book=book, marginal_multiple=bureau.marginal_income_multiple,
            as_of=as_of, report=report, approved=day(g, h.pk)), group)
        if remaining is not None:
            remaining -= 1
            if remaining <= 0:
                break
    if remaining is None or remaining > 0:
        for variant, person in tekun_candidates(None if approvals else remaining, shard):
            if not due("tekun", person.pk):
                continue
            worker = caseworkers.get(person.town_id, fallback)
            run(lambda v=variant, p=person, w=worker: _tekun_application(
                v, p, worker=w, approver=approver, institutions=institutions, as_of=as_of, report=report,
                approved=day("tekun", p.pk)), "tekun")
            if remaining is not None:
                remaining -= 1
                if remaining <= 0:
                    break
    return report


def candidate_sizes(*, since: datetime.date | None = None) -> dict[str, list[tuple[int, int]]]:
    """Every marked candidate by group: (household id, living members) or (person id, 1) for 特困.

    What the report year's plan is made from; applied or not, so the plan never changes: a member who
    died on or after `since` (the report year's first day: its own deaths) still counts.
    """
    alive = Q(household__members__person__status=Person.Status.ALIVE)
    if since is not None:
        alive |= Q(household__members__person__date_of_death__gte=since)
    living = Count("household__members", filter=alive)
    sizes: dict[str, list[tuple[int, int]]] = {group: [] for group in (*HOUSEHOLD_GROUPS, "tekun")}
    rows = (PopulationMarker.objects.filter(group__in=HOUSEHOLD_GROUPS, household__isnull=False)
            .values_list("group", "household_id").annotate(n=living).order_by("household_id"))
    for group, key, members in rows:
        sizes[group].append((key, members))
    for key in (PopulationMarker.objects.filter(group="tekun", person__isnull=False)
                .order_by("person_id").values_list("person_id", flat=True)):
        sizes["tekun"].append((key, 1))
    return sizes


def tekun_households() -> dict[int, list[int]]:
    """The 特困 candidates by household: household id → its 特困 persons' ids (a person outside any
    household is a household of one, keyed by minus the person's id). What the report year plans 特困
    by, so that a household of two counts once among the year's new and stopped households."""
    households: dict[int, list[int]] = defaultdict(list)
    for household_id, person_id in (PopulationMarker.objects.filter(group="tekun", person__isnull=False)
                                    .values_list("person__membership__household_id", "person_id")
                                    .order_by("person_id")):
        households[household_id if household_id is not None else -person_id].append(person_id)
    return dict(households)


def candidate_count(limit: int | None = None) -> int:
    applied_h = Application.objects.filter(household_id=OuterRef("household_id"), programme=OuterRef("group"))
    applied_p = Application.objects.filter(person_id=OuterRef("person_id"), programme="tekun")
    n = (PopulationMarker.objects.filter(group__in=HOUSEHOLD_GROUPS, household__isnull=False)
         .filter(~Exists(applied_h)).count()
         + PopulationMarker.objects.filter(group="tekun", person__isnull=False).filter(~Exists(applied_p)).count())
    return n if limit is None else min(n, limit)



def _worker(schema: str, limit, as_of, shard, approvals, counter, results) -> None:
    """One process of the run: its own connection, its share of the candidates."""
    connections.close_all()
    bureau = Bureau.objects.get(schema_name=schema)

    def tick(n: int) -> None:
        with counter.get_lock():
            counter.value += n

    with tenant_context(bureau):
        report = demo_caseload(schema=schema, limit=limit, as_of=as_of, progress=tick, shard=shard,
                               approvals=approvals)
    results.put(report.as_dict())
    connections.close_all()


def _merge(reports: list[dict]) -> dict:
    merged: dict = {"approved": Counter(), "rejected": Counter(), "refused": Counter(), "skipped_existing": 0,
                    "notes": Counter()}
    for report in reports:
        for key in ("approved", "rejected", "refused", "notes"):
            merged[key].update(report[key])
        merged["skipped_existing"] += report["skipped_existing"]
    return {key: dict(value) if isinstance(value, Counter) else value for key, value in merged.items()}


class CaseloadWorkerDied(RuntimeError):
    pass


def demo_caseload_processes(*, schema: str, limit: int | None, as_of: datetime.date, workers: int,
                            approvals: ApprovalDays | None = None,
                            progress: Callable[[int], None] | None = None) -> dict:
    """demo_caseload in `workers` forked processes sharing the candidates by id; the merged report.

    The children inherit `approvals` (fork), so a plan is computed once.
    """
    context = multiprocessing.get_context("fork")
    counter, results = context.Value("i", 0), context.Queue()
    connections.close_all()  # children must not share the parent's socket
    processes = [context.Process(target=_worker, args=(schema, limit, as_of, (k, workers), approvals, counter,
                                                       results)) for k in range(workers)]
    for p in processes:
        p.start()
    reports, seen = [], 0
    while len(reports) < workers:
        time.sleep(0.2)
        with counter.get_lock():
            now = counter.value
        if progress:
            progress(now - seen)
        seen = now
        while not results.empty():
            reports.append(results.get())
        if len(reports) < workers and all(not p.is_alive() for p in processes) and results.empty():
            raise CaseloadWorkerDied("a worker process died; see its traceback above (rerun to finish: done work "
                                     "stays)")
    for p in processes:
        p.join()
    with counter.get_lock():
        if progress:
            progress(counter.value - seen)
    return _merge(reports)


# --------------------------------------------------------------------------- the same, set-based

BULK_CHUNK = 2000  # cases per transaction of the bulk path


def _household_case(group: str, household: Household, members: list[Person], *, worker, book: StandardBook,
                    dates: dict[str, datetime.date]) -> bulk.Case:
    """What _household_application enters, as one case of the bulk path."""
    rigid = []
    if group == "hardship_expense" and members:
        standard = book.dibao(household.hukou_class, dates["checked"]) or Decimal(0)
        total = sum((p.monthly_income or Decimal(0)) for p in members)
        excess = Decimal(total) / len(members) - Decimal("1.2") * standard
        if excess > 0:
            rigid.append((RigidExpense.Kind.MEDICAL, Decimal(math.ceil(excess * len(members) * 12)), "演示数据"))
    return bulk.Case(
        programme=group, worker=worker, dates=dates, household=household, reason="演示数据：存量个案", note="演示数据：存量个案",
        incomes=[(p.pk, _income_type(p, dates["investigated"]), p.monthly_income) for p in members if p.monthly_income],
        assets_passed=True, assets_note="演示数据", rigid_expenses=rigid)


def _tekun_case(variant: str, person: Person, *, worker, institutions: dict, dates: dict[str, datetime.date],
                report: CaseloadReport) -> bulk.Case:
    institution = None
    if variant == "institutional":
        institution = institutions.get(person.town_id) or institutions.get(None)
        if institution is None:
            report.notes["institutional 特困 without a care institution: dispersed"] += 1
    failed = FAILED_TESTS_CYCLE[person.pk % len(FAILED_TESTS_CYCLE)]
    return bulk.Case(
        programme="tekun", worker=worker, dates=dates, person=person, reason="演示数据：存量个案", note="演示数据：存量个案",
        assets_passed=True, assets_note="演示数据", care_tests={name: i >= failed for i, name in enumerate(rules.ADL_TESTS)},
        support_mode="institutional" if institution else "dispersed", care_institution=institution)


def demo_caseload_bulk(*, schema: str, as_of: datetime.date, approvals: ApprovalDays | None = None,
                       history_dated: bool = True) -> CaseloadReport:
    """demo_caseload through apps.assistance.bulk: the same cases, steps, days and rows, set-based.

    The history rows of each step carry the step's day (`history_dated`): the demo's past reads as
    it happened.
    """
    bureau, book, (approver, fallback, caseworkers), institutions = _setting(schema)
    report = CaseloadReport()

    def day(group: str, key: int) -> datetime.date | None:
        if approvals is None:
            return None
        approved = approvals(group, key)
        return approved if approved is not None and approved <= as_of else False

    households = [(g, h) for g, h in household_candidates(None) if day(g, h.pk) is not False]
    living: dict[int, list[Person]] = defaultdict(list)
    ids = [h.pk for _g, h in households]
    members = HouseholdMember.objects.filter(household_id__in=ids).values_list("household_id", "person_id")
    by_person = {p.pk: p for p in Person.objects.filter(
        pk__in=[p for _h, p in members], status=Person.Status.ALIVE).order_by("id")}
    for household_id, person_id in sorted(members, key=lambda r: r[1]):
        if person_id in by_person:
            living[household_id].append(by_person[person_id])
    cases, labels = [], []
    for group, household in households:
        worker = caseworkers.get(household.town_id, fallback)
        dates = _dates(household.pk, as_of, day(group, household.pk))
        cases.append(_household_case(group, household, living[household.pk], worker=worker, book=book, dates=dates))
        labels.append(group)
    for variant, person in tekun_candidates(None):
        if day("tekun", person.pk) is False:
            continue
        worker = caseworkers.get(person.town_id, fallback)
        cases.append(_tekun_case(variant, person, worker=worker, institutions=institutions,
                                 dates=_dates(person.pk, as_of, day("tekun", person.pk)), report=report))
        labels.append("tekun")
    for start in range(0, len(cases), BULK_CHUNK):
        outcomes = bulk.applications_decide(cases=cases[start:start + BULK_CHUNK], approver=approver,
                                            history_dated=history_dated)
        for label, outcome in zip(labels[start:start + BULK_CHUNK], outcomes, strict=True):
            app = outcome.application
            if app is None:
                report.refused[f"{label}: {outcome.refused[:120]}"] += 1
            elif app.status == Application.Status.REJECTED:
                report.rejected[label] += 1
            elif label == "tekun":
                report.created[f"tekun ({app.support_mode})"] += 1
            else:
                report.created[app.classification] += 1
                if app.classification != label:
                    report.notes[f"{label} household classified {app.classification}"] += 1
    return report


def demo_temporary_bulk(*, schema: str, grants: dict[int, tuple[datetime.date, Decimal]], as_of: datetime.date,
                        history_dated: bool = True) -> CaseloadReport:
    """临时救助 for the planned households (household → (approval day, amount)) approved by `as_of`, through
    apps.assistance.bulk (申请 → … → 公示 → 审批, set-based); a household with a 临时救助 application
    already is skipped, so a second run creates nothing."""
    approver, fallback, caseworkers = _users(schema)
    report = CaseloadReport()
    due = sorted(key for key, (day, _amount) in grants.items() if day <= as_of)
    applied = set(Application.objects.filter(programme="temporary", household_id__in=due)
                  .values_list("household_id", flat=True))
    cases = []
    for household in Household.objects.filter(pk__in=[k for k in due if k not in applied]).order_by("id"):
        day, amount = grants[household.pk]
        cases.append(bulk.Case(programme="temporary", worker=caseworkers.get(household.town_id, fallback),
                               dates=_dates(household.pk, as_of, day), household=household, reason="演示数据：临时救助",
                               note="演示数据：临时救助", requested_amount=amount))
    for start in range(0, len(cases), BULK_CHUNK):
        for outcome in bulk.applications_decide(cases=cases[start:start + BULK_CHUNK], approver=approver,
                                                history_dated=history_dated):
            if outcome.application is None:
                report.refused[f"temporary: {outcome.refused[:120]}"] += 1
            else:
                report.created["temporary"] += 1
    return report
