"""Form widgets shared by the bureau admin."""

from django import forms


class TownTaggedSelect(forms.Select):
    """A select of records that belong to a town (communities): each option says its town, and a small
    script (core/js/filter_by_town.js) shows only those of the town chosen in the same form."""

    class Media:
        js = ["core/js/filter_by_town.js"]

    def __init__(self, attrs=None, choices=()):
        super().__init__({**(attrs or {}), "data-filter-by-town": "1"}, choices)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None and getattr(instance, "town_id", None) is not None:
            option["attrs"]["data-town"] = str(instance.town_id)
        return option
