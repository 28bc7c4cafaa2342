"""Writes to the people registry. Each service validates everything before it writes anything.

Validation errors are django ValidationErrors keyed by field (`{"id_number": ["…"]}`), so the admin
shows them on the field and the API returns them as field-level JSON. The `*_validate` functions
are public so admin forms can show the same messages before a service is called.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.idcard import IdFacts, id_hash, parse_id_number
from apps.core.money import parse_money
from apps.core.permissions import SYSTEM, recorded_user, require_permission

from .models import (
    BankAccountChange,
    CareInstitution,
    Community,
    DisabilityCertificate,
    FuneralHome,
    Household,
    HouseholdMember,
    HukouClass,
    Person,
    Town,
)

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
BANK_ACCOUNT_RE = re.compile(r"^\d{12,19}$")

# Fields a caller may set on a person; gender, birth date and the hash come from the ID number.
PERSON_FIELDS = (
    "id_number", "name", "hukou_class", "local_hukou", "town", "community", "phone", "bank_account",
    "bank_name", "monthly_income", "is_student", "seriously_ill",
)
BANK_FIELDS = ("bank_account", "bank_name")
HOUSEHOLD_FIELDS = ("code", "town", "community", "hukou_class", "address", "single_parent")


def income_problem(value) -> str | None:
    """What is wrong with a typed monthly income (None: nothing): apps.core.money's parser, exact to the cent."""
    try:
        parse_money(value, exact=True)
    except ValueError as exc:
        return {"negative": _("An income cannot be negative."),
                "too many decimals": _("An amount has at most two decimal places.")}.get(
            str(exc), _("%(value)s is not an amount.") % {"value": value})
    return None


