"""Writing a synthetic population into the current bureau's schema: COPY in chunks, resumable, once.

`population_generate` is the service behind `manage.py generate_population`:

* One `SyntheticPopulation` row per bureau records the parameters and the chunks written. The same
  seed, scale and as-of date again: a finished population is left alone (nothing to do), an
  unfinished one resumes after its last written chunk. Other parameters: refused.
* Each chunk (≈20,000 persons) is one transaction: households, persons, memberships and markers
  by COPY with ids drawn from the tables' sequences, and the progress counter, under a row lock on
  the population, so two runs never write the same chunk.
* Disability certificates are chosen in the stream by sequential sampling: exact counts, deterministic.

Synthetic rows carry no history records (the registry's history starts with their first change);
the run itself is recorded as a JobRun by the command.
"""

from __future__ import annotations

import datetime
import math
import queue
import random
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.benefits.models import Standard
from apps.benefits.selectors import StandardBook
from apps.people.models import Community, Town
from tenants.seeds import SEEDS_DIR, load_seed

from ..models import SyntheticPopulation
from .generator import Context, TownInfo, Unit, community_names, population_stream
from .plan import PopulationPlan, population_plan

CHUNK_PERSONS = 20_000
COMMUNITY_HOUSEHOLDS = 600  # households per synthetic village / residents' committee
PERSON_COLUMNS = ("id", "id_number", "id_hash", "name", "gender", "birth_date", "hukou_class", "local_hukou",
                  "town_id", "community_id", "phone", "bank_account", "bank_name", "monthly_income", "is_student",
                  "seriously_ill", "status", "created_at", "updated_at")
HOUSEHOLD_COLUMNS = ("id", "code", "town_id", "community_id", "hukou_class", "address", "single_parent",
                     "created_at", "updated_at")


class PopulationRefused(Exception):
    """The bureau has a population made with other parameters, or another run is writing it."""


# --------------------------------------------------------------------------- inputs


def standards_in_force(day: datetime.date, bureau) -> dict[tuple[str, str], Decimal]:
    """Monthly amounts by (programme, variant) in force on `day`, priced by benefits' one rule (StandardBook)."""
    book = StandardBook.load(bureau)
    keys = Standard.objects.values_list("programme_id", "variant").distinct()
    amounts = {key: book.monthly(*key, day) for key in keys}
    amounts = {key: value for key, value in amounts.items() if value is not None}
    tekun = book.tekun_basic("urban", day)
    if tekun is not None:
        amounts[("tekun", "basic")] = tekun
    return amounts


def dibao_by_class(amounts: dict, bureau) -> dict[str, Decimal]:
    unified = amounts.get(("dibao", "unified"))
    result = {cls: amounts.get(("dibao", cls)) or unified for cls in ("urban", "rural")}
    if not all(result.values()):
        raise ValidationError(_("%(bureau)s has no 低保 standard in force; load its standards first.")
                              % {"bureau": bureau.name_zh})
    return result


def plan_for(*, bureau, seed_stats: dict, scale: Decimal) -> PopulationPlan:
    """The plan from the bureau's reported figures and the standards of its report year."""
    report_day = datetime.date(bureau.report_year or timezone.localdate().year, 12, 1)
    amounts = standards_in_force(report_day, bureau)
    return population_plan(stats=seed_stats, standards=amounts, scale=scale, classified_share=bureau.classified_share)


# Months a reported figure covers, by its coverage (seeds/README.md); a whole year otherwise.
COVERAGE_MONTHS = {"jan_oct": 10}


def seed_statistics(schema: str) -> dict[str, Decimal]:
    """The reported figures of the bureau's seed file, by key: the report year's (Seed.statistic), and
    `<key>_months` for a figure covering part of the year (x市's child payments: 10)."""
    path = SEEDS_DIR / f"{schema}.yaml"
    if not path.exists():
        return {}
    seed = load_seed(path)
    stats: dict[str, Decimal] = {}
    for key in {row["key"] for row in seed.data["statistics"]}:
        row = seed.statistic_row(key)
        stats[key] = Decimal(str(row["value"]))
        if row.get("coverage") in COVERAGE_MONTHS:
            stats[f"{key}_months"] = Decimal(COVERAGE_MONTHS[row["coverage"]])
    return stats


