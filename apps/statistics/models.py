"""Reported figures (what a bureau's annual report quotes) and annual snapshots (what its data gives).

Both are bureau-local tables. A reported figure says what it counts (`unit`) and over what span
(`coverage`): together its meaning, so that a sum across bureaus never adds 广州's person-times to
南山's households, nor 海丰's two-year meal total to a yearly one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Reported units that are money, with their factor to yuan.
MONEY_UNITS = {"yuan": 1, "wan_yuan": 10_000, "yi_yuan": 100_000_000}


class ReportedFigure(models.Model):
    """One figure an annual report quotes, for one period (year), with the phrase it came from."""

    class Coverage(models.TextChoices):
        YEAR = "year", _("the calendar year (or its end)")
        JAN_OCT = "jan_oct", _("January to October")
        TWO_YEARS = "two_years", _("two years together (cumulative)")
        CUMULATIVE = "cumulative", _("several years (cumulative)")

    class Origin(models.TextChoices):
        SEED = "seed", _("seed file")
        ADMIN = "admin", _("entered by the bureau")

    key = models.CharField(_("key"), max_length=64)
    period = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    unit = models.CharField(
        _("unit"),
        max_length=32,
        help_text=_("What is counted: households, persons, person_times, wan_yuan, percent, …"),
    )
    coverage = models.CharField(_("coverage"), max_length=12, choices=Coverage.choices, default=Coverage.YEAR)
    # The computed figure it is compared with (its key without the app's prefix), empty for none.
    compare_key = models.CharField(_("compared with"), max_length=64, blank=True)
    section = models.CharField(_("section"), max_length=32, blank=True)
    label = models.CharField(_("label"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Why the data does not reproduce this figure (seeds/README.md "gap_reason"), in English and in
    # Chinese: the fidelity view shows it beside the figure, so a known gap is never a silent one.
    gap_reason = models.CharField(_("reason for the gap"), max_length=400, blank=True)
    gap_reason_zh = models.CharField(_("reason for the gap (Chinese)"), max_length=400, blank=True)
    source_file = models.CharField(_("source file"), max_length=100, blank=True)
    source_phrase = models.CharField(_("report phrase"), max_length=100, blank=True)
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices, default=Origin.SEED)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        ordering = ["-period", "section", "key"]
        constraints = [models.UniqueConstraint(fields=["key", "period"], name="reportedfigure_key_period")]

    def __str__(self) -> str:
        return f"{self.key} {self.period}: {self.value} {self.unit}"

    def gap_reason_text(self) -> str:
        """The gap's reason in the active language (Chinese for a Chinese page when the seeds give it)."""
        if self.gap_reason_zh and (get_language() or "").lower().startswith("zh"):
            return self.gap_reason_zh
        return self.gap_reason or self.gap_reason_zh

    @property
    def meaning(self) -> str:
        """What the value counts and over what span, e.g. "person_times/year", "yuan/jan_oct"."""
        unit = "yuan" if self.unit in MONEY_UNITS else self.unit
        return f"{unit}/{self.coverage}"


class AnnualSnapshot(models.Model):
    """The annual statistics of a year as computed at one moment (recomputed on demand)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("computed by"),
    )

    class Meta:
        verbose_name = _("annual statistics")
        verbose_name_plural = _("annual statistics")
        ordering = ["-year"]
        permissions = [("compute_annualsnapshot", _("Can compute the annual statistics"))]

    def __str__(self) -> str:
        return str(self.year)


class AnnualFigure(models.Model):
    snapshot = models.ForeignKey(
        AnnualSnapshot, on_delete=models.CASCADE, related_name="figures", verbose_name=_("annual statistics")
    )
    key = models.CharField(_("key"), max_length=80)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=32)
    label = models.CharField(_("label"), max_length=200)
    group = models.CharField(_("group"), max_length=32, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("annual figure")
        verbose_name_plural = _("annual figures")
        ordering = ["snapshot", "position"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "key"], name="annualfigure_once")]

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"
