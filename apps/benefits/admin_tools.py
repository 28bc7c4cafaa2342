"""Admin plumbing shared by benefits and assistance: confirmation pages for actions, service-backed add
forms, and the town filter for records that reach their town through a household or a person."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.admin_mixins import add_service_errors, error_text
from apps.core.scoping import user_town_id
from apps.people.models import Town


def confirm_action(modeladmin, request, queryset, *, form_class: type[forms.Form], title: str,
                   run: Callable[[object, dict], object], explanation: str = "", action_name: str = "",
                   submit_label: str = ""):
    """An admin action's confirmation page: the objects, a form (note, date, ...), then `run` per object.

    Every object is its own transaction: one refused application does not undo the others; each
    refusal is reported with its reason.
    """
    form = form_class(request.POST if request.POST.get("confirmed") == "yes" else None)
    if request.POST.get("confirmed") == "yes" and form.is_valid():
        done = 0
        for obj in queryset:
            try:
                with transaction.atomic():
                    run(obj, form.cleaned_data)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                modeladmin.message_user(request, f"{obj}: {error_text(exc)}", messages.ERROR)
        if done:
            modeladmin.message_user(request, _("%(title)s: %(n)d done.") % {"title": title, "n": done},
                                    messages.SUCCESS)
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request), "opts": opts, "title": title, "objects": list(queryset),
        "form": form, "explanation": explanation, "action_name": action_name, "submit_label": submit_label,
        "cancel_url": reverse(f"{modeladmin.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist"),
    }
    return TemplateResponse(request, "admin/benefits/confirm_action.html", context)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=300)


class BeneficiaryTownFilter(admin.SimpleListFilter):
    """Town of the household, else of the person (entitlements, grants)."""

    title = gettext_lazy("town")
    parameter_name = "town"

    def lookups(self, request, model_admin):
        towns = Town.objects.all()
        town_id = user_town_id(request.user)
        if town_id is not None:
            towns = towns.filter(pk=town_id)
        return [(t.pk, t.name) for t in towns]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(Q(household__town_id=self.value())
                                   | Q(household__isnull=True, person__town_id=self.value()))
        return queryset


class ServiceAddFormMixin:
    """An add form whose validation ends with the service call, so its refusals show on the form.

    The service is the whole validation: the model form's own instance checks (field validators,
    uniqueness) are skipped, because they would either pre-empt the service's specific message or
    run after the write. The admin's add view runs in one transaction; `created` is what save_form
    returns.
    """

    request = None
    created = None

    def call_service(self, data: dict):  # pragma: no cover - each form defines it
        raise NotImplementedError

    def _post_clean(self):
        if self.errors:
            return
        try:
            with transaction.atomic():
                self.created = self.call_service(dict(self.cleaned_data))
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(self, exc)


class ServiceAddAdminMixin:
    """Pairs with ServiceAddFormMixin: the form gets the request; the add saves nothing more."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form = type(form.__name__, (form,), {"request": request})
        return form

    def save_form(self, request, form, change):
        if not change and getattr(form, "created", None) is not None:
            return form.created
        return super().save_form(request, form, change)

    def save_model(self, request, obj, form, change):
        if not change:
            return  # the service wrote it in clean()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
