"""Deaths and what follows them (SPEC §4 Burial): death records, cremation or its legal exemption,
ashes disposition, basic funeral-service fee waivers, eco-burial subsidies, cemeteries and plot sales.

Money leaves only as benefits grants (apps.benefits.services.grant_create): a waiver is paid to the
funeral home, an eco-burial subsidy to the family's account; the disbursement pays the grants.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.benefits.models import Grant
from apps.people.models import FuneralHome, Person, Town


class Disposition(models.TextChoices):
    """Where the ashes (or the body, when exempt) go. All but a plot and taken home save land (节地生态)."""

    PLOT = "plot", _("公墓墓穴")
    COLUMBARIUM = "columbarium", _("骨灰堂（楼、墙）")
    TREE = "tree", _("树葬")
    SEA = "sea", _("海葬")
    FLOWER = "flower", _("花坛葬")
    LAWN = "lawn", _("草坪葬")
    HOME = "home", _("家属带回")
    BURIAL = "burial", _("土葬（依法免于火化）")


ECO_DISPOSITIONS = (Disposition.COLUMBARIUM, Disposition.TREE, Disposition.SEA, Disposition.FLOWER, Disposition.LAWN)


class DeathRecord(models.Model):
    class Cause(models.TextChoices):
        ILLNESS = "illness", _("疾病")
        AGE = "age", _("衰老")
        ACCIDENT = "accident", _("意外")
        OTHER = "other", _("其他")

    class Exemption(models.TextChoices):
        NONE = "", _("—")
        ETHNIC = "ethnic", _("少数民族土葬习俗（如回族）")
        AREA = "area", _("划定的允许土葬地区")
        OTHER = "other", _("其他法定情形")

    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="death_records",
        verbose_name=_("registered person"),
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    local_hukou = models.BooleanField(_("local hukou"), default=True)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="death_records", verbose_name=_("town"))
    date_of_death = models.DateField(_("date of death"), db_index=True)
    place_of_death = models.CharField(_("place of death"), max_length=100, blank=True)
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices, default=Cause.ILLNESS)
    funeral_home = models.ForeignKey(
        FuneralHome,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="death_records",
        verbose_name=_("funeral home"),
    )
    cremated_on = models.DateField(_("cremated on"), null=True, blank=True)
    exemption = models.CharField(_("exemption from cremation"), max_length=8, choices=Exemption.choices, blank=True)
    disposition = models.CharField(_("ashes disposition"), max_length=12, choices=Disposition.choices, blank=True)
    # What the benefits services did at the death (apps.benefits.services.entitlements_end_for_death),
    # kept so a correction or deletion undoes exactly that.
    benefits_effect = models.JSONField(_("benefits changed"), default=dict, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("death record")
        verbose_name_plural = _("death records")
        ordering = ["-date_of_death", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(person__isnull=False), name="death_once_per_person"),
            models.UniqueConstraint(fields=["id_number"], condition=~Q(id_number=""), name="death_once_per_id_number"),
            models.CheckConstraint(
                condition=Q(cremated_on__isnull=True) | Q(exemption=""), name="death_cremated_or_exempt"
            ),
            models.CheckConstraint(
                condition=Q(cremated_on__isnull=True) | Q(cremated_on__gte=models.F("date_of_death")),
                name="death_cremated_after_death",
            ),
        ]
        indexes = [models.Index(fields=["town", "date_of_death"], name="death_town_date")]

    def __str__(self) -> str:
        return f"{self.name} {self.date_of_death}"


class FeeItem(models.Model):
    """One item of the bureau's basic funeral-service price list (殡葬基本服务项目), from a date on."""

    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    unit_price = models.DecimalField(
        _("unit price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    per_day = models.BooleanField(_("per day"), default=False)
    max_units = models.PositiveSmallIntegerField(_("most units waived"), default=1)
    effective_from = models.DateField(_("effective from"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funeral fee item")
        verbose_name_plural = _("funeral fee items")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="feeitem_unique_date"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="feeitem_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.unit_price}"


class WaiverPolicy(models.Model):
    """Who gets a fee waiver and up to how much, from a date on."""

    class Eligible(models.TextChoices):
        ALL = "all", _("全部居民")
        LOCAL = "local", _("本地户籍")
        NON_LOCAL = "non_local", _("非本地户籍")

    cap = models.DecimalField(_("cap per death"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    eligible = models.CharField(_("eligible"), max_length=10, choices=Eligible.choices, default=Eligible.ALL)
    effective_from = models.DateField(_("effective from"), unique=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fee waiver policy")
        verbose_name_plural = _("fee waiver policies")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.cap} ({self.get_eligible_display()}) {self.effective_from}"


class EcoBurialRate(models.Model):
    """The eco-burial subsidy of one disposition mode, from a date on."""

    mode = models.CharField(_("disposition"), max_length=12, choices=Disposition.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    effective_from = models.DateField(_("effective from"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("eco-burial subsidy rate")
        verbose_name_plural = _("eco-burial subsidy rates")
        ordering = ["mode", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["mode", "effective_from"], name="ecorate_unique_date")]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.amount}"


class FeeWaiver(models.Model):
    """殡葬基本服务费减免 of one death: its items summed within the cap, a grant to the funeral home."""

    death = models.OneToOneField(
        DeathRecord, on_delete=models.PROTECT, related_name="fee_waiver", verbose_name=_("death record")
    )
    funeral_home = models.ForeignKey(
        FuneralHome, on_delete=models.PROTECT, related_name="fee_waivers", verbose_name=_("funeral home")
    )
    items_total = models.DecimalField(_("items total"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount waived"), max_digits=10, decimal_places=2)
    grant = models.OneToOneField(
        Grant, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("grant")
    )
    approved_on = models.DateField(_("approved on"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fee waiver")
        verbose_name_plural = _("fee waivers")
        ordering = ["-approved_on", "-id"]

    def __str__(self) -> str:
        return f"{self.death} {self.amount}"


class FeeWaiverItem(models.Model):
    waiver = models.ForeignKey(FeeWaiver, on_delete=models.CASCADE, related_name="items", verbose_name=_("fee waiver"))
    item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    units = models.PositiveSmallIntegerField(_("units"), default=1)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("fee waiver item")
        verbose_name_plural = _("fee waiver items")
        constraints = [models.UniqueConstraint(fields=["waiver", "item"], name="waiveritem_once")]

    def __str__(self) -> str:
        return f"{self.item.name} × {self.units}"


class EcoBurialSubsidy(models.Model):
    """节地生态安葬补贴: once per deceased, to the family's account."""

    death = models.OneToOneField(
        DeathRecord, on_delete=models.PROTECT, related_name="eco_burial", verbose_name=_("death record")
    )
    mode = models.CharField(_("disposition"), max_length=12, choices=Disposition.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    applicant_name = models.CharField(_("applicant"), max_length=50)
    applicant_account = models.CharField(_("bank account"), max_length=19)
    applicant_bank = models.CharField(_("bank"), max_length=50, blank=True)
    grant = models.OneToOneField(
        Grant, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("grant")
    )
    approved_on = models.DateField(_("approved on"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("eco-burial subsidy")
        verbose_name_plural = _("eco-burial subsidies")
        ordering = ["-approved_on", "-id"]

    def __str__(self) -> str:
        return f"{self.death} {self.get_mode_display()}"


class Cemetery(models.Model):
    class Kind(models.TextChoices):
        COMMERCIAL = "commercial", _("经营性公墓")
        PUBLIC = "public", _("公益性公墓")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="cemeteries", verbose_name=_("town"))
    capacity = models.PositiveIntegerField(_("plots (capacity)"))
    price_cap = models.DecimalField(
        _("price cap per plot"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cemetery")
        verbose_name_plural = _("cemeteries")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlotSale(models.Model):
    cemetery = models.ForeignKey(Cemetery, on_delete=models.PROTECT, related_name="sales", verbose_name=_("cemetery"))
    death = models.OneToOneField(
        DeathRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plot",
        verbose_name=_("death record"),
    )
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    sold_on = models.DateField(_("sold on"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plot sale")
        verbose_name_plural = _("plot sales")
        ordering = ["-sold_on", "-id"]

    def __str__(self) -> str:
        return f"{self.cemetery} {self.price}"
