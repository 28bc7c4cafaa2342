"""Programmes, standards, entitlements and grants in the bureau admin.

Standards are written through the services (bureau administrators and approvers; history kept).
Entitlements and grants come from applications and the pensions/burial engines: here they are read,
and suspended, resumed, stopped or cancelled through actions with a confirmation page.
"""

from __future__ import annotations

import datetime
import threading

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.core.admin_mixins import ReadOnlyAdminMixin, add_service_errors
from apps.core.admin_money import money_cell
from apps.core.admin_site import bureau_admin_site
from apps.core.idcard import mask_account
from apps.people.admin import BeneficiarySearchMixin

from . import rules, selectors, services
from .admin_tools import BeneficiaryTownFilter, ReasonForm, confirm_action
from .models import VARIANT_LABELS, Entitlement, Grant, Programme, Standard, source_text, variant_label

_page = threading.local()


class VariantFilter(admin.SimpleListFilter):
    """档次 by name: the known variants in words, and on the (small) standards table its age brackets too."""

    title = _("variant")
    parameter_name = "variant"

    def lookups(self, request, model_admin):
        known = [(code, str(label)) for code, label in VARIANT_LABELS.items()]
        if model_admin.model is Standard:
            brackets = Standard.objects.exclude(variant__in=VARIANT_LABELS).values_list("variant", flat=True)
            known += [(v, v) for v in sorted(set(brackets))]
        return known

    def queryset(self, request, queryset):
        return queryset.filter(variant=self.value()) if self.value() else queryset


class VariantDisplayMixin:
    @admin.display(description=_("variant"), ordering="variant")
    def variant_display(self, obj):
        return variant_label(obj.variant)


@admin.register(Programme, site=bureau_admin_site)
class ProgrammeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The catalogue's codes are stable: other tools and the bank files rely on them."""

    list_display = ["code", "__str__", "payment", "bank_code"]
    list_filter = ["payment"]


class StandardForm(forms.ModelForm):
    class Meta:
        model = Standard
        fields = ["programme", "variant", "amount", "unit", "effective_from", "source"]

    def validate_unique(self):
        pass  # the service names the clashing standard

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.standard_validate(
                programme=data.get("programme"), variant=data.get("variant"), amount=data.get("amount"),
                unit=data.get("unit"), effective_from=data.get("effective_from"),
                exclude_pk=self.instance.pk)
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data


@admin.register(Standard, site=bureau_admin_site)
class StandardAdmin(VariantDisplayMixin, SimpleHistoryAdmin):
    form = StandardForm
    list_display = ["programme", "variant_display", "amount", "unit", "monthly", "effective_from", "source_display"]
    list_filter = ["programme", VariantFilter, "unit"]
    search_fields = ["source", "variant"]
    date_hierarchy = "effective_from"

    @admin.display(description=_("monthly value"))
    def monthly(self, standard):
        return money_cell(rules.monthly_value(standard.amount, standard.unit))

    def changelist_view(self, request, extra_context=None):
        for w in selectors.tekun_floor_warnings():
            messages.warning(request, _(
                "特困 (%(variant)s): the standard %(explicit)s is below ceil(multiplier × 低保) = %(floor)s from "
                "%(period)s; %(floor)s is paid. Add a 特困 standard from that month to make it explicit."
            ) % {"variant": w["variant"], "explicit": w["explicit"], "floor": w["floor"],
                 "period": w["from_period"].strftime("%Y-%m")})
        return super().changelist_view(request, extra_context)
    @admin.display(description=_("source"), ordering="source")
    def source_display(self, standard):
        return source_text(standard.source)

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in ("programme", "variant", "amount", "unit", "effective_from", "source")}
        if change:
            saved = services.standard_update(user=request.user, standard=obj, **data)
        else:
            saved = services.standard_create(user=request.user, **data)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        # A standard that priced a payment is evidence; correct it with a newer one instead.
        return False


class StopForm(ReasonForm):
    end_period = forms.DateField(label=_("last month paid"), help_text=_("Any day of the month; YYYY-MM-DD."))

    def clean_end_period(self):
        return self.cleaned_data["end_period"].replace(day=1)


