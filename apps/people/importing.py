"""Excel import of persons and households: one row per person, grouped into households by 户编号.

Every row is checked first and every problem reported (row number, column, reason); if any row
fails nothing is written. Otherwise the whole file is written in one transaction with bulk inserts
(history rows included, attributed to the importing user).

Columns (header row 1, any order; * = required):
    户编号*      household number: rows with the same number form one household. A number already in
                 the registry adds the rows to that household.
    与户主关系*  户主 / 配偶 / 子女 / 父母 / 孙子女 / 祖父母 / 兄弟姐妹 / 其他 (a new household needs one 户主)
    姓名*        name
    公民身份号码* 18-character ID number, stored as text (gender and birth date come from it)
    户籍类别*    城镇 / 农村
    本地户籍     是 / 否 (default 是)
    镇街*        the town, street or district, as named in the registry
    村居         village or residents' committee (created in the town when new)
    地址         the household's address (the 户主 row's counts)
    联系电话     phone
    银行账号     bank account, 12-19 digits, stored as text
    开户行       the account's bank (required with an account)
    月收入       declared monthly income, yuan, ≥ 0
    在校学生     是 / 否
    重病         是 / 否

A person whose ID number is already registered and who belongs to no household is added to the
row's household (the name must match the registry); one who belongs to a household is an error.
A different bank account (or bank) on such a row becomes a change request for a second user to
approve; the person keeps the registered account until then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from simple_history.utils import bulk_create_with_history

from apps.core.exports import neutralise_cell
from apps.core.idcard import id_hash, parse_id_number
from apps.core.money import parse_money
from apps.core.scoping import user_town_id
from apps.core.uploads import check_size, check_xlsx_archive
from apps.core.workbooks import Column, RowError, cell_text

from .models import Community, Household, HouseholdMember, HukouClass, Person, Town
from .services import BANK_ACCOUNT_RE, PHONE_RE, bank_account_change_request, income_problem

MAX_ROWS = 100_000


COLUMNS = [
    Column("户编号", "household_code", True),
    Column("与户主关系", "relation", True),
    Column("姓名", "name", True),
    Column("公民身份号码", "id_number", True),
    Column("户籍类别", "hukou_class", True),
    Column("本地户籍", "local_hukou"),
    Column("镇街", "town", True),
    Column("村居", "community"),
    Column("地址", "address"),
    Column("联系电话", "phone"),
    Column("银行账号", "bank_account"),
    Column("开户行", "bank_name"),
    Column("月收入", "monthly_income"),
    Column("在校学生", "is_student"),
    Column("重病", "seriously_ill"),
]
HEADERS = {c.key: c.header for c in COLUMNS}

R = HouseholdMember.Relation
RELATIONS = {
    "户主": R.HEAD, "本人": R.HEAD, "配偶": R.SPOUSE, "妻": R.SPOUSE, "夫": R.SPOUSE,
    "子女": R.CHILD, "子": R.CHILD, "女": R.CHILD, "儿子": R.CHILD, "女儿": R.CHILD,
    "父母": R.PARENT, "父亲": R.PARENT, "母亲": R.PARENT,
    "孙子女": R.GRANDCHILD, "孙子": R.GRANDCHILD, "孙女": R.GRANDCHILD, "外孙子女": R.GRANDCHILD,
    "祖父母": R.GRANDPARENT, "外祖父母": R.GRANDPARENT,
    "兄弟姐妹": R.SIBLING, "其他": R.OTHER,
    **{value: value for value in R.values},
}
HUKOU = {"城镇": HukouClass.URBAN, "农村": HukouClass.RURAL, "urban": HukouClass.URBAN, "rural": HukouClass.RURAL}
YES_NO = {"是": True, "否": False, "yes": True, "no": False, "y": True, "n": False, "1": True, "0": False,
          "true": True, "false": False}


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    persons_created: int = 0
    persons_linked: int = 0
    households_created: int = 0
    members_added: int = 0
    communities_created: int = 0
    bank_account_changes: int = 0  # requested for registered persons, waiting for approval
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    values: dict
    facts: object = None
    relation: str = ""
    town: Town | None = None
    hukou_class: str = ""
    income: Decimal | None = None
    flags: dict = field(default_factory=dict)
    existing: Person | None = None


def template_workbook() -> Workbook:
    """An empty workbook with the header row and one example row, for users to fill in."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "persons"
    sheet.append([neutralise_cell(c.header) for c in COLUMNS])
    sheet.append([neutralise_cell(value) for value in (
        "H0001", "户主", "张三", "44200019800101001X", "城镇", "是", "(镇街名称)", "", "", "13800000000",
        "6222000000000000000", "农业银行", "1200.00", "否", "否")])
    for cells in sheet.iter_cols(min_row=1, max_row=2):
        for cell in cells:
            cell.number_format = "@"  # text: long numbers keep every digit
    return workbook


