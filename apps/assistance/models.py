"""Social assistance: applications and their investigation, reviews (复核), 流浪乞讨救助 cases.

The workflow of an application lives in apps.assistance.workflow (one transition table); the
models only hold state. Amounts are never stored here: approval creates an Entitlement or a Grant
in apps.benefits, which the payment run reads.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.benefits.models import CareLevel
from apps.people.models import Household, Person, Town


class ApplicationProgramme(models.TextChoices):
    DIBAO = "dibao", _("最低生活保障")
    DIBAO_MARGINAL = "dibao_marginal", _("低保边缘家庭")
    HARDSHIP_EXPENSE = "hardship_expense", _("支出型困难家庭")
    TEKUN = "tekun", _("特困人员救助供养")
    TEMPORARY = "temporary", _("临时救助")


# Household applications are classified from income; the result decides what approval grants.
HOUSEHOLD_PROGRAMMES = {ApplicationProgramme.DIBAO, ApplicationProgramme.DIBAO_MARGINAL,
                        ApplicationProgramme.HARDSHIP_EXPENSE}


class Classification(models.TextChoices):
    DIBAO = "dibao", _("低保")
    DIBAO_MARGINAL = "dibao_marginal", _("低保边缘")
    HARDSHIP_EXPENSE = "hardship_expense", _("支出型困难")
    NOT_ELIGIBLE = "not_eligible", _("not eligible")


class SupportMode(models.TextChoices):
    INSTITUTIONAL = "institutional", _("集中供养")
    DISPERSED = "dispersed", _("分散供养")


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("申请 submitted")
        ACCEPTED = "accepted", _("受理 accepted")
        INVESTIGATED = "investigated", _("入户调查 investigated")
        CHECKED = "checked", _("核对 checked")
        PUBLICISED = "publicised", _("公示 publicised")
        APPROVED = "approved", _("审批 approved")
        REJECTED = "rejected", _("审批 rejected")

    OPEN_STATUSES = ["submitted", "accepted", "investigated", "checked", "publicised"]

    programme = models.CharField(_("programme"), max_length=20, choices=ApplicationProgramme.choices, db_index=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="applications", verbose_name=_("household"))
    # The person concerned: the applicant of a 特困 or temporary application; for a household
    # application the head at the time of applying.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="applications", verbose_name=_("person"))
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="applications", verbose_name=_("town"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    submitted_on = models.DateField(_("submitted on"))
    reason = models.TextField(_("reason given by the applicant"), blank=True)

    # Investigation (入户调查) and check (核对) results.
    investigated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("investigated by"))
    household_size = models.PositiveSmallIntegerField(_("household members"), null=True, blank=True)
    total_income = models.DecimalField(_("counted monthly income"), max_digits=12, decimal_places=2,
                                       null=True, blank=True)
    per_capita_income = models.DecimalField(_("per-capita monthly income"), max_digits=12, decimal_places=2,
                                            null=True, blank=True)
    addon_members = models.PositiveSmallIntegerField(_("members with a 分类施保 add-on"), null=True, blank=True)
    standard = models.DecimalField(_("standard applied"), max_digits=12, decimal_places=2, null=True, blank=True)
    classification = models.CharField(_("classification"), max_length=20, choices=Classification.choices,
                                      blank=True)
    classification_reason = models.CharField(_("classification reason"), max_length=300, blank=True)

    # 特困
    support_mode = models.CharField(_("support mode"), max_length=16, choices=SupportMode.choices, blank=True)
    care_institution = models.ForeignKey("people.CareInstitution", on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="tekun_applications",
                                         verbose_name=_("care institution"))
    care_level = models.CharField(_("care level"), max_length=16, choices=CareLevel.choices, blank=True)
    # 临时救助
    requested_amount = models.DecimalField(_("requested amount"), max_digits=12, decimal_places=2, null=True,
                                           blank=True, validators=[MinValueValidator(0)])

    # Dates of the workflow's steps (the business date; the transition rows keep the clock time).
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    investigated_on = models.DateField(_("investigated on"), null=True, blank=True)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    publicised_on = models.DateField(_("publicity from"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decision_note = models.TextField(_("decision note"), blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-id"]
        permissions = [
            ("review_application", _("Can review applications (审核) and complete reviews (复核)")),
            ("approve_application", _("Can approve or reject applications (审批)")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(household__isnull=False) | Q(person__isnull=False),
                                   name="application_has_subject"),
            # One open application per household (or person) and programme: a double click, a
            # concurrent clerk or a re-run demo command cannot open a second one.
            models.UniqueConstraint(
                fields=["household", "programme"],
                condition=Q(household__isnull=False,
                            status__in=["submitted", "accepted", "investigated", "checked", "publicised"]),
                name="application_one_open_per_household",
            ),
            models.UniqueConstraint(
                fields=["person", "programme"],
                condition=Q(household__isnull=True,
                            status__in=["submitted", "accepted", "investigated", "checked", "publicised"]),
                name="application_one_open_per_person",
            ),
        ]
        indexes = [models.Index(fields=["town", "status"], name="application_town_status")]

    def __str__(self) -> str:
        return f"{self.get_programme_display()} #{self.pk}"

    @property
    def source_key(self) -> str:
        """How the entitlements and grants it creates name it (Entitlement.source)."""
        return f"assistance.application:{self.pk}"

    @property
    def publicity_ends_on(self):
        import datetime

        return None if self.publicised_on is None else self.publicised_on + datetime.timedelta(days=6)


class ApplicationTransition(models.Model):
    """One step of an application: who did what, when, from which state to which."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="transitions",
                                    verbose_name=_("application"))
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(_("from"), max_length=16, choices=Application.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Application.Status.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("by"))
    on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("application transition")
        verbose_name_plural = _("application transitions")
        ordering = ["application", "id"]

    def __str__(self) -> str:
        return f"#{self.application_id} {self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class Objection(models.Model):
    """An objection filed during the 7-day publicity (公示); approval waits until it is resolved."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        UPHELD = "upheld", _("upheld")
        DISMISSED = "dismissed", _("dismissed")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections",
                                    verbose_name=_("application"))
    filed_on = models.DateField(_("filed on"))
    filed_by = models.CharField(_("filed by"), max_length=100, blank=True, help_text=_("May be anonymous."))
    content = models.TextField(_("content"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("resolved by"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["application", "id"]

    def __str__(self) -> str:
        return f"#{self.application_id} {self.filed_on} {self.get_status_display()}"


class IncomeType(models.TextChoices):
    WAGES = "wages", _("工资性收入")
    BUSINESS = "business", _("经营净收入")
    PROPERTY = "property", _("财产净收入")
    TRANSFER = "transfer", _("转移净收入")
    PENSION = "pension", _("养老金")
    MAINTENANCE = "maintenance", _("赡养费、抚养费、扶养费")
    OTHER = "other", _("其他收入")
    # Not counted (SPEC §4: income excludes 高龄津贴, 两项补贴 and similar allowances).
    LONGEVITY_ALLOWANCE = "longevity_allowance", _("高龄津贴 (not counted)")
    DISABILITY_ALLOWANCE = "disability_allowance", _("残疾人两项补贴 (not counted)")
    HONOUR_ALLOWANCE = "honour_allowance", _("优抚对象抚恤金、见义勇为奖励等 (not counted)")
    FAMILY_PLANNING = "family_planning", _("计划生育奖励与扶助金 (not counted)")


EXCLUDED_INCOME_TYPES = frozenset({
    IncomeType.LONGEVITY_ALLOWANCE, IncomeType.DISABILITY_ALLOWANCE, IncomeType.HONOUR_ALLOWANCE,
    IncomeType.FAMILY_PLANNING,
})


class IncomeRecord(models.Model):
    """One member's monthly income of one type, as the investigation (入户调查) found it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="incomes",
                                    verbose_name=_("application"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="income_records",
                               verbose_name=_("member"))
    income_type = models.CharField(_("income type"), max_length=24, choices=IncomeType.choices)
    monthly_amount = models.DecimalField(_("monthly amount"), max_digits=12, decimal_places=2,
                                         validators=[MinValueValidator(0)])
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("income record")
        verbose_name_plural = _("income records")
        ordering = ["application", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="income_record_amount_gte_0"),
            models.UniqueConstraint(fields=["application", "person", "income_type"],
                                    name="income_record_one_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_income_type_display()} {self.monthly_amount}"

    @property
    def counted(self) -> bool:
        return self.income_type not in EXCLUDED_INCOME_TYPES


class AssetCheck(models.Model):
    """The household's assets test (家庭财产核查): passed or not, with what was found."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="asset_check",
                                       verbose_name=_("application"))
    passed = models.BooleanField(_("passed"))
    note = models.TextField(_("findings"), blank=True)
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("checked by"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assets check")
        verbose_name_plural = _("assets checks")

    def __str__(self) -> str:
        return f"#{self.application_id} {_('passed') if self.passed else _('failed')}"


class RigidExpense(models.Model):
    """A rigid expense of the last 12 months (刚性支出) that a 支出型 classification deducts."""

    class Kind(models.TextChoices):
        MEDICAL = "medical", _("医疗")
        EDUCATION = "education", _("教育")
        DISABILITY = "disability", _("残疾康复")
        CARE = "care", _("照护")
        OTHER = "other", _("其他")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="rigid_expenses",
                                    verbose_name=_("application"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("amount over the last 12 months"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rigid expense")
        verbose_name_plural = _("rigid expenses")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="rigid_expense_amount_gte_0")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class CareAssessment(models.Model):
    """Six daily-living tests deciding a 特困 person's care level (True = can do it unaided)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="care_assessments",
                               verbose_name=_("person"))
    application = models.ForeignKey(Application, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="care_assessments", verbose_name=_("application"))
    assessed_on = models.DateField(_("assessed on"))
    eating = models.BooleanField(_("eating"))
    dressing = models.BooleanField(_("dressing"))
    bed_transfer = models.BooleanField(_("bed transfer"))
    toilet = models.BooleanField(_("toilet"))
    walking_indoors = models.BooleanField(_("walking indoors"))
    bathing = models.BooleanField(_("bathing"))
    care_level = models.CharField(_("care level"), max_length=16, choices=CareLevel.choices, editable=False)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("assessed by"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care assessment")
        verbose_name_plural = _("care assessments")
        ordering = ["person", "-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person} {self.assessed_on} {self.get_care_level_display()}"


class Review(models.Model):
    """复核: due 12 months after approval or the last review (stable), 6 otherwise, yearly for 低保边缘."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        OVERDUE = "overdue", _("overdue")
        DONE = "done", _("done")
        # The entitlement ended before the review fell due (death, stop, end of a 渐退期).
        CANCELLED = "cancelled", _("cancelled")

    class Outcome(models.TextChoices):
        UNCHANGED = "unchanged", _("unchanged")
        AMOUNT_CHANGED = "amount_changed", _("amount changed from the next period")
        PHASE_OUT = "phase_out", _("渐退期 (phase-out), then stopped")
        STOP = "stop", _("stopped")

    entitlement = models.ForeignKey("benefits.Entitlement", on_delete=models.PROTECT, related_name="reviews",
                                    verbose_name=_("entitlement"))
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="reviews",
                                  verbose_name=_("household"))
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("town"))
    stable = models.BooleanField(_("stable household"), help_text=_("Reviewed at the longer interval."))
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED,
                              db_index=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("completed by"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    per_capita_income = models.DecimalField(_("per-capita monthly income found"), max_digits=12,
                                            decimal_places=2, null=True, blank=True,
                                            validators=[MinValueValidator(0)])
    note = models.TextField(_("note"), blank=True)
    # The entitlement that carries on after an amount change.
    new_entitlement = models.ForeignKey("benefits.Entitlement", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("new entitlement"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review (复核)")
        verbose_name_plural = _("reviews (复核)")
        ordering = ["due_on", "id"]
        constraints = [
            # One pending review per entitlement: completing one schedules the next.
            models.UniqueConstraint(fields=["entitlement"], condition=Q(status__in=["scheduled", "overdue"]),
                                    name="review_one_pending_per_entitlement"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.due_on} {self.get_status_display()}"


class VagrantCase(models.Model):
    """流浪乞讨人员救助: a case from intake to its outcome, with the services given and their cost."""

    class Outcome(models.TextChoices):
        RETURNED_HOME = "returned_home", _("returned home (护送返乡)")
        FAMILY_FOUND = "family_found", _("family found (寻亲成功)")
        SETTLED = "settled", _("settled (落户安置)")

    class Service(models.TextChoices):
        FOOD = "food", _("food")
        LODGING = "lodging", _("lodging")
        MEDICAL = "medical", _("medical care")
        CLOTHING = "clothing", _("clothing")
        TRANSPORT = "transport", _("return travel")
        FAMILY_SEARCH = "family_search", _("family search")
        COUNSELLING = "counselling", _("counselling")

    town = models.ForeignKey(Town, on_delete=models.PROTECT, null=True, blank=True, related_name="vagrant_cases",
                             verbose_name=_("town where found"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="vagrant_cases", verbose_name=_("registered person"))
    name = models.CharField(_("name (as given)"), max_length=50, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Person.Gender.choices, blank=True)
    intake_on = models.DateField(_("intake"))
    found_on_street = models.BooleanField(_("assisted on the street (not in the station)"), default=False)
    services = models.JSONField(_("services"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, default=0,
                               validators=[MinValueValidator(0)])
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vagrant case (流浪乞讨救助)")
        verbose_name_plural = _("vagrant cases (流浪乞讨救助)")
        ordering = ["-intake_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="vagrant_cost_gte_0"),
            models.CheckConstraint(condition=Q(outcome="", closed_on__isnull=True) | (~Q(outcome="") & Q(closed_on__isnull=False)),
                                   name="vagrant_closed_has_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.name or '—'} {self.intake_on}"
