"""Admin of payment runs, lines, recoveries, bank files and returns: thin, through the services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.benefits.models import variant_label
from apps.core.admin_mixins import ReadOnlyAdminMixin, error_text
from apps.core.admin_site import bureau_admin_site
from apps.core.idcard import mask_account, mask_id_number
from apps.core.models import PersonalDataAccess
from apps.core.periods import PeriodError, parse_month
from apps.core.pii_access import FIELD_OF_PERMISSION, personal_data_read_note
from apps.core.scoping import scope_to_town

from . import selectors, services
from .bankfile import bank_file_open
from .models import (
    BankFileDownload,
    BankReturnImport,
    Overpayment,
    PaymentLine,
    PaymentLineEvent,
    PaymentRun,
    RecoveryLine,
)
from .returns import BankReturnRejected, bank_return_import


class _MaskedPii:
    """ID numbers and accounts masked in lists for everyone (SPEC §7); whole on a line's own page to users
    with the people permissions to see them, and that display goes into the personal-data read log."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.shown_to = request  # only the detail page's object carries it; list rows never do
        return obj

    def _shown(self, obj, value: str, mask, permission: str) -> str:
        if not value:
            return ""
        request = getattr(obj, "shown_to", None)
        if request is None or not request.user.has_perm(permission):
            return mask(value)
        personal_data_read_note(request=request, channel=PersonalDataAccess.Channel.ADMIN,
                                field=FIELD_OF_PERMISSION[permission], holder=obj, value=value)
        return value

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj):
        return self._shown(obj, obj.id_number, mask_id_number, "people.view_full_id_number")

    @admin.display(description=_("bank account"))
    def masked_bank_account(self, obj):
        return self._shown(obj, obj.bank_account, mask_account, "people.view_full_bank_account")


def _yuan(amount) -> str:
    return f"¥{amount:,.2f}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return gettext("%(seconds)s s") % {"seconds": f"{seconds:.1f}"}
    minutes, rest = divmod(int(seconds), 60)
    return gettext("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": f"{rest:02d}"}


# What generation writes into a run's detail, as a reader would put it (unknown keys are shown as they are).
DETAIL_LABELS = {
    "entitlements": _("entitlements paying in the month"),
    "unpriced": _("entitlements without a standard in force"),
    "zero_amount": _("entitlements with an amount of 0.00"),
    "regular_lines": _("monthly lines"),
    "back_pay_lines": _("lines of past months owed after a recomputation"),
    "back_pay_amount": _("amount of past months owed after a recomputation"),
    "grants": _("one-off grants waiting to be paid"),
    "grant_lines": _("one-off grant lines"),
    "arrears_lines": _("arrears lines (差额补发)"),
    "arrears_amount": _("arrears amount"),
    "overpayments": _("months paid above a lowered standard (listed, not recovered)"),
    "held_lines": _("lines held: no bank account"),
    "failed_lines": _("failed lines of the month"),
    "held_before": _("held lines of the month"),
    "reissued": _("lines re-issued"),
    "awaiting_correction": _("lines waiting for a completed or corrected account"),
    "chunks": _("chunks"),
    "workers": _("workers that generated chunks"),
    "resumed": _("resumed after an interruption"),
    "seconds": _("generation time"),
}


def detail_rows(detail: dict) -> list[tuple[str, str]]:
    rows = []
    for key, value in detail.items():
        if key == "seconds":
            value = _duration(float(value))
        elif key in ("arrears_amount", "back_pay_amount"):
            value = _yuan(Decimal(value))
        elif isinstance(value, bool):
            value = gettext("yes") if value else gettext("no")
        elif isinstance(value, int):
            value = f"{value:,}"
        rows.append((str(DETAIL_LABELS.get(key, key)), str(value)))
    return rows


class StartRunForm(forms.Form):
    period = forms.CharField(label=_("period (YYYY-MM)"), max_length=7)
    kind = forms.ChoiceField(label=_("kind"), choices=PaymentRun.Kind.choices)

    def clean_period(self):
        try:
            return parse_month(self.cleaned_data["period"])
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from None


