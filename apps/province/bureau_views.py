"""On a bureau's host: answering a duplicate alert from the bureau's side (linked from its workbench panel)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.admin_site import bureau_admin_site
from apps.core.permissions import require_permission

from .panels import RESOLVE_PERMISSION, own_alerts
from .services import duplicate_resolve


class ResolveForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The province reads this: no name and no ID number."),
    )


@login_required
def duplicate_resolve_view(request, alert_id: int):
    require_permission(request.user, RESOLVE_PERMISSION, what=_("resolve a duplicate-benefit alert"))
    schema_name = connection.schema_name
    row = next(
        (r for r in own_alerts(schema_name=schema_name, today=timezone.localdate()) if r["alert"].pk == alert_id), None
    )
    if row is None:
        raise Http404
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            duplicate_resolve(
                alert_id=alert_id, schema_name=schema_name, reason=form.cleaned_data["reason"], user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Resolved on this bureau's side."))
            return redirect("admin:index")
    return render(
        request,
        "province/resolve.html",
        {
            **bureau_admin_site.each_context(request),
            "title": _("Duplicate benefits (一人多保)"),
            "row": row,
            "form": form,
        },
    )
