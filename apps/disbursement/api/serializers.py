"""Serializers of the disbursement API: input validation and output shapes only."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.core.api.mixins import MaskedField, OutputModelSerializer
from apps.core.api.periods import PeriodField
from apps.core.idcard import mask_account, mask_id_number

from ..models import BankReturnImport, Overpayment, PaymentLine, PaymentRun


class PaymentRunOutputSerializer(OutputModelSerializer):
    period = PeriodField()
    started_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    total_amount = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True)
    held_amount = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True)
    progress_percent = serializers.SerializerMethodField()
    elapsed_seconds = serializers.SerializerMethodField()

    class Meta:
        model = PaymentRun
        fields = ["id", "period", "kind", "status", "started_by", "approved_by", "approved_at", "exported_at",
                  "closed_at", "lines_done", "lines_total", "progress_percent", "line_count", "total_amount",
                  "held_count", "held_amount", "started_at", "finished_at", "elapsed_seconds", "error", "detail", "bank_file_sha256"]

    def get_progress_percent(self, run) -> float:
        if run.status != PaymentRun.Status.GENERATING:
            return 100.0
        return round(100 * run.lines_done / run.lines_total, 1) if run.lines_total else 0.0

    def get_elapsed_seconds(self, run) -> float:
        return round(((run.finished_at or timezone.now()) - run.started_at).total_seconds(), 1)


class PaymentRunInputSerializer(serializers.Serializer):
    period = PeriodField()
    kind = serializers.ChoiceField(choices=PaymentRun.Kind.choices, default=PaymentRun.Kind.REGULAR)


class PaymentLineOutputSerializer(OutputModelSerializer):
    period = PeriodField()
    id_number = MaskedField(mask=mask_id_number, permission="people.view_full_id_number")
    bank_account = MaskedField(mask=mask_account, permission="people.view_full_bank_account")
    town = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    status = serializers.SerializerMethodField(help_text=_("pending, exported, paid, failed or cancelled"))

    class Meta:
        model = PaymentLine
        fields = ["id", "run", "programme", "line_type", "period", "amount", "status", "entitlement", "grant",
                  "original_line", "household", "person", "payee_name", "id_number", "bank_account", "bank_name",
                  "town", "failure_reason", "bank_reference", "posted_on"]


    def get_status(self, line) -> str:
        return getattr(line, "shown_status", None) or line.status


class RecoveryOutputSerializer(PaymentLineOutputSerializer):
    reason = serializers.CharField(read_only=True)
    cutoff = PeriodField(read_only=True, help_text=_("The last month that was due."))
    amount_to_recover = serializers.DecimalField(source="amount", max_digits=12, decimal_places=2, read_only=True)

    class Meta(PaymentLineOutputSerializer.Meta):
        fields = PaymentLineOutputSerializer.Meta.fields + ["reason", "cutoff", "amount_to_recover"]


class OverpaymentOutputSerializer(OutputModelSerializer):
    period = PeriodField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Overpayment
        fields = ["id", "entitlement", "programme", "period", "paid_amount", "new_amount", "amount", "town",
                  "found_in_run", "created_at"]


class BankReturnImportOutputSerializer(OutputModelSerializer):
    imported_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    duplicate = serializers.SerializerMethodField()

    class Meta:
        model = BankReturnImport
        fields = ["id", "run", "file_name", "sha256", "status", "rows", "paid_count", "failed_count",
                  "unchanged_count", "errors", "imported_by", "imported_at", "duplicate"]

    def get_duplicate(self, record) -> bool:
        return bool(getattr(record, "duplicate", False))


class BankReturnRejectedSerializer(serializers.Serializer):
    """A 400 of POST {id}/returns/: the file's errors, and the rejected import when the file was read."""

    file = serializers.ListField(child=serializers.CharField(), required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    import_ = BankReturnImportOutputSerializer(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["import"] = fields.pop("import_")  # a Python keyword, named as the answer names it
        return fields


class BankReturnInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("The bank's return file (CSV or XLSX)."))