@admin.register(Entitlement, site=bureau_admin_site)
class EntitlementAdmin(BeneficiarySearchMixin, VariantDisplayMixin, SimpleHistoryAdmin):
    list_display = ["id", "programme", "variant_display", "beneficiary", "town", "payee", "payee_account_masked",
                    "amount_this_month", "start_period", "end_period", "status"]
    list_filter = ["programme", "status", BeneficiaryTownFilter, VariantFilter, "care_level"]
    search_fields = ["=household__code", "person__name", "=person__id_number", "household__members__person__name"]
    list_select_related = ["programme", "household", "household__town", "person", "person__town", "payee_person",
                           "payee_institution"]
    readonly_fields = ["programme", "variant_display", "household", "person", "payee_person", "payee_institution",
                       "per_capita_income", "covered_members", "addon_members", "care_level", "start_period",
                       "end_period", "status", "reason_text", "source", "created_at", "updated_at"]
    fields = readonly_fields
    actions = ["suspend", "resume", "stop"]

    def get_queryset(self, request):
        return selectors.scope_beneficiaries(super().get_queryset(request), request.user)

    def changelist_view(self, request, extra_context=None):
        # Priced once per page; thread-local because the admin instance serves every request.
        _page.book = selectors.StandardBook.load()
        _page.payments = selectors.programme_payments()
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("beneficiary"))
    def beneficiary(self, e):
        return e.household or e.person

    @admin.display(description=_("town"))
    def town(self, e):
        return (e.household or e.person).town

    @admin.display(description=_("payee"))
    def payee(self, e):
        return e.payee_person or e.payee_institution

    @admin.display(description=_("reason"))
    def reason_text(self, e):
        # Engines store their reason as the message id; read it in the reader's language.
        return gettext(e.reason) if e.reason else "-"

    @admin.display(description=_("account"))
    def payee_account_masked(self, e):
        account = (e.payee_person or e.payee_institution).bank_account
        return mask_account(account) if account else "-"

    @admin.display(description=_("amount this month"))
    def amount_this_month(self, e):
        book = getattr(_page, "book", None)
        if book is None:
            return "-"
        return money_cell(book.amount(e, datetime.date.today(), payment=_page.payments[e.programme_id]))

    def has_add_permission(self, request):
        return False  # entitlements come from approvals and the eligibility engines

    def has_delete_permission(self, request, obj=None):
        return False

    def _confirm(self, request, queryset, *, form_class, title, run, name):
        if not request.user.has_perm("benefits.change_entitlement"):
            raise PermissionDenied
        return confirm_action(self, request, queryset, form_class=form_class, title=title, run=run,
                              action_name=name)

    @admin.action(description=_("Suspend (pays nothing until resumed)"), permissions=["change"])
    def suspend(self, request, queryset):
        return self._confirm(request, queryset, form_class=ReasonForm, title=_("Suspend entitlements"), name="suspend",
                             run=lambda e, d: services.entitlement_suspend(entitlement=e, user=request.user, **d))

    @admin.action(description=_("Resume"), permissions=["change"])
    def resume(self, request, queryset):
        return self._confirm(request, queryset, form_class=ReasonForm, title=_("Resume entitlements"), name="resume",
                             run=lambda e, d: services.entitlement_resume(entitlement=e, user=request.user, **d))

    @admin.action(description=_("Stop after a month"), permissions=["change"])
    def stop(self, request, queryset):
        return self._confirm(request, queryset, form_class=StopForm, title=_("Stop entitlements"), name="stop",
                             run=lambda e, d: services.entitlement_stop(entitlement=e, user=request.user, **d))


@admin.register(Grant, site=bureau_admin_site)
class GrantAdmin(BeneficiarySearchMixin, VariantDisplayMixin, SimpleHistoryAdmin):
    list_display = ["id", "programme", "beneficiary", "payee", "amount", "period", "status", "source"]
    list_filter = ["programme", "status", BeneficiaryTownFilter, "period"]
    search_fields = ["=household__code", "person__name", "=person__id_number", "payee_name", "source"]
    list_select_related = ["programme", "household", "person", "payee_person", "payee_institution"]
    readonly_fields = ["programme", "variant_display", "household", "person", "payee_person", "payee_institution",
                       "payee_name", "payee_account_masked", "payee_bank", "amount", "period", "status", "reason",
                       "source", "created_at"]
    fields = readonly_fields
    actions = ["cancel"]

    def get_queryset(self, request):
        return selectors.scope_beneficiaries(super().get_queryset(request), request.user)

    @admin.display(description=_("beneficiary"))
    def beneficiary(self, g):
        return g.household or g.person

    @admin.display(description=_("payee"))
    def payee(self, g):
        return g.payee_person or g.payee_institution or g.payee_name

    @admin.display(description=_("payee account"))
    def payee_account_masked(self, g):
        return mask_account(g.payee_account) if g.payee_account else "-"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cancel (only pending grants)"), permissions=["change"])
    def cancel(self, request, queryset):
        return confirm_action(self, request, queryset, form_class=ReasonForm, title=_("Cancel grants"),
                              action_name="cancel",
                              run=lambda g, d: services.grant_cancel(grant=g, user=request.user, **d))
