"""A person is found by the whole ID number or bank account, never by part of it (SPEC §8, issue 10 defect 1).

Static: every search field, filter and ordering of every admin list and API list of a bureau.
Behavioural: the auditor (no people.view_full_id_number) searching with the first digits of a real
person's ID number finds nothing; with the whole number finds them.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request

from apps.core.admin_site import bureau_admin_site
from apps.core.pii_search import is_partial_pii_lookup, partial_pii_searches, reaches_pii, search_lookup
from tests import factories

D = datetime.date
PREFIXES = (6, 8, 10, 14, 17)


# ---------------------------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(("entry", "partial"), [
    ("person__id_number", True), ("^id_number", True), ("$bank_account", True), ("@id_number", True),
    ("person__id_number__icontains", True), ("id_number__startswith", True), ("payee_account", True),
    ("=person__id_number", False), ("=bank_account", False), ("id_number__exact", False),
    ("person__name", False), ("=household__code", False), ("members__person__name", False),
])
def test_a_partial_search_on_a_number_is_recognised(entry, partial):
    assert bool(partial_pii_searches([entry])) is partial
    assert search_lookup("=person__id_number") == ("person__id_number", "iexact")


# ---------------------------------------------------------------------------------------------- static walk


def _user(username):
    return get_user_model().objects.get(username=username)


def _api_views(patterns=None, prefix=""):
    """(route, view class, initkwargs) of every DRF view on a bureau's host."""
    if patterns is None:
        patterns = get_resolver("civaffairs.urls_tenant").url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            yield prefix + str(pattern.pattern), pattern.callback.cls, getattr(pattern.callback, "initkwargs", {})


def test_no_admin_list_searches_part_of_a_number(in_bureau):
    with in_bureau("zhongshan"):
        request = RequestFactory().get("/admin/")
        request.user = _user("zhongshan-auditor")
        leaks, searched = {}, 0
        for model, model_admin in bureau_admin_site._registry.items():
            fields = model_admin.get_search_fields(request)
            searched += bool(fields)
            if partial := partial_pii_searches(fields):
                leaks[model._meta.label] = partial
    assert searched >= 15  # the walk reached the lists that search
    assert leaks == {}


def test_no_api_list_searches_filters_or_orders_by_part_of_a_number(in_bureau):
    with in_bureau("zhongshan"):
        user = _user("zhongshan-admin")
        leaks, checked = [], set()
        for route, cls, initkwargs in _api_views():
            if not issubclass(cls, GenericAPIView) or cls in checked:
                continue
            checked.add(cls)
            view = cls(**{k: v for k, v in initkwargs.items() if k not in ("suffix", "basename", "detail")})
            view.request = Request(RequestFactory().get("/"))
            view.request.user = user
            view.action, view.kwargs, view.args, view.format_kwarg = "list", {}, (), None
            queryset = view.get_queryset()
            for backend_class in view.filter_backends:
                backend = backend_class()
                if isinstance(backend, SearchFilter):
                    leaks += [(route, "search", f) for f in partial_pii_searches(getattr(view, "search_fields", None))]
                elif isinstance(backend, DjangoFilterBackend):
                    filterset = backend.get_filterset_class(view, queryset)
                    for name, f in (filterset.base_filters.items() if filterset else ()):
                        if is_partial_pii_lookup(f.field_name, f.lookup_expr):
                            leaks.append((route, "filter", name))
                elif isinstance(backend, OrderingFilter):
                    # Ordering by the number is a binary-search oracle on it.
                    for field, _label in backend.get_valid_fields(queryset, view, {"request": view.request}):
                        if reaches_pii(field):
                            leaks.append((route, "ordering", field))
    names = {cls.__name__ for cls in checked}
    assert {"ChildWelfareViewSet", "EligibilityChangeViewSet", "PersonViewSet", "PaymentViewSet"} <= names
    assert leaks == []


# ---------------------------------------------------------------------------------------------- behaviour


@pytest.fixture
def child_on_record(in_bureau):
    """A child with a child-welfare record and a pending eligibility change, in 中山."""
    from apps.pensions.models import ChildWelfareRecord, EligibilityChange, EligibilityRun

    with in_bureau("zhongshan"):
        child = factories.person(birth_date=D(2013, 3, 9), name="查号童")
        household = factories.household(child)
        record = ChildWelfareRecord.objects.create(person=child, kind="orphan", placement="scattered",
                                                   since=D(2024, 1, 15))
        run = EligibilityRun.objects.create(today=D(2024, 2, 1), status="succeeded")
        change = EligibilityChange.objects.create(run=run, person=child, programme_id="orphan", action="start",
                                                  variant="scattered", period=D(2024, 2, 1),
                                                  reason_code="child_welfare", key=f"test-pii-{child.pk}")
    return child, household, record, change


def _api_ids(client, path, term):
    response = client.get(path, {"search": term})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _admin_ids(client, path, term):
    response = client.get(path, {"q": term})
    assert response.status_code == 200, response.content
    return {obj.pk for obj in response.context["cl"].result_list}


def test_the_auditor_finds_a_child_by_the_whole_number_only(child_on_record, login_as, in_bureau):
    child, household, record, change = child_on_record
    auditor = login_as("zhongshan", "zhongshan-auditor")
    with in_bureau("zhongshan"):
        assert not _user("zhongshan-auditor").has_perm("people.view_full_id_number")
    lists = [
        (_api_ids, "/api/v1/child-welfare/", record.pk),
        (_api_ids, "/api/v1/eligibility-changes/", change.pk),
        (_api_ids, "/api/v1/persons/", child.pk),
        (_api_ids, "/api/v1/households/", household.pk),
        (_admin_ids, "/admin/pensions/childwelfarerecord/", record.pk),
        (_admin_ids, "/admin/pensions/eligibilitychange/", change.pk),
        (_admin_ids, "/admin/people/person/", child.pk),
        (_admin_ids, "/admin/people/household/", household.pk),
    ]
    number = child.id_number
    for ids_of, path, pk in lists:
        for length in PREFIXES:
            assert pk not in ids_of(auditor, path, number[:length]), (path, number[:length])
        assert pk not in ids_of(auditor, path, number[-8:]), path  # nor the end of it
        assert pk in ids_of(auditor, path, number), path
