"""Searching by personal numbers: only ever by the whole value (SPEC §8).

A user who may not see a whole ID number or bank account could otherwise recover one digit by digit
with a partial search (`?search=4420001`, then `44200019`, …). The rule, for every user: an ID
number, its keyed hash or a bank account is searched by exact match only — in an admin or DRF
`search_fields` with the `=` prefix (`"=person__id_number"`), in a filter with `exact`/`iexact`/`in`,
in hand-written search with `Q(id_number=term)`. Users who see the whole number lose nothing: they
search by the number they read. tests/core/test_pii_search.py walks every admin and API list with
`partial_pii_searches`.
"""

from __future__ import annotations

from collections.abc import Iterable

# Field names (the last part of a lookup path) holding an ID number, its hash or a bank account.
PII_FIELD_NAMES = frozenset({"id_number", "id_hash", "bank_account", "account", "payee_account"})

# Lookups that match the whole value only. Anything else (contains, startswith, regex, ranges,
# full-text search, and the bare name, which Django admin and DRF search with icontains) leaks parts.
WHOLE_VALUE_LOOKUPS = frozenset({"exact", "iexact", "in"})

# The search_fields prefixes of Django admin and DRF SearchFilter, and the lookup each stands for.
SEARCH_PREFIXES = {"=": "iexact", "^": "istartswith", "@": "search", "$": "iregex"}

_LOOKUP_SUFFIXES = WHOLE_VALUE_LOOKUPS | {
    "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "regex", "iregex",
    "search", "gt", "gte", "lt", "lte", "range", "trigram_similar", "unaccent",
}


def search_lookup(entry: str) -> tuple[str, str]:
    """A `search_fields` entry as (field path, lookup): "=person__id_number" -> ("person__id_number", "iexact")."""
    if entry[:1] in SEARCH_PREFIXES:
        return entry[1:], SEARCH_PREFIXES[entry[0]]
    path, _, last = entry.rpartition("__")
    if path and last in _LOOKUP_SUFFIXES:
        return path, last
    return entry, "icontains"


def reaches_pii(path: str) -> bool:
    return path.rsplit("__", 1)[-1] in PII_FIELD_NAMES


def is_partial_pii_lookup(path: str, lookup: str) -> bool:
    return reaches_pii(path) and lookup not in WHOLE_VALUE_LOOKUPS


def partial_pii_searches(search_fields: Iterable[str] | None) -> list[str]:
    """The entries of a `search_fields` that would find a person by part of an ID number or account."""
    return [entry for entry in search_fields or () if is_partial_pii_lookup(*search_lookup(entry))]
