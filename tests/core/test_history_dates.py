"""history_dated: one-by-one saves inside it write history rows dated the given moment, not the clock."""

import datetime

from django.utils import timezone

from apps.core.history_dates import at_noon, history_dated
from apps.people.models import Person
from tests import factories


def test_history_rows_inside_take_the_moment_and_outside_the_clock(in_bureau):
    with in_bureau("zhongshan"):
        before = timezone.now()
        moment = at_noon(datetime.date(2024, 3, 10))
        with history_dated(moment):
            person = factories.person(name="甲")
            person.name = "乙"
            person.save()
        person.name = "丙"
        person.save()
        rows = list(Person.history.filter(id=person.pk).order_by("history_id")
                    .values_list("history_type", "name", "history_date"))
        assert [(kind, name) for kind, name, _at in rows] == [("+", "甲"), ("~", "乙"), ("~", "丙")]
        assert rows[0][2] == rows[1][2] == moment == datetime.datetime(2024, 3, 10, 4, tzinfo=datetime.UTC)
        assert rows[2][2] >= before
