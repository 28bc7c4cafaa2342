"""The bracket table: parsed from the variants, refused with gaps, overlaps or no open end."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from apps.benefits.models import Standard
from apps.pensions import rules
from apps.pensions.services import longevity_standard_save

D = datetime.date


def test_brackets_parse_and_sort():
    table = rules.check_brackets(["100+", "80-89", "90-99", "grant:100+:10"])
    assert [(b.lo, b.hi) for b in table] == [(80, 89), (90, 99), (100, None)]
    assert rules.parse_grant("grant:100+:10").month == 10


@pytest.mark.parametrize("variants, message", [
    (["80-89", "100+"], "No bracket covers ages 90-99 (between 80-89 and 100+)."),
    (["80-89", "85-99", "100+"], "The brackets 80-89 and 85-99 overlap at ages 85-89."),
    (["80-99", "90+"], "The brackets 80-99 and 90+ overlap at ages 90-99."),
    (["80+", "100+"], "The brackets 80+ and 100+ overlap: 80+ already covers every age from 80."),
    (["80-89", "90-99"], "The last bracket 90-99 must be open-ended (e.g. 100+), or people over 99 get nothing."),
    (["80-7x", "100+"], "80-7x is not an age bracket: write it as 80-89 or 100+."),
    (["89-80", "100+"], "The bracket 89-80 ends before it starts."),
    (["80-99", "100+", "grant:100+:13"], "grant:100+:13 names month 13; a month is 1 to 12."),
])
def test_bad_bracket_tables_are_refused_with_a_specific_message(variants, message, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        rules.check_brackets(variants)
    assert message in exc.value.messages


def test_saving_a_bracket_that_leaves_a_gap_writes_nothing(in_bureau, approver):
    from django.utils import translation

    with in_bureau("zhongshan"), translation.override("en"):
        before = Standard.objects.filter(programme_id="longevity").count()
        with pytest.raises(ValidationError) as exc:
            longevity_standard_save(user=approver("zhongshan"), variant="95-99", amount="250.00", effective_from=D(2025, 1, 1))
        assert exc.value.message_dict["variant"] == ["The brackets 90-99 and 95-99 overlap at ages 95-99."]
        with pytest.raises(ValidationError) as exc:
            longevity_standard_save(user=approver("zhongshan"), variant="101+", amount="600.00", effective_from=D(2025, 1, 1))
        assert "The brackets 100+ and 101+ overlap: 100+ already covers every age from 100." in \
            exc.value.message_dict["variant"]
        assert Standard.objects.filter(programme_id="longevity").count() == before


def test_a_new_amount_for_an_existing_bracket_is_accepted(in_bureau, approver):
    with in_bureau("zhongshan"):
        standard = longevity_standard_save(user=approver("zhongshan"), variant="100+", amount="600.00", effective_from=D(2025, 1, 1))
        assert (standard.programme_id, standard.amount) == ("longevity", Decimal("600.00"))
        assert standard.history.count() == 1


def test_a_standard_written_without_the_permission_is_refused(in_bureau):
    with in_bureau("zhongshan"):
        before = list(Standard.objects.filter(programme_id="longevity").values_list("id", "variant", "amount"))
        caseworker = get_user_model().objects.get(username="zhongshan-caseworker1")
        for user in (None, caseworker):
            with pytest.raises(PermissionDenied):
                longevity_standard_save(user=user, variant="100+", amount="600.00", effective_from=D(2025, 1, 1))
        [hundred] = [pk for pk, variant, _amount in before if variant == "100+"]
        with pytest.raises(PermissionDenied):
            longevity_standard_save(user=caseworker, pk=hundred, variant="100+", amount="1.00",
                                    effective_from=D(2025, 1, 1))
        assert list(Standard.objects.filter(programme_id="longevity").values_list("id", "variant", "amount")) == before
