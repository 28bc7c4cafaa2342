from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.people.models import Town, bank_account_validator


class CareInstitution(models.Model):
    """An elderly-care institution (养老机构); also the payee of 集中供养 特困 support."""

    class Ownership(models.TextChoices):
        PUBLIC = "public", _("公办")
        PUBLIC_PRIVATE = "public_private", _("公建民营")
        PRIVATE = "private", _("民办")

    name = models.CharField(_("name"), max_length=100, unique=True)
    ownership = models.CharField(_("ownership"), max_length=16, choices=Ownership.choices)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="care_institutions", verbose_name=_("town"))
    beds = models.PositiveIntegerField(_("beds"))
    nursing_beds = models.PositiveIntegerField(_("nursing beds"))
    star_rating = models.PositiveSmallIntegerField(
        _("star rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    bank_account = models.CharField(_("bank account"), max_length=19, blank=True, validators=[bank_account_validator])
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care institution")
        verbose_name_plural = _("care institutions")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(nursing_beds__lte=F("beds")), name="nursing_beds_lte_beds"),
            models.CheckConstraint(
                condition=Q(star_rating__isnull=True) | Q(star_rating__gte=1, star_rating__lte=5),
                name="institution_star_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MealSite(models.Model):
    """A meal site for the elderly (长者饭堂 / 幸福食堂)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
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

    def __str__(self) -> str:
        return self.name
