"""Bureau admin of the pensions app: thin — services do the writes, selectors the totals."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.benefits.models import variant_label
from apps.core.admin_mixins import PiiMaskingAdminMixin, ReadOnlyAdminMixin, add_service_errors
from apps.core.admin_site import bureau_admin_site
from apps.core.idcard import mask_account, mask_id_number
from apps.core.scoping import scope_to_town
from apps.people import services as people_services
from apps.people.admin import BeneficiarySearchMixin
from apps.people.models import CareInstitution

from . import rules, selectors, services
from .models import (
    ChildWelfareRecord,
    EligibilityChange,
    EligibilityRun,
    LongevityStandard,
    MealSite,
)


class TownScopedAdmin(SimpleHistoryAdmin):
    town_path = "town"

    def get_queryset(self, request):
        return scope_to_town(super().get_queryset(request), request.user, self.town_path)


class TotalsChangeList:
    """Shows the registry totals above the list (中山: 34 institutions, 3,880 beds, 75.62% nursing)."""

    change_list_template = "admin/pensions/change_list_with_totals.html"

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "registry_totals": selectors.registry_totals(user=request.user)}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(CareInstitution, site=bureau_admin_site)
class CareInstitutionAdmin(TotalsChangeList, PiiMaskingAdminMixin, TownScopedAdmin):
    """The payee's account: masked unless the user may see it whole (SPEC §7), and that read is logged."""

    list_display = ["name", "ownership", "town", "beds", "nursing_beds", "star_rating", "masked_account"]
    list_filter = ["ownership", "star_rating", "town"]
    search_fields = ["name"]

    @admin.display(description=_("bank account"))
    def masked_account(self, obj):
        return mask_account(obj.bank_account) if obj.bank_account else ""

    def save_model(self, request, obj, form, change):
        # The people app owns payees: its service is the one writer of care institutions.
        values = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            people_services.care_institution_update(institution=obj, user=request.user, **values)
        else:
            saved = people_services.care_institution_create(**{
                name: form.cleaned_data.get(name) for name in (
                    "name", "ownership", "town", "beds", "nursing_beds", "star_rating", "bank_account", "bank_name")
                if form.cleaned_data.get(name) is not None
            })
            obj.pk = saved.pk


@admin.register(MealSite, site=bureau_admin_site)
class MealSiteAdmin(TotalsChangeList, TownScopedAdmin):
    list_display = ["name", "kind", "town", "star_rating", "meals_per_month"]
    list_filter = ["kind", "star_rating", "town"]
    search_fields = ["name"]


