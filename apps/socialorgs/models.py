"""Social organisations (社会组织): the registry, its status changes, annual reports, the abnormal and
dishonesty lists, ratings, major-event reports, and the lighter filings of community organisations.

An organisation is live while its status is 成立 or 变更; 注销 and 撤销 close it on `closed_on`.
A listing is one stay on one list: listed on a day for a reason, removed on a later day for another;
an organisation has at most one open stay per list, so the history is the rows themselves.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.people.models import Community, Person, Town


class OrgType(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("社会团体")
    SERVICE_INSTITUTION = "service_institution", _("社会服务机构(民办非企业单位)")
    FOUNDATION = "foundation", _("基金会")


class OrgStatus(models.TextChoices):
    ESTABLISHED = "established", _("成立")
    CHANGED = "changed", _("变更")
    DEREGISTERED = "deregistered", _("注销")
    REVOKED = "revoked", _("撤销")


LIVE_STATUSES = (OrgStatus.ESTABLISHED, OrgStatus.CHANGED)
CLOSED_STATUSES = (OrgStatus.DEREGISTERED, OrgStatus.REVOKED)


class SocialOrganisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    org_type = models.CharField(_("type"), max_length=24, choices=OrgType.choices)
    status = models.CharField(_("status"), max_length=16, choices=OrgStatus.choices, default=OrgStatus.ESTABLISHED)
    # The legal representative: a registered person, or a name and an ID number typed in.
    legal_representative = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="represented_organisations",
        verbose_name=_("legal representative (registered person)"),
    )
    representative_name = models.CharField(_("legal representative"), max_length=50, blank=True)
    representative_id_number = models.CharField(_("legal representative's ID number"), max_length=18, blank=True)
    business_scope = models.TextField(_("business scope"), blank=True)
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="social_organisations", verbose_name=_("domicile town")
    )
    established_on = models.DateField(_("date established"))
    closed_on = models.DateField(
        _("date closed"), null=True, blank=True, help_text=_("The date of the 注销 or 撤销 decision.")
    )
    registered_capital = models.DecimalField(
        _("registered capital (yuan)"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    supervising_unit = models.CharField(_("supervising unit"), max_length=100, blank=True)
    has_party_org = models.BooleanField(_("has a party organisation"), default=False)
    party_branch = models.CharField(_("party branch"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("social organisation")
        verbose_name_plural = _("social organisations")
        ordering = ["name", "id"]
        constraints = [
            # A name is unique among live organisations; a closed one's name may be taken again.
            models.UniqueConstraint(
                fields=["name"], condition=Q(status__in=["established", "changed"]), name="socialorg_live_name_unique"
            ),
            models.CheckConstraint(condition=Q(registered_capital__gte=0), name="socialorg_capital_gte_0"),
            models.CheckConstraint(
                condition=Q(status__in=["established", "changed"], closed_on__isnull=True)
                | Q(status__in=["deregistered", "revoked"], closed_on__isnull=False),
                name="socialorg_closed_on_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("established_on")),
                name="socialorg_closed_after_established",
            ),
        ]
        indexes = [models.Index(fields=["status", "established_on"], name="socialorg_status_established")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class StatusChange(models.Model):
    """One registration decision: 成立, 变更, 注销 or 撤销, with its document number and date."""

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("organisation")
    )
    status = models.CharField(_("status"), max_length=16, choices=OrgStatus.choices)
    document_number = models.CharField(_("document number"), max_length=60)
    decided_on = models.DateField(_("date"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("registration decision")
        verbose_name_plural = _("registration decisions")
        ordering = ["organisation", "decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.document_number} {self.decided_on}"


class CommunityOrgFiling(models.Model):
    """A community social organisation (社区社会组织) filed (备案) with its town: a lighter record."""

    class Field(models.TextChoices):
        SERVICE = "service", _("生活服务")
        CHARITY = "charity", _("公益慈善")
        CULTURE = "culture", _("文体活动")
        AFFAIRS = "affairs", _("专业调处")
        OTHER = "other", _("其他")

    name = models.CharField(_("name"), max_length=200)
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="community_org_filings", verbose_name=_("town")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("community")
    )
    field = models.CharField(_("field"), max_length=16, choices=Field.choices, default=Field.SERVICE)
    filed_on = models.DateField(_("filed on"))
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    members = models.PositiveIntegerField(_("members"), default=0)
    withdrawn_on = models.DateField(_("filing withdrawn on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("community social organisation filing")
        verbose_name_plural = _("community social organisation filings")
        ordering = ["town__name", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "name"],
                condition=Q(withdrawn_on__isnull=True),
                name="community_org_filing_name_unique_in_town",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("filed_on")),
                name="community_org_filing_withdrawn_after_filed",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AnnualReport(models.Model):
    """An organisation's report on one year's work (年度工作报告) and the bureau's review of it."""

    class Result(models.TextChoices):
        PENDING = "", _("not reviewed")
        QUALIFIED = "qualified", _("合格")
        BASICALLY_QUALIFIED = "basically_qualified", _("基本合格")
        UNQUALIFIED = "unqualified", _("不合格")

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.PROTECT, related_name="annual_reports", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(
        _("year reported on"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    submitted_on = models.DateField(_("submitted on"))
    result = models.CharField(_("review result"), max_length=20, choices=Result.choices, blank=True, default="")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    income = models.DecimalField(_("income (yuan)"), max_digits=14, decimal_places=2, default=0)
    expenditure = models.DecimalField(_("expenditure (yuan)"), max_digits=14, decimal_places=2, default=0)
    net_assets = models.DecimalField(_("net assets (yuan)"), max_digits=14, decimal_places=2, default=0)
    staff = models.PositiveIntegerField(_("staff"), default=0)
    activities = models.TextField(_("activities"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year", "organisation_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="annual_report_once_per_year"),
            models.CheckConstraint(
                condition=Q(income__gte=0) & Q(expenditure__gte=0), name="annual_report_amounts_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["year", "organisation"], name="annual_report_year_org")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class Listing(models.Model):
    """One stay of an organisation on the 活动异常名录 or the 严重违法失信名单."""

    class Kind(models.TextChoices):
        ABNORMAL = "abnormal", _("活动异常名录")
        DISHONEST = "dishonest", _("严重违法失信名单")

    class Reason(models.TextChoices):
        REPORT_MISSING = "report_missing", _("annual report not submitted by the deadline")
        KEPT_PAST_PERIOD = "kept_past_period", _("kept on the abnormal list past the period")
        MANUAL = "manual", _("listed by decision")

    class Exit(models.TextChoices):
        REPORT_SUBMITTED = "report_submitted", _("annual report submitted")
        MOVED_TO_DISHONEST = "moved_to_dishonest", _("moved to the dishonesty list")
        MANUAL = "manual", _("removed by decision")
        CLOSED = "closed", _("organisation deregistered or revoked")

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.PROTECT, related_name="listings", verbose_name=_("organisation")
    )
    kind = models.CharField(_("list"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    report_year = models.PositiveSmallIntegerField(_("report year missing"), null=True, blank=True)
    note = models.CharField(_("reason given"), max_length=300, blank=True)
    listed_on = models.DateField(_("listed on"))
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("listed by"),
    )
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    exit = models.CharField(_("why removed"), max_length=20, choices=Exit.choices, blank=True)
    exit_note = models.CharField(_("removal reason given"), max_length=300, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )

    class Meta:
        verbose_name = _("list entry")
        verbose_name_plural = _("abnormal and dishonesty list entries")
        ordering = ["-listed_on", "-id"]
        permissions = [("decide_listing", _("Can list an organisation or remove it by decision"))]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind"],
                condition=Q(removed_on__isnull=True),
                name="listing_one_open_stay_per_list",
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=F("listed_on")),
                name="listing_removed_after_listed",
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True, exit="") | Q(removed_on__isnull=False) & ~Q(exit=""),
                name="listing_exit_iff_removed",
            ),
        ]
        indexes = [models.Index(fields=["kind", "listed_on"], name="listing_kind_listed_on")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_kind_display()} {self.listed_on}"


