"""The public schema: the bureau registry and what the province keeps about it."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import connection, models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import schema_exists

from tenants.schema_clone import schema_clone

area_code_validator = RegexValidator(r"^\d{6}$", _("An area code is six digits (GB/T 2260)."))
month_day_validator = RegexValidator(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", _("Use MM-DD, e.g. 05-31."))


class Bureau(TenantMixin):
    """A civil-affairs bureau, one PostgreSQL schema; the public schema is the province's row."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province (public schema)")
        BUREAU = "bureau", _("Bureau")

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        PREFECTURE_CITY = "prefecture_city", _("Prefecture-level city")
        SUB_PROVINCIAL_CITY = "sub_provincial_city", _("Sub-provincial city")
        COUNTY = "county", _("County")
        CITY_DISTRICT = "city_district", _("City district")
        DEMO = "demo", _("Demo tenant")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.BUREAU)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    area_code = models.CharField(
        _("GB/T 2260 code"), max_length=6, blank=True, validators=[area_code_validator]
    )
    level = models.CharField(_("level"), max_length=24, choices=Level.choices)
    province = models.CharField(_("province"), max_length=50, blank=True)
    region_class = models.PositiveSmallIntegerField(
        _("provincial region class"), null=True, blank=True,
        help_text=_("The class the province's minimum standards are set for (Guangdong: 1-4)."),
    )
    report_year = models.PositiveSmallIntegerField(_("year of the source report"), null=True, blank=True)
    id_area_codes = models.JSONField(
        _("resident ID area codes"), default=list, blank=True,
        help_text=_("Six-digit codes residents' ID numbers carry; used by synthetic populations."),
    )

    # Rule settings: per bureau, so rules differ by configuration and never by code.
    tekun_multiplier = models.DecimalField(
        _("特困 multiplier of the dibao standard"), max_digits=4, decimal_places=2,
        default=Decimal("1.60"), validators=[MinValueValidator(Decimal("1"))],
    )
    classified_share = models.DecimalField(
        _("分类施保 share of the standard"), max_digits=4, decimal_places=2,
        default=Decimal("0.30"), validators=[MinValueValidator(Decimal("0"))],
    )
    phaseout_months = models.PositiveSmallIntegerField(_("渐退期 (months)"), default=6)
    review_months_stable = models.PositiveSmallIntegerField(_("review interval, stable households (months)"), default=12)
    review_months_other = models.PositiveSmallIntegerField(_("review interval, other households (months)"), default=6)
    review_months_marginal = models.PositiveSmallIntegerField(_("review interval, 低保边缘 (months)"), default=12)
    temporary_cap_multiple = models.DecimalField(
        _("临时救助 cap (multiple of the dibao standard)"), max_digits=5, decimal_places=2, default=Decimal("3"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    marginal_income_multiple = models.DecimalField(
        _("低保边缘 income limit (multiple of the standard)"), max_digits=4, decimal_places=2,
        default=Decimal("1.5"), validators=[MinValueValidator(Decimal("1"))],
    )
    annual_report_deadline = models.CharField(
        _("social-organisation annual report deadline (MM-DD of the next year)"), max_length=5,
        default="05-31", validators=[month_day_validator],
    )
    abnormal_list_months = models.PositiveSmallIntegerField(
        _("months on the 活动异常名录 before the 严重违法失信名单"), default=24,
        validators=[MinValueValidator(1)],
        help_text=_("An organisation kept this long on the abnormal list moves to the dishonesty list."),
    )
    auto_confirm_eligibility = models.BooleanField(
        _("confirm the eligibility engine's changes automatically"), default=False
    )
    password_max_age_days = models.PositiveSmallIntegerField(
        _("password lifetime (days)"), default=90,
        help_text=_("After this many days a user must choose a new password; 0: passwords never expire."),
    )
    settings_notes = models.TextField(_("notes on the settings"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False
    # A migrated bureau schema to copy instead of migrating a new one (tenants.schema_clone); None: migrate.
    schema_source: str | None = None

    class Meta:
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaus")
        ordering = ["kind", "schema_name"]

    def __str__(self) -> str:
        return self.name_zh

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        if self.schema_source is None:
            return super().create_schema(check_if_exists=check_if_exists, sync_schema=sync_schema, verbosity=verbosity)
        if check_if_exists and schema_exists(self.schema_name):
            return False
        schema_clone(source=self.schema_source, target=self.schema_name)
        connection.set_schema_to_public()
        return True

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.BUREAU and self.schema_name == "public":
            raise ValidationError({"schema_name": _("The public schema belongs to the province.")})


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.domain


class ProvincialMinimum(models.Model):
    """A province's minimum standard for a region class, against which bureaus are ranked."""

    province = models.CharField(_("province"), max_length=50)
    region_class = models.PositiveSmallIntegerField(_("region class"))
    programme = models.CharField(_("programme"), max_length=32)
    amount = models.DecimalField(
        _("monthly amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    effective_from = models.DateField(_("effective from"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("provincial minimum standard")
        verbose_name_plural = _("provincial minimum standards")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "region_class", "programme", "effective_from"],
                name="provincial_minimum_unique",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="provincial_minimum_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.region_class} {self.programme} {self.amount}"


class BureauSettings(Bureau):
    """The bureau's own rule settings, as its administrator edits them on the bureau site."""

    class Meta:
        proxy = True
        verbose_name = _("bureau settings")
        verbose_name_plural = _("bureau settings")
