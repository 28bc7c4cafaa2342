"""{% load civ %}: {{ run.total_amount|money }} → ¥17,521,604.01, {{ day|cn_date }} → 2026年11月8日,
{{ run.detail|json_lines }} → "label: value" lines."""

from django import template

from apps.core import display

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
