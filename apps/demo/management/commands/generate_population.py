import datetime
import time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context
from tqdm import tqdm

from apps.core.commands import bureau_arg
from apps.core.jobs import job_run
from apps.demo.synthetic.writer import PopulationRefused, plan_for, population_generate, seed_statistics


class Command(BaseCommand):
    help = """Generate a bureau's synthetic population: people, households, incomes and disability
certificates, sized from its report (seeds/<schema>.yaml) and deterministic by --seed.

Scale 1 is the bureau as its report describes it (中山: 3,469 低保 households / 6,444 persons, 1,186
特困, ... in a population of about 1.18 million); --plan prints every figure and how it was derived.

Groups other apps enrol are marked in demo.PopulationMarker (group = the programme code):
  household markers: dibao, dibao_marginal, hardship_expense (variant = urban/rural, the household's
                     hukou class); their per-capita income is below the 低保 standard, between 1 and
                     1.5 times it, and between 1.5 and 2.5 times it
  person markers:    tekun (variant dispersed/institutional; alone, no income, 80+, 60-79 or under 60
                     with a level 1-2 certificate), orphan (variant scattered/institutional; the
                     institutional ones have no household), child_in_difficulty
Household numbers say the group too: SYN-DB- 低保, SYN-BY- 边缘, SYN-ZC- 支出型, SYN-TK- 特困,
SYN-GE- orphans' guardians, SYN-KN- children in difficulty, SYN-LN- 80+, SYN-JM- everyone else.
The elderly and the disabled need no marker: birth dates and certificates say who they are.

Running it again with the same seed and scale does nothing (or finishes an interrupted run);
other parameters are refused: a bureau has one synthetic population."""

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="the bureau's schema, e.g. zhongshan")
        size = parser.add_mutually_exclusive_group(required=True)
        size.add_argument("--scale", help="1 = the size the report describes; 0.01 = one hundredth")
        size.add_argument("--persons", type=int, help="choose the scale that gives about this many persons")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--as-of", help="count ages as of this day (YYYY-MM-DD; default today)")
        parser.add_argument("--plan", action="store_true", help="print the plan and stop")
        parser.add_argument("--chunk", type=int, default=20_000, help="persons per transaction")

    def handle(self, *args, tenant, scale=None, persons=None, seed=1, as_of=None, plan=False, chunk=20_000, **options):
        bureau = bureau_arg(tenant)
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
        stats = seed_statistics(bureau.schema_name)
        with tenant_context(bureau):
            if persons is not None:
                if persons <= 0:
                    raise CommandError("--persons must be positive")
                unit = plan_for(bureau=bureau, seed_stats=stats, scale=Decimal(1)).persons
                scale_value = (Decimal(persons) / Decimal(unit)).quantize(Decimal("0.000001"))
            else:
                try:
                    scale_value = Decimal(scale)
                except InvalidOperation:
                    raise CommandError(f"--scale {scale!r} is not a number") from None
            if scale_value <= 0:
                raise CommandError("the scale must be positive")
            the_plan = plan_for(bureau=bureau, seed_stats=stats, scale=scale_value)
            if plan:
                self._print_plan(bureau, the_plan)
                return
            started = time.monotonic()
            bar = tqdm(total=the_plan.persons, unit="persons", unit_scale=True, disable=options["verbosity"] < 1,
                       file=self.stderr._out if hasattr(self.stderr, "_out") else None)
            try:
                with job_run(job="generate_population") as run:
                    run.detail = {"seed": seed, "scale": str(scale_value), "persons": the_plan.persons}
                    population = population_generate(bureau=bureau, seed=seed, scale=scale_value, as_of=day,
                                                     chunk_persons=chunk, progress=bar.update, plan=the_plan)
                    run.detail["written"] = population.persons
            except (PopulationRefused, ValidationError) as exc:
                raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
            finally:
                bar.close()
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"{bureau.schema_name}: {population.persons:,} persons in {population.households:,} households "
            f"(seed {population.seed}, scale {population.scale.normalize()}, ages as of {population.as_of}); "
            f"{elapsed:.1f}s"))

    def _print_plan(self, bureau, plan):
        self.stdout.write(f"{bureau.name_zh} ({bureau.schema_name}), scale {plan.scale}:")
        for key, value in plan.as_dict().items():
            if key not in ("notes", "scale"):
                self.stdout.write(f"  {key:<28} {value:>10,}")
        self.stdout.write("How the figures were derived (at scale 1):")
        for key, note in plan.notes.items():
            self.stdout.write(f"  {key:<28} {note}")