class _Errors:
    """Collects field errors so a caller hears about every problem at once."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def add_validation_error(self, field: str, error: ValidationError) -> None:
        for message in error.messages:
            self.add(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


# --------------------------------------------------------------------------- persons


def person_validate(*, data: dict, instance: Person | None = None, today: datetime.date | None = None) -> IdFacts | None:
    """Check the fields present in `data` (for an update, merged with `instance`); return the ID facts.

    Raises one ValidationError naming every faulty field.
    """
    errors = _Errors()
    facts = None
    if "id_number" in data or instance is None:
        try:
            facts = parse_id_number(_text(data.get("id_number")), today=today)
        except ValidationError as exc:
            errors.add_validation_error("id_number", exc)
        else:
            clash = Person.objects.filter(id_number=facts.number)
            if instance is not None and instance.pk:
                clash = clash.exclude(pk=instance.pk)
            other = clash.only("id", "name").first()
            if other is not None:
                errors.add("id_number", _("%(number)s is already registered (%(name)s, person #%(id)s).")
                           % {"number": facts.number, "name": other.name, "id": other.pk})
    if "name" in data or instance is None:
        if not _text(data.get("name")):
            errors.add("name", _("A name is required."))
        elif len(_text(data.get("name"))) > 50:
            errors.add("name", _("A name has at most 50 characters."))
    if "hukou_class" in data or instance is None:
        if data.get("hukou_class") not in HukouClass.values:
            errors.add("hukou_class", _("The hukou class is urban or rural."))
    town = data["town"] if "town" in data else getattr(instance, "town", None)
    if ("town" in data or instance is None) and not isinstance(town, Town):
        errors.add("town", _("A town is required."))
    community = data["community"] if "community" in data else getattr(instance, "community", None)
    if community is not None and isinstance(town, Town) and community.town_id != town.pk:
        errors.add("community", _("%(community)s is not in %(town)s.") % {"community": community.name, "town": town.name})
    if _text(data.get("phone")) and not PHONE_RE.match(_text(data.get("phone"))):
        errors.add("phone", _("%(phone)s is not a phone number (11-digit mobile or area code and number).")
                   % {"phone": _text(data.get("phone"))})
    if _text(data.get("bank_account")) and not BANK_ACCOUNT_RE.match(_text(data.get("bank_account"))):
        errors.add("bank_account", _("A bank account number is 12 to 19 digits; %(account)s is not.")
                   % {"account": _text(data.get("bank_account"))})
    if _text(data.get("bank_account")) and not _text(data.get("bank_name", getattr(instance, "bank_name", ""))):
        errors.add("bank_name", _("Name the bank of the account."))
    if data.get("monthly_income") not in (None, ""):
        problem = income_problem(data["monthly_income"])
        if problem:
            errors.add("monthly_income", problem)
    errors.raise_if_any()
    return facts


def _person_values(data: dict) -> dict:
    values = {key: data[key] for key in PERSON_FIELDS if key in data}
    for key in ("name", "phone", "bank_account", "bank_name"):
        if key in values:
            values[key] = _text(values[key])
    if values.get("monthly_income") == "":
        values["monthly_income"] = None
    if values.get("monthly_income") is not None:
        values["monthly_income"] = parse_money(values["monthly_income"], exact=True)
    return values


def _save_person(person: Person) -> None:
    # The database has the last word on duplicates: a concurrent registration loses cleanly.
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        if "id_number" in str(exc):
            raise ValidationError({"id_number": [_("%(number)s is already registered.") % {"number": person.id_number}]}) from exc
        raise


@transaction.atomic
def person_create(*, id_number: str, name: str, hukou_class: str, town: Town, community: Community | None = None,
                  local_hukou: bool = True, phone: str = "", bank_account: str = "", bank_name: str = "",
                  monthly_income: Decimal | None = None, is_student: bool = False,
                  seriously_ill: bool = False) -> Person:
    data = {"id_number": id_number, "name": name, "hukou_class": hukou_class, "town": town, "community": community,
            "local_hukou": local_hukou, "phone": phone, "bank_account": bank_account, "bank_name": bank_name,
            "monthly_income": monthly_income, "is_student": is_student, "seriously_ill": seriously_ill}
    facts = person_validate(data=data)
    person = Person(**_person_values(data))
    person.id_number, person.id_hash = facts.number, id_hash(facts.number)
    person.gender, person.birth_date = facts.gender, facts.birth_date
    _save_person(person)
    return person


@transaction.atomic
def person_update(*, person: Person, user, **fields) -> Person:
    """Change the given fields; a new ID number re-derives gender, birth date and hash.

    A new bank account or bank is not written to the person: it becomes a change request that a
    second user approves (bank_account_change_request); the person keeps paying to the old one.
    """
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed here.")] for field in sorted(unknown)})
    person = Person.objects.select_for_update().get(pk=person.pk)
    facts = person_validate(data=fields, instance=person)
    values = _person_values(fields)
    bank = {key: values.pop(key) for key in BANK_FIELDS if key in values}
    for key, value in values.items():
        setattr(person, key, value)
    if facts is not None:
        person.id_number, person.id_hash = facts.number, id_hash(facts.number)
        person.gender, person.birth_date = facts.gender, facts.birth_date
    if person.community_id and person.community.town_id != person.town_id:
        raise ValidationError({"community": [_("%(community)s is not in %(town)s.")
                                             % {"community": person.community.name, "town": person.town.name}]})
    _save_person(person)
    if bank:
        bank_account_change_request(payee=person, user=user, bank_account=bank.get("bank_account", person.bank_account),
                                    bank_name=bank.get("bank_name", person.bank_name))
    return person


def _person_died_on(person: Person, date_of_death: datetime.date, *, today: datetime.date) -> Person:
    """Mark a locked person deceased on a date that is neither in the future nor before their birth."""
    if date_of_death > today:
        raise ValidationError({"date_of_death": [_("The date of death %(date)s is in the future.")
                                                 % {"date": date_of_death}]})
    if date_of_death < person.birth_date:
        raise ValidationError({"date_of_death": [_("The date of death %(death)s is before the birth date %(birth)s.")
                                                 % {"death": date_of_death, "birth": person.birth_date}]})
    person.status, person.date_of_death = Person.Status.DECEASED, date_of_death
    person.save(update_fields=["status", "date_of_death", "updated_at"])
    return person


@transaction.atomic
def person_mark_deceased(*, person: Person, date_of_death: datetime.date, today: datetime.date | None = None) -> Person:
    """Record a death in the registry only; burial and benefits stop what they pay with their own services."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    today = today or datetime.date.today()
    if person.status == Person.Status.DECEASED:
        raise ValidationError({"date_of_death": [_("%(name)s is already recorded as deceased on %(date)s.")
                                                 % {"name": person.name, "date": person.date_of_death}]})
    return _person_died_on(person, date_of_death, today=today)


