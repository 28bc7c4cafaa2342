"""The registry every programme reads: towns, persons, households, disability certificates, and the
payees that several programmes pay (care institutions; funeral homes later)."""

from django.conf import settings
from django.contrib.postgres.indexes import HashIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

bank_account_validator = RegexValidator(r"^\d{12,19}$", _("A bank account number is 12 to 19 digits."))


class HukouClass(models.TextChoices):
    URBAN = "urban", _("urban")
    RURAL = "rural", _("rural")


class Town(models.Model):
    """A town, street or district (镇街/区): the unit caseworkers are scoped to."""

    class Kind(models.TextChoices):
        TOWN = "town", _("town")
        STREET = "street", _("street")
        DISTRICT = "district", _("district")
        FARM = "farm", _("farm")
        NEW_AREA = "new_area", _("new area")

    name = models.CharField(_("name"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TOWN)
    area_code = models.CharField(_("area code"), max_length=6, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """A village or residents' committee (村/居) within a town."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="communities", verbose_name=_("town"))
    name = models.CharField(_("name"), max_length=50)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["town__name", "name"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="community_unique_in_town")]

    def __str__(self) -> str:
        return f"{self.town.name} {self.name}"


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class Status(models.TextChoices):
        ALIVE = "alive", _("alive")
        DECEASED = "deceased", _("deceased")

    # Gender and birth date are derived from the ID number by the service that writes a person.
    # Unique by the constraint person_id_number_unique (one b-tree, no second LIKE index).
    id_number = models.CharField(_("ID number"), max_length=18)
    id_hash = models.CharField(_("keyed hash of the ID number"), max_length=64, editable=False)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False, db_index=True)
    hukou_class = models.CharField(_("hukou class"), max_length=8, choices=HukouClass.choices)
    local_hukou = models.BooleanField(_("local hukou"), default=True)
    # Indexed by person_town_status (town first), which serves every lookup by town.
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="persons", verbose_name=_("town"),
                             db_index=False)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="persons", verbose_name=_("community")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=19, blank=True, validators=[bank_account_validator])
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)
    # Declared monthly income: the registry's last known figure. An application's investigation
    # records the verified income itself; this is what screening and synthetic data start from.
    monthly_income = models.DecimalField(_("declared monthly income"), max_digits=12, decimal_places=2,
                                         null=True, blank=True, validators=[MinValueValidator(0)])
    # Facts the 分类施保 add-ons and review intervals read (assessed by caseworkers).
    is_student = models.BooleanField(_("student"), default=False)
    seriously_ill = models.BooleanField(_("seriously ill"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ALIVE)
    date_of_death = models.DateField(_("date of death"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["id"]
        permissions = [
            ("view_full_id_number", _("Can see whole ID numbers")),
            ("view_full_bank_account", _("Can see whole bank account numbers")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="person_id_number_unique",
                                    violation_error_message=_("This ID number is already registered.")),
            models.CheckConstraint(condition=Q(monthly_income__gte=0), name="person_income_gte_0"),
            models.CheckConstraint(
                condition=Q(status="alive", date_of_death__isnull=True) | Q(status="deceased", date_of_death__isnull=False),
                name="person_death_date_matches_status",
            ),
        ]
        # Plain b-tree indexes: a db_index on a CharField adds a second (LIKE) index that no query here uses
        # and that a million-row load pays for. Status alone is too unselective to index.
        indexes = [
            models.Index(fields=["town", "status"], name="person_town_status"),
            # Matched by equality only (cross-bureau duplicates): a hash index is a quarter of a b-tree's size.
            HashIndex(fields=["id_hash"], name="person_id_hash"),
            models.Index(fields=["name"], name="person_name"),
            # The dead, a few thousand of a million: the recovery list (追回) starts from them.
            models.Index(fields=["id"], condition=models.Q(date_of_death__isnull=False), name="person_dead"),
            # Name search (selectors.name_search_q) has two more, on UPPER(name) and its reverse with
            # text_pattern_ops, made in SQL by migration 0004: a 1- or 2-character Chinese term has no
            # trigram, so a trigram index would be read whole.
        ]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    code = models.CharField(_("household number"), max_length=32, unique=True)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="households", verbose_name=_("town"))
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="households", verbose_name=_("community")
    )
    hukou_class = models.CharField(_("hukou class"), max_length=8, choices=HukouClass.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    single_parent = models.BooleanField(_("single-parent family"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.code


class HouseholdMember(models.Model):
    class Relation(models.TextChoices):
        HEAD = "head", _("head of household")
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        GRANDCHILD = "grandchild", _("grandchild")
        GRANDPARENT = "grandparent", _("grandparent")
        SIBLING = "sibling", _("sibling")
        OTHER = "other", _("other")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members", verbose_name=_("household"))
    # One household at a time: the person is unique here, enforced by the database.
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="membership", verbose_name=_("person"))
    relation = models.CharField(_("relation to the head"), max_length=16, choices=Relation.choices)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(relation="head"), name="one_head_per_household"),
        ]

    def __str__(self) -> str:
        return f"{self.household.code}: {self.person.name} ({self.get_relation_display()})"


class DisabilityCertificate(models.Model):
    class Category(models.TextChoices):
        VISUAL = "visual", _("visual")
        HEARING = "hearing", _("hearing")
        SPEECH = "speech", _("speech")
        PHYSICAL = "physical", _("physical")
        INTELLECTUAL = "intellectual", _("intellectual")
        MENTAL = "mental", _("mental")
        MULTIPLE = "multiple", _("multiple")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="disability_certificates",
                               verbose_name=_("person"))
    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("1 is the most severe; 1 and 2 count as severe disability."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disability certificate")
        verbose_name_plural = _("disability certificates")
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="disability_level_1_to_4"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="disability_valid_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def severe(self) -> bool:
        return self.level <= 2


class StaffProfile(models.Model):
    """What a bureau user's role needs beyond django's groups: the town a caseworker serves."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="staff_profile",
                                verbose_name=_("user"))
    town = models.ForeignKey(Town, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="staff", verbose_name=_("town"),
                             help_text=_("Set for town caseworkers: they see only this town's records."))

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.town or '—'})"


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

    def clean(self) -> None:
        super().clean()
        if self.beds is not None and self.nursing_beds is not None and self.nursing_beds > self.beds:
            raise ValidationError({"nursing_beds": _(
                "Nursing beds (%(nursing)d) cannot be more than the institution's beds (%(beds)d)."
            ) % {"nursing": self.nursing_beds, "beds": self.beds}})


