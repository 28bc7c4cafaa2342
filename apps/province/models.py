"""The province's rollup rows (public schema): numbers per bureau, never a person.

Every row carries the bureau and aggregate figures only: no name, no ID number, no tenant row id
(SPEC §3). The one per-person fact, the keyed hash of an ID number with an active dibao / 特困 /
orphan entitlement, is an HMAC under the province key: it matches a person across bureaus and
cannot be turned back into the number without the key.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StandardRollup(models.Model):
    """A bureau's standard in force for a programme and variant, as its last rollup found it."""

    bureau = models.ForeignKey(
        "tenants.Bureau", on_delete=models.CASCADE, related_name="standard_rollups", verbose_name=_("bureau")
    )
    programme = models.CharField(_("programme"), max_length=32)
    variant = models.CharField(_("variant"), max_length=16, default="unified")
    monthly_amount = models.DecimalField(_("monthly amount"), max_digits=12, decimal_places=2)
    effective_from = models.DateField(_("effective from"))
    refreshed_at = models.DateTimeField(_("refreshed"))

    class Meta:
        verbose_name = _("standard in force (rollup)")
        verbose_name_plural = _("standards in force (rollup)")
        ordering = ["bureau_id", "programme", "variant"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "programme", "variant"], name="standardrollup_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bureau_id} {self.programme}/{self.variant} {self.monthly_amount}"


class ReferenceStandard(models.Model):
    """A Guangdong city's published standard that is not a tenant here: for ranking only (seeds/)."""

    name_zh = models.CharField(_("city"), max_length=50)
    area_code = models.CharField(_("GB/T 2260 code"), max_length=6)
    province = models.CharField(_("province"), max_length=50)
    region_class = models.PositiveSmallIntegerField(_("region class"), null=True, blank=True)
    programme = models.CharField(_("programme"), max_length=32)
    monthly_amount = models.DecimalField(_("monthly amount"), max_digits=12, decimal_places=2)
    effective_from = models.DateField(_("effective from"))
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("reference standard (not a bureau here)")
        verbose_name_plural = _("reference standards (not bureaus here)")
        ordering = ["province", "area_code", "programme"]
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "programme", "effective_from"], name="referencestandard_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_zh} {self.programme} {self.monthly_amount}"


class MonthlyRollup(models.Model):
    """One programme's figure for one month of one bureau (apps.core.registries.MonthlyFigure)."""

    bureau = models.ForeignKey(
        "tenants.Bureau", on_delete=models.CASCADE, related_name="monthly_rollups", verbose_name=_("bureau")
    )
    period = models.DateField(_("period"), help_text=_("First day of the month."))
    programme = models.CharField(_("programme"), max_length=32, blank=True)
    key = models.CharField(_("figure"), max_length=48)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=32)

    class Meta:
        verbose_name = _("monthly figure (rollup)")
        verbose_name_plural = _("monthly figures (rollup)")
        ordering = ["bureau_id", "period", "programme", "key"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "period", "programme", "key"], name="monthlyrollup_unique"),
        ]
        indexes = [models.Index(fields=["period", "programme"], name="monthlyrollup_period")]

    def __str__(self) -> str:
        return f"{self.bureau_id} {self.period:%Y-%m} {self.programme} {self.key}={self.value}"