class ChildWelfareForm(forms.ModelForm):
    class Meta:
        model = ChildWelfareRecord
        fields = ["person", "kind", "placement", "since", "ended_on", "end_reason", "institution", "guardian", "note"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        record = self.instance
        for name, value in cleaned.items():
            setattr(record, name, value)
        try:
            services.child_welfare_record_check(record)
        except ValidationError as exc:
            add_service_errors(self, exc)
        return cleaned


@admin.register(ChildWelfareRecord, site=bureau_admin_site)
class ChildWelfareRecordAdmin(BeneficiarySearchMixin, TownScopedAdmin):
    form = ChildWelfareForm
    town_path = "person__town"
    list_display = ["person", "masked_id", "kind", "placement", "since", "ended_on"]
    list_filter = ["kind", "placement"]
    search_fields = ["person__name", "=person__id_number"]
    search_household_path = None
    autocomplete_fields = []
    raw_id_fields = ["person", "guardian", "institution"]

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return mask_id_number(obj.person.id_number)


class LongevityStandardForm(forms.ModelForm):
    class Meta:
        model = LongevityStandard
        fields = ["variant", "amount", "unit", "effective_from", "source"]
        help_texts = {"variant": _("An age bracket (80-89, 100+) or an annual grant (grant:100+:10).")}

    def clean_variant(self):
        variant = self.cleaned_data["variant"].strip()
        others = LongevityStandard.objects.all()
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        try:
            rules.check_brackets(set(others.values_list("variant", flat=True)) | {variant})
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return variant


@admin.register(LongevityStandard, site=bureau_admin_site)
class LongevityStandardAdmin(SimpleHistoryAdmin):
    """The bracket table is checked whole: a gap or an overlap is refused with the ages concerned."""

    form = LongevityStandardForm
    list_display = ["variant", "amount", "unit", "effective_from"]
    ordering = ["variant", "-effective_from"]

    def save_model(self, request, obj, form, change):
        saved = services.longevity_standard_save(
            user=request.user, pk=obj.pk if change else None, variant=obj.variant, amount=obj.amount, unit=obj.unit,
            effective_from=obj.effective_from, source=obj.source)
        obj.pk = saved.pk


@admin.register(EligibilityRun, site=bureau_admin_site)
class EligibilityRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "today", "status", "auto_confirm", "triggered_by", "started_at", "finished_at"]
    list_filter = ["status"]
    readonly_fields = ["today", "status", "auto_confirm", "triggered_by", "started_at", "finished_at", "summary"]
    change_list_template = "admin/pensions/eligibilityrun/change_list.html"

    def get_urls(self):
        run = self.admin_site.admin_view(self.run_now_view)
        return [path("run/", run, name="pensions_eligibilityrun_run"), *super().get_urls()]

    def run_now_view(self, request):
        """POST: run the engine as of today, in the request (it is set-based: seconds, not minutes)."""
        if request.method != "POST" or not request.user.has_perm("pensions.run_eligibilityrun"):
            raise PermissionDenied
        run = services.eligibility_run(today=timezone.localdate(), user=request.user)
        self.message_user(request, _("Run %(id)s: %(n)d changes.") % {"id": run.pk, "n": run.summary["changes"]})
        return redirect("admin:pensions_eligibilitychange_changelist")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "can_run": request.user.has_perm("pensions.run_eligibilityrun")}
        return super().changelist_view(request, extra_context)


@admin.register(EligibilityChange, site=bureau_admin_site)
class EligibilityChangeAdmin(BeneficiarySearchMixin, admin.ModelAdmin):
    list_display = ["id", "person", "masked_id", "programme", "action", "variant_display", "period",
                    "reason_display", "status", "decided_by"]
    list_filter = ["status", "programme", "action", "reason_code"]
    search_fields = ["person__name", "=person__id_number"]
    search_household_path = None
    readonly_fields = [f.name for f in EligibilityChange._meta.fields if f.name != "variant"] + ["variant_display"]
    exclude = ["variant"]
    actions = ["confirm", "reject"]
    list_select_related = ["person", "programme", "decided_by"]

    def get_queryset(self, request):
        return scope_to_town(super().get_queryset(request), request.user, "person__town")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("ID number"))
    def masked_id(self, obj):
        return mask_id_number(obj.person.id_number)

    @admin.display(description=_("variant"), ordering="variant")
    def variant_display(self, obj):
        return variant_label(obj.variant)

    @admin.display(description=_("reason"))
    def reason_display(self, obj):
        return selectors.reason_text(obj.reason_code, obj.facts)

    def _decide(self, request, queryset, decision):
        ids = list(queryset.filter(status=EligibilityChange.Status.PENDING).values_list("pk", flat=True))
        if not ids:
            self.message_user(request, _("No pending change selected."), messages.WARNING)
            return
        try:
            if decision == "confirm":
                result = services.eligibility_changes_confirm(change_ids=ids, user=request.user)
            else:
                result = services.eligibility_changes_reject(change_ids=ids, user=request.user,
                                                             note=str(_("rejected in the admin")))
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
            return
        self.message_user(request, ", ".join(f"{k}: {v}" for k, v in result.items()))

    def has_confirm_permission(self, request):
        return request.user.has_perm("pensions.confirm_eligibilitychange")

    @admin.action(description=_("Confirm the selected changes (applies them)"), permissions=["confirm"])
    def confirm(self, request, queryset):
        self._decide(request, queryset, "confirm")

    @admin.action(description=_("Reject the selected changes"), permissions=["confirm"])
    def reject(self, request, queryset):
        self._decide(request, queryset, "reject")
