"""Registries of the pensions app and the eligibility engine's records.

Care institutions and meal sites are registries with totals; a child-welfare record says that a
child is an orphan or a 事实无人抚养儿童 and how the child is placed. The engine
(apps.pensions.engine) writes one EligibilityChange per entitlement it would start, re-bracket or
stop; a change becomes an entitlement (or its end) only when it is confirmed.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.benefits.models import Standard
from apps.people.models import CareInstitution, Person, Town


class MealSite(models.Model):
    """A meal site for the elderly (长者饭堂 / 幸福食堂)."""

    class Kind(models.TextChoices):
        ELDER_CANTEEN = "elder_canteen", _("长者饭堂")
        HAPPINESS_CANTEEN = "happiness_canteen", _("幸福食堂")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ELDER_CANTEEN)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="meal_sites", verbose_name=_("town"))
    star_rating = models.PositiveSmallIntegerField(
        _("star rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    meals_per_month = models.PositiveIntegerField(_("meals served per month"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meal site")
        verbose_name_plural = _("meal sites")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(star_rating__isnull=True) | Q(star_rating__gte=1, star_rating__lte=5),
                name="meal_site_star_rating_1_to_5",
            ),
            models.CheckConstraint(condition=Q(meals_per_month__gte=0), name="meal_site_meals_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name


class ChildWelfareRecord(models.Model):
    """孤儿 / 事实无人抚养儿童: recognised by staff; the engine pays the placement's standard until 18."""

    class Kind(models.TextChoices):
        ORPHAN = "orphan", _("孤儿")
        DE_FACTO = "de_facto", _("事实无人抚养儿童")

    class Placement(models.TextChoices):
        INSTITUTIONAL = "institutional", _("集中养育")
        SCATTERED = "scattered", _("散居")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="child_welfare_records",
                               verbose_name=_("child"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    placement = models.CharField(_("placement"), max_length=16, choices=Placement.choices)
    since = models.DateField(_("recognised on"), help_text=_("Paid from the month after this date."))
    ended_on = models.DateField(_("ended on"), null=True, blank=True,
                                help_text=_("Adoption, return of a parent, ...; paid to the end of this month."))
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)
    # Who receives the money: the institution raising the child (集中养育), else the guardian, else the child.
    institution = models.ForeignKey(CareInstitution, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="child_welfare_records", verbose_name=_("institution"))
    guardian = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="children_in_care", verbose_name=_("guardian"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("child-welfare record")
        verbose_name_plural = _("child-welfare records")
        ordering = ["-since", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("since")),
                                   name="child_welfare_ended_after_since"),
            models.UniqueConstraint(fields=["person"], condition=Q(ended_on__isnull=True),
                                    name="child_welfare_one_open_record"),
            models.CheckConstraint(condition=~Q(guardian=F("person")), name="child_welfare_guardian_not_child"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.get_kind_display()}, {self.get_placement_display()})"


