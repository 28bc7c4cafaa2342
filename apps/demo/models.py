"""The bookkeeping of synthetic populations (`generate_population`): the run and its group markers.

These tables exist only for the demo: the registry itself (apps.people) never reads them.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.people.models import Household, Person


class PopulationGroup(models.TextChoices):
    """Groups a synthetic population marks; the values are the programme codes they are meant for."""

    DIBAO = "dibao", _("低保 target household")
    DIBAO_MARGINAL = "dibao_marginal", _("低保边缘 target household")
    HARDSHIP_EXPENSE = "hardship_expense", _("支出型困难 target household")
    TEKUN = "tekun", _("特困 candidate")
    ORPHAN = "orphan", _("orphan or de-facto unsupported child")
    CHILD_IN_DIFFICULTY = "child_in_difficulty", _("child in difficulty")


class SyntheticPopulation(models.Model):
    """The one synthetic population of a bureau (`generate_population`): its parameters and progress.

    At most one row per bureau (`singleton` is unique), so a second run with other parameters is
    refused, and a run with the same parameters resumes or finds nothing left to do.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    seed = models.BigIntegerField(_("seed"))
    scale = models.DecimalField(_("scale"), max_digits=12, decimal_places=6)
    as_of = models.DateField(_("ages as of"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks written"), default=0)
    persons = models.PositiveIntegerField(_("persons"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)
    plan = models.JSONField(_("plan"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("synthetic population")
        verbose_name_plural = _("synthetic populations")

    def __str__(self) -> str:
        return f"seed {self.seed}, scale {self.scale} ({self.status})"


class PopulationMarker(models.Model):
    """Marks a synthetic household or person as generated for a group (see PopulationGroup).

    The assistance and pensions demo commands read these to know whom to enrol; the registry itself
    never does. `variant` refines the group: urban/rural (household groups), dispersed/institutional
    (tekun), scattered/institutional (orphan).
    """

    population = models.ForeignKey(SyntheticPopulation, on_delete=models.CASCADE, related_name="markers",
                                   verbose_name=_("synthetic population"))
    group = models.CharField(_("group"), max_length=24, choices=PopulationGroup.choices)
    variant = models.CharField(_("variant"), max_length=16, blank=True)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="population_markers", verbose_name=_("household"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="population_markers", verbose_name=_("person"))

    class Meta:
        verbose_name = _("population marker")
        verbose_name_plural = _("population markers")
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False, person__isnull=True)
                | Q(household__isnull=True, person__isnull=False),
                name="population_marker_household_xor_person",
            ),
            models.UniqueConstraint(fields=["group", "household"], condition=Q(household__isnull=False),
                                    name="population_marker_unique_household"),
            models.UniqueConstraint(fields=["group", "person"], condition=Q(person__isnull=False),
                                    name="population_marker_unique_person"),
        ]
        indexes = [models.Index(fields=["group", "variant"], name="population_marker_group")]

    def __str__(self) -> str:
        return f"{self.group} {self.household_id or self.person_id}"
