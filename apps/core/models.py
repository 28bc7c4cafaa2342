from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """One execution of a background job in this bureau: what ran, when, and what it reported."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    job = models.CharField(_("job"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    task_id = models.CharField(_("Celery task id"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class PasswordRecord(models.Model):
    """A password a user has had: the history that refuses reuse and dates the current one for expiry.

    Written by `apps.core.passwords.PasswordHistoryValidator.password_changed`, which Django calls on
    every save after `set_password` (admin form, `changepassword`, `create_user`, the API).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    password = models.CharField(_("password hash"), max_length=128)
    set_at = models.DateTimeField(_("set at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("password record")
        verbose_name_plural = _("password records")
        ordering = ["-set_at", "-id"]
        default_permissions = ()  # no screen shows them, no role reads them

    def __str__(self) -> str:
        return f"{self.user_id} {self.set_at:%Y-%m-%d %H:%M}"


class PersonalDataAccess(models.Model):
    """One display or export of whole ID numbers or bank accounts (等保 2.0 level 3): append-only.

    Never holds the number itself: `masked_value` is what a user without the permission would see.
    An export is one row naming the file, its row count and checksum, not one row per person.
    """

    class Channel(models.TextChoices):
        ADMIN = "admin", _("admin")
        API = "api", _("API")
        EXPORT = "export", _("export")

    class Field(models.TextChoices):
        ID_NUMBER = "id_number", _("ID number")
        BANK_ACCOUNT = "bank_account", _("bank account")
        FILE = "file", _("file")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    # No database constraint: deleting a user account must neither fail nor touch the log.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                             null=True, blank=True, related_name="+", verbose_name=_("user"))
    # Kept beside the key: a later rename or a deleted account must not blur who looked.
    username = models.CharField(_("username"), max_length=150, blank=True, db_index=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, db_index=True)
    field = models.CharField(_("field"), max_length=16, choices=Field.choices)
    record = models.CharField(_("record"), max_length=64, blank=True,
                              help_text=_("The model and id the value was read from, e.g. people.person:12."))
    person_id = models.BigIntegerField(_("person id"), null=True, blank=True, db_index=True)
    masked_value = models.CharField(_("masked value"), max_length=32, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.username} {self.get_field_display()} {self.record or self.file_name}"
