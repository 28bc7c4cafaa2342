"""Bureau admin of the social-organisation registry: thin — services write, selectors read.

Registration (成立) and changes (变更) go through their services with the decision's document
number; 注销/撤销, list decisions and the Excel import/export are actions and pages of their own.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.core.admin_mixins import (
    PII_FIELDS,
    PiiMaskingAdminMixin,
    ReadOnlyAdminMixin,
    ReadOnlyTabularInline,
    TownScopedAdminMixin,
    add_service_errors,
    error_text,
)
from apps.core.admin_site import bureau_admin_site

from . import importing, selectors, services
from .models import (
    AnnualReport,
    CommunityOrgFiling,
    Listing,
    MajorEventReport,
    Rating,
    SocialOrganisation,
    StatusChange,
)

SOCIALORG_PII = {**PII_FIELDS, "representative_id_number": PII_FIELDS["id_number"]}


class ListedFilter(admin.SimpleListFilter):
    title = _("list")
    parameter_name = "listed"

    def lookups(self, request, model_admin):
        return [
            ("abnormal", Listing.Kind.ABNORMAL.label),
            ("dishonest", Listing.Kind.DISHONEST.label),
            ("none", _("on neither list")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "abnormal":
            return queryset.filter(on_abnormal=True)
        if value == "dishonest":
            return queryset.filter(on_dishonest=True)
        if value == "none":
            return queryset.filter(on_abnormal=False, on_dishonest=False)
        return queryset


class RatingFilter(admin.SimpleListFilter):
    title = _("rating")
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return [(str(grade), f"{grade}A") for grade in range(5, 0, -1)] + [("0", _("no valid rating"))]

    def queryset(self, request, queryset):
        if self.value() in {"0", "1", "2", "3", "4", "5"}:
            grade = int(self.value())
            return queryset.filter(current_grade__isnull=True) if grade == 0 else queryset.filter(current_grade=grade)
        return queryset


class LiveFilter(admin.SimpleListFilter):
    title = _("registered now")
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return [("yes", _("成立 or 变更")), ("no", _("注销 or 撤销"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(closed_on__isnull=True)
        if self.value() == "no":
            return queryset.filter(closed_on__isnull=False)
        return queryset


class ReportMissingFilter(admin.SimpleListFilter):
    """?report_missing=2023: registered before 2023 and without a report on it (the workbench links here)."""

    title = _("annual report missing")
    parameter_name = "report_missing"

    def lookups(self, request, model_admin):
        this_year = timezone.localdate().year
        return [(str(year), str(year)) for year in range(this_year - 1, this_year - 4, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and 1990 <= int(value) <= 2100:
            year = int(value)
            return queryset.filter(established_on__lt=datetime.date(year, 1, 1)).exclude(annual_reports__year=year)
        return queryset


class StatusChangeInline(ReadOnlyTabularInline):
    model = StatusChange
    fields = ["status", "document_number", "decided_on", "note", "recorded_by"]


class AnnualReportInline(ReadOnlyTabularInline):
    model = AnnualReport
    fields = ["year", "submitted_on", "result", "reviewer", "income", "expenditure", "net_assets", "staff"]


class ListingInline(ReadOnlyTabularInline):
    model = Listing
    fk_name = "organisation"
    fields = ["kind", "reason", "report_year", "note", "listed_on", "listed_by", "removed_on", "exit", "exit_note"]


class RatingInline(ReadOnlyTabularInline):
    model = Rating
    fields = ["grade", "rated_on", "valid_until", "document_number"]


class MajorEventInline(ReadOnlyTabularInline):
    model = MajorEventReport
    fields = ["kind", "reported_on", "event_on", "summary", "reviewed"]


class OrganisationForm(forms.ModelForm):
    document_number = forms.CharField(label=_("document number of the decision"), max_length=60)
    decided_on = forms.DateField(label=_("date of the decision (变更)"), required=False)

    class Meta:
        model = SocialOrganisation
        fields = [
            "name",
            "credit_code",
            "org_type",
            "town",
            "established_on",
            "legal_representative",
            "representative_name",
            "representative_id_number",
            "business_scope",
            "registered_capital",
            "supervising_unit",
            "has_party_org",
            "party_branch",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if self.instance.pk and not cleaned.get("decided_on"):
            self.add_error("decided_on", _("A 变更 needs the date of its decision."))
        candidate = SocialOrganisation(pk=self.instance.pk, status=self.instance.status or "established")
        for name in self.Meta.fields:
            if name in cleaned:
                setattr(candidate, name, cleaned[name])
        try:
            services.organisation_check(candidate)
        except ValidationError as exc:
            add_service_errors(self, exc)
        return cleaned


class CloseForm(forms.Form):
    status = forms.ChoiceField(label=_("decision"), choices=[("deregistered", _("注销")), ("revoked", _("撤销"))])
    document_number = forms.CharField(label=_("document number"), max_length=60)
    decided_on = forms.DateField(label=_("date"))
    note = forms.CharField(label=_("note"), max_length=300, required=False)


@admin.register(SocialOrganisation, site=bureau_admin_site)
class SocialOrganisationAdmin(TownScopedAdminMixin, PiiMaskingAdminMixin, SimpleHistoryAdmin):
    form = OrganisationForm
    pii_fields = SOCIALORG_PII
    list_display = [
        "name",
        "credit_code",
        "org_type",
        "status",
        "town",
        "established_on",
        "grade_display",
        "listed_display",
    ]
    list_filter = ["org_type", "status", "town", ListedFilter, RatingFilter, LiveFilter, ReportMissingFilter]
    search_fields = ["name", "=credit_code"]
    raw_id_fields = ["legal_representative"]
    inlines = [StatusChangeInline, AnnualReportInline, ListingInline, RatingInline, MajorEventInline]
    actions = ["export_xlsx"]

    def get_queryset(self, request):
        qs = selectors.organisation_list(user=request.user)
        return qs

    @admin.display(description=_("rating"), ordering="current_grade")
    def grade_display(self, obj):
        return f"{obj.current_grade}A" if obj.current_grade else "-"

    @admin.display(description=_("list"))
    def listed_display(self, obj):
        return (
            " / ".join(
                str(kind.label)
                for kind, on in ((Listing.Kind.ABNORMAL, obj.on_abnormal), (Listing.Kind.DISHONEST, obj.on_dishonest))
                if on
            )
            or "-"
        )

    def get_readonly_fields(self, request, obj=None):
        fixed = (
            ["credit_code", "org_type", "established_on", "status", "closed_on", "close_link"]
            if obj is not None
            else []
        )
        return [*fixed, *super().get_readonly_fields(request, obj)]

    @admin.display(description=_("注销 or 撤销"))
    def close_link(self, obj):
        if obj is None or obj.pk is None or not obj.is_live:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("bureau_admin:socialorgs_socialorganisation_close", args=[obj.pk]),
            _("注销 or 撤销"),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "decided_on" in form.base_fields:
            form.base_fields["decided_on"].widget = forms.HiddenInput()
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                fields = {name: data[name] for name in form.changed_data if name in services.CHANGEABLE_FIELDS}
                saved = services.organisation_change(
                    organisation=obj,
                    document_number=data["document_number"],
                    decided_on=data["decided_on"],
                    user=request.user,
                    **fields,
                )
            else:
                saved = services.organisation_register(
                    user=request.user,
                    document_number=data["document_number"],
                    **{name: data.get(name) for name in OrganisationForm.Meta.fields if data.get(name) is not None},
                )
        except (ValidationError, PermissionDenied) as exc:
            # The form checked the same rules; only a race reaches here.
            self.message_user(request, error_text(exc), messages.ERROR)
            raise
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        return  # the inlines are read-only records of the services

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/close/",
                self.admin_site.admin_view(self.close_view),
                name=f"{info[0]}_{info[1]}_close",
            ),
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{info[0]}_{info[1]}_import"),
            path(
                "import/template/",
                self.admin_site.admin_view(self.template_view),
                name=f"{info[0]}_{info[1]}_import_template",
            ),
            *super().get_urls(),
        ]

    def close_view(self, request, object_id):
        organisation = self.get_object(request, object_id)
        if organisation is None or not self.has_change_permission(request, organisation):
            raise PermissionDenied
        form = CloseForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.organisation_close(organisation=organisation, user=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_service_errors(form, exc)
            else:
                self.message_user(request, _("%(name)s is closed.") % {"name": organisation.name})
                return redirect("bureau_admin:socialorgs_socialorganisation_change", organisation.pk)
        return TemplateResponse(
            request,
            "admin/socialorgs/form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "form": form,
                "original": organisation,
                "title": _("注销 or 撤销 %(name)s") % {"name": organisation.name},
            },
        )

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        result = None
        if request.method == "POST" and request.FILES.get("file"):
            upload = request.FILES["file"]
            result = importing.organisations_import(file=upload, user=request.user)
            if result.ok:
                self.message_user(request, _("%(n)d organisations imported.") % {"n": result.created})
                return redirect("bureau_admin:socialorgs_socialorganisation_changelist")
        return TemplateResponse(
            request,
            "admin/socialorgs/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "result": result,
                "columns": importing.COLUMNS,
                "title": _("Import social organisations"),
            },
        )

    def template_view(self, request):
        return _xlsx_response(importing.template_workbook(), "social_organisations_template.xlsx")

    @admin.action(description=_("Export the selected organisations (Excel)"), permissions=["change"])
    def export_xlsx(self, request, queryset):
        return _xlsx_response(importing.export_workbook(queryset), "social_organisations.xlsx")


def _xlsx_response(workbook, name: str) -> HttpResponse:
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    workbook.save(response)
    return response


class ReportForm(forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = [
            "organisation",
            "year",
            "submitted_on",
            "income",
            "expenditure",
            "net_assets",
            "staff",
            "activities",
            "result",
        ]


@admin.register(AnnualReport, site=bureau_admin_site)
class AnnualReportAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    form = ReportForm
    town_path = "organisation__town"
    scoped_foreign_keys = {"organisation": "town"}
    list_display = ["organisation", "year", "submitted_on", "result", "reviewer", "reviewed_on"]
    list_filter = ["year", "result"]
    search_fields = ["organisation__name", "=organisation__credit_code"]
    raw_id_fields = ["organisation"]
    actions = ["mark_qualified", "mark_basically_qualified", "mark_unqualified"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            saved = services.annual_report_submit(
                organisation=data["organisation"],
                year=data["year"],
                submitted_on=data["submitted_on"],
                income=data["income"],
                expenditure=data["expenditure"],
                net_assets=data["net_assets"],
                staff=data["staff"],
                activities=data["activities"],
                user=request.user,
            )
            obj.pk = saved.pk
            if data.get("result"):
                services.annual_report_review(report=saved, result=data["result"], user=request.user)
        elif "result" in form.changed_data and data.get("result"):
            services.annual_report_review(report=obj, result=data["result"], user=request.user)

    def _review(self, request, queryset, result):
        done = 0
        for report in queryset:
            try:
                services.annual_report_review(report=report, result=result, user=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{report}: {error_text(exc)}", messages.ERROR)
        self.message_user(request, _("%(n)d reports reviewed.") % {"n": done})

    @admin.action(description=_("Review: 合格"), permissions=["change"])
    def mark_qualified(self, request, queryset):
        self._review(request, queryset, AnnualReport.Result.QUALIFIED)

    @admin.action(description=_("Review: 基本合格"), permissions=["change"])
    def mark_basically_qualified(self, request, queryset):
        self._review(request, queryset, AnnualReport.Result.BASICALLY_QUALIFIED)

    @admin.action(description=_("Review: 不合格"), permissions=["change"])
    def mark_unqualified(self, request, queryset):
        self._review(request, queryset, AnnualReport.Result.UNQUALIFIED)


class ListingDecisionForm(forms.Form):
    organisation = forms.IntegerField(label=_("organisation (id)"), min_value=1)
    kind = forms.ChoiceField(label=_("list"), choices=Listing.Kind.choices)
    note = forms.CharField(label=_("reason"), max_length=300)
    listed_on = forms.DateField(label=_("listed on"), required=False)


class RemovalForm(forms.Form):
    note = forms.CharField(label=_("reason for removal"), max_length=300)
    removed_on = forms.DateField(label=_("removed on"), required=False)


@admin.register(Listing, site=bureau_admin_site)
class ListingAdmin(ReadOnlyAdminMixin, TownScopedAdminMixin, admin.ModelAdmin):
    """The lists' history: every entry and exit. Approvers list and remove by decision on their own pages."""

    town_path = "organisation__town"
    list_display = [
        "organisation",
        "kind",
        "reason_display",
        "listed_on",
        "listed_by",
        "removed_on",
        "exit",
        "exit_note",
    ]
    list_filter = [
        "kind",
        "reason",
        "exit",
        ("removed_on", admin.EmptyFieldListFilter),
        "listed_on",
        "organisation__town",
    ]
    search_fields = ["organisation__name", "=organisation__credit_code"]

    def lookup_allowed(self, lookup, value, request=None):
        # The workbench links to ?listed_on__gte=…: newly listed organisations.
        return lookup == "listed_on__gte" or super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("reason"))
    def reason_display(self, obj):
        return selectors.listing_reason_text(obj)

    @admin.display(description=_("remove"))
    def remove_link(self, obj):
        if obj.removed_on is not None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("bureau_admin:socialorgs_listing_remove", args=[obj.pk]), _("remove")
        )

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return [*shown, "remove_link"] if request.user.has_perm("socialorgs.decide_listing") else shown

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("decide/", self.admin_site.admin_view(self.add_view_decided), name=f"{info[0]}_{info[1]}_decide"),
            path("<int:pk>/remove/", self.admin_site.admin_view(self.remove_view), name=f"{info[0]}_{info[1]}_remove"),
            *super().get_urls(),
        ]

    def add_view_decided(self, request):
        if not request.user.has_perm("socialorgs.decide_listing"):
            raise PermissionDenied
        form = ListingDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            organisation = selectors.organisation_list(user=request.user).filter(pk=data["organisation"]).first()
            if organisation is None:
                form.add_error("organisation", _("No such organisation."))
            else:
                try:
                    services.listing_add(
                        organisation=organisation,
                        kind=data["kind"],
                        note=data["note"],
                        listed_on=data["listed_on"],
                        user=request.user,
                    )
                except (ValidationError, PermissionDenied) as exc:
                    add_service_errors(form, exc)
                else:
                    self.message_user(request, _("%(name)s is listed.") % {"name": organisation.name})
                    return redirect("bureau_admin:socialorgs_listing_changelist")
        return TemplateResponse(
            request,
            "admin/socialorgs/form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "form": form,
                "title": _("List an organisation by decision"),
            },
        )

    def remove_view(self, request, pk):
        if not request.user.has_perm("socialorgs.decide_listing"):
            raise PermissionDenied
        stay = self.get_queryset(request).filter(pk=pk).first()
        if stay is None:
            raise PermissionDenied
        form = RemovalForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.listing_remove(
                    listing=stay,
                    note=form.cleaned_data["note"],
                    removed_on=form.cleaned_data["removed_on"],
                    user=request.user,
                )
            except (ValidationError, PermissionDenied) as exc:
                add_service_errors(form, exc)
            else:
                self.message_user(request, _("The entry is removed."))
                return redirect("bureau_admin:socialorgs_listing_changelist")
        return TemplateResponse(
            request,
            "admin/socialorgs/form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "form": form,
                "original": stay,
                "title": _("Remove %(entry)s") % {"entry": stay},
            },
        )