class BankAccountChange(models.Model):
    """A payee's new bank account, waiting for a second person (maker-checker).

    The account on the person or institution stays the old one until a different user approves:
    payment lines copy people_person.bank_account at generation, so an unapproved account is never
    paid to. Registration sets a payee's first account directly; every later change comes here.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        SUPERSEDED = "superseded", _("superseded")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="bank_account_changes", verbose_name=_("person"))
    institution = models.ForeignKey(CareInstitution, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="bank_account_changes", verbose_name=_("care institution"))
    old_account = models.CharField(_("old bank account"), max_length=19, blank=True)
    old_bank_name = models.CharField(_("old bank"), max_length=50, blank=True)
    new_account = models.CharField(_("new bank account"), max_length=19, blank=True,
                                   validators=[bank_account_validator])
    new_bank_name = models.CharField(_("new bank"), max_length=50, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bank account change")
        verbose_name_plural = _("bank account changes")
        ordering = ["-requested_at", "-id"]
        permissions = [("approve_bankaccountchange", _("Can approve or reject a payee's bank account change"))]
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=False, institution__isnull=True)
                                   | Q(person__isnull=True, institution__isnull=False),
                                   name="bankaccountchange_one_payee"),
            # One open request per payee: a newer one supersedes it, and two at once cannot both stay.
            models.UniqueConstraint(fields=["person"], condition=Q(status="pending", person__isnull=False),
                                    name="bankaccountchange_one_pending_person"),
            models.UniqueConstraint(fields=["institution"], condition=Q(status="pending", institution__isnull=False),
                                    name="bankaccountchange_one_pending_institution"),
        ]

    def __str__(self) -> str:
        return f"{self.payee} ({self.get_status_display()})"

    @property
    def payee(self):
        return self.person if self.person_id else self.institution


class FuneralHome(models.Model):
    """A funeral home (殡仪馆): the payee of basic funeral-service fee waivers (reimbursed to it, not the family)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="funeral_homes", verbose_name=_("town"))
    bank_account = models.CharField(_("bank account"), max_length=19, blank=True, validators=[bank_account_validator])
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funeral home")
        verbose_name_plural = _("funeral homes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
