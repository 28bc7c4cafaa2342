"""Programmes, standards, entitlements and grants: the one place the payment run reads from.

An entitlement stores the facts its formula needs, never an amount: the amount for a period is
computed from the standards in force in that period (apps.benefits.rules in Python, the same rule
in SQL in apps.disbursement), so a new standard needs no data migration.
"""

import datetime

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.people.models import Household, Person


class ProgrammeCode(models.TextChoices):
    DIBAO = "dibao", _("最低生活保障 (dibao)")
    DIBAO_MARGINAL = "dibao_marginal", _("低保边缘家庭")
    HARDSHIP_EXPENSE = "hardship_expense", _("支出型困难家庭")
    TEKUN = "tekun", _("特困人员基本生活")
    TEKUN_CARE = "tekun_care", _("特困人员照料护理")
    TEMPORARY = "temporary", _("临时救助")
    LONGEVITY = "longevity", _("高龄津贴")
    ELDERLY_SERVICE = "elderly_service", _("经济困难高龄老年人服务补贴")
    DISABILITY_LIVING = "disability_living", _("困难残疾人生活补贴")
    DISABILITY_NURSING = "disability_nursing", _("重度残疾人护理补贴")
    ORPHAN = "orphan", _("孤儿和事实无人抚养儿童基本生活")
    FUNERAL_WAIVER = "funeral_waiver", _("基本殡葬服务费减免")
    ECO_BURIAL = "eco_burial", _("节地生态安葬补贴")