class ReturnFileForm(forms.Form):
    file = forms.FileField(label=_("bank return file (CSV or XLSX)"))


@admin.register(PaymentRun, site=bureau_admin_site)
class PaymentRunAdmin(SimpleHistoryAdmin):
    list_display = ["id", "period_label", "kind", "status", "progress", "elapsed", "line_count", "total_amount",
                    "held_label", "started_by", "approved_by", "bank_file_links"]
    list_filter = ["status", "kind", "period"]
    list_select_related = ["started_by", "approved_by"]
    readonly_fields = [f.name for f in PaymentRun._meta.fields]
    actions = ["approve_runs", "export_csv", "export_xlsx", "import_returns", "create_supplementary_runs",
               "resume_runs"]
    # Each action is offered only to those the service would let do it (the auditor gets none).
    action_permissions = {
        "approve_runs": "disbursement.approve_paymentrun",
        "export_csv": "disbursement.export_paymentrun",
        "export_xlsx": "disbursement.export_paymentrun",
        "import_returns": "disbursement.import_bankreturn",
        "create_supplementary_runs": "disbursement.reissue_paymentline",
        "resume_runs": "disbursement.start_paymentrun",
    }

    def get_actions(self, request):
        return {name: action for name, action in super().get_actions(request).items()
                if request.user.has_perm(self.action_permissions.get(name, "disbursement.change_paymentrun"))}

    change_list_template = "admin/disbursement/paymentrun/change_list.html"

    def has_add_permission(self, request):
        return False  # runs are started through "start a run" (the service), never typed in

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("period"), ordering="period")
    def period_label(self, run):
        return f"{run.period:%Y-%m}"

    @admin.display(description=_("progress"))
    def progress(self, run):
        if run.status != PaymentRun.Status.GENERATING or not run.lines_total:
            return f"{run.lines_done:,} / {run.lines_total:,}"
        return f"{run.lines_done:,} / {run.lines_total:,} ({100 * run.lines_done / run.lines_total:.0f}%)"

    @admin.display(description=_("elapsed"))
    def elapsed(self, run):
        return _duration(((run.finished_at or timezone.now()) - run.started_at).total_seconds())

    @admin.display(description=_("held (no account)"))
    def held_label(self, run):
        return f"{run.held_count:,} ({_yuan(run.held_amount)})" if run.held_count else "-"

    @admin.display(description=_("bank file / returns"))
    def bank_file_links(self, run):
        if run.status not in (PaymentRun.Status.APPROVED, PaymentRun.Status.EXPORTED, PaymentRun.Status.CLOSED):
            return "-"
        return format_html(
            '<a href="{}">CSV</a> · <a href="{}">XLSX</a> · <a href="{}">{}</a>',
            reverse("bureau_admin:disbursement_paymentrun_export", args=[run.pk, "csv"]),
            reverse("bureau_admin:disbursement_paymentrun_export", args=[run.pk, "xlsx"]),
            reverse("bureau_admin:disbursement_paymentrun_returns", args=[run.pk]),
            gettext("import returns"),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("start/", view(self.start_view), name="disbursement_paymentrun_start"),
            path("<int:pk>/export/<str:fmt>/", view(self.export_view), name="disbursement_paymentrun_export"),
            path("<int:pk>/returns/", view(self.returns_view), name="disbursement_paymentrun_returns"),
            path("<int:pk>/approve/", view(self.approve_view), name="disbursement_paymentrun_approve"),
            path("<int:pk>/supplementary/", view(self.supplementary_view),
                 name="disbursement_paymentrun_supplementary"),
        ] + super().get_urls()

    def buttons(self, request, run: PaymentRun) -> dict:
        """What this user may do with this run now: the same checks the services make."""
        user = request.user
        sent = run.status in (PaymentRun.Status.APPROVED, PaymentRun.Status.EXPORTED, PaymentRun.Status.CLOSED)
        return {
            "approve": (run.status == PaymentRun.Status.GENERATED and user.has_perm("disbursement.approve_paymentrun")
                        and run.started_by_id != user.pk),
            "started_it": run.status == PaymentRun.Status.GENERATED and run.started_by_id == user.pk,
            "download": sent and user.has_perm("disbursement.export_paymentrun"),
            "returns": run.status == PaymentRun.Status.EXPORTED and user.has_perm("disbursement.import_bankreturn"),
            "resume": run.status == PaymentRun.Status.FAILED and user.has_perm("disbursement.start_paymentrun"),
            "supplementary": (run.status in (PaymentRun.Status.EXPORTED, PaymentRun.Status.CLOSED)
                              and user.has_perm("disbursement.start_paymentrun")
                              and user.has_perm("disbursement.reissue_paymentline")),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A run's page: figures, what was held, and the steps this user may take. Never an edit form: a
        run changes only through its services."""
        run = self.get_object(request, unquote(object_id))
        if run is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        if not self.has_view_or_change_permission(request, run):
            raise PermissionDenied
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        lines = reverse("bureau_admin:disbursement_paymentline_changelist")
        held = list(PaymentLine.objects.filter(run=run, status=PaymentLine.Status.HELD)
                    .select_related("programme", "town").order_by("id")[:20]) if run.held_count else []
        for line in held:
            line.amount_text = _yuan(line.amount)
        summary = selectors.payment_run_summary(run=run)
        for row in (row for rows in summary.values() for row in rows):
            for key in ("amount", "held_amount", "paid_amount", "failed_amount"):
                row[key] = _yuan(row[key])
        context = {
            **self.admin_site.each_context(request),
            "title": str(run), "opts": self.model._meta, "run": run, "original": run,
            "summary": summary,
            "details": detail_rows(run.detail or {}),
            "elapsed": self.elapsed(run), "progress": self.progress(run),
            "total": _yuan(run.total_amount), "held_total": _yuan(run.held_amount),
            "held_lines": held, "buttons": self.buttons(request, run),
            "held_url": f"{lines}?run__id__exact={run.pk}&status__exact=held",
            "failed_url": f"{lines}?run__id__exact={run.pk}&status__exact=failed",
            "lines_url": f"{lines}?run__id__exact={run.pk}",
            "auto_refresh": run.status == PaymentRun.Status.GENERATING,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/disbursement/paymentrun/detail.html", context)

    def _detail(self, run: PaymentRun) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("bureau_admin:disbursement_paymentrun_change", args=[run.pk]))

    def approve_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        run = get_object_or_404(PaymentRun, pk=pk)
        try:
            services.payment_run_approve(run=run, user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, error_text(exc) or gettext("Not allowed."), messages.ERROR)
        else:
            self.message_user(request, gettext("Run %(run)s approved.") % {"run": run.pk})
        return self._detail(run)

    def supplementary_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        run = get_object_or_404(PaymentRun, pk=pk)
        try:
            new = services.payment_run_supplementary(period=run.period, user=request.user, background=True)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, error_text(exc) or gettext("Not allowed."), messages.ERROR)
            return self._detail(run)
        self.message_user(request, gettext("Supplementary run %(run)s started.") % {"run": new.pk})
        return self._detail(new)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            # The list reloads itself while a run is generating, so its progress moves on screen.
            "auto_refresh": PaymentRun.objects.filter(status=PaymentRun.Status.GENERATING).exists(),
            "can_start": request.user.has_perm("disbursement.start_paymentrun"),
        }
        return super().changelist_view(request, extra_context)

    def start_view(self, request):
        if not request.user.has_perm("disbursement.start_paymentrun"):
            raise PermissionDenied
        form = StartRunForm(request.POST or None, initial={"period": f"{timezone.localdate():%Y-%m}"})
        if request.method == "POST" and form.is_valid():
            try:
                run = services.payment_run_start(user=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, error_text(exc))
            else:
                self.message_user(request, gettext("Payment run %(run)s started; a worker is generating its lines.")
                                  % {"run": run.pk})
                return HttpResponseRedirect(reverse("bureau_admin:disbursement_paymentrun_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "title": gettext("Start a payment run"),
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/disbursement/form.html", context)

    def export_view(self, request, pk, fmt):
        run = get_object_or_404(PaymentRun, pk=pk)
        try:
            name, chunks = bank_file_open(run=run, user=request.user, fmt=fmt,
                                          channel=BankFileDownload.Channel.ADMIN)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, error_text(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("bureau_admin:disbursement_paymentrun_changelist"))
        content_type = "text/csv; charset=utf-8" if fmt == "csv" else (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response = StreamingHttpResponse(chunks, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def returns_view(self, request, pk):
        if not request.user.has_perm("disbursement.import_bankreturn"):
            raise PermissionDenied
        run = get_object_or_404(PaymentRun, pk=pk)
        form = ReturnFileForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record = bank_return_import(run=run, content=upload, file_name=upload.name, user=request.user)
            except BankReturnRejected as rejected:
                errors = rejected.record.errors
            except ValidationError as exc:
                errors = exc.messages
            else:
                if getattr(record, "duplicate", False):
                    self.message_user(request, gettext("This file was imported before; nothing changed."),
                                      messages.WARNING)
                else:
                    self.message_user(request, gettext("Bank return applied: %(paid)s paid, %(failed)s failed.")
                                      % {"paid": record.paid_count, "failed": record.failed_count})
                return self._detail(run)
        context = {**self.admin_site.each_context(request), "form": form, "errors": errors, "run": run,
                   "title": gettext("Import the bank return of run %(run)s") % {"run": run.pk},
                   "opts": self.model._meta, "multipart": True}
        return TemplateResponse(request, "admin/disbursement/form.html", context)

    @admin.action(description=_("Approve the selected runs"))
    def approve_runs(self, request, queryset):
        for run in queryset:
            try:
                services.payment_run_approve(run=run, user=request.user)
                self.message_user(request, gettext("Run %(run)s approved.") % {"run": run.pk})
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, error_text(exc) or gettext("Not allowed."), messages.ERROR)

    def _one(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, gettext("Select exactly one run."), messages.WARNING)
            return None
        return queryset.first()

    @admin.action(description=_("Download the bank file (CSV)"))
    def export_csv(self, request, queryset):
        run = self._one(request, queryset)
        if run:
            return HttpResponseRedirect(reverse("bureau_admin:disbursement_paymentrun_export", args=[run.pk, "csv"]))

    @admin.action(description=_("Download the bank file (XLSX)"))
    def export_xlsx(self, request, queryset):
        run = self._one(request, queryset)
        if run:
            return HttpResponseRedirect(reverse("bureau_admin:disbursement_paymentrun_export", args=[run.pk, "xlsx"]))

    @admin.action(description=_("Import the bank return of the run"))
    def import_returns(self, request, queryset):
        run = self._one(request, queryset)
        if run:
            return HttpResponseRedirect(reverse("bureau_admin:disbursement_paymentrun_returns", args=[run.pk]))

    @admin.action(description=_("Create a supplementary run (re-issue corrected failed lines) for the selected periods"))
    def create_supplementary_runs(self, request, queryset):
        for period in sorted({run.period for run in queryset}):
            try:
                run = services.payment_run_supplementary(period=period, user=request.user, background=True)
                self.message_user(request, gettext("Supplementary run %(run)s started.") % {"run": run.pk})
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, error_text(exc) or gettext("Not allowed."), messages.ERROR)

    @admin.action(description=_("Resume the selected failed runs"))
    def resume_runs(self, request, queryset):
        if not request.user.has_perm("disbursement.start_paymentrun"):
            raise PermissionDenied
        for run in queryset.filter(status=PaymentRun.Status.FAILED):
            services.payment_run_resume(run=run, user=request.user)
            self.message_user(request, gettext("Run %(run)s is being resumed.") % {"run": run.pk})


def _line_status_label(code: str) -> str:
    return PaymentLine.Status(code).label if code in PaymentLine.Status.values else code or "—"


class PaymentLineEventInline(admin.TabularInline):
    model = PaymentLineEvent
    fields = ["at", "from_label", "to_label", "by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("from"))
    def from_label(self, event):
        return _line_status_label(event.from_status)

    @admin.display(description=_("to"))
    def to_label(self, event):
        return _line_status_label(event.to_status)

    def has_add_permission(self, request, obj=None):
        return False


class ReasonFilter(admin.SimpleListFilter):
    """Why a line was held or refused by the bank: the reasons that occur."""

    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        reasons = (PaymentLine.objects.filter(status__in=PaymentLine.REISSUABLE_STATUSES).order_by()
                   .values_list("failure_reason", flat=True).distinct())
        labels = dict(PaymentLine.HoldReason.choices)
        return sorted((reason, labels.get(reason, reason)) for reason in reasons if reason)

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(failure_reason=self.value())
        return queryset


class OutstandingFilter(admin.SimpleListFilter):
    """Held and failed lines that no supplementary run has re-issued yet: what finance has to complete."""

    title = _("re-issue")
    parameter_name = "outstanding"

    def lookups(self, request, model_admin):
        return [("yes", _("not re-issued yet")), ("no", _("re-issued"))]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        queryset = queryset.filter(status__in=PaymentLine.REISSUABLE_STATUSES)
        return queryset.exclude(selectors.reissued_q()) if self.value() == "yes" else queryset.filter(
            selectors.reissued_q())


class _LineAdmin(_MaskedPii, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "run", "programme", "line_type", "period_label", "payee_name", "masked_id_number",
                    "masked_bank_account", "amount", "status_label", "reason_column", "town"]
    list_filter = ["status", ReasonFilter, OutstandingFilter, "line_type", "programme", "period"]
    list_select_related = ["run", "programme", "town"]
    # By the people and institutions a line pays (selectors.line_search_q), never by scanning the lines.
    search_fields = ["payee_name"]
    search_help_text = _("A whole ID number, or the beginning or end of a name (beneficiary, household member or "
                         "payee), or part of a care institution's name.")
    # Newest run first, on the index (run, id): the model's ordering by "run" sorts every line by its
    # run's period through a join (0.4 s at 57,000 lines).
    ordering = ["-run_id", "-id"]
    exclude = ["id_number", "bank_account", "variant"]

    @admin.display(description=_("period"), ordering="period")
    def period_label(self, line):
        return f"{line.period:%Y-%m}"

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, line):
        return PaymentLine.Status(line.effective_status).label

    @admin.display(description=_("reason"))
    def reason_column(self, line):
        return line.reason_label or "-"

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(selectors.line_search_q(search_term)), False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude] + [
            "variant_display", "masked_id_number", "masked_bank_account"]

    @admin.display(description=_("variant"))
    def variant_display(self, line):
        return variant_label(line.variant)


@admin.register(PaymentLine, site=bureau_admin_site)
class PaymentLineAdmin(_LineAdmin):
    inlines = [PaymentLineEventInline]

    def get_queryset(self, request):
        return scope_to_town(super().get_queryset(request), request.user, "town")


@admin.register(RecoveryLine, site=bureau_admin_site)
class RecoveryLineAdmin(_LineAdmin):
    list_display = ["id", "run", "programme", "period_label", "payee_name", "masked_id_number", "amount",
                    "reason_label", "cutoff_label", "town"]
    list_filter = ["programme"]

    def get_queryset(self, request):
        return selectors.recovery_list(user=request.user)

    @admin.display(description=_("reason"))
    def reason_label(self, line):
        return gettext("death") if line.reason == "death" else gettext("entitlement stopped")

    @admin.display(description=_("last month due"))
    def cutoff_label(self, line):
        return f"{line.cutoff:%Y-%m}" if line.cutoff else "-"


@admin.register(Overpayment, site=bureau_admin_site)
class OverpaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["entitlement_id", "programme", "period", "paid_amount", "new_amount", "amount", "found_in_run"]
    list_filter = ["programme", "period"]

    def get_queryset(self, request):
        return selectors.overpayment_list(user=request.user)


@admin.register(BankReturnImport, site=bureau_admin_site)
class BankReturnImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "run", "file_name", "status", "rows", "paid_count", "failed_count", "unchanged_count",
                    "imported_by", "imported_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in BankReturnImport._meta.fields]


@admin.register(BankFileDownload, site=bureau_admin_site)
class BankFileDownloadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["run", "format", "channel", "user", "at", "completed", "line_count", "total_amount", "sha256"]
    list_filter = ["format", "channel", "completed"]

