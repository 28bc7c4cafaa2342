"""{% load civ %}: {{ run.total_amount|money }} → ¥17,521,604.01, {{ day|cn_date }} → 2026年11月8日,
{{ run.detail|json_lines }} → "label: value" lines."""

from django import template

from apps.core import display
from apps.core.pagination import result_count_text

register = template.Library()


@register.filter
def money(value):
    return display.money(value)


@register.filter
def cn_date(value):
    return display.date(value)


@register.filter
def json_lines(value):
    return display.json_lines(value)


@register.inclusion_tag("core/result_count.html")
def result_count(cl):
    """A changelist's number of rows as a reader can take it: "10,000 条以上" / "约 1,180,000 条", with a hint."""
    text, hint = result_count_text(cl.paginator, cl.result_count)
    return {"text": text, "hint": hint}