def _towns_with_communities(plan: PopulationPlan, seed: int) -> list[TownInfo]:
    """The bureau's towns, each with enough synthetic communities for its share of households."""
    towns = list(Town.objects.order_by("id"))
    if not towns:
        raise ValidationError(_("This bureau has no towns; run bootstrap first."))
    rng = random.Random(f"{seed}:communities")
    households = plan.persons / 2.6
    infos = []
    for town in towns:
        wanted = max(2, min(60, math.ceil(households / len(towns) / COMMUNITY_HOUSEHOLDS)))
        existing = list(Community.objects.filter(town=town).order_by("id").values_list("id", "name"))
        if len(existing) < wanted:
            taken = {name for _, name in existing}
            names = [n for n in community_names(rng, town.kind, wanted * 2) if n not in taken][:wanted - len(existing)]
            Community.objects.bulk_create([Community(town=town, name=name) for name in names], ignore_conflicts=True)
            existing = list(Community.objects.filter(town=town).order_by("id").values_list("id", "name"))
        infos.append(TownInfo(id=town.pk, name=town.name, kind=town.kind, area_code=town.area_code,
                              communities=existing[:wanted]))
    return infos


# --------------------------------------------------------------------------- COPY


def _text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def _reserve_ids(cursor, table: str, count: int) -> list[int]:
    if count == 0:
        return []
    cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [count])
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
    if not lines:
        return
    quoted = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        copy.write("".join(lines))


def _write_chunk(units: list[Unit], population_id: int) -> tuple[int, int]:
    now = timezone.now().isoformat()
    with connection.cursor() as cursor:
        n_persons = sum(len(u.persons) for u in units)
        n_households = sum(1 for u in units if u.code)
        person_ids = iter(_reserve_ids(cursor, "people_person", n_persons))
        household_ids = iter(_reserve_ids(cursor, "people_household", n_households))
        households, persons, members, markers, certificates = [], [], [], [], []
        for unit in units:
            household_id = None
            if unit.code:
                household_id = next(household_ids)
                households.append("\t".join(map(_text, (
                    household_id, unit.code, unit.town_id, unit.community_id, unit.hukou_class, unit.address,
                    unit.single_parent, now, now))) + "\n")
                if unit.household_marker:
                    group, variant = unit.household_marker
                    markers.append(f"{population_id}\t{group}\t{variant}\t{household_id}\t\\N\n")
            ids = []
            for p in unit.persons:
                person_id = next(person_ids)
                ids.append(person_id)
                persons.append("\t".join(map(_text, (
                    person_id, p.id_number, p.id_hash, p.name, p.gender, p.birth_date, p.hukou_class, p.local_hukou,
                    p.town_id, p.community_id, p.phone, p.bank_account, p.bank_name, f"{p.monthly_income}.00",
                    p.is_student, p.seriously_ill, "alive", now, now))) + "\n")
                if household_id is not None:
                    members.append(f"{household_id}\t{person_id}\t{p.relation}\t\\N\n")
                if p.certificate is not None:
                    number, category, level, valid_from = p.certificate
                    certificates.append(f"{person_id}\t{number}\t{category}\t{level}\t{valid_from}\t\\N\n")
            for index, group, variant in unit.person_markers:
                markers.append(f"{population_id}\t{group}\t{variant}\t\\N\t{ids[index]}\n")
        _copy(cursor, "people_household", HOUSEHOLD_COLUMNS, households)
        _copy(cursor, "people_person", PERSON_COLUMNS, persons)
        _copy(cursor, "people_householdmember", ("household_id", "person_id", "relation", "joined_on"), members)
        _copy(cursor, "people_disabilitycertificate",
              ("person_id", "number", "category", "level", "valid_from", "valid_until"), certificates)
        _copy(cursor, "demo_populationmarker", ("population_id", "group", "variant", "household_id", "person_id"),
              markers)
    return n_persons, n_households