class _Checker:
    def __init__(self, *, user=None):
        self.user = user
        self.errors: list[RowError] = []
        self.towns = {t.name: t for t in Town.objects.all()}
        self.user_town = user_town_id(user) if user is not None else None

    def error(self, row: int, key: str, message: str) -> None:
        self.errors.append(RowError(row, HEADERS.get(key, key), message))

    def check_row(self, row: _Row) -> None:
        values, n = row.values, row.number
        for column in COLUMNS:
            if column.required and not values.get(column.key):
                self.error(n, column.key, _("This column is required."))
        raw_id = values.get("id_number_raw")
        if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
            self.error(n, "id_number", _("The ID number is stored as a number, which loses digits; format the column as text."))
        elif values.get("id_number"):
            try:
                row.facts = parse_id_number(values["id_number"])
            except ValidationError as exc:
                self.error(n, "id_number", exc.messages[0])
        if values.get("relation"):
            row.relation = RELATIONS.get(values["relation"], "")
            if not row.relation:
                self.error(n, "relation", _("%(value)s is not a relation; use 户主, 配偶, 子女, 父母, 孙子女, 祖父母, "
                                            "兄弟姐妹 or 其他.") % {"value": values["relation"]})
        if values.get("hukou_class"):
            row.hukou_class = HUKOU.get(values["hukou_class"], "")
            if not row.hukou_class:
                self.error(n, "hukou_class", _("%(value)s is not a hukou class; use 城镇 or 农村.") % {"value": values["hukou_class"]})
        if values.get("town"):
            row.town = self.towns.get(values["town"])
            if row.town is None:
                self.error(n, "town", _("%(value)s is not a town of this bureau (%(towns)s).")
                           % {"value": values["town"], "towns": "、".join(sorted(self.towns))})
            elif self.user_town is not None and row.town.pk != self.user_town:
                self.error(n, "town", _("%(value)s is outside your town; you can only import your own town's people.")
                           % {"value": values["town"]})
        if len(values.get("name", "")) > 50:
            self.error(n, "name", _("A name has at most 50 characters."))
        if len(values.get("community", "")) > 50:
            self.error(n, "community", _("A community name has at most 50 characters."))
        if len(values.get("household_code", "")) > 32:
            self.error(n, "household_code", _("A household number has at most 32 characters."))
        if values.get("phone") and not PHONE_RE.match(values["phone"]):
            self.error(n, "phone", _("%(value)s is not a phone number.") % {"value": values["phone"]})
        raw_account = values.get("bank_account_raw")
        if isinstance(raw_account, int | float) and not isinstance(raw_account, bool) and raw_account > 10**15:
            self.error(n, "bank_account", _("The account number is stored as a number, which loses digits; format the column as text."))
        elif values.get("bank_account") and not BANK_ACCOUNT_RE.match(values["bank_account"]):
            self.error(n, "bank_account", _("A bank account number is 12 to 19 digits; %(value)s is not.") % {"value": values["bank_account"]})
        elif values.get("bank_account") and not values.get("bank_name"):
            self.error(n, "bank_name", _("Name the bank of the account."))
        if values.get("monthly_income"):
            typed = values["monthly_income"].replace(",", "")
            problem = income_problem(typed)
            if problem:
                self.error(n, "monthly_income", problem)
            else:
                row.income = parse_money(typed, exact=True)
        for key in ("local_hukou", "is_student", "seriously_ill"):
            text = values.get(key, "").lower()
            if text:
                if text not in YES_NO:
                    self.error(n, key, _("%(value)s is not 是 or 否.") % {"value": values[key]})
                else:
                    row.flags[key] = YES_NO[text]


