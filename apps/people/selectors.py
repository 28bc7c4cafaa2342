"""Reads from the people registry, always through the user's town scope (a caseworker sees one town)."""

from __future__ import annotations

import datetime
import re

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Reverse, Upper
from django.db.models.lookups import StartsWith

from apps.core.scoping import scope_to_town, user_town_id

from .models import (
    BankAccountChange,
    CareInstitution,
    Community,
    DisabilityCertificate,
    Household,
    HouseholdMember,
    Person,
    Town,
)


def town_list(*, user) -> QuerySet[Town]:
    town_id = user_town_id(user)
    towns = Town.objects.all()
    return towns.filter(pk=town_id) if town_id is not None else towns


def community_list(*, user, town: Town | None = None) -> QuerySet[Community]:
    communities = scope_to_town(Community.objects.select_related("town"), user)
    return communities.filter(town=town) if town is not None else communities


def person_list(*, user, filters: dict | None = None) -> QuerySet[Person]:
    """Persons the user may see; `filters`: town, community, hukou_class, status, household, search."""
    filters = filters or {}
    # A pending bank-account change is rare: the page's rows say whether they have one, and only those
    # that do are read (pending_bank_account_changes_attach), where a prefetch ran a query every page.
    pending = BankAccountChange.objects.filter(person=OuterRef("pk"), status=BankAccountChange.Status.PENDING)
    persons = (scope_to_town(Person.objects.all(), user).select_related("town", "community", "membership__household")
               .annotate(has_pending_bank_account_change=Exists(pending)))
    for key in ("town", "community", "hukou_class", "status", "gender"):
        if filters.get(key) not in (None, ""):
            persons = persons.filter(**{key: filters[key]})
    if filters.get("household") not in (None, ""):
        persons = persons.filter(membership__household=filters["household"])
    if filters.get("search"):
        persons = persons.filter(person_search_q(filters["search"]))
    return persons


def pending_bank_account_changes_attach(persons: list[Person]) -> None:
    """Give each person of a page (read through person_list) `pending_bank_account_changes`: a list, in
    one query for the persons that have one, empty for the others."""
    flagged = [person for person in persons if person.has_pending_bank_account_change]
    for person in persons:
        person.pending_bank_account_changes = []
    if flagged:
        prefetch_related_objects(flagged, Prefetch(
            "bank_account_changes", to_attr="pending_bank_account_changes",
            queryset=BankAccountChange.objects.filter(status=BankAccountChange.Status.PENDING).select_related("requested_by")))


IDS_READ_FIRST = 5000
ID_LIKE = re.compile(r"^(\d{17}[\dXx]|\d{15})$")
HAS_CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def name_search_q(term: str, path: str = "name") -> Q:
    """A person's name that begins or ends with `term` (张, 张三, 明月 in 欧阳明月), case-insensitive.

    Both halves are range scans of the indexes person_name_prefix and person_name_suffix (upper-cased
    name, and its reverse). A fragment in the middle of a name (阳明 in 欧阳明月) is not found: a
    substring search over 1.18 million names scans them all, and a Chinese name has too few characters
    for trigrams. `path` reaches the name from another model ("person__name").
    """
    term = term.strip().upper()
    return Q(**{f"{path}__istartswith": term}) | Q(StartsWith(Reverse(Upper(path)), term[::-1]))


def person_search_q(term: str) -> Q:
    """A whole ID number (exact, x or X; masked lists must not break search), else a name's beginning or end.

    An ID-shaped term is looked up by the unique index only: no table scan, no partial-number fishing.
    """
    term = term.strip()
    if ID_LIKE.match(term):
        return Q(id_number=term.upper())
    return name_search_q(term)


def household_search_q(term: str) -> Q:
    """A household number, a member's whole ID number, or the beginning or end of a member's name.

    Which one the term's shape says (a name has a Chinese character, a number has none): an OR of a
    household number and a member's name cannot use either index and scans the registry. Members are
    matched by EXISTS, one row per household, no DISTINCT over a join.
    """
    term = term.strip()
    if ID_LIKE.match(term):
        return Q(Exists(HouseholdMember.objects.filter(household=OuterRef("pk"), person__id_number=term.upper())))
    if HAS_CHINESE.search(term):
        return Q(Exists(HouseholdMember.objects.filter(name_search_q(term, "person__name"), household=OuterRef("pk"))))
    return Q(code=term)


def holder_search_q(term: str, number_path: str) -> Q:
    """For lists of a person's records (memberships, certificates): the holder's whole ID number, the
    beginning or end of their name, else the record's own number (`number_path`), chosen by shape as
    in `household_search_q`."""
    term = term.strip()
    if ID_LIKE.match(term):
        return Q(person__id_number=term.upper())
    if HAS_CHINESE.search(term):
        return name_search_q(term, "person__name")
    return Q(**{number_path: term})