@admin.register(Rating, site=bureau_admin_site)
class RatingAdmin(TownScopedAdminMixin, admin.ModelAdmin):
    town_path = "organisation__town"
    list_display = ["organisation", "grade", "rated_on", "valid_until", "expired"]
    list_filter = ["grade"]
    search_fields = ["organisation__name", "=organisation__credit_code"]
    raw_id_fields = ["organisation"]
    fields = ["organisation", "grade", "rated_on", "document_number"]

    @admin.display(description=_("expired"), boolean=True)
    def expired(self, obj):
        return obj.valid_until <= timezone.localdate()

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        saved = services.rating_record(
            organisation=obj.organisation,
            grade=obj.grade,
            rated_on=obj.rated_on,
            document_number=obj.document_number,
            user=request.user,
        )
        obj.pk, obj.valid_until = saved.pk, saved.valid_until

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(MajorEventReport, site=bureau_admin_site)
class MajorEventReportAdmin(TownScopedAdminMixin, admin.ModelAdmin):
    town_path = "organisation__town"
    list_display = ["organisation", "kind", "reported_on", "event_on", "reviewed"]
    list_filter = ["kind", "reviewed"]
    search_fields = ["organisation__name"]
    raw_id_fields = ["organisation"]


@admin.register(CommunityOrgFiling, site=bureau_admin_site)
class CommunityOrgFilingAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "town", "community", "field", "filed_on", "members", "withdrawn_on"]
    list_filter = ["field", "town", ("withdrawn_on", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    scoped_foreign_keys = {"community": "town"}
