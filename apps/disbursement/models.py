"""Payment runs and their lines (SPEC §5), bank files handed out, bank returns taken in.

A PaymentLine is a self-contained snapshot: who is paid, to which account, how much and on which
formula inputs. Its foreign keys to other apps carry no database constraint and no index: a run
writes a million lines in seconds only without a per-row trigger per reference, and a line must
keep what was paid even if the registry row it came from changes. The one key the database does
enforce is the exactly-once key (programme, beneficiary, period, line type, discriminator).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PaymentRun(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("regular (monthly)")
        SUPPLEMENTARY = "supplementary", _("supplementary (re-issue)")
        OFF_CYCLE = "off_cycle", _("off-cycle")

    class Status(models.TextChoices):
        GENERATING = "generating", _("generating")
        GENERATED = "generated", _("generated")
        APPROVED = "approved", _("approved")
        EXPORTED = "exported", _("exported")
        CLOSED = "closed", _("closed")
        FAILED = "failed", _("failed")

    # The state machine, in one place. generated → generating is a refresh before approval (lines of
    # entitlements that started paying since are added; nothing is removed); failed → generating
    # resumes a crashed or failed generation.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.GENERATING: frozenset({Status.GENERATED, Status.FAILED}),
        Status.FAILED: frozenset({Status.GENERATING}),
        Status.GENERATED: frozenset({Status.GENERATING, Status.APPROVED}),
        Status.APPROVED: frozenset({Status.EXPORTED}),
        Status.EXPORTED: frozenset({Status.CLOSED}),
        Status.CLOSED: frozenset(),
    }

    period = models.DateField(_("period"), help_text=_("First day of the month the run pays."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REGULAR)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.GENERATING,
                              db_index=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("started by"),
                                   help_text=_("Empty when the monthly schedule started it."))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    exported_at = models.DateTimeField(_("exported"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Progress: source records (entitlements, grants, failed lines, arrears candidates) looked at so
    # far out of those to look at; line_count and total_amount are the lines actually in the run.
    lines_total = models.PositiveIntegerField(_("records to process"), default=0)
    lines_done = models.PositiveIntegerField(_("records processed"), default=0)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    total_amount = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=0)
    # Lines held out of the bank file (no usable account): not in line_count and total_amount, which are
    # the bank file's control figures; the approver sees them before approving.
    held_count = models.PositiveIntegerField(_("lines held"), default=0)
    held_amount = models.DecimalField(_("amount held"), max_digits=16, decimal_places=2, default=0)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("generation finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # What generation found besides lines: entitlements without a standard, zero amounts, overpayments.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    bank_file_sha256 = models.CharField(_("bank file SHA-256"), max_length=64, blank=True)

    history = HistoricalRecords(excluded_fields=["lines_done", "lines_total", "line_count", "total_amount",
                                                 "held_count", "held_amount"])

    class Meta:
        verbose_name = _("payment run")
        verbose_name_plural = _("payment runs")
        ordering = ["-period", "-id"]
        permissions = [
            ("start_paymentrun", _("Can start a payment run")),
            ("approve_paymentrun", _("Can approve a payment run")),
            ("export_paymentrun", _("Can export a payment run's bank file")),
            ("import_bankreturn", _("Can import a bank return file")),
        ]
        constraints = [
            # One regular run a month: the monthly task and a finance officer starting it by hand
            # at the same moment get the same run.
            models.UniqueConstraint(fields=["period"], condition=Q(kind="regular"), name="one_regular_run_per_period"),
            models.CheckConstraint(condition=Q(period__day=1), name="paymentrun_period_is_month"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.period:%Y-%m} {self.get_kind_display()}"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, frozenset())

    def move_to(self, status: str, **fields) -> None:
        """Take one step of the state machine and save (the caller holds the row locked); an illegal
        step raises ValidationError and changes nothing."""
        if not self.can_move_to(status):
            raise ValidationError(
                _("Payment run %(run)s is %(status)s and cannot become %(to)s.")
                % {"run": self.pk, "status": self.get_status_display(), "to": self.Status(status).label}
            )
        self.status = status
        for name, value in fields.items():
            setattr(self, name, value)
        self.save()


class PaymentLine(models.Model):
    class LineType(models.TextChoices):
        REGULAR = "regular", _("regular")
        ARREARS = "arrears", _("arrears (差额补发)")
        REISSUE = "reissue", _("re-issue (补发)")
        GRANT = "grant", _("one-off grant")

    class Status(models.TextChoices):
        # Stored: pending (awaiting the bank), held, paid, failed, cancelled. "exported" is what a pending
        # line of an exported or closed run is (effective_status); it is never written row by row.
        PENDING = "pending", _("pending")
        # No usable bank account at generation: kept out of the bank file, paid by a supplementary run
        # of its month once the payee's account is completed (and approved, maker-checker).
        HELD = "held", _("held (no usable account)")
        EXPORTED = "exported", _("exported")
        PAID = "paid", _("paid")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    class HoldReason(models.TextChoices):
        # Stored in failure_reason of a held line; a bank's failure reasons are stored as the bank wrote them.
        # Accounts are 12 to 19 digits wherever they are written (people, grants), so an empty one is
        # the only unusable kind; generation tests just that (a per-row pattern match costs seconds a million).
        NO_ACCOUNT = "no_account", _("no bank account")

    EXPORTED_RUN_STATUSES = ("exported", "closed")
    # What is re-issued by a supplementary run of the line's month (补发): refused or never sent.
    REISSUABLE_STATUSES = ("failed", "held")

    # No database constraint either: a deferred check per line would cost a tenth of the generation.
    # Lines are written only by the generation, into the run it holds; runs are never deleted.
    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="lines", verbose_name=_("run"),
                            db_index=False, db_constraint=False)  # (run, id) below serves every lookup by run
    programme = models.ForeignKey("benefits.Programme", on_delete=models.DO_NOTHING, db_constraint=False,
                                  db_index=False, related_name="+", verbose_name=_("programme"))
    line_type = models.CharField(_("line type"), max_length=8, choices=LineType.choices)
    # The exactly-once key. key_ref is the entitlement id (regular, arrears, re-issue of those) or the
    # grant id (grant lines); key_variant tells apart what may legitimately repeat for one month:
    # 0 for regular and grant lines, the target amount in cents for arrears, the failed line's id for
    # a re-issue.
    key_ref = models.BigIntegerField(_("beneficiary key"))
    key_variant = models.BigIntegerField(_("key discriminator"), default=0)
    period = models.DateField(_("period"), help_text=_("The month the money is for."))
    entitlement = models.ForeignKey("benefits.Entitlement", on_delete=models.DO_NOTHING, db_constraint=False,
                                    db_index=False, null=True, blank=True, related_name="+",
                                    verbose_name=_("entitlement"))
    grant = models.ForeignKey("benefits.Grant", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                              null=True, blank=True, related_name="+", verbose_name=_("grant"))
    original_line = models.ForeignKey("self", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                                      null=True, blank=True, related_name="+", verbose_name=_("re-issue of"))
    # The beneficiary (household or person) and the payee (person or institution or a named account).
    household = models.ForeignKey("people.Household", on_delete=models.DO_NOTHING, db_constraint=False,
                                  db_index=False, null=True, blank=True, related_name="+",
                                  verbose_name=_("household"))
    person = models.ForeignKey("people.Person", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                               null=True, blank=True, related_name="+", verbose_name=_("person"))
    payee_person = models.ForeignKey("people.Person", on_delete=models.DO_NOTHING, db_constraint=False,
                                     db_index=False, null=True, blank=True, related_name="+",
                                     verbose_name=_("payee"))
    payee_institution = models.ForeignKey("people.CareInstitution", on_delete=models.DO_NOTHING,
                                          db_constraint=False, db_index=False, null=True, blank=True,
                                          related_name="+", verbose_name=_("payee institution"))
    # Snapshot at generation: what the bank file prints and the bank pays to.
    payee_name = models.CharField(_("payee name"), max_length=100)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=19, blank=True)
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)
    town = models.ForeignKey("people.Town", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                             null=True, blank=True, related_name="+", verbose_name=_("town"))
    # Formula inputs at generation, so arrears recompute a month with the facts it was paid on and
    # only the standard changed.
    variant = models.CharField(_("variant"), max_length=16, blank=True)
    standard_amount = models.DecimalField(_("monthly standard used"), max_digits=12, decimal_places=2,
                                          null=True, blank=True)
    per_capita_income = models.DecimalField(_("per-capita income used"), max_digits=12, decimal_places=2,
                                            null=True, blank=True)
    covered_members = models.SmallIntegerField(_("covered members used"), null=True, blank=True)
    addon_members = models.SmallIntegerField(_("add-on members used"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.CharField(_("failure reason"), max_length=100, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    posted_on = models.DateField(_("posted on"), null=True, blank=True)
    return_import = models.ForeignKey("BankReturnImport", on_delete=models.DO_NOTHING, db_constraint=False,
                                      db_index=False, null=True, blank=True, related_name="+",
                                      verbose_name=_("bank return"))

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        ordering = ["run", "id"]
        permissions = [("reissue_paymentline", _("Can re-issue failed payment lines"))]
        constraints = [
            # The month leads: a run's new lines append at the end of the index instead of splitting
            # pages all through last months' entries; every lookup (anti-join, arrears, re-issue,
            # recovery) names the month.
            models.UniqueConstraint(fields=["period", "line_type", "key_ref", "programme", "key_variant"],
                                    name="paymentline_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="paymentline_amount_gt_0"),
        ]
        indexes = [
            models.Index(fields=["run", "id"], name="paymentline_run_id"),
            # Small: only failed lines are in it (re-issue looks for them).
            models.Index(fields=["run"], condition=Q(status="failed"), name="paymentline_failed"),
            # Small too: the lines a supplementary run of a month looks at, and finance's to-do lists.
            models.Index(fields=["period"], condition=Q(status__in=["failed", "held"]), name="paymentline_reissuable"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.period:%Y-%m} {self.amount} ({self.get_line_type_display()})"

    @property
    def effective_status(self) -> str:
        if self.status == self.Status.PENDING and self.run.status in self.EXPORTED_RUN_STATUSES:
            return self.Status.EXPORTED
        return self.status

    @property
    def reason_label(self) -> str:
        """The hold reason in the reader's language, or the bank's failure reason as the bank wrote it."""
        if self.failure_reason in self.HoldReason.values:
            return str(self.HoldReason(self.failure_reason).label)
        return self.failure_reason


class RecoveryLine(PaymentLine):
    """A paid line for a month after its beneficiary's death or its entitlement's end (追回)."""

    class Meta:
        proxy = True
        verbose_name = _("recovery (追回)")
        verbose_name_plural = _("recoveries (追回)")


class GenerationChunk(models.Model):
    """A piece of a run's generation that one worker claims, writes and marks done in one transaction.

    A round (the first generation of a run, or a refresh) is planned as id ranges of entitlements
    (part regular) and one tail (back pay, grants, arrears, re-issues: small, after every range). A
    worker claims a chunk by locking its row (FOR UPDATE SKIP LOCKED) in the transaction that writes
    its lines and sets `done`: a worker that dies loses its transaction, the row is unlocked and
    still not done, and the next worker takes it. Several workers share a round without any lock
    held across it; the run becomes generated once every chunk of its round is done.
    """

    class Part(models.TextChoices):
        REGULAR = "regular", _("regular lines")
        TAIL = "tail", _("back pay, one-offs, arrears and re-issues")

    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("run"))
    round = models.PositiveSmallIntegerField(_("round"))
    part = models.CharField(_("part"), max_length=8, choices=Part.choices)
    low = models.BigIntegerField(_("first id"))
    high = models.BigIntegerField(_("last id"))
    # Whether the period had regular lines when the round was planned (a refresh, or lines from
    # before chunks existed): then each chunk skips existing keys by anti-join. A chunk never holds
    # lines of its own before it is done, so a fresh round's chunks need no anti-join even resumed.
    anti_join = models.BooleanField(_("skips existing keys"), default=False)
    planned_at = models.DateTimeField(_("planned"), auto_now_add=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.CharField(_("done by"), max_length=100, blank=True)
    # What the chunk found (records looked at, lines, held, unpriced …): the run's detail is their sum.
    figures = models.JSONField(_("figures"), default=dict, blank=True)

    class Meta:
        verbose_name = _("generation chunk")
        verbose_name_plural = _("generation chunks")
        ordering = ["run", "round", "part", "low"]
        constraints = [
            models.UniqueConstraint(fields=["run", "round", "part", "low"], name="generationchunk_once"),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} round {self.round} {self.part} {self.low}–{self.high}"


class PaymentLineEvent(models.Model):
    """A line's status change: who, when, from, to, why.

    Lines are many and change status a few times each, by batch (a bank return) or by hand; one row
    per change is the audit trail. HistoricalRecords on lines would copy every line at generation
    and every column at each change, doubling a million-row run for no information the run and
    these events do not already hold.
    """

    # No database constraint: a bank return writes one event per line in one INSERT … SELECT.
    line = models.ForeignKey(PaymentLine, on_delete=models.DO_NOTHING, db_constraint=False, related_name="events",
                             verbose_name=_("line"))
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment line event")
        verbose_name_plural = _("payment line events")
        ordering = ["line", "at", "id"]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.from_status} → {self.to_status}"


class LineBasis(models.Model):
    """Each (programme, variant, month, monthly standard) some regular line was computed with.

    A handful of rows per month; arrears compare them with the standards in force now, so a
    retroactive standard change is found without scanning the lines, and `checked_amount` records
    the standard up to which arrears have been generated.
    """

    programme = models.CharField(_("programme"), max_length=32)
    variant = models.CharField(_("variant"), max_length=16)
    period = models.DateField(_("period"))
    standard_amount = models.DecimalField(_("monthly standard used"), max_digits=12, decimal_places=2)
    checked_amount = models.DecimalField(_("arrears generated up to the standard"), max_digits=12, decimal_places=2,
                                         null=True, blank=True)

    class Meta:
        verbose_name = _("line basis")
        verbose_name_plural = _("line bases")
        constraints = [
            models.UniqueConstraint(fields=["programme", "variant", "period", "standard_amount"],
                                    name="linebasis_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.programme}/{self.variant} {self.period:%Y-%m} {self.standard_amount}"


class Overpayment(models.Model):
    """A month paid above what a lowered standard now gives: listed for staff, not recovered.

    The difference was paid lawfully on the standard then in force; taking it back from a poor
    household is a decision of the bureau (and rarely lawful: 信赖保护), not of a batch job.
    """

    entitlement = models.ForeignKey("benefits.Entitlement", on_delete=models.DO_NOTHING, db_constraint=False,
                                    related_name="+", verbose_name=_("entitlement"))
    programme = models.CharField(_("programme"), max_length=32)
    period = models.DateField(_("period"))
    paid_amount = models.DecimalField(_("paid"), max_digits=12, decimal_places=2)
    new_amount = models.DecimalField(_("amount on the standard now in force"), max_digits=12, decimal_places=2)
    town = models.ForeignKey("people.Town", on_delete=models.DO_NOTHING, db_constraint=False, null=True,
                             blank=True, related_name="+", verbose_name=_("town"))
    found_in_run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="overpayments",
                                     verbose_name=_("found by run"))
    created_at = models.DateTimeField(_("found"), auto_now_add=True)

    class Meta:
        verbose_name = _("overpayment (standard lowered)")
        verbose_name_plural = _("overpayments (standard lowered)")
        ordering = ["-period", "entitlement"]
        constraints = [
            models.UniqueConstraint(fields=["entitlement", "period", "new_amount"], name="overpayment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.period:%Y-%m} {self.paid_amount - self.new_amount}"

    @property
    def amount(self):
        return self.paid_amount - self.new_amount


class BankFileDownload(models.Model):
    """Every bank file handed out: who, when, which run, which format, and its checksum."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Channel(models.TextChoices):
        ADMIN = "admin", _("admin")
        API = "api", _("API")
        NIGHTLY = "nightly", _("nightly export")
        COMMAND = "command", _("command")

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="downloads", verbose_name=_("run"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("user"))
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    completed = models.BooleanField(_("completed"), default=False)
    line_count = models.PositiveIntegerField(_("lines"), null=True, blank=True)
    total_amount = models.DecimalField(_("total"), max_digits=16, decimal_places=2, null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 of the body"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("bank file download")
        verbose_name_plural = _("bank file downloads")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"run {self.run_id} {self.format} {self.at:%Y-%m-%d %H:%M}"


class BankReturnImport(models.Model):
    """One bank return file (回盘) offered for a run: accepted whole, or rejected whole with every error."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="return_imports",
                            verbose_name=_("run"))
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    paid_count = models.PositiveIntegerField(_("paid"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    unchanged_count = models.PositiveIntegerField(_("already recorded"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank return import")
        verbose_name_plural = _("bank return imports")
        ordering = ["-imported_at"]
        constraints = [
            # The same file applied twice is refused by the database, not by a check-then-act.
            models.UniqueConstraint(fields=["sha256"], condition=Q(status="accepted"), name="bankreturn_once"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
