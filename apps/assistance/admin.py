"""Social assistance in the bureau admin: the application workflow with confirmation pages, the
investigation records, objections, reviews (with the overdue list) and vagrant cases.

Every write goes through apps.assistance.services: add forms call the service in clean() (so its
refusals appear on the form) and the transition buttons and actions call application_transition.
Caseworkers see and pick only their own town's records.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from apps.benefits.admin_tools import (
    ServiceAddAdminMixin,
    ServiceAddFormMixin,
    add_service_errors,
    confirm_action,
)
from apps.core.admin_mixins import ReadOnlyTabularInline, TownScopedAdminMixin
from apps.core.admin_site import bureau_admin_site
from apps.people.admin import BeneficiarySearchMixin

from . import selectors, services
from .models import (
    Application,
    ApplicationTransition,
    AssetCheck,
    CareAssessment,
    IncomeRecord,
    Objection,
    Review,
    RigidExpense,
    VagrantCase,
)
from .reasons import reason_text
from .workflow import TRANSITIONS, available_actions

# --------------------------------------------------------------------------- applications


class TransitionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=gettext_lazy("date of the step"), required=False,
                         help_text=gettext_lazy("Empty: today. A step may be entered after the day it happened."))


class ApplicationAddForm(ServiceAddFormMixin, forms.ModelForm):
    class Meta:
        model = Application
        fields = ["programme", "household", "person", "submitted_on", "reason", "support_mode", "care_institution",
                  "requested_amount"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submitted_on"].required = False

    def call_service(self, data):
        return services.application_create(user=self.request.user, **data)


class TransitionInline(ReadOnlyTabularInline):
    model = ApplicationTransition
    fields = ["action_label", "from_status", "to_status", "user", "on", "at", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.display(description=gettext_lazy("action"))
    def action_label(self, transition):
        step = TRANSITIONS.get(transition.action)
        # "submit" (the application's creation) is no transition of the workflow table.
        return step.label if step is not None else _(transition.action)


@admin.display(description=gettext_lazy("counted in income"), boolean=True)
def _counted(record):
    return record.counted


class IncomeInline(ReadOnlyTabularInline):
    model = IncomeRecord
    fields = ["person", "income_type", "monthly_amount", "counted_display", "note"]

    counted_display = staticmethod(_counted)


class RigidExpenseInline(ReadOnlyTabularInline):
    model = RigidExpense
    fields = ["kind", "amount", "note"]


class ObjectionInline(ReadOnlyTabularInline):
    model = Objection
    fields = ["filed_on", "filed_by", "content", "status", "resolution"]


def _transition_action(name: str):
    transition = TRANSITIONS[name]

    def run(modeladmin, request, queryset):
        return confirm_action(
            modeladmin, request, queryset, form_class=TransitionForm, title=str(transition.label),
            action_name=f"do_{name}",
            run=lambda app, data: services.application_transition(application=app, action=name, user=request.user,
                                                                  note=data["note"], on=data["on"]))

    run.__name__ = f"do_{name}"
    return admin.action(description=transition.label)(run)


class PublicityFilter(admin.SimpleListFilter):
    """公示 ending this week, or over without a decision (the workbench links here)."""

    title = gettext_lazy("publicity (公示)")
    parameter_name = "publicity"

    def lookups(self, request, model_admin):
        return [("ending", _("ends this week")), ("ended", _("over, no decision yet"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "ending":
            return queryset.filter(selectors.publicity_ending_q(today))
        if self.value() == "ended":
            return queryset.filter(selectors.publicity_ended_q(today))
        return queryset


# The steps of SPEC §4 as drawn on an application's page, with the date each records.
PROGRESS_STEPS = [
    ("submitted", gettext_lazy("申请"), "submitted_on"),
    ("accepted", gettext_lazy("受理"), "accepted_on"),
    ("investigated", gettext_lazy("入户调查"), "investigated_on"),
    ("checked", gettext_lazy("核对"), "checked_on"),
    ("publicised", gettext_lazy("公示"), "publicised_on"),
    ("decided", gettext_lazy("审批"), "decided_on"),
]
LEVEL_COLOURS = {"danger": "#ba2121", "warning": "#b26a00"}


def _flag(text, level: str):
    colour = LEVEL_COLOURS.get(level)
    if not colour:
        return text
    return format_html('<span class="lifecycle-{}" style="color:{};font-weight:bold">{}</span>', level, colour, text)


@admin.register(Application, site=bureau_admin_site)
class ApplicationAdmin(BeneficiarySearchMixin, ServiceAddAdminMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["id", "programme", "household", "person", "town", "status", "classification",
                    "per_capita_income", "submitted_on", "publicised_on", "decided_on"]
    list_filter = ["town", "programme", "status", PublicityFilter, "classification"]
    search_fields = ["=household__code", "person__name", "=person__id_number"]
    list_select_related = ["town", "household", "person"]
    date_hierarchy = "submitted_on"
    # Found by name or by the whole ID number / household code (never part of a number), within the
    # caseworker's town: the people admin's scoped queryset and search answer the autocomplete.
    autocomplete_fields = ["household", "person"]
    raw_id_fields = ["care_institution"]
    scoped_foreign_keys = {"household": "town", "person": "town"}
    inlines = [TransitionInline, IncomeInline, RigidExpenseInline, ObjectionInline]
    actions = [_transition_action(name) for name in TRANSITIONS]

    def get_actions(self, request):
        # A step is offered only to those who may take it (审批 to the approver; none to the auditor).
        return {name: action for name, action in super().get_actions(request).items()
                if not name.startswith("do_") or request.user.has_perm(TRANSITIONS[name[3:]].permission)}
    readonly_fields = [
        "progress", "workflow", "programme", "status", "household", "person", "town", "submitted_on", "reason", "support_mode",
        "care_institution", "care_level", "requested_amount", "asset_check_result", "household_size",
        "total_income", "per_capita_income", "addon_members", "standard", "classification",
        "classification_reason_text", "accepted_on", "investigated_on", "investigated_by", "checked_on",
        "publicised_on", "publicity_end", "decided_on", "decided_by", "decision_note", "results",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApplicationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ApplicationAddForm.Meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def has_delete_permission(self, request, obj=None):
        return False  # an application is a record; reject it instead

    def get_list_display(self, request):
        # The status column carries the lifecycle flag (公示 over without a decision, ending this week).
        return ["lifecycle_status" if name == "status" else name for name in super().get_list_display(request)]

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def lifecycle_status(self, app):
        level, state = selectors.application_lifecycle(app, timezone.localdate())
        text = app.get_status_display()
        if state == "ended":
            text = _("%(status)s · publicity over, no decision") % {"status": text}
        elif state == "ending":
            text = _("%(status)s · publicity ends this week") % {"status": text}
        return _flag(text, level)

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, app):
        """申请 → 受理 → 入户调查 → 核对 → 公示 → 审批, each step done (with its date), current or to come."""
        level, state = selectors.application_lifecycle(app, timezone.localdate())
        done_through = {"submitted": 0, "accepted": 1, "investigated": 2, "checked": 3, "publicised": 4,
                        "approved": 5, "rejected": 5}[app.status]
        cells = []
        for i, (_key, label, date_field) in enumerate(PROGRESS_STEPS):
            day = getattr(app, date_field)
            if i <= done_through and day:
                css, colour = "done", "#417690"
            elif i == done_through + 1:
                css, colour = "current", LEVEL_COLOURS.get(level, "#b26a00")
            else:
                css, colour = "todo", "#999"
            if i == 5 and app.status == Application.Status.REJECTED:
                label = _("审批 rejected")
            cells.append((css, colour, label, date_format(day, "DATE_FORMAT") if day and i <= done_through else ""))
        steps = format_html_join(
            mark_safe('<span class="progress-arrow"> → </span>'),  # a constant
            '<span class="progress-step progress-{}" style="display:inline-block;padding:4px 8px;border:2px solid {};'
            'border-radius:4px;margin:2px"><strong>{}</strong><br><small>{}</small></span>',
            cells)
        warning = ""
        if state == "ended":
            warning = format_html('<p style="color:#ba2121;font-weight:bold">{}</p>',
                                  _("Publicity ended on %(day)s and no decision has been made.")
                                  % {"day": date_format(app.publicity_ends_on, "DATE_FORMAT")})
        elif state == "ending":
            warning = format_html('<p style="color:#b26a00">{}</p>', _("Publicity ends on %(day)s.")
                                  % {"day": date_format(app.publicity_ends_on, "DATE_FORMAT")})
        return format_html('<div class="application-progress">{}</div>{}', steps, warning)

    @admin.display(description=gettext_lazy("workflow"))
    def workflow(self, app):
        # Every step the state allows; the role check happens when it is confirmed.
        steps = available_actions(app)
        buttons = format_html_join(
            " ", '<a class="button" href="{}">{}</a>',
            ((reverse("admin:assistance_application_transition", args=[app.pk, name]), TRANSITIONS[name].label)
             for name in steps))
        records = []
        if app.status == Application.Status.ACCEPTED:
            for model, label in ((IncomeRecord, _("record income")), (AssetCheck, _("record the assets check")),
                                 (RigidExpense, _("record a rigid expense"))):
                url = reverse(f"admin:assistance_{model._meta.model_name}_add") + f"?application={app.pk}"
                records.append((url, label))
            if app.programme == "tekun":
                url = reverse("admin:assistance_careassessment_add") + f"?application={app.pk}&person={app.person_id}"
                records.append((url, _("record the care assessment")))
        if app.status == Application.Status.PUBLICISED:
            records.append((reverse("admin:assistance_objection_add") + f"?application={app.pk}",
                            _("record an objection")))
        links = format_html_join(" | ", '<a href="{}">{}</a>', records)
        return format_html("{}<br>{}", buttons or "—", links)

    @admin.display(description=gettext_lazy("assets check"))
    def asset_check_result(self, app):
        check = AssetCheck.objects.filter(application=app).first()
        if check is None:
            return "—"
        result = _("passed") if check.passed else _("not passed")
        return f"{result} ({check.checked_on}) {check.note}"

    @admin.display(description=gettext_lazy("publicity until"))
    def publicity_end(self, app):
        return app.publicity_ends_on or "—"

    @admin.display(description=gettext_lazy("entitlements and grants"))
    def results(self, app):
        made = services.application_results(app)
        links = [(reverse("admin:benefits_entitlement_change", args=[e.pk]), f"{e.programme_id} #{e.pk}")
                 for e in made["entitlements"]]
        links += [(reverse("admin:benefits_grant_change", args=[g.pk]), f"{g.programme_id} #{g.pk} {g.amount}")
                  for g in made["grants"]]
        return format_html_join(", ", '<a href="{}">{}</a>', links) or "—"

    @admin.display(description=gettext_lazy("classification reason"))
    def classification_reason_text(self, app):
        return reason_text(app.classification_reason) or "—"

    def get_urls(self):
        return [
            path("<path:object_id>/transition/<str:action>/", self.admin_site.admin_view(self.transition_view),
                 name="assistance_application_transition"),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id, action):
        app = self.get_object(request, object_id)
        if app is None or action not in TRANSITIONS:
            from django.http import Http404

            raise Http404
        form = TransitionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.application_transition(application=app, action=action, user=request.user,
                                                note=form.cleaned_data["note"], on=form.cleaned_data["on"])
            except (ValidationError, PermissionDenied) as exc:
                add_service_errors(form, exc)
            else:
                self.message_user(request, _("%(app)s: %(step)s done.") % {"app": app, "step": TRANSITIONS[action].label},
                                  messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:assistance_application_change", args=[app.pk]))
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "objects": [app], "form": form,
            "title": f"{TRANSITIONS[action].label}: {app}",
            "cancel_url": reverse("admin:assistance_application_change", args=[app.pk]),
        }
        return TemplateResponse(request, "admin/benefits/confirm_action.html", context)


# --------------------------------------------------------------------------- investigation records


class _InvestigationAdmin(ServiceAddAdminMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    town_path = "application__town"
    raw_id_fields = ["application"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class IncomeRecordForm(ServiceAddFormMixin, forms.ModelForm):
    monthly_amount = forms.CharField(label=gettext_lazy("monthly amount"))

    class Meta:
        model = IncomeRecord
        fields = ["application", "person", "income_type", "monthly_amount", "note"]

    def call_service(self, data):
        return services.income_record_set(user=self.request.user, **data)


@admin.register(IncomeRecord, site=bureau_admin_site)
class IncomeRecordAdmin(_InvestigationAdmin):
    form = IncomeRecordForm
    list_display = ["application", "person", "income_type", "monthly_amount", "counted_display"]
    counted_display = staticmethod(_counted)
    list_filter = ["income_type"]
    raw_id_fields = ["application", "person"]
    list_select_related = ["application", "person"]


class AssetCheckForm(ServiceAddFormMixin, forms.ModelForm):
    class Meta:
        model = AssetCheck
        fields = ["application", "passed", "note", "checked_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "checked_on" in self.fields:  # absent on the read-only change page
            self.fields["checked_on"].required = False

    def call_service(self, data):
        return services.asset_check_record(application=data["application"], user=self.request.user,
                                           passed=data["passed"], note=data["note"], on=data.get("checked_on"))


@admin.register(AssetCheck, site=bureau_admin_site)
class AssetCheckAdmin(_InvestigationAdmin):
    form = AssetCheckForm
    list_display = ["application", "passed", "checked_on", "checked_by"]
    list_select_related = ["application", "checked_by"]  # one query for the page, not two a row
    list_filter = ["passed"]


class RigidExpenseForm(ServiceAddFormMixin, forms.ModelForm):
    amount = forms.CharField(label=gettext_lazy("amount over the last 12 months"))

    class Meta:
        model = RigidExpense
        fields = ["application", "kind", "amount", "note"]

    def call_service(self, data):
        return services.rigid_expense_add(user=self.request.user, **data)


@admin.register(RigidExpense, site=bureau_admin_site)
class RigidExpenseAdmin(_InvestigationAdmin):
    form = RigidExpenseForm
    list_display = ["application", "kind", "amount"]
    list_filter = ["kind"]


class CareAssessmentForm(ServiceAddFormMixin, forms.ModelForm):
    class Meta:
        model = CareAssessment
        fields = ["person", "application", "assessed_on", "eating", "dressing", "bed_transfer", "toilet",
                  "walking_indoors", "bathing"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "assessed_on" in self.fields:  # absent on the read-only change page
            self.fields["assessed_on"].required = False

    def call_service(self, data):
        data = dict(data)
        return services.care_assessment_record(person=data.pop("person"), user=self.request.user,
                                               on=data.pop("assessed_on"), **data)


@admin.register(CareAssessment, site=bureau_admin_site)
class CareAssessmentAdmin(BeneficiarySearchMixin, ServiceAddAdminMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    form = CareAssessmentForm
    town_path = "person__town"
    list_display = ["person", "assessed_on", "care_level", "assessed_by"]
    list_select_related = ["person", "assessed_by"]  # one query for the page, not two a row
    list_filter = ["care_level"]
    search_fields = ["person__name", "=person__id_number"]
    search_household_path = None
    raw_id_fields = ["person", "application"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


# --------------------------------------------------------------------------- objections


class ObjectionForm(ServiceAddFormMixin, forms.ModelForm):
    class Meta:
        model = Objection
        fields = ["application", "filed_on", "filed_by", "content"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filed_on"].required = False

    def call_service(self, data):
        return services.objection_file(user=self.request.user, **data)


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(label=gettext_lazy("finding"), coerce=lambda v: v == "yes",
                                    choices=[("no", gettext_lazy("dismissed: not substantiated")),
                                             ("yes", gettext_lazy("upheld: the application is to be rejected"))])
    resolution = forms.CharField(label=gettext_lazy("resolution"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Objection, site=bureau_admin_site)
class ObjectionAdmin(ServiceAddAdminMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    form = ObjectionForm
    town_path = "application__town"
    list_display = ["application", "filed_on", "filed_by", "status", "resolved_on"]
    list_filter = ["status"]
    raw_id_fields = ["application"]
    actions = ["resolve"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description=gettext_lazy("Resolve the objection"), permissions=["change"])
    def resolve(self, request, queryset):
        return confirm_action(self, request, queryset, form_class=ResolveForm, title=_("Resolve objections"),
                              action_name="resolve",
                              run=lambda o, d: services.objection_resolve(objection=o, user=request.user, **d))


# --------------------------------------------------------------------------- reviews


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("overdue")), ("due30", _("due within 30 days"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()  # the bureau's day (Asia/Shanghai), not the server's
        if self.value() == "yes":
            return queryset.filter(selectors.review_overdue_q(today))
        if self.value() == "due30":
            return queryset.filter(selectors.review_due_soon_q(today))
        return queryset


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("outcome"), choices=Review.Outcome.choices)
    per_capita_income = forms.CharField(label=gettext_lazy("per-capita monthly income found"), required=False)
    covered_members = forms.IntegerField(label=gettext_lazy("covered members"), required=False, min_value=1)
    addon_members = forms.IntegerField(label=gettext_lazy("members with a 分类施保 add-on"), required=False,
                                       min_value=0)
    note = forms.CharField(label=gettext_lazy("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=gettext_lazy("date of the review"), required=False)


@admin.register(Review, site=bureau_admin_site)
class ReviewAdmin(BeneficiarySearchMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["id", "household", "town", "entitlement", "stable", "due_on", "status", "outcome",
                    "completed_on"]
    list_filter = [OverdueFilter, "status", "town", "stable", "outcome"]
    search_fields = ["=household__code", "household__members__person__name"]
    search_person_path = None  # a review is the household's
    list_select_related = ["household", "town", "entitlement"]
    date_hierarchy = "due_on"
    readonly_fields = ["entitlement", "household", "town", "stable", "due_on", "due_status", "completed_on",
                       "completed_by", "outcome", "per_capita_income", "note", "new_entitlement"]
    fields = readonly_fields
    actions = ["complete"]

    def has_add_permission(self, request):
        return False  # approval and each completed review schedule the next one

    def get_list_display(self, request):
        # Overdue and due-soon reviews are flagged in the status column.
        return ["due_status" if name == "status" else name for name in super().get_list_display(request)]

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def due_status(self, review):
        level = selectors.review_lifecycle(review, timezone.localdate())
        if level == "danger":
            return _flag(_("overdue"), level)
        if level == "warning":
            return _flag(_("%(status)s · due within 30 days") % {"status": review.get_status_display()}, level)
        return review.get_status_display()

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Complete the review (复核)"), permissions=["change"])
    def complete(self, request, queryset):
        def run(review, data):
            services.review_complete(review=review, user=request.user, outcome=data["outcome"],
                                     per_capita_income=data["per_capita_income"] or None,
                                     covered_members=data["covered_members"], addon_members=data["addon_members"],
                                     note=data["note"], on=data["on"])

        return confirm_action(self, request, queryset, form_class=ReviewForm, title=_("Complete reviews"),
                              action_name="complete", run=run)


# --------------------------------------------------------------------------- 流浪乞讨救助


class VagrantCaseForm(ServiceAddFormMixin, forms.ModelForm):
    services = forms.MultipleChoiceField(label=gettext_lazy("services"), choices=VagrantCase.Service.choices,
                                         required=False, widget=forms.CheckboxSelectMultiple)
    cost = forms.CharField(label=gettext_lazy("cost"), initial="0")

    class Meta:
        model = VagrantCase
        fields = ["intake_on", "town", "person", "name", "gender", "found_on_street", "services", "cost", "note"]

    def call_service(self, data):
        return services.vagrant_case_create(user=self.request.user, **data)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("outcome"), choices=VagrantCase.Outcome.choices)
    closed_on = forms.DateField(label=gettext_lazy("closed on"), required=False)
    cost = forms.CharField(label=gettext_lazy("total cost"), required=False)


@admin.register(VagrantCase, site=bureau_admin_site)
class VagrantCaseAdmin(ServiceAddAdminMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    form = VagrantCaseForm
    list_display = ["id", "name", "intake_on", "town", "found_on_street", "outcome", "closed_on", "cost"]
    list_filter = ["outcome", "town", "found_on_street"]
    search_fields = ["name", "person__name"]
    date_hierarchy = "intake_on"
    raw_id_fields = ["person"]
    actions = ["close"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.action(description=gettext_lazy("Close the case with its outcome"), permissions=["change"])
    def close(self, request, queryset):
        return confirm_action(self, request, queryset, form_class=CloseForm, title=_("Close cases"),
                              action_name="close",
                              run=lambda c, d: services.vagrant_case_close(case=c, user=request.user,
                                                                           outcome=d["outcome"],
                                                                           closed_on=d["closed_on"],
                                                                           cost=d["cost"] or None))
