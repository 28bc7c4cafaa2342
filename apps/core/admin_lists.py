"""What every list of the bureau admin shares, for speed at 1.18 million residents (issue 11).

The bureau admin site gives ListSpeedMixin to every model admin it registers (apps.core.admin_site):
- counts as apps.core.pagination says (the planner's estimate for a huge unfiltered table, an exact
  count up to 10,000 rows otherwise), never a second count of the whole table beside a search;
- 50 rows a page: rendering a row's cells costs more than reading it (a page of 100 applications spent
  two thirds of its time in the template);
- the action checkbox written directly instead of through a form widget's template, once per row;
- a list whose admin names no list_select_related joins the records its columns name (django joins
  only the non-null ones: a nullable grant column cost a query a row);
- a change page reads its record with the records its foreign keys name in one query (they are shown
  read-only, one query each otherwise: 26 queries for an application);
- the options of a many-to-many select (a role's 500 permissions) written the same way: through a
  template each, they took 1.8 s of a group's page.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin import helpers
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .pagination import EstimatedCountPaginator


class _QuickOptions:
    """A select whose <option>s are joined in Python, not rendered through a template each (no optgroups)."""

    template_name = "core/widgets/quick_select.html"

    def optgroups(self, name, value, attrs=None):
        return []

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = {str(v) for v in context["widget"]["value"]}
        selected = mark_safe(" selected")
        context["widget"]["options_html"] = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((str(key), selected if str(key) in chosen else "", label) for key, label in self.choices))
        return context


class QuickSelectMultiple(_QuickOptions, forms.SelectMultiple):
    pass


class QuickFilteredSelectMultiple(_QuickOptions, FilteredSelectMultiple):
    pass


def quick_widget(widget):
    """The quick twin of a (filtered) multiple select, with its settings and choices; other widgets as they are."""
    if type(widget) is FilteredSelectMultiple:
        quick = QuickFilteredSelectMultiple(widget.verbose_name, widget.is_stacked, widget.attrs)
    elif type(widget) is forms.SelectMultiple:
        quick = QuickSelectMultiple(widget.attrs)
    else:
        return widget
    quick.choices = widget.choices
    return quick


class ListSpeedMixin:
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def action_checkbox(self, obj):
        # The markup of django's CheckboxInput, without rendering its template for each row.
        return format_html('<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
                           helpers.ACTION_CHECKBOX_NAME, str(obj.pk),
                           format_html(_("Select this object for an action - {}"), str(obj)))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None:
            field.widget = quick_widget(field.widget)
        return field

    def get_object(self, request, object_id, from_field=None):
        request.reading_one_record = True
        try:
            return super().get_object(request, object_id, from_field)
        finally:
            request.reading_one_record = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if getattr(request, "reading_one_record", False):
            related = [f.name for f in queryset.model._meta.concrete_fields if f.many_to_one]
            queryset = queryset.select_related(*related)
        return queryset

    def get_list_select_related(self, request):
        chosen = super().get_list_select_related(request)
        if chosen is not False:
            return chosen
        related = []
        for name in self.get_list_display(request):
            if not isinstance(name, str):
                continue
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if (field.many_to_one or (field.one_to_one and field.concrete)) and field.name not in related:
                related.append(field.name)  # "entitlement_id" names the field entitlement too
        return related or False