def _read_rows(path_or_file, checker: _Checker) -> list[_Row]:
    try:
        workbook = load_workbook(path_or_file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        checker.error(0, "", _("The file is not an Excel workbook (.xlsx): %(error)s") % {"error": exc})
        return []
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            checker.error(1, "", _("The sheet is empty."))
            return []
        positions: dict[str, int] = {}
        by_header = {c.header: c for c in COLUMNS}
        for index, title in enumerate(header):
            title = cell_text(title)
            if not title:
                continue
            column = by_header.get(title)
            if column is None:
                checker.error(1, title, _("Unknown column %(title)s; the columns are: %(columns)s.")
                              % {"title": title, "columns": "、".join(c.header for c in COLUMNS)})
            elif column.key in positions:
                checker.error(1, title, _("The column appears twice."))
            else:
                positions[column.key] = index
        for column in COLUMNS:
            if column.required and column.key not in positions:
                checker.error(1, column.header, _("The column is missing."))
        if checker.errors:
            return []
        result = []
        for number, cells in enumerate(rows, start=2):
            if cells is None or all(c is None or cell_text(c) == "" for c in cells):
                continue
            if len(result) >= MAX_ROWS:
                checker.error(number, "", _("A file holds at most %(n)d rows; split it.") % {"n": MAX_ROWS})
                break
            values = {}
            for key, index in positions.items():
                raw = cells[index] if index < len(cells) else None
                values[key] = cell_text(raw)
                if key in ("id_number", "bank_account"):
                    values[f"{key}_raw"] = raw
            result.append(_Row(number=number, values=values))
        return result
    finally:
        workbook.close()


def people_import(*, file, user=None, source: str = "") -> ImportResult:
    """Validate the whole workbook, then import it all or nothing. `file`: a path or a file object."""
    started = timezone.now()
    checker = _Checker(user=user)
    try:
        # Before openpyxl sees it: a small zip can unpack to more than the server's memory.
        check_size(file, limit=settings.UPLOAD_MAX_BYTES_XLSX, what=_("workbook"))
        check_xlsx_archive(file)
    except ValidationError as refused:
        checker.error(0, "", refused.messages[0])
        rows = []
    else:
        rows = _read_rows(file, checker)
    result = ImportResult(rows=len(rows))
    for row in rows:
        checker.check_row(row)
    _check_across_rows(rows, checker)
    if not checker.errors:
        try:
            _write(rows, result, user=user, source=source or (Path(file).name if isinstance(file, str | Path) else ""))
        except IntegrityError as exc:
            # Another import or user registered the same person or number meanwhile.
            checker.error(0, "", _("The registry changed while importing (%(error)s); nothing was imported, try again.")
                          % {"error": str(exc).splitlines()[0]})
            result.persons_created = result.persons_linked = result.households_created = 0
            result.members_added = result.communities_created = result.bank_account_changes = 0
        except PermissionDenied as exc:
            checker.error(0, "", str(exc))
            result.persons_created = result.persons_linked = result.households_created = 0
            result.members_added = result.communities_created = result.bank_account_changes = 0
    result.errors = sorted(checker.errors, key=lambda e: (e.row, [c.header for c in COLUMNS].index(e.column)
                                                         if e.column in HEADERS.values() else -1))
    result.seconds = (timezone.now() - started).total_seconds()
    return result


def _check_across_rows(rows: list[_Row], checker: _Checker) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        if row.facts is None:
            continue
        first = seen.setdefault(row.facts.number, row.number)
        if first != row.number:
            checker.error(row.number, "id_number", _("%(number)s is also on row %(row)d.")
                          % {"number": row.facts.number, "row": first})

    numbers = [row.facts.number for row in rows if row.facts is not None]
    existing = {}
    for start in range(0, len(numbers), 5000):
        chunk = numbers[start:start + 5000]
        for person in Person.objects.filter(id_number__in=chunk).select_related("membership__household"):
            existing[person.id_number] = person
    codes = {row.values["household_code"] for row in rows if row.values.get("household_code")}
    households = {}
    for household in Household.objects.filter(code__in=codes).select_related("town"):
        households[household.code] = household
    heads = set(HouseholdMember.objects.filter(household__in=households.values(), relation=R.HEAD)
                .values_list("household__code", flat=True))

    for row in rows:
        if row.facts is None:
            continue
        person = existing.get(row.facts.number)
        if person is None:
            continue
        member = getattr(person, "membership", None)
        if member is not None:
            checker.error(row.number, "id_number", _("%(name)s (%(number)s) is already a member of household %(code)s.")
                          % {"name": person.name, "number": person.id_number, "code": member.household.code})
        elif row.values.get("name") and person.name != row.values["name"]:
            checker.error(row.number, "name", _("The registry has %(number)s as %(registered)s, not %(name)s.")
                          % {"number": person.id_number, "registered": person.name, "name": row.values["name"]})
        elif checker.user_town is not None and person.town_id != checker.user_town:
            checker.error(row.number, "id_number", _("%(number)s is registered outside your town.") % {"number": person.id_number})
        else:
            row.existing = person

    by_code: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.values.get("household_code"):
            by_code[row.values["household_code"]].append(row)
    for code, members in by_code.items():
        household = households.get(code)
        head_rows = [row for row in members if row.relation == R.HEAD]
        if household is not None:
            if checker.user_town is not None and household.town_id != checker.user_town:
                for row in members:
                    checker.error(row.number, "household_code", _("Household %(code)s is not in your town.") % {"code": code})
                continue
            for row in head_rows:
                if code in heads:
                    checker.error(row.number, "relation", _("Household %(code)s already has a head.") % {"code": code})
            town = household.town
        else:
            if not head_rows:
                checker.error(members[0].number, "relation", _("New household %(code)s has no 户主 row.") % {"code": code})
            for row in head_rows[1:]:
                checker.error(row.number, "relation", _("Household %(code)s has two 户主 rows (also row %(row)d).")
                              % {"code": code, "row": head_rows[0].number})
            town = (head_rows or members)[0].town
        for row in members:
            if row.town is not None and town is not None and row.town.pk != town.pk:
                checker.error(row.number, "town", _("Household %(code)s is in %(town)s; this row says %(other)s.")
                              % {"code": code, "town": town.name, "other": row.town.name})


@transaction.atomic
def _write(rows: list[_Row], result: ImportResult, *, user, source: str) -> None:
    now = timezone.now()
    reason = f"Excel import {source}".strip()[:100]
    communities = {(c.town_id, c.name): c for c in Community.objects.filter(town__in={r.town for r in rows if r.town})}
    new_communities = {}
    for row in rows:
        name = row.values.get("community")
        if name and (row.town.pk, name) not in communities and (row.town.pk, name) not in new_communities:
            new_communities[(row.town.pk, name)] = Community(town=row.town, name=name)
    if new_communities:
        bulk_create_with_history(list(new_communities.values()), Community, default_user=user,
                                 default_change_reason=reason, default_date=now)
        communities.update(new_communities)
        result.communities_created = len(new_communities)

    def community_of(row):
        name = row.values.get("community")
        return communities[(row.town.pk, name)] if name else None

    existing_households = {h.code: h for h in Household.objects.filter(
        code__in={r.values["household_code"] for r in rows})}
    heads = {}
    for row in rows:
        if row.relation == R.HEAD:
            heads.setdefault(row.values["household_code"], row)
    new_households = {}
    for row in rows:
        code = row.values["household_code"]
        if code in existing_households or code in new_households:
            continue
        head = heads.get(code, row)
        new_households[code] = Household(code=code, town=head.town, community=community_of(head),
                                         hukou_class=head.hukou_class, address=head.values.get("address", "")[:200],
                                         created_at=now, updated_at=now)
    bulk_create_with_history(list(new_households.values()), Household, batch_size=2000, default_user=user,
                             default_change_reason=reason, default_date=now)
    result.households_created = len(new_households)
    households = {**existing_households, **new_households}

    new_persons = []
    for row in rows:
        if row.existing is not None:
            account, bank = row.values.get("bank_account", ""), row.values.get("bank_name", "")[:50]
            if account and (account, bank) != (row.existing.bank_account, row.existing.bank_name):
                bank_account_change_request(payee=row.existing, user=user, bank_account=account, bank_name=bank,
                                            reason=reason)
                result.bank_account_changes += 1
            continue
        facts = row.facts
        person = Person(
            id_number=facts.number, id_hash=id_hash(facts.number), name=row.values["name"], gender=facts.gender,
            birth_date=facts.birth_date, hukou_class=row.hukou_class, local_hukou=row.flags.get("local_hukou", True),
            town=row.town, community=community_of(row), phone=row.values.get("phone", ""),
            bank_account=row.values.get("bank_account", ""), bank_name=row.values.get("bank_name", "")[:50],
            monthly_income=row.income, is_student=row.flags.get("is_student", False),
            seriously_ill=row.flags.get("seriously_ill", False), created_at=now, updated_at=now,
        )
        row.existing = person
        new_persons.append(person)
    bulk_create_with_history(new_persons, Person, batch_size=2000, default_user=user,
                             default_change_reason=reason, default_date=now)
    result.persons_created = len(new_persons)
    result.persons_linked = len(rows) - len(new_persons)

    members = [HouseholdMember(household=households[row.values["household_code"]], person=row.existing,
                               relation=row.relation, joined_on=now.date()) for row in rows]
    bulk_create_with_history(members, HouseholdMember, batch_size=2000, default_user=user,
                             default_change_reason=reason, default_date=now)
    result.members_added = len(members)


def write_template(path: str | Path) -> None:
    template_workbook().save(path)

