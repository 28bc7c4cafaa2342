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


def test_set_based_entitlement_writes_inside_take_the_moment(in_bureau):
    """benefits' set-based writers (the eligibility engine's, the bulk stops') date what is not dated otherwise."""
    from apps.benefits.models import Entitlement
    from apps.benefits.services import entitlement_changes_table, entitlements_apply_changes, entitlements_stop
    from apps.core.permissions import SYSTEM

    with in_bureau("zhongshan"):
        person = factories.person(birth_date=datetime.date(1940, 1, 1))
        moment = at_noon(datetime.date(2024, 4, 1))
        with history_dated(moment):
            table = entitlement_changes_table(table="test_dated_changes")
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} (op, id, programme_id, variant, person_id, payee_person_id, "
                               "period, source) VALUES ('open', nextval(pg_get_serial_sequence('benefits_entitlement',"
                               " 'id')), 'longevity', '80-89', %s, %s, '2024-04-01', 'test:1')", [person.pk, person.pk])
            assert entitlements_apply_changes(table=table, user=SYSTEM)["created"] == 1
            opened = Entitlement.objects.get(person=person)
            assert entitlements_stop(stops=[(opened.pk, datetime.date(2024, 6, 1), "moved away", None)],
                                     user=SYSTEM) == {}
        assert list(Entitlement.history.filter(id=opened.pk).order_by("history_id")
                    .values_list("history_type", "history_date")) == [("+", moment), ("~", moment)]
