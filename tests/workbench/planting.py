"""Work planted in one town, the same for the server-side and the browser tests of the workbench.

Per town: applications waiting at 申请 2, 受理 1, 入户调查 1, 核对 3; under publicity: 1 ending this
week, 1 over without a decision, 1 ending next week or later; reviews: 2 overdue, 3 due within 30 days,
1 due later, 1 done long ago. Rows go in through the ORM (the panels read them; the workflow has its
own tests); `unplant` removes them again for tests whose rows were committed.
"""

from __future__ import annotations

import datetime

from tests import factories

EXPECTED = {
    "submitted": 2,
    "accepted": 1,
    "investigated": 1,
    "checked": 3,
    "ending": 1,
    "ended": 1,
    "overdue": 2,
    "due_soon": 3,
}


def _household(town):
    return factories.household(factories.person(town_name=town.name))


def plant(town, today: datetime.date) -> dict:
    from apps.assistance.models import Application, Review
    from apps.assistance.selectors import week_end

    made = {"applications": [], "reviews": [], "entitlements": [], "households": []}

    def application(status, **dates):
        household = _household(town)
        made["households"].append(household)
        app = Application.objects.create(
            programme="dibao",
            household=household,
            town=town,
            status=status,
            submitted_on=today - datetime.timedelta(days=20),
            **dates,
        )
        made["applications"].append(app)
        return app

    for status, n in (("submitted", 2), ("accepted", 1), ("investigated", 1), ("checked", 3)):
        for _ in range(n):
            application(status)
    # The last day of publicity is publicised_on + 6.
    application("publicised", publicised_on=today - datetime.timedelta(days=6))  # ends today
    application("publicised", publicised_on=today - datetime.timedelta(days=10))  # ended 4 days ago
    application("publicised", publicised_on=week_end(today) - datetime.timedelta(days=5))  # ends next Monday
    application("approved", decided_on=today - datetime.timedelta(days=100))  # nothing to do

    for due, status in (
        (-1, "scheduled"),
        (-40, "overdue"),
        (0, "scheduled"),
        (10, "scheduled"),
        (30, "scheduled"),
        (31, "scheduled"),
        (-300, "done"),
    ):
        household = _household(town)
        made["households"].append(household)
        entitlement = factories.entitlement(
            programme="dibao", household=household, covered_members=1, per_capita_income=0
        )
        made["entitlements"].append(entitlement)
        made["reviews"].append(
            Review.objects.create(
                entitlement=entitlement,
                household=household,
                town=town,
                stable=False,
                due_on=today + datetime.timedelta(days=due),
                status=status,
            )
        )
    return made


def plant_story(town, today: datetime.date, *, standard: bool = False):
    """A household of two in `town` with a lapsed publicity, a dibao entitlement of (1225 − 225) × 2 =
    2000.00 a month, an overdue review, a paid line two months ago and a failed one (已销户) last month.
    Returns (head, household, application, every row made, in the order to delete them)."""
    from decimal import Decimal

    from apps.assistance.models import Application, Review
    from apps.benefits import rules
    from apps.disbursement.models import PaymentLine, PaymentRun

    this_month = rules.first_of_month(today)
    head = factories.person(town_name=town.name, name="王小明")
    spouse = factories.person(town_name=town.name)
    household = factories.household(head, spouse)
    app = Application.objects.create(
        programme="dibao",
        household=household,
        person=head,
        town=town,
        status="publicised",
        submitted_on=today - datetime.timedelta(days=30),
        publicised_on=today - datetime.timedelta(days=10),
    )
    made = []
    if standard:
        made.append(factories.standard("dibao", "1225", datetime.date(2020, 1, 1), variant="urban"))
    entitlement = factories.entitlement(
        programme="dibao",
        household=household,
        variant="urban",
        per_capita_income=Decimal("225.00"),
        covered_members=2,
        start_period=rules.add_months(this_month, -3),
    )
    review = Review.objects.create(
        entitlement=entitlement, household=household, town=town, stable=False, due_on=today - datetime.timedelta(days=3)
    )
    paid, failed = (
        PaymentRun.objects.create(period=rules.add_months(this_month, -m), kind="regular", status="closed")
        for m in (2, 1)
    )
    common = {
        "programme_id": "dibao",
        "line_type": "regular",
        "key_ref": entitlement.pk,
        "entitlement": entitlement,
        "household": household,
        "payee_person": head,
        "payee_name": head.name,
        "bank_account": "6222000011112222",
        "town": town,
        "amount": Decimal("2000.00"),
    }
    lines = [
        PaymentLine.objects.create(run=paid, period=paid.period, status="paid", posted_on=paid.period, **common),
        PaymentLine.objects.create(
            run=failed, period=failed.period, status="failed", failure_reason="已销户", **common
        ),
    ]
    members = list(household.members.all())
    made = [*lines, paid, failed, review, entitlement, app, *members, household, head, spouse, *made]
    return head, household, app, made


def remove(rows) -> None:
    """Delete committed rows (and their history) in the order given."""
    for row in rows:
        if hasattr(row, "history"):
            row.history.all().delete()
        type(row).objects.filter(pk=row.pk).delete()


def unplant(made: dict) -> None:
    from apps.people.models import HouseholdMember, Person

    for review in made["reviews"]:
        review.history.all().delete()
        review.delete()
    for app in made["applications"]:
        app.history.all().delete()
        app.delete()
    for entitlement in made["entitlements"]:
        entitlement.history.all().delete()
        entitlement.delete()
    for household in made["households"]:
        person_ids = list(HouseholdMember.objects.filter(household=household).values_list("person_id", flat=True))
        HouseholdMember.objects.filter(household=household).delete()
        household.history.all().delete() if hasattr(household, "history") else None
        household.delete()
        for person in Person.objects.filter(pk__in=person_ids):
            person.history.all().delete()
            person.delete()