# --------------------------------------------------------------------------- households


def household_id_next() -> int:
    """The next household id from the table's own sequence: its number is derived from it (H0000000042)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('people_household', 'id'))")
        (value,) = cursor.fetchone()
    return value


def household_validate(*, data: dict, instance: Household | None = None) -> None:
    errors = _Errors()
    if "code" in data and _text(data["code"]):
        code = _text(data["code"])
        clash = Household.objects.filter(code=code)
        if instance is not None and instance.pk:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors.add("code", _("Household number %(code)s is already in use.") % {"code": code})
        elif len(code) > 32:
            errors.add("code", _("A household number has at most 32 characters."))
    town = data["town"] if "town" in data else getattr(instance, "town", None)
    if ("town" in data or instance is None) and not isinstance(town, Town):
        errors.add("town", _("A town is required."))
    community = data["community"] if "community" in data else getattr(instance, "community", None)
    if community is not None and isinstance(town, Town) and community.town_id != town.pk:
        errors.add("community", _("%(community)s is not in %(town)s.") % {"community": community.name, "town": town.name})
    if ("hukou_class" in data or instance is None) and data.get("hukou_class") not in HukouClass.values:
        errors.add("hukou_class", _("The hukou class is urban or rural."))
    errors.raise_if_any()


@transaction.atomic
def household_create(*, town: Town, hukou_class: str, code: str = "", community: Community | None = None,
                     address: str = "", single_parent: bool = False) -> Household:
    data = {"code": code, "town": town, "community": community, "hukou_class": hukou_class}
    household_validate(data=data)
    household = Household(town=town, community=community, hukou_class=hukou_class, address=_text(address),
                          single_parent=single_parent, code=_text(code))
    if not household.code:
        household.pk = household_id_next()
        household.code = f"H{household.pk:010d}"
    try:
        with transaction.atomic():
            household.save(force_insert=True)
    except IntegrityError as exc:
        raise ValidationError({"code": [_("Household number %(code)s is already in use.") % {"code": household.code}]}) from exc
    return household


@transaction.atomic
def household_update(*, household: Household, **fields) -> Household:
    unknown = set(fields) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed here.")] for field in sorted(unknown)})
    household = Household.objects.select_for_update().get(pk=household.pk)
    household_validate(data=fields, instance=household)
    for key, value in fields.items():
        setattr(household, key, _text(value) if key in ("code", "address") else value)
    household.save()
    return household


def household_member_validate(*, household: Household, person: Person, relation: str) -> None:
    errors = _Errors()
    if relation not in HouseholdMember.Relation.values:
        errors.add("relation", _("%(relation)s is not a relation to the head.") % {"relation": relation})
    current = HouseholdMember.objects.filter(person=person).select_related("household").first()
    if current is not None:
        if current.household_id == household.pk:
            errors.add("person", _("%(name)s is already a member of this household.") % {"name": person.name})
        else:
            errors.add("person", _("%(name)s is already a member of household %(code)s; remove them there first.")
                       % {"name": person.name, "code": current.household.code})
    if relation == HouseholdMember.Relation.HEAD:
        head = household.members.filter(relation=HouseholdMember.Relation.HEAD).select_related("person").first()
        if head is not None:
            errors.add("relation", _("Household %(code)s already has a head (%(name)s).")
                       % {"code": household.code, "name": head.person.name})
    if person.status == Person.Status.DECEASED:
        errors.add("person", _("%(name)s is recorded as deceased.") % {"name": person.name})
    errors.raise_if_any()


@transaction.atomic
def household_member_add(*, household: Household, person: Person, relation: str,
                         joined_on: datetime.date | None = None) -> HouseholdMember:
    # Lock in a fixed order (household, then person) so two concurrent adds cannot interleave.
    household = Household.objects.select_for_update().get(pk=household.pk)
    person = Person.objects.select_for_update().get(pk=person.pk)
    household_member_validate(household=household, person=person, relation=relation)
    member = HouseholdMember(household=household, person=person, relation=relation, joined_on=joined_on)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise ValidationError({"person": [_("%(name)s is already a member of a household.") % {"name": person.name}]}) from exc
    return member


@transaction.atomic
def household_member_remove(*, household: Household, person: Person) -> None:
    household = Household.objects.select_for_update().get(pk=household.pk)
    member = HouseholdMember.objects.select_for_update().filter(household=household, person=person).first()
    if member is None:
        raise ValidationError({"person": [_("%(name)s is not a member of household %(code)s.")
                                          % {"name": person.name, "code": household.code}]})
    if member.relation == HouseholdMember.Relation.HEAD and household.members.count() > 1:
        raise ValidationError({"person": [_("%(name)s is the head of household %(code)s: make another member "
                                            "the head before removing them.") % {"name": person.name, "code": household.code}]})
    member.delete()


def household_heads_check(*, relations: list[str], head_leaves: bool) -> None:
    """One head per household: `relations` are the members' relations after a change; a head who
    leaves while others stay needs a successor among them."""
    heads = sum(1 for relation in relations if relation == HouseholdMember.Relation.HEAD)
    if heads > 1:
        raise ValidationError(_("A household has one head."))
    if head_leaves and relations and not heads:
        raise ValidationError(_("Make another member the head before removing the head."))


@transaction.atomic
def household_members_set(*, household: Household, add: list[dict] = (), change: list[dict] = (),
                          remove: list[Person] = ()) -> list[HouseholdMember]:
    """Several membership edits in one go (the household page's member rows): `remove` persons,
    `change` existing members ({"member": HouseholdMember, "relation", "joined_on"}), `add` new ones
    ({"person", "relation", "joined_on"}). The household ends with at most one head, and a head who
    leaves is succeeded; otherwise nothing is written. Returns the members changed or added."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    leaving = {p.pk for p in remove}
    members = {m.pk: m for m in HouseholdMember.objects.select_for_update().filter(household=household)}
    changes = {c["member"].pk: c for c in change}
    strangers = [c["member"] for pk, c in changes.items() if pk not in members]
    if strangers:
        raise ValidationError({"person": [_("%(name)s is not a member of household %(code)s.")
                                          % {"name": strangers[0].person.name, "code": household.code}]})
    head_leaves = any(m.person_id in leaving and m.relation == HouseholdMember.Relation.HEAD
                      for m in members.values())
    after = [changes.get(m.pk, {}).get("relation", m.relation) for m in members.values()
             if m.person_id not in leaving] + [a["relation"] for a in add]
    household_heads_check(relations=after, head_leaves=head_leaves)
    written = []
    for member in members.values():
        if member.person_id in leaving:
            member.delete()
    # Whoever stops being head is saved before whoever becomes head (the database allows one head).
    order = sorted(changes.items(), key=lambda item: item[1].get("relation") == HouseholdMember.Relation.HEAD)
    for pk, fields in order:
        member = members[pk]
        relation = fields.get("relation", member.relation)
        if relation not in HouseholdMember.Relation.values:
            raise ValidationError({"relation": [_("%(relation)s is not a relation to the head.")
                                                % {"relation": relation}]})
        member.relation, member.joined_on = relation, fields.get("joined_on", member.joined_on)
        member.save()
        written.append(member)
    # Adds last: a new head arrives once the old one has left or changed relation.
    for fields in add:
        written.append(household_member_add(household=household, person=fields["person"],
                                            relation=fields["relation"], joined_on=fields.get("joined_on")))
    return written


# --------------------------------------------------------------------------- disability certificates


def disability_certificate_validate(*, data: dict, instance: DisabilityCertificate | None = None) -> None:
    errors = _Errors()
    number = _text(data.get("number", getattr(instance, "number", "")))
    if not number:
        errors.add("number", _("A certificate number is required."))
    else:
        clash = DisabilityCertificate.objects.filter(number=number)
        if instance is not None and instance.pk:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors.add("number", _("Certificate %(number)s is already registered.") % {"number": number})
    category = data.get("category", getattr(instance, "category", None))
    if category not in DisabilityCertificate.Category.values:
        errors.add("category", _("%(category)s is not a disability category.") % {"category": category})
    level = data.get("level", getattr(instance, "level", None))
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 4:
        errors.add("level", _("The level is 1 to 4 (1 is the most severe); %(level)s is not.") % {"level": level})
    valid_from = data.get("valid_from", getattr(instance, "valid_from", None))
    valid_until = data.get("valid_until", getattr(instance, "valid_until", None))
    if valid_from is None:
        errors.add("valid_from", _("The date the certificate is valid from is required."))
    elif valid_until is not None and valid_until < valid_from:
        errors.add("valid_until", _("The certificate cannot expire (%(until)s) before it is valid (%(since)s).")
                   % {"until": valid_until, "since": valid_from})
    errors.raise_if_any()


@transaction.atomic
def disability_certificate_create(*, person: Person, number: str, category: str, level: int,
                                  valid_from: datetime.date, valid_until: datetime.date | None = None
                                  ) -> DisabilityCertificate:
    data = {"number": number, "category": category, "level": level, "valid_from": valid_from,
            "valid_until": valid_until}
    disability_certificate_validate(data=data)
    certificate = DisabilityCertificate(person=person, **{**data, "number": _text(number)})
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError as exc:
        raise ValidationError({"number": [_("Certificate %(number)s is already registered.") % {"number": number}]}) from exc
    return certificate


@transaction.atomic
def disability_certificate_update(*, certificate: DisabilityCertificate, **fields) -> DisabilityCertificate:
    """A correction of the certificate's number, category, level or validity; the person never changes."""
    unknown = set(fields) - {"number", "category", "level", "valid_from", "valid_until"}
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    disability_certificate_validate(data=fields, instance=certificate)
    for name, value in fields.items():
        setattr(certificate, name, _text(value) if name == "number" else value)
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError as exc:
        raise ValidationError({"number": [_("Certificate %(number)s is already registered.")
                                          % {"number": certificate.number}]}) from exc
    return certificate


@transaction.atomic
def disability_certificate_delete(*, certificate: DisabilityCertificate) -> None:
    """A certificate entered by mistake; one that has ended is given a valid_until date instead."""
    certificate.delete()


# --------------------------------------------------------------------------- payees


@transaction.atomic
def care_institution_create(*, name: str, ownership: str, town: Town, beds: int, nursing_beds: int,
                            star_rating: int | None = None, bank_account: str = "", bank_name: str = "") -> CareInstitution:
    """full_clean names every bad field (nursing beds above beds, a star rating of 6, ...)."""
    institution = CareInstitution(name=name, ownership=ownership, town=town, beds=beds, nursing_beds=nursing_beds,
                                  star_rating=star_rating, bank_account=bank_account, bank_name=bank_name)
    institution.full_clean()
    institution.save()
    return institution


@transaction.atomic
def funeral_home_create(*, name: str, town: Town, bank_account: str = "", bank_name: str = "") -> FuneralHome:
    """full_clean names every bad field (a duplicate name, an account that is not 12–19 digits)."""
    home = FuneralHome(name=name, town=town, bank_account=bank_account, bank_name=bank_name)
    home.full_clean()
    home.save()
    return home


@transaction.atomic
def person_death_correct(*, person: Person, date_of_death: datetime.date | None,
                         today: datetime.date | None = None) -> Person:
    """Correct a recorded death: a new date, or None when the record was made in error (alive again)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if date_of_death is None:
        person.status, person.date_of_death = Person.Status.ALIVE, None
        person.save(update_fields=["status", "date_of_death", "updated_at"])
        return person
    return _person_died_on(person, date_of_death, today=today or datetime.date.today())


@transaction.atomic
def care_institution_update(*, institution: CareInstitution, user, **fields) -> CareInstitution:
    """Change the given fields; a new bank account or bank waits for a second user's approval."""
    # From the database: an admin form has already put the typed values on the object it passes.
    institution = CareInstitution.objects.select_for_update().get(pk=institution.pk)
    bank = {key: _text(fields.pop(key)) for key in BANK_FIELDS if key in fields}
    for name, value in fields.items():
        setattr(institution, name, value)
    institution.full_clean()
    institution.save()
    if bank:
        bank_account_change_request(payee=institution, user=user,
                                    bank_account=bank.get("bank_account", institution.bank_account),
                                    bank_name=bank.get("bank_name", institution.bank_name))
    return institution


# --------------------------------------------------------------------------- bank accounts (maker-checker)


def _payee_filter(payee) -> dict:
    return {"person": payee} if isinstance(payee, Person) else {"institution": payee}


def _lock_payee(payee):
    return type(payee).objects.select_for_update().get(pk=payee.pk)


def bank_account_change_validate(*, bank_account: str, bank_name: str) -> None:
    errors = _Errors()
    if bank_account and not BANK_ACCOUNT_RE.match(bank_account):
        errors.add("bank_account", _("A bank account number is 12 to 19 digits; %(account)s is not.")
                   % {"account": bank_account})
    if bank_account and not bank_name:
        errors.add("bank_name", _("Name the bank of the account."))
    if len(bank_name) > 50:
        errors.add("bank_name", _("A bank name has at most 50 characters."))
    errors.raise_if_any()


@transaction.atomic
def bank_account_change_request(*, payee: Person | CareInstitution, user, bank_account: str, bank_name: str,
                                reason: str = "") -> BankAccountChange | None:
    """Ask for a payee's new account: the payee keeps the old one until another user approves.

    A newer request supersedes the payee's pending one; asking for the account the payee already
    has withdraws the pending one and returns None.
    """
    permission = "people.change_person" if isinstance(payee, Person) else "people.change_careinstitution"
    require_permission(user, permission, message=_("You may not change this payee's bank account."))
    bank_account, bank_name = _text(bank_account), _text(bank_name)
    bank_account_change_validate(bank_account=bank_account, bank_name=bank_name)
    payee = _lock_payee(payee)
    now = timezone.now()
    requested = None
    if (bank_account, bank_name) != (payee.bank_account, payee.bank_name):
        requested = BankAccountChange(
            **_payee_filter(payee), old_account=payee.bank_account, old_bank_name=payee.bank_name,
            new_account=bank_account, new_bank_name=bank_name, reason=_text(reason)[:200],
            requested_by=recorded_user(user))
    for earlier in BankAccountChange.objects.select_for_update().filter(
            **_payee_filter(payee), status=BankAccountChange.Status.PENDING):
        earlier.status, earlier.decided_at = BankAccountChange.Status.SUPERSEDED, now
        earlier.decided_by = recorded_user(user)
        earlier.decision_note = (_("Superseded by a newer request.") if requested
                                 else _("Withdrawn: the payee keeps the current account."))
        earlier._history_user = recorded_user(user)
        earlier.save()
    if requested is not None:
        requested._history_user = recorded_user(user)
        requested.save()
    return requested


def _decidable(change: BankAccountChange) -> tuple[BankAccountChange, Person | CareInstitution]:
    """The change and its payee, locked in the order every writer of the payee uses (payee first)."""
    payee = _lock_payee(change.payee)
    change = BankAccountChange.objects.select_for_update().get(pk=change.pk)
    if change.status != BankAccountChange.Status.PENDING:
        raise ValidationError(_("Bank account change #%(id)s is %(status)s; only a pending change is decided.")
                              % {"id": change.pk, "status": change.get_status_display()})
    return change, payee


def _require_approver(user) -> None:
    require_permission(user, "people.approve_bankaccountchange",
                       message=_("You may not approve or reject bank account changes."))
    if user is SYSTEM:
        raise PermissionDenied(_("A bank account change is decided by a person."))


@transaction.atomic
def bank_account_change_approve(*, change: BankAccountChange, user, note: str = "") -> BankAccountChange:
    """Maker-checker: a user other than the one who asked puts the new account on the payee."""
    _require_approver(user)
    change, payee = _decidable(change)
    if change.requested_by_id is not None and change.requested_by_id == user.pk:
        raise ValidationError(_("You asked for bank account change #%(id)s; another user must approve it "
                                "(maker-checker).") % {"id": change.pk})
    payee.bank_account, payee.bank_name = change.new_account, change.new_bank_name
    payee._history_user = user
    payee._change_reason = f"bank account change #{change.pk}"
    payee.save()
    change.status, change.decided_by, change.decided_at = BankAccountChange.Status.APPROVED, user, timezone.now()
    change.decision_note = _text(note)[:200]
    change._history_user = user
    change.save()
    return change


@transaction.atomic
def bank_account_change_reject(*, change: BankAccountChange, user, note: str = "") -> BankAccountChange:
    """The payee keeps the old account."""
    _require_approver(user)
    change, _payee = _decidable(change)
    change.status, change.decided_by, change.decided_at = BankAccountChange.Status.REJECTED, user, timezone.now()
    change.decision_note = _text(note)[:200]
    change._history_user = user
    change.save()
    return change
