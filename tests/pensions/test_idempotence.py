"""Running the engine twice changes nothing the second time; pending changes stay single."""

import datetime

from apps.benefits.models import Entitlement
from apps.pensions.models import ChildWelfareRecord, EligibilityChange
from tests import factories

D = datetime.date


def _population():
    old = factories.person(birth_date=D(1930, 3, 3))
    older = factories.person(birth_date=D(1920, 3, 3))
    disabled = factories.person(birth_date=D(1980, 3, 3))
    disabled.disability_certificates.create(number="C-IDEM-1", category="physical", level=1, valid_from=D(2020, 1, 1),
                                            valid_until=D(2026, 6, 30))
    child = factories.person(birth_date=D(2012, 3, 3))
    ChildWelfareRecord.objects.create(person=child, kind="orphan", placement="scattered", since=D(2023, 5, 1))
    another = factories.person(birth_date=D(1931, 3, 3))
    return old, older, disabled, child, another


def test_second_run_changes_nothing(in_bureau, run_engine):
    with in_bureau("haifeng"):
        _population()
        first = run_engine(D(2024, 6, 1))
        assert first.summary["changes"] == 2  # nursing + orphan (haifeng has no longevity standard)
    with in_bureau("zhongshan"):
        _population()
        first = run_engine(D(2024, 6, 1))
        # 中山's seeds carry a 散居 orphan standard (the demo's assumption): the child starts too.
        assert first.summary["by_programme"] == {"longevity": {"start": 3}, "disability_nursing": {"start": 1},
                                                 "orphan": {"start": 1}}
        counts = Entitlement.objects.count(), Entitlement.history.count(), EligibilityChange.objects.count()
        second = run_engine(D(2024, 6, 1))
        third = run_engine(D(2024, 6, 20))
        assert second.summary["changes"] == third.summary["changes"] == 0
        assert (Entitlement.objects.count(), Entitlement.history.count(), EligibilityChange.objects.count()) == counts


def test_pending_changes_are_not_proposed_twice_and_go_when_the_facts_change(in_bureau, run_engine):
    with in_bureau("zhongshan"):
        person = factories.person(birth_date=D(1930, 3, 3))
        run_engine(D(2024, 6, 1), confirm=False)
        run_engine(D(2024, 7, 1), confirm=False)
        [change] = EligibilityChange.objects.filter(person=person)
        assert (change.status, change.period) == ("pending", D(2024, 6, 1))
        assert not Entitlement.objects.filter(person=person).exists()
        person.local_hukou = False
        person.save()
        run_engine(D(2024, 7, 2), confirm=False)
        change.refresh_from_db()
        assert change.status == "superseded"
        assert not EligibilityChange.objects.filter(person=person, status="pending").exists()