class EligibilityRun(models.Model):
    """One run of the eligibility engine (nightly or on demand) and what it found."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    today = models.DateField(_("run as of"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    auto_confirm = models.BooleanField(_("changes confirmed automatically"), default=False)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("started by"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("eligibility run")
        verbose_name_plural = _("eligibility runs")
        ordering = ["-id"]
        permissions = [("run_eligibilityrun", _("Can run the eligibility engine"))]

    def __str__(self) -> str:
        return f"{self.today} #{self.pk}"


class EligibilityChange(models.Model):
    """A change the engine found: start, re-bracket or stop an entitlement, or a one-off grant."""

    class Action(models.TextChoices):
        START = "start", _("start")
        REBRACKET = "rebracket", _("move to another bracket / variant")
        STOP = "stop", _("stop")
        GRANT = "grant", _("one-off grant")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")
        # The engine no longer proposes it (the facts changed before anyone decided).
        SUPERSEDED = "superseded", _("superseded")

    class Reason(models.TextChoices):
        AGE_BRACKET = "age_bracket", _("reached the age bracket")
        ANNUAL_GRANT = "annual_grant", _("annual grant for the age bracket")
        ELDERLY_ON_ASSISTANCE = "elderly_on_assistance", _("80 or older and on dibao or 分散特困")
        CERTIFICATE_HOLDER_ON_ASSISTANCE = "certificate_on_assistance", _(
            "disability certificate holder in a dibao or 低保边缘 household")
        SEVERE_CERTIFICATE = "severe_certificate", _("disability certificate of level 1 or 2")
        CHILD_WELFARE = "child_welfare", _("orphan or child without de-facto care")
        PLACEMENT_CHANGED = "placement_changed", _("placement changed")
        DECEASED = "deceased", _("deceased")
        NO_LOCAL_HUKOU = "no_local_hukou", _("no local hukou")
        OUTSIDE_BRACKETS = "outside_brackets", _("age outside every bracket")
        UNDER_80 = "under_80", _("under 80")
        NO_DIBAO_OR_DISPERSED_TEKUN = "no_dibao_or_dispersed_tekun", _("not on dibao or 分散特困")
        NO_VALID_CERTIFICATE = "no_valid_certificate", _("no valid disability certificate")
        CERTIFICATE_EXPIRES = "certificate_expires", _("the disability certificate expires")
        CERTIFICATE_NOT_SEVERE = "certificate_not_severe", _("certificate level is not 1 or 2")
        ON_TEKUN = "on_tekun", _("on 特困 support")
        NO_DIBAO_OR_MARGINAL = "no_dibao_or_marginal", _("household not on dibao or 低保边缘")
        SUPPORT_ENDS = "support_ends", _("dibao / 低保边缘 / 特困 support ends")
        TURNS_18 = "turns_18", _("turns 18")
        RECORD_ENDS = "record_ends", _("child-welfare record ends")
        NO_CHILD_WELFARE_RECORD = "no_child_welfare_record", _("no child-welfare record")
        NO_STANDARD = "no_standard", _("no standard for this programme or variant")
        NOT_ELIGIBLE = "not_eligible", _("no longer eligible")

    # The engine inserts changes by the hundred thousand, in the transaction that read every row they
    # name: foreign keys nobody searches by carry no index, and only `person` is checked by the
    # database (each check locks the row it names; that halved the commit at a million persons).
    # The ORM still protects the rows named (on_delete) and joins through them.
    run = models.ForeignKey(EligibilityRun, on_delete=models.PROTECT, related_name="changes",
                            verbose_name=_("run"), db_constraint=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="eligibility_changes",
                               verbose_name=_("person"))
    programme = models.ForeignKey("benefits.Programme", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("programme"), db_index=False, db_constraint=False)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    variant = models.CharField(_("variant"), max_length=16)
    # start / rebracket / grant: the first period paid; stop: the last period paid.
    period = models.DateField(_("period"))
    end_period = models.DateField(_("last period (known in advance)"), null=True, blank=True)
    amount = models.DecimalField(_("grant amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    entitlement = models.ForeignKey("benefits.Entitlement", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("entitlement ended"), db_constraint=False)
    created_entitlement = models.ForeignKey(
        "benefits.Entitlement", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("entitlement created"), db_constraint=False)
    created_grant = models.ForeignKey(
        "benefits.Grant", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("grant created"), db_index=False, db_constraint=False)
    payee_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("payee"),
        db_index=False, db_constraint=False)
    payee_institution = models.ForeignKey(
        CareInstitution, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("payee institution"), db_index=False, db_constraint=False)
    reason_code = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    # What makes two proposals the same: the engine never proposes a key twice (a rejection holds).
    key = models.CharField(_("key"), max_length=80, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"), db_index=False, db_constraint=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("eligibility change")
        verbose_name_plural = _("eligibility changes")
        ordering = ["-id"]
        permissions = [("confirm_eligibilitychange", _("Can confirm or reject eligibility changes"))]
        constraints = [
            models.UniqueConstraint(fields=["person", "programme"],
                                    condition=Q(status="pending") & ~Q(action="grant"),
                                    name="eligibility_one_pending_per_programme"),
            models.UniqueConstraint(fields=["person", "programme", "key"], condition=~Q(status="superseded"),
                                    name="eligibility_change_key_once"),
            models.CheckConstraint(condition=Q(period__day=1), name="eligibility_change_period_is_month"),
        ]
        indexes = [models.Index(fields=["programme", "status"], name="eligibility_programme_status")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.programme_id} {self.person_id} {self.period:%Y-%m}"


class LongevityStandardManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(programme_id="longevity")


class LongevityStandard(Standard):
    """The 高龄津贴 rows of the standards table: one row per age bracket ("80-89", "100+") and date.

    A proxy, so the bureau admin edits the brackets where the bracket table is checked as a whole
    (apps.pensions.services.longevity_standard_save). A variant "grant:100+:10" is the once-a-year
    grant (广州: 1,000 each October for 100+).
    """

    objects = LongevityStandardManager()

    class Meta:
        proxy = True
        verbose_name = _("高龄津贴 bracket standard")
        verbose_name_plural = _("高龄津贴 bracket standards")


# simple_history records the concrete Standard; its admin history page looks the manager up on the
# proxy's own options, which a proxy does not inherit.
LongevityStandard._meta.simple_history_manager_attribute = Standard._meta.simple_history_manager_attribute