class Rating(models.Model):
    """A rating (评估等级) 1A-5A, valid five years from the day it was given."""

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("organisation")
    )
    grade = models.PositiveSmallIntegerField(_("grade (A)"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    rated_on = models.DateField(_("rated on"))
    valid_until = models.DateField(_("valid until (exclusive)"), editable=False)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=5), name="rating_grade_1_to_5"),
            models.CheckConstraint(condition=Q(valid_until__gt=F("rated_on")), name="rating_valid_after_rated"),
            models.UniqueConstraint(fields=["organisation", "rated_on"], name="rating_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.grade}A ({self.rated_on})"


class MajorEventReport(models.Model):
    """重大事项报告: an organisation tells the bureau of a major event before or after it happens."""

    class Kind(models.TextChoices):
        MAJOR_ACTIVITY = "major_activity", _("重大活动")
        FOREIGN = "foreign", _("涉外活动")
        PERSONNEL = "personnel", _("负责人变动")
        LARGE_DONATION = "large_donation", _("大额捐赠")
        INVESTMENT = "investment", _("对外投资")
        OTHER = "other", _("其他")

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.PROTECT, related_name="major_events", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reported_on = models.DateField(_("reported on"))
    event_on = models.DateField(_("date of the event"), null=True, blank=True)
    summary = models.TextField(_("summary"))
    reviewed = models.BooleanField(_("reviewed"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("major-event report")
        verbose_name_plural = _("major-event reports")
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_kind_display()} {self.reported_on}"
