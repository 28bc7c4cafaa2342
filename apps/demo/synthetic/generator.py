"""The stream of synthetic households and persons: a pure function of (plan, context, seed).

The same inputs give the same stream, household by household, so a crashed run can regenerate the
chunks it already wrote and skip them. Nothing here touches the database.

Households come in this order, each group with its code prefix (`SYN-<prefix>-<n>`):
    DB 低保 targets · BY 低保边缘 · ZC 支出型 · TK 特困 (one person each) · GE scattered orphans with a
    grandparent · KN children in difficulty with a single parent · LN people aged 80+ living alone or
    as a couple · JM everyone else (families, nobody 80+).
Institutional orphans live in an institution: persons without a household.
"""

from __future__ import annotations

import datetime
import hmac
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from .names import (
    BANKS_RURAL,
    BANKS_URBAN,
    FEMALE_CHARS,
    MALE_CHARS,
    NON_LOCAL_AREA_CODES,
    PLACE_FIRST,
    PLACE_SECOND,
    SURNAMES,
)
from .plan import TEKUN_DISABLED_SHARE, PopulationPlan, elderly_quota

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Synthetic ID numbers use order codes 500-999 only; hand-made test numbers start at the bottom.
ORDER_BASE, ORDER_SLOTS = 250, 250
URBAN_SHARE = {"street": 0.9, "district": 0.85, "new_area": 0.6, "town": 0.4, "farm": 0.2}
FAMILY_SIZES = [(1, 15), (2, 25), (3, 27), (4, 20), (5, 9), (6, 4)]
# Disability categories (weight, the digit a certificate number carries for it).
CATEGORIES = [("physical", 47, "4"), ("visual", 12, "1"), ("hearing", 12, "2"), ("speech", 4, "3"),
              ("intellectual", 12, "5"), ("mental", 10, "6"), ("multiple", 3, "7")]
SEVERE_SHARE_OF_POOR_HOLDERS = 0.30
ELDERLY_AGE = 80  # the 80+ of the plan (高龄津贴)


@dataclass
class TownInfo:
    id: int
    name: str
    kind: str
    area_code: str
    communities: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Context:
    seed: int
    as_of: datetime.date
    towns: list[TownInfo]
    id_area_codes: list[str]
    dibao_standard: dict[str, Decimal]  # monthly, by hukou class ("urban"/"rural"), in force on as_of
    hash_key: bytes
    # The lowest standard of each class since the report year began (its applications were checked
    # against it): a group's income band stays inside the programme's bounds under either.
    dibao_standard_low: dict[str, Decimal] | None = None
    # Disability certificates date from before this day (the report year's first): the report's
    # subsidy recipients held theirs in that year.
    certified_before: datetime.date | None = None
    # The 80+ and the orphans have the plan's ages on this day (the report year's first), not on as_of:
    # the report year's 高龄津贴 and child-welfare recipients are the plan's, whenever the population is
    # generated (ages counted on a day two years on would leave the 80-81-year-olds of that day, a
    # quarter of the 80+, under 80 in the report year, and a sixth of the orphans not yet born).
    recipients_aged_on: datetime.date | None = None


@dataclass(slots=True)
class Person:
    id_number: str
    id_hash: str
    name: str
    gender: str
    birth_date: str
    hukou_class: str
    local_hukou: bool
    town_id: int
    community_id: int | None
    phone: str
    bank_account: str
    bank_name: str
    monthly_income: int
    is_student: bool
    seriously_ill: bool
    relation: str
    age: int
    certificate: tuple[str, str, int, str] | None = None  # (number, category, level, valid from)


@dataclass(slots=True)
class Unit:
    """One household (or one person without a household) with its markers."""

    code: str | None
    town_id: int
    community_id: int | None
    hukou_class: str
    address: str
    single_parent: bool
    persons: list[Person]
    household_marker: tuple[str, str] | None = None
    person_markers: list[tuple[int, str, str]] = field(default_factory=list)  # (index in persons, group, variant)


