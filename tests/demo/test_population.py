"""generate_population: sized from the report, deterministic by seed, exact group counts, written once."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q, Sum

from apps.core.idcard import id_hash, parse_id_number
from apps.core.models import JobRun
from apps.demo.models import SyntheticPopulation
from apps.demo.synthetic import writer
from apps.demo.synthetic.generator import Context, TownInfo, population_stream
from apps.demo.synthetic.plan import elderly_quota, population_plan
from apps.demo.synthetic.writer import PopulationRefused, plan_for, population_generate, seed_statistics
from apps.people.models import DisabilityCertificate, Household, HouseholdMember, Person, Town

AS_OF = datetime.date(2026, 1, 1)

# 中山's 2024 report, as the seed file has it, and its standards in 2024.
ZHONGSHAN_STATS = {
    "dibao_households": Decimal("3469"), "dibao_persons": Decimal("6444"), "tekun_persons": Decimal("1186"),
    "dibao_marginal_households": Decimal("393"), "dibao_marginal_persons": Decimal("839"),
    "hardship_expense_households": Decimal("8"), "hardship_expense_persons": Decimal("19"),
    "longevity_paid": Decimal("5790"), "disability_paid": Decimal("6510.65"), "children_paid": Decimal("1270.31"),
    "children_in_difficulty": Decimal("3846"), "meal_sites": Decimal("144"),
}
ZHONGSHAN_STANDARDS = {
    ("dibao", "unified"): Decimal("1225"), ("tekun", "unified"): Decimal("1960"), ("tekun", "basic"): Decimal("1960"),
    ("disability_living", "unified"): Decimal("202"), ("disability_nursing", "unified"): Decimal("270"),
    ("longevity", "80-89"): Decimal("100"), ("longevity", "90-99"): Decimal("200"), ("longevity", "100+"): Decimal("500"),
}


def synthetic():
    """The generated persons (other tests' leftovers, if any, are not counted)."""
    return Person.objects.filter(Q(membership__household__code__startswith="SYN-")
                                 | Q(population_markers__group="orphan", population_markers__variant="institutional"))


def test_plan_at_scale_one_is_the_report():
    plan = population_plan(stats=ZHONGSHAN_STATS, standards=ZHONGSHAN_STANDARDS, scale=Decimal("1"))
    assert (plan.dibao_households, plan.dibao_persons, plan.tekun_persons) == (3469, 6444, 1186)
    assert (plan.dibao_marginal_households, plan.dibao_marginal_persons) == (393, 839)
    assert (plan.hardship_expense_households, plan.hardship_expense_persons) == (8, 19)
    # 高龄津贴 5,790万 a year / 12 / 116.70 a month (100 × 84.2% + 200 × 15.5% + 500 × 0.3%) = 41,345 aged 80+,
    # 3.5% of 1,181,295 residents.
    assert (plan.elderly_80_plus, plan.persons) == (41345, 1181295)
    # 15.5% and 0.3% of the unrounded 41,345.18: 6,408.5 → 6,409 and 124.
    assert (plan.elderly_90_99, plan.elderly_100_plus) == (6409, 124)
    # 两项补贴 6,510.65万: living subsidy for 25% of 7,283 低保/边缘 members (1,821 × 202),
    # the rest nursing subsidies at 270: (5,425,541.67 − 367,842) / 270 = 18,732.
    assert (plan.disabled_living, plan.disabled_severe, plan.disabled_mild_other) == (1821, 18732, 9366)
    # 儿童生活保障金 1,270.31万 / 1,960 = 6,481.2 person-months / 12 = 540.1 children, of whom one in
    # 36 is not paid (a year's 18th birthdays, half the year on average): 540.1 / (35/36) = 555.5 → 556;
    # 3,846 children in difficulty less them: 3,290.5 → 3,290.
    assert (plan.orphans_institutional + plan.orphans_scattered, plan.children_in_difficulty) == (556, 3290)


def test_orphans_recognised_in_the_year_are_paid_part_of_it():
    # 中山's 47 children recognised in 2024 are paid from the month after (6.5 of 12 months unpaid each):
    # (6,481.2 + 47 × 6.5 = 6,786.7) person-months / 12 / (35/36) = 581.7 → 582 children in the plan.
    stats = {**ZHONGSHAN_STATS, "children_new_identified": Decimal("47")}
    plan = population_plan(stats=stats, standards={**ZHONGSHAN_STANDARDS, ("orphan", "scattered"): Decimal("1960")},
                           scale=Decimal("1"))
    assert (plan.orphans_institutional, plan.orphans_scattered) == (0, 582)  # only 散居 has a standard

def test_plan_at_a_small_scale_keeps_every_group():
    plan = population_plan(stats=ZHONGSHAN_STATS, standards=ZHONGSHAN_STANDARDS, scale=Decimal("0.01"))
    assert (plan.persons, plan.dibao_households, plan.dibao_persons, plan.tekun_persons) == (11813, 35, 64, 12)
    assert (plan.dibao_marginal_households, plan.dibao_marginal_persons) == (4, 8)
    assert (plan.hardship_expense_households, plan.hardship_expense_persons) == (1, 1)  # 0.08 and 0.19: kept at one
    assert (plan.elderly_80_plus, plan.disabled_severe, plan.disabled_living) == (413, 187, 18)


def test_plan_derives_what_a_report_leaves_out():
    # x市 reports flows, not stocks, and its 60+ count with their share of the population.
    stats = {"dibao_new_households": Decimal("1010"), "dibao_new_persons": Decimal("1653"),
             "dibao_stopped_households": Decimal("1215"), "dibao_stopped_persons": Decimal("1923"),
             "tekun_new_persons": Decimal("86"), "tekun_stopped_persons": Decimal("118"),
             "elderly_60plus_persons": Decimal("126300"), "elderly_60plus_share": Decimal("18.2"),
             "longevity_persons": Decimal("15997"), "longevity_persons_100plus": Decimal("43")}
    plan = population_plan(stats=stats, standards={("dibao", "urban"): Decimal("735")}, scale=Decimal("1"))
    assert plan.persons == 693956  # 126,300 / 18.2%
    assert (plan.dibao_households, plan.dibao_persons, plan.tekun_persons) == (5563, 8940, 510)  # 5 × mean(new, stopped)
    assert (plan.elderly_80_plus, plan.elderly_100_plus) == (15997, 43)
    assert plan.notes["dibao"] == "5 × the yearly new (and stopped) cases"


def test_a_reported_service_subsidy_sets_how_many_poor_members_are_80_plus():
    # x市: 经济困难高龄服务补贴 55.64万 at 50 a month is 927.3 recipients a month; with the year's deaths
    # and stops (paid 0.906 of the year) 1,023.6 → 1,024 at the year's start, where 8% of 22,192 低保
    # members and 45% of 357 分散特困 (1,775.4 + 160.6 = 1,936) would be nearly twice that.
    stats = {"dibao_persons": Decimal("22192"), "dibao_households": Decimal("13800"),
             "tekun_persons": Decimal("510"), "elderly_service_paid": Decimal("55.64")}
    standards = {("dibao", "urban"): Decimal("735"), ("elderly_service", "unified"): Decimal("50")}
    plan = population_plan(stats=stats, standards=standards, scale=Decimal("1"))
    assert (plan.tekun_persons, plan.tekun_institutional, plan.elderly_service_recipients) == (510, 153, 1024)
    quota = elderly_quota(plan)
    # Both shares × 1,024 / 1,936: 低保 22,192 × 4.231% = 939; 特困 510 × 23.80% = 121, 85 of them at home.
    assert (quota["dibao"], quota["tekun"]) == (939, 121)
    assert quota["dibao"] + round(quota["tekun"] * 357 / 510) == 1024
    # Without the figure, the default shares.
    plain = population_plan(stats={k: v for k, v in stats.items() if k != "elderly_service_paid"},
                            standards=standards, scale=Decimal("1"))
    assert (plain.elderly_service_recipients, elderly_quota(plain)["dibao"], elderly_quota(plain)["tekun"]) == (
        0, 1775, 230)


def small_context(seed: int) -> tuple:
    plan = population_plan(stats=ZHONGSHAN_STATS, standards=ZHONGSHAN_STANDARDS, scale=Decimal("0.002"))
    towns = [TownInfo(id=i, name=f"镇{i}", kind="town", area_code="442000", communities=[(10 * i + 1, "某村")])
             for i in range(1, 4)]
    ctx = Context(seed=seed, as_of=AS_OF, towns=towns, id_area_codes=["442000"],
                  dibao_standard={"urban": Decimal("1225"), "rural": Decimal("1225")}, hash_key=b"key")
    return plan, ctx


def test_same_seed_same_people_other_seed_other_people():
    def numbers(seed):
        plan, ctx = small_context(seed)
        return [p.id_number for unit in population_stream(plan, ctx) for p in unit.persons]

    first, again, other = numbers(7), numbers(7), numbers(8)
    assert first == again
    assert len(first) == len(set(first)) == 2363
    assert first != other and len(set(first) & set(other)) < 100


@pytest.fixture
def population(zs):
    from tenants.models import Bureau

    bureau = Bureau.objects.get(schema_name="zhongshan")
    plan = plan_for(bureau=bureau, seed_stats=seed_statistics("zhongshan"), scale=Decimal("0.005"))
    done = population_generate(bureau=bureau, seed=11, scale=Decimal("0.005"), as_of=AS_OF, chunk_persons=1500)
    return bureau, plan, done


def test_generated_population_matches_its_plan(population):
    bureau, plan, done = population
    assert done.status == "done" and done.persons == plan.persons == synthetic().count()
    assert done.chunks_done == done.chunks_total >= 4

    def marked_households(group):
        return Household.objects.filter(population_markers__group=group)

    for group, households, persons in (
        ("dibao", plan.dibao_households, plan.dibao_persons),
        ("dibao_marginal", plan.dibao_marginal_households, plan.dibao_marginal_persons),
        ("hardship_expense", plan.hardship_expense_households, plan.hardship_expense_persons),
    ):
        assert marked_households(group).count() == households, group
        assert HouseholdMember.objects.filter(household__in=marked_households(group)).count() == persons, group

    # Incomes put each group where its programme looks: below 1225, [1225, 1837.5), [1837.5, 3062.5).
    for group, low, high in (("dibao", 0, 1225), ("dibao_marginal", 1225, 1837.5),
                             ("hardship_expense", 1837.5, 3062.5)):
        for household in marked_households(group).annotate(
                total=Sum("members__person__monthly_income"), size=Count("members")):
            assert low <= household.total / household.size < high, (group, household.code)

    tekun = Person.objects.filter(population_markers__group="tekun")
    assert tekun.count() == plan.tekun_persons
    assert tekun.filter(population_markers__variant="institutional").count() == plan.tekun_institutional
    assert set(tekun.values_list("monthly_income", flat=True)) == {Decimal("0.00")}
    assert all(h.members.count() == 1 for h in Household.objects.filter(members__person__in=tekun))

    orphans = Person.objects.filter(population_markers__group="orphan")
    assert orphans.count() == plan.orphans_scattered + plan.orphans_institutional
    assert not orphans.filter(population_markers__variant="institutional", membership__isnull=False).exists()
    # Aged on the report year's first day (2024-01-01), as the 80+: all under 18 then, all born by then.
    assert not orphans.filter(birth_date__lte=datetime.date(2006, 1, 1)).exists()
    assert not orphans.filter(birth_date__gt=datetime.date(2024, 1, 1)).exists()
    # Their guardian (the grandparent at the head of the household) has an account to be paid into.
    heads = Person.objects.filter(membership__relation="head", membership__household__code__startswith="SYN-GE-")
    assert heads.exists() and not heads.filter(bank_account="").exists()
    assert Person.objects.filter(population_markers__group="child_in_difficulty").count() == plan.children_in_difficulty

    # The 80+ have the plan's ages on the report year's first day (2024-01-01), not on AS_OF: the whole
    # year's 高龄津贴 is theirs; nobody else is 80 before 2026.
    assert synthetic().filter(birth_date__lte=datetime.date(1944, 1, 1)).count() == plan.elderly_80_plus
    assert synthetic().filter(birth_date__lte=datetime.date(1946, 1, 1)).count() == plan.elderly_80_plus
    assert synthetic().filter(birth_date__lte=datetime.date(1934, 1, 1)).count() == (
        plan.elderly_90_99 + plan.elderly_100_plus)
    assert synthetic().filter(birth_date__lte=datetime.date(1924, 1, 1)).count() == plan.elderly_100_plus

    certificates = DisabilityCertificate.objects.filter(person__in=synthetic())
    assert certificates.filter(level__lte=2).count() == plan.disabled_severe
    poor = Household.objects.filter(population_markers__group__in=["dibao", "dibao_marginal"])
    assert certificates.filter(person__membership__household__in=poor).count() == plan.disabled_living

    towns = set(Town.objects.values_list("id", flat=True))
    assert set(synthetic().values_list("town_id", flat=True)) == towns
    for person in synthetic()[:500]:
        facts = parse_id_number(person.id_number)
        assert (facts.area_code in bureau.id_area_codes) == person.local_hukou
        assert (person.gender, person.birth_date) == (facts.gender, facts.birth_date)
        assert person.id_hash == id_hash(person.id_number)


def test_written_people_are_the_streams_people(population):
    from django.conf import settings

    bureau, plan, done = population
    ctx = Context(seed=11, as_of=AS_OF, towns=writer._towns_with_communities(plan, 11),
                  id_area_codes=bureau.id_area_codes, hash_key=settings.PII_HASH_KEY.encode(),
                  dibao_standard=writer.dibao_by_class(writer.standards_in_force(AS_OF, bureau), bureau),
                  recipients_aged_on=datetime.date(bureau.report_year, 1, 1))
    stream = [p.id_number for unit in population_stream(plan, ctx) for p in unit.persons]
    assert list(synthetic().order_by("id").values_list("id_number", flat=True)) == stream


def test_running_again_is_a_no_op_and_other_parameters_are_refused(population):
    bureau, plan, done = population
    persons = synthetic().count()
    same = population_generate(bureau=bureau, seed=11, scale=Decimal("0.005"))  # as_of: the population's
    assert same.pk == done.pk and synthetic().count() == persons
    with pytest.raises(PopulationRefused, match="already has a synthetic population"):
        population_generate(bureau=bureau, seed=12, scale=Decimal("0.005"))
    assert synthetic().count() == persons


def test_an_interrupted_run_resumes_after_its_last_chunk(zs):
    from tenants.models import Bureau

    bureau = Bureau.objects.get(schema_name="zhongshan")
    plan = plan_for(bureau=bureau, seed_stats=seed_statistics("zhongshan"), scale=Decimal("0.002"))
    calls = []

    def crash_after_two_chunks(persons):
        calls.append(persons)
        if len(calls) == 2:
            raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        population_generate(bureau=bureau, seed=5, scale=Decimal("0.002"), as_of=AS_OF, chunk_persons=500,
                            progress=crash_after_two_chunks, plan=plan)
    assert SyntheticPopulation.objects.get().chunks_done == 2
    done = population_generate(bureau=bureau, seed=5, scale=Decimal("0.002"), as_of=AS_OF, chunk_persons=500)
    assert done.status == "done" and synthetic().count() == plan.persons == done.persons


def test_command_prints_the_plan_and_records_its_run(zs):
    out = io.StringIO()
    call_command("generate_population", tenant="nanshan", scale="1", plan=True, stdout=out)
    text = out.getvalue()
    assert "dibao_households" in text and "5 × the yearly new (and stopped) cases" in text
    out = io.StringIO()
    call_command("generate_population", tenant="xcity", persons=2000, seed=3, verbosity=0, stdout=out)
    assert "xcity: 2,000 persons" in out.getvalue()
    with pytest.raises(CommandError, match="no bureau"):
        call_command("generate_population", tenant="atlantis", scale="1")
    from django_tenants.utils import schema_context

    with schema_context("xcity"):
        assert JobRun.objects.filter(job="generate_population", status="succeeded").exists()
        local = synthetic().filter(local_hukou=True)
        assert local.count() == local.filter(id_number__startswith="522601").count() > 1800


def test_a_household_with_a_certificate_holder_names_an_account_for_the_subsidy():
    """Every generated household with a disability certificate and an adult has an adult with an account
    (the 一卡通 the subsidy is paid to), and giving it leaves everyone's ID number where it was."""
    plan, ctx = small_context(7)
    units = list(population_stream(plan, ctx))
    holding = [unit for unit in units if unit.code and any(p.certificate for p in unit.persons)
               and any(p.age >= 18 for p in unit.persons)]
    assert len(holding) > 20
    assert all(any(p.bank_account for p in unit.persons if p.age >= 18) for unit in holding)
    general = [unit for unit in holding if unit.code.startswith(("SYN-JM-", "SYN-LN-"))]
    assert general, "the general families hold certificates too"
