import pytest


@pytest.fixture
def user_named(db):
    """user_named("zhongshan-approver") — a demo user of the current bureau schema."""
    from django.contrib.auth import get_user_model

    return lambda username: get_user_model().objects.get(username=username)


import datetime  # noqa: E402


class Workflow:
    """Drives an application through the real services, dating each step `days` before today."""

    def __init__(self, schema: str, user_named):
        self.schema = schema
        self.user = user_named
        self.caseworker = user_named(f"{schema}-caseworker1")
        self.approver = user_named(f"{schema}-approver")

    @staticmethod
    def ago(days: int) -> datetime.date:
        return datetime.date.today() - datetime.timedelta(days=days)

    def apply(self, programme="dibao", *, household=None, person=None, days=30, **fields):
        from apps.assistance import services

        return services.application_create(user=self.caseworker, programme=programme, household=household,
                                           person=person, submitted_on=self.ago(days), **fields)

    def investigate(self, app, *, incomes=(), assets=True, days=28, user=None):
        """incomes: (person, type, amount) triples."""
        from apps.assistance import services

        user = user or self.caseworker
        app = services.application_transition(application=app, action="accept", user=user, on=self.ago(days + 1))
        for person, kind, amount in incomes:
            services.income_record_set(application=app, user=user, person=person, income_type=kind,
                                       monthly_amount=amount)
        services.asset_check_record(application=app, user=user, passed=assets, on=self.ago(days))
        return services.application_transition(application=app, action="investigate", user=user, on=self.ago(days))

    def check_and_publicise(self, app, *, publicised_days=10, user=None):
        from apps.assistance import services

        user = user or self.caseworker
        app = services.application_transition(application=app, action="check", user=user,
                                              on=self.ago(publicised_days))
        return services.application_transition(application=app, action="publicise", user=user,
                                               on=self.ago(publicised_days))

    def approve(self, app, *, user=None, on=None, note="approved"):
        from apps.assistance import services

        return services.application_transition(application=app, action="approve", user=user or self.approver,
                                               on=on, note=note)

    def through(self, app, *, incomes=(), assets=True):
        app = self.investigate(app, incomes=incomes, assets=assets)
        app = self.check_and_publicise(app)
        return self.approve(app)


@pytest.fixture
def workflow(user_named):
    return lambda schema: Workflow(schema, user_named)


@pytest.fixture
def next_period():
    from apps.benefits import rules

    return rules.add_months(datetime.date.today().replace(day=1), 1)