class Programme(models.Model):
    class Payment(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        ONE_OFF = "one_off", _("one-off")
        NONE = "none", _("no cash (counted only)")

    code = models.CharField(_("code"), max_length=32, primary_key=True, choices=ProgrammeCode.choices)
    payment = models.CharField(_("payment"), max_length=8, choices=Payment.choices)
    # The code printed in the bank file (补贴项目代码).
    bank_code = models.CharField(_("bank file code"), max_length=8, unique=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()


class Standard(models.Model):
    """保障标准: the amount of a programme variant from a date on."""

    class Unit(models.TextChoices):
        MONTH = "month", _("per month")
        YEAR = "year", _("per year")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="standards",
                                  verbose_name=_("programme"))
    # unified/urban/rural (dibao, tekun), self_care/partial/full (tekun_care), 80-89 / 100+ (longevity),
    # institutional/scattered (orphan), unified for the rest.
    variant = models.CharField(_("variant"), max_length=16, default="unified")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.MONTH)
    effective_from = models.DateField(_("effective from"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["programme", "variant", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "variant", "effective_from"], name="standard_unique_date"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="standard_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}/{self.variant} {self.amount}/{self.unit} {self.effective_from}"


class CareLevel(models.TextChoices):
    SELF_CARE = "self_care", _("全自理")
    PARTIAL = "partial", _("半失能")
    FULL = "full", _("全失能")


# The variants a screen names in words (档次); an age bracket ("80-89") or a grant key reads as it is.
VARIANT_LABELS = {
    "unified": _("unified standard"),
    "urban": _("urban"),
    "rural": _("rural"),
    **{level.value: level.label for level in CareLevel},
    "institutional": _("institutional care"),
    "scattered": _("scattered care"),
}


def variant_label(variant: str) -> str:
    return str(VARIANT_LABELS.get(variant, variant))


# The bootstrap writes a standard's source in the seed files' terms; a screen reads it in words.
SOURCE_TERMS = {
    "SPEC.md": _("default of the system specification"),
    "(date assumed: 1 January)": _("(the text gives the year only: 1 January assumed)"),
    "assumed for the demo": _("assumed for the demo"),
}


def source_text(source: str) -> str:
    for term, words in SOURCE_TERMS.items():
        source = source.replace(term, str(words))
    return source


class Entitlement(models.Model):
    """A recurring benefit: paid each month from start_period to end_period (inclusive) while active."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        STOPPED = "stopped", _("stopped")
        # Reached its last period (渐退期 over, a fixed term): set by the nightly step, with the reason.
        ENDED = "ended", _("ended")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="entitlements",
                                  verbose_name=_("programme"))
    variant = models.CharField(_("variant"), max_length=16, default="unified")
    # The beneficiary: a household (dibao) or a person (every other programme).
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="entitlements", verbose_name=_("household"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="entitlements", verbose_name=_("person"))
    # Who is paid: a person's bank account, or a care institution (集中供养).
    payee_person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="entitlements_paid", verbose_name=_("payee"))
    payee_institution = models.ForeignKey("people.CareInstitution", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="entitlements_paid", verbose_name=_("payee institution"))
    # Formula facts (dibao): monthly per-capita income, members covered, members with a 分类施保 add-on.
    per_capita_income = models.DecimalField(_("per-capita monthly income"), max_digits=12, decimal_places=2,
                                            null=True, blank=True, validators=[MinValueValidator(0)])
    covered_members = models.PositiveSmallIntegerField(_("covered members"), null=True, blank=True)
    addon_members = models.PositiveSmallIntegerField(_("members with a 分类施保 add-on"), default=0)
    care_level = models.CharField(_("care level"), max_length=16, choices=CareLevel.choices, blank=True)
    start_period = models.DateField(_("first period"), help_text=_("First day of the first month paid."))
    end_period = models.DateField(_("last period"), null=True, blank=True,
                                  help_text=_("First day of the last month paid; empty while open-ended."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE,
                              db_index=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Where it came from, e.g. "assistance.application:42" or "pensions.engine".
    source = models.CharField(_("source"), max_length=100, blank=True)
    # Set when months from here may have been paid under another entitlement in this one's place (a
    # death recomputes a household's dibao from a month already paid; a death withdrawn gives the
    # months back): the next regular run pays each such month that has no line of this entitlement.
    back_pay_from = models.DateField(
        _("months owed from"), null=True, blank=True, editable=False,
        help_text=_("First month that may be owed although its payment run has passed (a death recorded or "
                    "withdrawn): the next monthly run pays each such month not yet paid to this entitlement."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(household__isnull=False) | Q(person__isnull=False),
                                   name="entitlement_has_beneficiary"),
            models.CheckConstraint(
                condition=Q(payee_person__isnull=False, payee_institution__isnull=True)
                | Q(payee_person__isnull=True, payee_institution__isnull=False),
                name="entitlement_has_one_payee",
            ),
            # The last period may be the month before the first (stopped before it ever paid: no month
            # pays); 31 days back from a first of month reaches exactly into the month before.
            models.CheckConstraint(
                condition=Q(end_period__isnull=True)
                | Q(end_period__gte=models.F("start_period") - datetime.timedelta(days=31)),
                name="entitlement_end_after_start",
            ),
            models.CheckConstraint(condition=Q(start_period__day=1), name="entitlement_start_is_month"),
            # The database refuses a second open-ended dibao (低保边缘, 支出型) for a household or 特困 for a person, so
            # two concurrent approvals (or a re-run demo) cannot both succeed. Ended ones (渐退期, a
            # fact change from a period) carry an end_period and do not count.
            models.UniqueConstraint(
                fields=["household", "programme"],
                condition=Q(programme__in=["dibao", "dibao_marginal", "hardship_expense"], status="active",
                            end_period__isnull=True),
                name="entitlement_one_open_assistance_per_household",
            ),
            models.UniqueConstraint(
                fields=["person", "programme"],
                condition=Q(programme__in=["tekun", "tekun_care"], status="active", end_period__isnull=True),
                name="entitlement_one_open_tekun_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "status"], name="entitlement_programme_status"),
            models.Index(fields=["person", "programme"], name="entitlement_person_programme"),
            # The monthly run looks up the few entitlements owed past months on every run.
            models.Index(fields=["id"], condition=Q(back_pay_from__isnull=False), name="entitlement_back_pay"),
            # An application's page finds the entitlements it created by their source.
            models.Index(fields=["source"], name="entitlement_source"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} #{self.pk}"


class Grant(models.Model):
    """A one-off payment (临时救助, eco-burial subsidy, funeral reimbursement, 100+ birthday grant)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        PAID = "paid", _("paid")
        CANCELLED = "cancelled", _("cancelled")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="grants",
                                  verbose_name=_("programme"))
    variant = models.CharField(_("variant"), max_length=16, default="unified")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="grants", verbose_name=_("household"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="grants", verbose_name=_("person"))
    payee_person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="grants_paid", verbose_name=_("payee"))
    payee_institution = models.ForeignKey("people.CareInstitution", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="grants_paid", verbose_name=_("payee institution"))
    # Funeral reimbursements are paid to the funeral home, which is not a person or care institution.
    payee_name = models.CharField(_("payee name"), max_length=100, blank=True)
    payee_account = models.CharField(_("payee account"), max_length=19, blank=True)
    payee_bank = models.CharField(_("payee bank"), max_length=50, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    period = models.DateField(_("period"), help_text=_("First day of the month it is paid for."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-period", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="grant_amount_gte_0"),
            models.CheckConstraint(condition=Q(period__day=1), name="grant_period_is_month"),
            models.UniqueConstraint(fields=["source"], condition=~Q(source=""), name="grant_unique_source"),
        ]
        # The list's order: its first page read from the index, not 10,000 grants a year sorted.
        indexes = [models.Index(fields=["-period", "id"], name="grant_period_id")]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.amount}"
