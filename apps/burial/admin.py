"""Bureau admin of burial: thin — the death record's form calls the service (benefits end at once),
deleting a record calls the service that restores what it ended; lists masked and town-scoped."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.benefits.admin_tools import ReasonForm, confirm_action
from apps.benefits.models import source_text
from apps.core.admin_mixins import ReadOnlyAdminMixin, TownScopedAdminMixin, add_service_errors
from apps.core.admin_site import bureau_admin_site
from apps.core.idcard import mask_account, mask_id_number
from apps.people import services as people_services
from apps.people.models import FuneralHome

from . import selectors, services
from .models import (
    Cemetery,
    DeathRecord,
    EcoBurialRate,
    EcoBurialSubsidy,
    FeeItem,
    FeeWaiver,
    PlotSale,
    WaiverPolicy,
)

DEATH_FIELDS = [
    "person",
    "name",
    "id_number",
    "local_hukou",
    "town",
    "date_of_death",
    "place_of_death",
    "cause",
    "funeral_home",
    "cremated_on",
    "exemption",
    "disposition",
]


class DeathRecordForm(forms.ModelForm):
    class Meta:
        model = DeathRecord
        fields = DEATH_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "town"):  # taken from the registered person when one is chosen
            if name in self.fields:
                self.fields[name].required = False

    def validate_unique(self):
        pass  # the service names the first record of the same death

    def _post_clean(self):
        pass  # the service validates and writes; the model's own checks would demand name and town

    def clean(self):
        data = super().clean()
        if self.errors or self.instance.pk:
            return data
        try:
            # The service is the writer: a registered person's benefits end in this same transaction.
            self.created = services.death_record_create(
                user=self.request_user,
                **{name: data.get(name) for name in DEATH_FIELDS if data.get(name) not in (None, "")},
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(self, exc)
        return data


class DeathDateForm(ReasonForm):
    date_of_death = forms.DateField(label=_("correct date of death"), help_text=_("YYYY-MM-DD, as on the death certificate."))
    field_order = ["date_of_death", "reason"]


class BenefitsFilter(admin.SimpleListFilter):
    title = _("benefits")
    parameter_name = "benefits"

    def lookups(self, request, model_admin):
        return [("stopped", _("benefits stopped"))]

    def queryset(self, request, queryset):
        return queryset.exclude(benefits_effect={}) if self.value() == "stopped" else queryset


@admin.register(DeathRecord, site=bureau_admin_site)
class DeathRecordAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    form = DeathRecordForm
    list_display = [
        "name",
        "masked_id_number",
        "town",
        "date_of_death",
        "cremated_on",
        "exemption",
        "disposition",
        "funeral_home",
        "benefits_stopped",
    ]
    list_filter = [BenefitsFilter, "disposition", "exemption", "cause", "town"]
    search_fields = ["name", "=id_number"]
    date_hierarchy = "date_of_death"
    raw_id_fields = ["person"]
    actions = ["correct_date"]

    @admin.action(description=_("Correct the date of death"), permissions=["change"])
    def correct_date(self, request, queryset):
        """The date is never edited in the form: the service undoes what the old date set off (benefits
        ended, the household's dibao recomputed) and applies the new one, with history."""
        if queryset.count() != 1:
            self.message_user(request, _("Choose one death record to correct."), messages.ERROR)
            return None
        return confirm_action(
            self, request, queryset, form_class=DeathDateForm, title=_("Correct the date of death"),
            action_name="correct_date",
            explanation=_("The benefits the old date ended are restored, then ended again after the month "
                          "of the new date; months already paid are recovered or paid by the next run."),
            run=lambda record, data: services.death_record_correct_date(record=record, user=request.user, **data))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        # A date is corrected through its own service (the "correct the date" action, API
        # deaths/{id}/correct/), never edited here.
        return DEATH_FIELDS if obj else []

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number) if obj.id_number else ""

    @admin.display(description=_("benefits stopped"))
    def benefits_stopped(self, obj):
        return len((obj.benefits_effect or {}).get("ended", []))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.pk = form.created.pk

    def delete_model(self, request, obj):
        services.death_record_delete(
            record=obj, user=request.user, reason=str(_("deleted in the admin: made in error"))
        )

    def delete_queryset(self, request, queryset):
        for record in queryset:
            self.delete_model(request, record)


@admin.register(FuneralHome, site=bureau_admin_site)
class FuneralHomeAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "town", "masked_account", "bank_name"]
    list_filter = ["town"]
    search_fields = ["name"]

    @admin.display(description=_("bank account"))
    def masked_account(self, obj):
        return mask_account(obj.bank_account) if obj.bank_account else ""

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The people app owns payees: its service writes a new funeral home.
        obj.pk = people_services.funeral_home_create(
            **{name: form.cleaned_data.get(name) or "" for name in ("name", "bank_account", "bank_name")},
            town=form.cleaned_data["town"],
        ).pk


class SourceDisplayMixin:
    @admin.display(description=_("source"), ordering="source")
    def source_display(self, obj):
        return source_text(obj.source)


@admin.register(FeeItem, site=bureau_admin_site)
class FeeItemAdmin(SourceDisplayMixin, SimpleHistoryAdmin):
    list_display = ["name", "unit_price", "per_day", "max_units", "effective_from", "source_display"]
    list_filter = ["effective_from"]
    search_fields = ["code", "name"]


@admin.register(WaiverPolicy, site=bureau_admin_site)
class WaiverPolicyAdmin(SourceDisplayMixin, SimpleHistoryAdmin):
    list_display = ["effective_from", "cap", "eligible", "source_display"]


@admin.register(EcoBurialRate, site=bureau_admin_site)
class EcoBurialRateAdmin(SourceDisplayMixin, SimpleHistoryAdmin):
    list_display = ["mode", "amount", "effective_from", "source_display"]
    list_filter = ["mode"]


@admin.register(FeeWaiver, site=bureau_admin_site)
class FeeWaiverAdmin(ReadOnlyAdminMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    town_path = "death__town"
    list_display = ["death", "funeral_home", "items_total", "amount", "grant", "approved_on"]
    list_filter = ["funeral_home", "approved_on"]
    search_fields = ["death__name"]


@admin.register(EcoBurialSubsidy, site=bureau_admin_site)
class EcoBurialSubsidyAdmin(ReadOnlyAdminMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    town_path = "death__town"
    list_display = ["death", "mode", "amount", "applicant_name", "masked_account", "grant", "approved_on"]
    list_filter = ["mode"]
    search_fields = ["death__name", "applicant_name"]

    @admin.display(description=_("bank account"))
    def masked_account(self, obj):
        return mask_account(obj.applicant_account)


@admin.register(Cemetery, site=bureau_admin_site)
class CemeteryAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "town", "capacity", "plots_sold", "remaining", "price_cap"]
    list_filter = ["kind", "town"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return selectors.cemetery_list(user=request.user)

    @admin.display(description=_("plots sold"))
    def plots_sold(self, obj):
        return obj.plots_sold

    @admin.display(description=_("remaining"))
    def remaining(self, obj):
        return obj.remaining


@admin.register(PlotSale, site=bureau_admin_site)
class PlotSaleAdmin(ReadOnlyAdminMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    town_path = "cemetery__town"
    list_display = ["cemetery", "death", "price", "sold_on"]
    list_filter = ["cemetery"]