def _prefetched(items: Iterator, depth: int = 2) -> Iterator:
    """Produce `items` in a thread: the next chunk is generated while the database writes this one."""
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    done, stop, failure = object(), threading.Event(), []

    def produce():
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        buffer.put(item, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer, which re-raises it
            failure.append(exc)
        finally:
            while not stop.is_set():
                try:
                    buffer.put(done, timeout=0.5)
                    break
                except queue.Full:
                    continue

    thread = threading.Thread(target=produce, name="population-generator", daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if item is done:
                break
            yield item
        if failure:
            raise failure[0]
    finally:
        stop.set()
        thread.join(timeout=5)


def _chunks(units: Iterator[Unit], size: int) -> Iterator[list[Unit]]:
    chunk: list[Unit] = []
    persons = 0
    for unit in units:
        chunk.append(unit)
        persons += len(unit.persons)
        if persons >= size:
            yield chunk
            chunk, persons = [], 0
    if chunk:
        yield chunk


# --------------------------------------------------------------------------- the service


def population_generate(*, bureau, seed: int, scale: Decimal, as_of: datetime.date | None = None,
                        chunk_persons: int = CHUNK_PERSONS,
                        progress: Callable[[int], None] | None = None,
                        plan: PopulationPlan | None = None) -> SyntheticPopulation:
    """Generate (or finish) the bureau's synthetic population; run inside the bureau's schema."""
    today = timezone.localdate()
    if scale <= 0:
        raise ValidationError(_("The scale must be positive."))
    with transaction.atomic():
        population = SyntheticPopulation.objects.select_for_update().first()
        if population is not None:
            as_of = as_of or population.as_of
            if (population.seed, population.scale, population.as_of) != (seed, scale, as_of):
                raise PopulationRefused(
                    _("This bureau already has a synthetic population (seed %(seed)s, scale %(scale)s, ages as of "
                      "%(as_of)s, %(status)s); a second one with other parameters is refused.")
                    % {"seed": population.seed, "scale": population.scale.normalize(), "as_of": population.as_of,
                       "status": population.get_status_display()})
            if population.status == SyntheticPopulation.Status.DONE:
                return population
    as_of = as_of or today
    if as_of > today:
        raise ValidationError(_("Ages are counted as of a day that has come: %(day)s is in the future.") % {"day": as_of})
    plan = plan or plan_for(bureau=bureau, seed_stats=seed_statistics(bureau.schema_name), scale=scale)
    if population is None:
        try:
            with transaction.atomic():
                population = SyntheticPopulation.objects.create(
                    seed=seed, scale=scale, as_of=as_of, plan=plan.as_dict(),
                    chunks_total=math.ceil(plan.persons / chunk_persons))
        except IntegrityError as exc:
            raise PopulationRefused(_("Another run is creating this bureau's population.")) from exc
    with transaction.atomic():
        towns = _towns_with_communities(plan, seed)
    amounts = standards_in_force(as_of, bureau)
    low = None
    if bureau.report_year:
        # The report year's first standard, and the half-year before it (demo.reportyear carries it back).
        first = standards_in_force(datetime.date(bureau.report_year, 1, 1), bureau)
        if ("dibao", "urban") in first or ("dibao", "unified") in first:
            low = dibao_by_class(first, bureau)
    ctx = Context(seed=seed, as_of=as_of, towns=towns, id_area_codes=list(bureau.id_area_codes) or ["110101"],
                  dibao_standard=dibao_by_class(amounts, bureau), hash_key=settings.PII_HASH_KEY.encode(),
                  dibao_standard_low=low,
                  certified_before=datetime.date(bureau.report_year, 1, 1) if bureau.report_year else None,
                  recipients_aged_on=datetime.date(bureau.report_year, 1, 1) if bureau.report_year else None)

    done = population.chunks_done
    for index, chunk in enumerate(_prefetched(_chunks(population_stream(plan, ctx), chunk_persons))):
        if index < done:
            continue  # written by an earlier, interrupted run
        with transaction.atomic():
            locked = SyntheticPopulation.objects.select_for_update().get(pk=population.pk)
            if locked.chunks_done != index:
                raise PopulationRefused(_("Another run is writing this bureau's population."))
            persons, households = _write_chunk(chunk, population.pk)
            locked.chunks_done, locked.persons = index + 1, locked.persons + persons
            locked.households += households
            locked.save(update_fields=["chunks_done", "persons", "households"])
        if progress:
            progress(persons)
    with transaction.atomic():
        locked = SyntheticPopulation.objects.select_for_update().get(pk=population.pk)
        if locked.status != SyntheticPopulation.Status.DONE:
            # Fresh statistics now: with a bulk load's stale ones the planner scans where it should seek.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE people_person, people_household, people_householdmember, "
                               "people_disabilitycertificate, demo_populationmarker, people_community")
            locked.status, locked.finished_at = SyntheticPopulation.Status.DONE, timezone.now()
            locked.chunks_total = locked.chunks_done
            locked.save()
    return locked