def persons_named(term: str) -> QuerySet[Person] | None:
    """The persons a search term names on the registry's indexes — a whole ID number, or the beginning
    or end of a name — unordered; None for a term that is neither."""
    term = term.strip()
    if ID_LIKE.match(term):
        return Person.objects.filter(id_number=term.upper()).order_by()
    if HAS_CHINESE.search(term):
        return Person.objects.filter(name_search_q(term)).order_by()
    return None


def beneficiary_search_q(term: str, *, model, person: str | None = "person", household: str | None = "household") -> Q:
    """For lists of what a person or a household holds (applications, entitlements, reviews): a whole ID
    number, or the beginning or end of a name — of the person, or of a member of the household — else a
    household number; chosen by the term's shape, as in `household_search_q`.

    The people are found first on the registry's indexes, then the records of `model` by their person and
    household columns: no join from the list to 1.18 million persons to test every row's name. The two
    ways are a UNION of ids, not an OR: with an OR the planner walked a list's 60,000 entitlements in page
    order testing each against both subqueries (11 s). `person` and `household` are the model's paths to
    them (None where it has no such column).
    """
    people = persons_named(term)
    if people is None:
        return Q(**{f"{household}__code": term.strip()}) if household else Q(pk__in=[])
    people = people.values("pk")
    found = []
    if person:
        found.append(model.objects.filter(**{f"{person}_id__in": people}))
    if household:
        homes = HouseholdMember.objects.filter(person_id__in=people).order_by().values("household_id")
        found.append(model.objects.filter(**{f"{household}_id__in": homes}))
    parts = [records.order_by().values_list("pk", flat=True) for records in found]
    ids = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    # Read first and given as a list: left a subquery of a list that joins seven tables for its columns,
    # it is joined last (past join_collapse_limit) after every person was hashed (12 s). A surname
    # matching more than IDS_READ_FIRST records stays a subquery.
    first = list(ids[: IDS_READ_FIRST + 1])
    return Q(pk__in=first if len(first) <= IDS_READ_FIRST else ids)


def person_get(*, user, pk) -> Person:
    """Raises Person.DoesNotExist when the person is outside the user's scope as well as when absent."""
    return person_list(user=user).get(pk=pk)


def household_list(*, user, filters: dict | None = None) -> QuerySet[Household]:
    filters = filters or {}
    members = HouseholdMember.objects.select_related("person").order_by("id")
    households = (
        scope_to_town(Household.objects.all(), user)
        .select_related("town", "community")
        .prefetch_related(Prefetch("members", queryset=members))
    )
    for key in ("town", "community", "hukou_class"):
        if filters.get(key) not in (None, ""):
            households = households.filter(**{key: filters[key]})
    if filters.get("search"):
        households = households.filter(household_search_q(filters["search"]))
    return households


def household_get(*, user, pk) -> Household:
    return household_list(user=user).get(pk=pk)


def household_of(*, person: Person) -> Household | None:
    member = HouseholdMember.objects.filter(person=person).select_related("household").first()
    return member.household if member else None


def disability_certificate_list(*, user, person: Person | None = None) -> QuerySet[DisabilityCertificate]:
    certificates = scope_to_town(DisabilityCertificate.objects.select_related("person"), user, "person__town")
    return certificates.filter(person=person) if person is not None else certificates


def town_population_counts(*, user) -> QuerySet[Town]:
    """Towns with their counts of living persons and households (admin index, demo checks)."""
    return town_list(user=user).annotate(
        persons_alive=Count("persons", filter=Q(persons__status=Person.Status.ALIVE), distinct=True),
        households_count=Count("households", distinct=True),
    )


def bank_account_change_list(*, user, status: str | None = None) -> QuerySet[BankAccountChange]:
    """Bank account change requests of the payees the user may see (a caseworker: their town's)."""
    changes = BankAccountChange.objects.select_related("person__town", "institution__town", "requested_by",
                                                       "decided_by")
    town_id = user_town_id(user)
    if town_id is not None:
        changes = changes.filter(Q(person__town_id=town_id) | Q(institution__town_id=town_id))
    return changes.filter(status=status) if status else changes


def bank_account_change_pending(*, payee: Person | CareInstitution) -> BankAccountChange | None:
    """The payee's change waiting for approval, if any (the database allows one)."""
    key = "person" if isinstance(payee, Person) else "institution"
    return (BankAccountChange.objects.filter(**{key: payee}, status=BankAccountChange.Status.PENDING)
            .select_related("requested_by").first())


CERTIFICATE_EXPIRING_DAYS = 60


def certificates_expiring_q(today) -> Q:
    """Certificates whose validity ends within the next 60 days (renewal keeps 两项补贴 going)."""
    return Q(valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=CERTIFICATE_EXPIRING_DAYS))


def certificates_expiring_count(*, user, today) -> int:
    """Certificates of living holders in the user's scope that expire within 60 days."""
    return disability_certificate_list(user=user).filter(
        certificates_expiring_q(today), person__status=Person.Status.ALIVE).count()