def check_character(body17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS, strict=True)) % 11]


class PopulationGenerator:
    def __init__(self, plan: PopulationPlan, ctx: Context):
        self.plan, self.ctx = plan, ctx
        self.rng = random.Random(ctx.seed)
        rng = self.rng
        self.surnames = [name for name, weight in SURNAMES for _ in range(weight)]
        weights = [0.5 + rng.random() for _ in ctx.towns]
        total = sum(weights)
        self.town_wheel = []
        for town, weight in zip(ctx.towns, weights, strict=True):
            self.town_wheel.extend([town] * max(1, round(1000 * weight / total)))
        self.banks_urban = [name for name, weight in BANKS_URBAN for _ in range(weight)]
        self.banks_rural = [name for name, weight in BANKS_RURAL for _ in range(weight)]
        self.order_used: dict[tuple[str, int, str], int] = {}
        self.day_strings: dict[int, tuple[str, str, int]] = {}
        self.area_sums: dict[str, int] = {}
        self.age_ranges: dict[tuple[int, datetime.date], tuple[int, int]] = {}
        as_of = ctx.as_of
        self.as_of_ordinal = as_of.toordinal()
        self.certified_ordinal = min(as_of, ctx.certified_before or as_of).toordinal()
        # The ages of everyone aged 80+, drawn without replacement so the 90-99 and 100+ counts are exact.
        plan_ = plan
        bands = ([100] * plan_.elderly_100_plus + [90] * plan_.elderly_90_99
                 + [80] * (plan_.elderly_80_plus - plan_.elderly_100_plus - plan_.elderly_90_99))
        rng.shuffle(bands)
        self.elderly_bands = bands
        self.quota = elderly_quota(plan)
        self.categories = [(name, digit) for name, weight, digit in CATEGORIES for _ in range(weight)]
        self.severe_given = 0
        # Sequential selection (Knuth's algorithm S): exactly `needed` of the `eligible` get a certificate.
        self.poor_needed = plan.disabled_living
        self.poor_eligible = plan.dibao_persons + plan.dibao_marginal_persons

    # ------------------------------------------------------------------ small draws

    def _pick(self, seq):
        return seq[int(self.rng.random() * len(seq))]

    def _int(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def _birth(self, age: int, recipient: bool = False) -> int:
        """An ordinal date of birth for someone exactly `age` on the as-of date (the 80+ and the orphans,
        `recipient`: on recipients_aged_on)."""
        aged_on = self.ctx.recipients_aged_on
        on = aged_on if aged_on and (recipient or age >= ELDERLY_AGE) else self.ctx.as_of
        bounds = self.age_ranges.get((age, on))
        if bounds is None:
            end = _years_before(on, age)
            start = _years_before(on, age + 1) + datetime.timedelta(days=1)
            bounds = self.age_ranges[(age, on)] = (start.toordinal(), end.toordinal())
        return self._int(*bounds)

    def _elderly_age(self) -> int:
        band = self.elderly_bands.pop() if self.elderly_bands else 80
        if band == 100:
            return self._int(100, 104)
        if band == 90:
            return self._int(90, 99)
        return self._int(80, 89)

    def _id_number(self, area: str, birth: int, gender: str) -> tuple[str, str]:
        while True:
            key = (area, birth, gender)
            used = self.order_used.get(key, 0)
            if used < ORDER_SLOTS:
                self.order_used[key] = used + 1
                break
            birth -= 1  # every order code of that day is taken: the day before
        strings = self.day_strings.get(birth)
        if strings is None:
            day = datetime.date.fromordinal(birth)
            digits = day.strftime("%Y%m%d")
            strings = self.day_strings[birth] = (
                day.isoformat(), digits, sum(int(c) * w for c, w in zip(digits, ID_WEIGHTS[6:14], strict=True)))
        area_sum = self.area_sums.get(area)
        if area_sum is None:
            area_sum = self.area_sums[area] = sum(int(c) * w for c, w in zip(area, ID_WEIGHTS[:6], strict=True))
        order = (ORDER_BASE + used) * 2 + (1 if gender == "M" else 0)
        # The check character from cached partial sums: weights 8, 4, 2 for the three order digits.
        check = ID_CHECK[(area_sum + strings[2] + 8 * (order // 100) + 4 * (order // 10 % 10) + 2 * (order % 10)) % 11]
        return f"{area}{strings[1]}{order:03d}{check}", strings[0]

    def _name(self, gender: str, surname: str | None = None) -> str:
        rng = self.rng
        surname = surname or self._pick(self.surnames)
        chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
        given = self._pick(chars) if rng.random() < 0.3 else self._pick(chars) + self._pick(chars)
        return surname + given

    def _area(self, town: TownInfo, local: bool) -> str:
        if not local:
            return self._pick(NON_LOCAL_AREA_CODES)
        codes = self.ctx.id_area_codes
        if town.area_code in codes and self.rng.random() < 0.9:
            return town.area_code
        return self._pick(codes)

    def _person(self, *, town: TownInfo, community_id, hukou: str, age: int, relation: str, local: bool = True,
                gender: str | None = None, surname: str | None = None, income: int = 0, ill: float = 0.01,
                account: float = 0.7, paid: bool = False, recipient: bool = False) -> Person:
        """`paid`: an adult without an account of his own draws gets one anyway (a payee's 一卡通),
        numbered from the ID number so that the random stream, hence everyone else, stays as it was."""
        rng = self.rng
        random_ = rng.random
        gender = gender or ("M" if random_() < 0.5 else "F")
        birth = self._birth(age, recipient)
        number, birth_iso = self._id_number(self._area(town, local), birth, gender)
        adult = age >= 18
        phone = ""
        if adult and rng.random() < (0.9 if age < 80 else 0.4):
            phone = f"1{self._pick('35789')}{rng.getrandbits(34) % 1_000_000_000:09d}"
        bank_account = bank_name = ""
        if age >= 16 and rng.random() < account:
            bank_account = f"62{rng.getrandbits(60) % 10**17:017d}"
            bank_name = self._pick(self.banks_rural if hukou == "rural" else self.banks_urban)
        elif paid and age >= 16:
            bank_account = f"62{int(number[:17]) % 10**17:017d}"
            bank_name = (self.banks_rural if hukou == "rural" else self.banks_urban)[0]
        student = 6 <= age <= 18 or (19 <= age <= 22 and rng.random() < 0.5)
        return Person(
            id_number=number, id_hash=hmac.digest(self.ctx.hash_key, number.encode(), "sha256").hex(),
            name=self._name(gender, surname), gender=gender, birth_date=birth_iso, hukou_class=hukou,
            local_hukou=local, town_id=town.id, community_id=community_id, phone=phone, bank_account=bank_account,
            bank_name=bank_name, monthly_income=income, is_student=student,
            seriously_ill=adult and rng.random() < ill, relation=relation, age=age,
        )

    def _certify(self, person: Person, *, severe: bool) -> None:
        category, digit = self._pick(self.categories)
        level = self._int(1, 2) if severe else self._int(3, 4)
        valid_from = datetime.date.fromordinal(self.certified_ordinal - self._int(0, 3650)).isoformat()
        # A second-generation certificate number: the ID number, the category digit, the level.
        person.certificate = (f"{person.id_number}{digit}{level}", category, level, valid_from)
        if severe:
            self.severe_given += 1

    def _certify_poor(self, persons: list[Person]) -> None:
        for person in persons:
            if self.rng.random() * self.poor_eligible < self.poor_needed:
                self._certify(person, severe=self.rng.random() < SEVERE_SHARE_OF_POOR_HOLDERS)
                self.poor_needed -= 1
            self.poor_eligible -= 1

    def _members_persons(self, members: list[tuple[str, int]], *, town: TownInfo, community_id, hukou: str,
                         local: bool = True, ill: float = 0.01, account: float = 0.7,
                         paid: bool = False, recipients: tuple[str, ...] = ()) -> list[Person]:
        """Persons for (relation, age) pairs: one surname for the head's blood relatives, spouses of the other
        sex; the `recipients` relations aged on recipients_aged_on."""
        surname = self._pick(self.surnames)
        head_gender = "M" if self.rng.random() < 0.5 else "F"
        persons = []
        for relation, age in members:
            spouse = relation == "spouse"
            gender = ("F" if head_gender == "M" else "M") if spouse else (head_gender if relation == "head" else None)
            persons.append(self._person(town=town, community_id=community_id, hukou=hukou, age=age, relation=relation,
                                        local=local, gender=gender, surname=None if spouse else surname, ill=ill,
                                        account=account, paid=paid, recipient=relation in recipients))
        return persons

    def _place(self) -> tuple[TownInfo, int | None, str, str]:
        town = self._pick(self.town_wheel)
        community_id, community_name = self._pick(town.communities) if town.communities else (None, "")
        hukou = "urban" if self.rng.random() < URBAN_SHARE.get(town.kind, 0.5) else "rural"
        address = f"{town.name}{community_name}{self._int(1, 300)}号"
        return town, community_id, hukou, address

    def _standard(self, hukou: str) -> float:
        return float(self.ctx.dibao_standard[hukou])

    def _standard_low(self, hukou: str) -> float:
        low = self.ctx.dibao_standard_low
        return min(float(low[hukou]), self._standard(hukou)) if low else self._standard(hukou)

    def _split_income(self, persons: list[Person], total: int) -> None:
        """Share a household's monthly income among its earners (working-age, else the eldest)."""
        earners = [p for p in persons if 18 <= p.age < 65 and not p.is_student]
        if not earners:
            earners = [max(persons, key=lambda p: p.age)]
        if len(earners) == 1:
            earners[0].monthly_income = total
            return
        weights = [0.5 + self.rng.random() for _ in earners]
        scale = sum(weights)
        given = 0
        for person, weight in zip(earners[:-1], weights, strict=False):
            share = int(total * weight / scale)
            person.monthly_income = share
            given += share
        earners[-1].monthly_income = total - given

    # ------------------------------------------------------------------ households

    def _members(self, size: int, n_elderly: int) -> tuple[list[tuple[str, int]], bool]:
        """(relation, age) for a household of `size` with `n_elderly` members aged 80+; and single-parent."""
        rng = self.rng
        if n_elderly >= size:
            members = [("head", self._elderly_age())]
            if size == 2:
                members.append(("spouse", self._elderly_age()))
            return members, False
        others = size - n_elderly
        head_age = self._int(25, 79) if others == 1 else self._int(28, 62)
        members = [("head", head_age)]
        remaining = others - 1
        single_parent = False
        if remaining >= 1:
            if rng.random() < 0.7:
                members.append(("spouse", max(20, min(79, head_age + self._int(-6, 4)))))
                remaining -= 1
            else:
                single_parent = True
        oldest_child = max(0, min(head_age - 20, 30))
        for _ in range(remaining):
            members.append(("child", self._int(0, oldest_child)))
        for _ in range(n_elderly):
            members.append(("parent", self._elderly_age()))
        return members, single_parent

    def _sizes(self, households: int, persons: int) -> list[int]:
        """Household sizes (1-6) adding up to exactly `persons`."""
        sizes = [1] * households
        extra = persons - households
        open_ = list(range(households))
        while extra > 0 and open_:
            index = int(self.rng.random() * len(open_))
            h = open_[index]
            sizes[h] += 1
            extra -= 1
            if sizes[h] == 6:
                open_[index] = open_[-1]
                open_.pop()
        return sizes

    def _elderly_per_household(self, sizes: list[int], quota: int) -> list[int]:
        """How many 80+ members each household gets: whole small households first, then a parent."""
        result = [0] * len(sizes)
        small = [i for i, size in enumerate(sizes) if size <= 2]
        self.rng.shuffle(small)
        remaining = quota
        for i in small:
            if remaining <= 0:
                break
            if sizes[i] <= remaining:
                result[i] = sizes[i]
                remaining -= sizes[i]
        if remaining > 0:
            large = [i for i, size in enumerate(sizes) if size >= 3]
            self.rng.shuffle(large)
            for i in large[:remaining]:
                result[i] = 1
                remaining -= 1
        if remaining > 0:  # only couples were left: split one into a single 80+ and a younger spouse
            for i in small:
                if result[i] == 0 and remaining > 0:
                    result[i] = 1
                    remaining -= 1
        return result

    def _assistance(self, group: str, prefix: str, households: int, persons: int,
                    income: tuple[float, float]) -> Iterator[Unit]:
        sizes = self._sizes(households, persons)
        elderly = self._elderly_per_household(sizes, self.quota[group])
        low, high = income
        for n, (size, n_elderly) in enumerate(zip(sizes, elderly, strict=True), start=1):
            town, community_id, hukou, address = self._place()
            members, single_parent = self._members(size, n_elderly)
            # Every adult member has an account: an approval records the one the payment goes to (一卡通),
            # so the report year's 低保 is paid, not held for want of an account.
            persons_ = self._members_persons(members, town=town, community_id=community_id, hukou=hukou, ill=0.05,
                                             account=0.95, paid=True)
            # Integer yuan, strictly inside the band under every standard since the report year began:
            # below the standard (低保), [1, 1.5) × (边缘), ...
            lowest = math.ceil(low * self._standard(hukou) * size) if low else 0
            highest = math.ceil(high * self._standard_low(hukou) * size) - 1
            self._split_income(persons_, self._int(lowest, max(lowest, highest)))
            if group in ("dibao", "dibao_marginal"):
                self._certify_poor(persons_)
            yield Unit(code=f"SYN-{prefix}-{n:08d}", town_id=town.id, community_id=community_id, hukou_class=hukou,
                       address=address, single_parent=single_parent, persons=persons_,
                       household_marker=(group, hukou))

    def units(self) -> Iterator[Unit]:
        plan, rng = self.plan, self.rng
        yield from self._assistance("dibao", "DB", plan.dibao_households, plan.dibao_persons,
                                    (0.0, plan.dibao_income_high))
        yield from self._assistance("dibao_marginal", "BY", plan.dibao_marginal_households,
                                    plan.dibao_marginal_persons, (1.0, 1.5))
        yield from self._assistance("hardship_expense", "ZC", plan.hardship_expense_households,
                                    plan.hardship_expense_persons, (1.5, 2.5))

        # 特困: alone, no income; 80+, 60-79, or an adult under 60 with a severe disability.
        kinds = (["elderly"] * self.quota["tekun"]
                 + ["disabled"] * round(plan.tekun_persons * TEKUN_DISABLED_SHARE))
        kinds = (kinds + ["old"] * plan.tekun_persons)[:plan.tekun_persons]
        rng.shuffle(kinds)
        # The last `tekun_shared_households` households hold two 特困 siblings (both 分散供养), the others one.
        households = len(kinds) - plan.tekun_shared_households
        kinds_left = iter(kinds)
        for n in range(1, households + 1):
            town, community_id, hukou, address = self._place()
            shared = n > households - plan.tekun_shared_households
            surname = self._pick(self.surnames) if shared else None
            persons_ = []
            for relation in ("head", "sibling") if shared else ("head",):
                kind = next(kinds_left)
                age = (self._elderly_age() if kind == "elderly" else self._int(18, 59) if kind == "disabled"
                       else self._int(60, 79))
                person = self._person(town=town, community_id=community_id, hukou=hukou, age=age, relation=relation,
                                      surname=surname, account=1.0, ill=0.1)
                if kind == "disabled":
                    self._certify(person, severe=True)
                persons_.append(person)
            variant = "institutional" if n <= plan.tekun_institutional else "dispersed"
            yield Unit(code=f"SYN-TK-{n:08d}", town_id=town.id, community_id=community_id, hukou_class=hukou,
                       address=address, single_parent=False, persons=persons_,
                       person_markers=[(i, "tekun", variant) for i in range(len(persons_))])

        # Scattered orphans with a grandparent (and the grandparent's spouse, sometimes).
        left, n = plan.orphans_scattered, 0
        while left > 0:
            n += 1
            town, community_id, hukou, address = self._place()
            head_age = self._int(58, 79)
            members = [("head", head_age)]
            if rng.random() < 0.5:
                members.append(("spouse", max(55, min(79, head_age + self._int(-5, 5)))))
            first = len(members)
            count = 2 if left >= 2 and rng.random() < 0.2 else 1
            members += [("grandchild", self._int(0, 17)) for _ in range(count)]
            # The grandparent is the guardian the allowance is paid to: with a 一卡通 (paid).
            persons_ = self._members_persons(members, town=town, community_id=community_id, hukou=hukou, account=0.95,
                                             paid=True, recipients=("grandchild",))
            left -= count
            self._split_income(persons_, self._int(math.ceil(1.5 * self._standard(hukou) * len(persons_)),
                                                   math.ceil(3 * self._standard(hukou) * len(persons_))))
            yield Unit(code=f"SYN-GE-{n:08d}", town_id=town.id, community_id=community_id, hukou_class=hukou,
                       address=address, single_parent=False, persons=persons_,
                       person_markers=[(i, "orphan", "scattered") for i in range(first, len(persons_))])

        # Children in difficulty, with a single parent.
        left, n = plan.children_in_difficulty, 0
        while left > 0:
            n += 1
            town, community_id, hukou, address = self._place()
            parent_age = self._int(25, 50)
            count = 2 if left >= 2 and rng.random() < 0.3 else 1
            members = [("head", parent_age)] + [("child", self._int(0, min(17, parent_age - 18))) for _ in range(count)]
            persons_ = self._members_persons(members, town=town, community_id=community_id, hukou=hukou, account=0.9,
                                             ill=0.05)
            left -= count
            self._split_income(persons_, self._int(math.ceil(1.5 * self._standard(hukou) * len(persons_)),
                                                   math.ceil(2.5 * self._standard(hukou) * len(persons_))))
            yield Unit(code=f"SYN-KN-{n:08d}", town_id=town.id, community_id=community_id, hukou_class=hukou,
                       address=address, single_parent=True, persons=persons_,
                       person_markers=[(i, "child_in_difficulty", "") for i in range(1, len(persons_))])

        # Institutional orphans: in an institution, no household.
        for _ in range(plan.orphans_institutional):
            town, community_id, hukou, _address = self._place()
            person = self._person(town=town, community_id=None, hukou=hukou, age=self._int(0, 17), relation="",
                                  account=0.0, recipient=True)
            yield Unit(code=None, town_id=town.id, community_id=None, hukou_class=hukou, address="",
                       single_parent=False, persons=[person], person_markers=[(0, "orphan", "institutional")])

    def general(self, remaining: int) -> Iterator[Unit]:
        """Everyone else, `remaining` persons: the 80+ alone or as couples, then families without anyone 80+.

        Among them the level 1-2 certificate holders the plan still lacks and the level 3-4 holders.
        """
        rng = self.rng
        self.general_eligible = remaining
        self.severe_needed = min(remaining, max(0, self.plan.disabled_severe - self.severe_given))
        self.mild_needed = min(remaining - self.severe_needed, self.plan.disabled_mild_other)
        left, n = min(self.quota["general"], remaining), 0
        remaining -= left
        while left > 0:
            n += 1
            size = 2 if left >= 2 and rng.random() < 0.4 else 1
            town, community_id, hukou, address = self._place()
            members, _ = self._members(size, size)
            local = rng.random() >= 0.03
            persons_ = self._members_persons(members, town=town, community_id=community_id, hukou=hukou, local=local,
                                             account=0.9)
            left -= size
            standard = self._standard(hukou) * size
            self._split_income(persons_, self._int(math.ceil(1.6 * standard), math.ceil(4 * standard)))
            self._certify_general(persons_)
            yield Unit(code=f"SYN-LN-{n:08d}", town_id=town.id, community_id=community_id, hukou_class=hukou,
                       address=address, single_parent=False, persons=persons_)

        wheel = [size for size, weight in FAMILY_SIZES for _ in range(weight)]
        n = 0
        while remaining > 0:
            n += 1
            size = min(self._pick(wheel), remaining)
            town, community_id, hukou, address = self._place()
            members, single_parent = self._members(size, 0)
            local = rng.random() >= 0.06
            persons_ = self._members_persons(members, town=town, community_id=community_id, hukou=hukou, local=local)
            remaining -= size
            standard = self._standard(hukou) * size
            # Log-uniform per-capita income between 1.6 and 6 times the standard.
            factor = 1.6 * (6 / 1.6) ** rng.random()
            self._split_income(persons_, math.ceil(factor * standard))
            self._certify_general(persons_)
            yield Unit(code=f"SYN-JM-{n:08d}", town_id=town.id, community_id=community_id, hukou_class=hukou,
                       address=address, single_parent=single_parent, persons=persons_)

    def _certify_general(self, persons: list[Person]) -> None:
        for person in persons:
            draw = self.rng.random() * self.general_eligible
            if draw < self.severe_needed:
                self._certify(person, severe=True)
                self.severe_needed -= 1
            elif draw < self.severe_needed + self.mild_needed:
                self._certify(person, severe=False)
                self.mild_needed -= 1
            self.general_eligible -= 1
        if any(person.certificate for person in persons):
            self._payee_account(persons)

    def _payee_account(self, persons: list[Person]) -> None:
        """A household with a certificate holder names an account for the subsidy when it applies (the
        一卡通 it is paid to): the holder's own if an adult, else the head's, else another adult's. The
        number comes from the ID number, as `paid`'s does, so the random stream stays as it was."""
        adults = [person for person in persons if person.age >= 18]
        if not adults or any(person.bank_account for person in adults):
            return
        holder = next((p for p in adults if p.certificate), None)
        payee = holder or next((p for p in adults if p.relation == "head"), adults[0])
        payee.bank_account = f"62{int(payee.id_number[:17]) % 10**17:017d}"
        payee.bank_name = (self.banks_rural if payee.hukou_class == "rural" else self.banks_urban)[0]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def population_stream(plan: PopulationPlan, ctx: Context) -> Iterator[Unit]:
    """Every unit of the population, the general families last, up to exactly `plan.persons`."""
    generator = PopulationGenerator(plan, ctx)
    count = 0
    for unit in generator.units():
        count += len(unit.persons)
        yield unit
    yield from generator.general(plan.persons - count)


def community_names(rng: random.Random, kind: str, count: int) -> list[str]:
    """`count` distinct village/community names for a town of this kind (streets have 社区 only)."""
    names: list[str] = []
    seen = set()
    attempts = 0
    while len(names) < count and attempts < count * 50:
        attempts += 1
        base = rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND)
        suffix = "社区" if kind in ("street", "district", "new_area") or rng.random() < 0.4 else "村"
        name = base + suffix
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names
