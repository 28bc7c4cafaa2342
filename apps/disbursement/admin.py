"""Admin of payment runs, lines, recoveries, bank files and returns: thin, through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, StreamingHttpResponse
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
                    "started_by", "approved_by", "bank_file_links"]
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
        "create_supplementary_runs": "disbursement.start_paymentrun",
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
        seconds = int(((run.finished_at or timezone.now()) - run.started_at).total_seconds())
        return f"{seconds // 60}:{seconds % 60:02d}"

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
        ] + super().get_urls()

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
        except ValidationError as exc:
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
                return HttpResponseRedirect(reverse("bureau_admin:disbursement_paymentrun_changelist"))
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


class _LineAdmin(_MaskedPii, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "run", "programme", "line_type", "period_label", "payee_name", "masked_id_number",
                    "masked_bank_account", "amount", "status_label", "town"]
    list_filter = ["status", "line_type", "programme", "period"]
    list_select_related = ["run", "programme", "town"]
    search_fields = ["payee_name", "=id_number"]
    show_full_result_count = False
    exclude = ["id_number", "bank_account", "variant"]

    @admin.display(description=_("period"), ordering="period")
    def period_label(self, line):
        return f"{line.period:%Y-%m}"

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, line):
        return PaymentLine.Status(line.effective_status).label

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