class AnnualRollup(models.Model):
    """One annual figure of one bureau (apps.core.registries.Figure): social organisations, burial, …"""

    bureau = models.ForeignKey(
        "tenants.Bureau", on_delete=models.CASCADE, related_name="annual_rollups", verbose_name=_("bureau")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    key = models.CharField(_("figure"), max_length=64)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=32)
    label = models.CharField(_("label"), max_length=200, blank=True)
    group = models.CharField(_("group"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("annual figure (rollup)")
        verbose_name_plural = _("annual figures (rollup)")
        ordering = ["bureau_id", "year", "key"]
        constraints = [models.UniqueConstraint(fields=["bureau", "year", "key"], name="annualrollup_unique")]

    def __str__(self) -> str:
        return f"{self.bureau_id} {self.year} {self.key}={self.value}"


class HealthRollup(models.Model):
    """A bureau's operating figures: last run, failure rate, lines held, review backlog (one row each)."""

    bureau = models.ForeignKey(
        "tenants.Bureau", on_delete=models.CASCADE, related_name="health_rollups", verbose_name=_("bureau")
    )
    key = models.CharField(_("figure"), max_length=48)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    # For the few figures that are a state or a moment: a status code or an ISO date-time, never free text.
    code = models.CharField(_("code"), max_length=32, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed"))

    class Meta:
        verbose_name = _("operating figure (rollup)")
        verbose_name_plural = _("operating figures (rollup)")
        ordering = ["bureau_id", "key"]
        constraints = [models.UniqueConstraint(fields=["bureau", "key"], name="healthrollup_unique")]

    def __str__(self) -> str:
        return f"{self.bureau_id} {self.key}={self.value if self.value is not None else self.code}"


class RollupRefresh(models.Model):
    """When a bureau's rollup was last written, and whether every contributor answered."""

    bureau = models.OneToOneField(
        "tenants.Bureau", on_delete=models.CASCADE, related_name="rollup_refresh", verbose_name=_("bureau")
    )
    refreshed_at = models.DateTimeField(_("refreshed"))
    seconds = models.DecimalField(_("seconds"), max_digits=8, decimal_places=2)
    failed_contributors = models.JSONField(_("contributors that failed"), default=list, blank=True)

    class Meta:
        verbose_name = _("rollup refresh")
        verbose_name_plural = _("rollup refreshes")

    def __str__(self) -> str:
        return f"{self.bureau_id} {self.refreshed_at:%Y-%m-%d %H:%M}"


class PublishedHash(models.Model):
    """A keyed hash (HMAC-SHA256, province key) of the ID number of a person on a programme in a bureau."""

    bureau = models.ForeignKey(
        "tenants.Bureau", on_delete=models.CASCADE, related_name="published_hashes", verbose_name=_("bureau")
    )
    person_hash = models.CharField(_("keyed hash of the ID number"), max_length=64)
    programme = models.CharField(_("programme"), max_length=32)

    class Meta:
        verbose_name = _("published hash")
        verbose_name_plural = _("published hashes")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "person_hash", "programme"], name="publishedhash_unique"),
            models.CheckConstraint(condition=Q(person_hash__regex=r"^[0-9a-f]{64}$"), name="publishedhash_is_hex"),
        ]
        indexes = [models.Index(fields=["person_hash"], name="publishedhash_hash")]

    def __str__(self) -> str:
        return f"{self.bureau_id} {self.person_hash[:8]}… {self.programme}"


class DuplicateAlert(models.Model):
    """一人多保: one keyed hash active in more than one bureau. Closes when fewer than two bureaus remain."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    person_hash = models.CharField(_("keyed hash of the ID number"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True)
    # Numbers and codes only: [{"bureau": "zhongshan", "programmes": ["dibao"]}, …], as last seen.
    parties = models.JSONField(_("bureaus and programmes"), default=list)
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("duplicate-benefit alert")
        verbose_name_plural = _("duplicate-benefit alerts")
        ordering = ["-opened_at", "id"]

    def __str__(self) -> str:
        return f"{self.person_hash[:8]}… {self.get_status_display()}"


class DuplicateResolution(models.Model):
    """A bureau's answer to an alert: it has dealt with the case on its side (and why)."""

    alert = models.ForeignKey(
        DuplicateAlert, on_delete=models.CASCADE, related_name="resolutions", verbose_name=_("alert")
    )
    bureau = models.ForeignKey(
        "tenants.Bureau", on_delete=models.CASCADE, related_name="duplicate_resolutions", verbose_name=_("bureau")
    )
    reason = models.CharField(_("reason"), max_length=300)
    # The bureau user's login name (a staff account, not a beneficiary): the province sees who answered.
    resolved_by = models.CharField(_("resolved by"), max_length=150)
    resolved_at = models.DateTimeField(_("resolved"))

    class Meta:
        verbose_name = _("duplicate resolution")
        verbose_name_plural = _("duplicate resolutions")
        constraints = [models.UniqueConstraint(fields=["alert", "bureau"], name="duplicateresolution_once")]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.bureau_id}"
