"""Excel import and export of the registry, as the people import: every row checked first, every
problem reported (row, column, reason); one bad row and nothing is written.

Columns (header row 1, any order; * = required):
    名称*              name (unique among live organisations)
    统一社会信用代码*  18 characters, stored as text
    类型*              社会团体 / 社会服务机构 / 民办非企业单位 / 基金会
    住所镇街*          the domicile town, as named in the registry
    成立日期*          YYYY-MM-DD
    成立文号*          the document number of the registration decision
    法定代表人*        name
    法定代表人身份证号* 18-character ID number, stored as text
    业务范围, 注册资金 (yuan), 业务主管单位, 党组织 (是 / 否), 党支部
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from simple_history.utils import bulk_create_with_history

from apps.core.exports import neutralise_cell
from apps.core.idcard import mask_id_number
from apps.core.money import parse_money
from apps.core.permissions import recorded_user, require_permission
from apps.core.scoping import user_town_id
from apps.core.uploads import check_size, check_xlsx_archive
from apps.core.workbooks import Column, RowError, cell_text
from apps.people.models import Town
from tenants.selectors import current_bureau

from .models import LIVE_STATUSES, OrgStatus, OrgType, SocialOrganisation, StatusChange
from .services import organisation_check

MAX_ROWS = 100_000


COLUMNS = [
    Column("名称", "name", True),
    Column("统一社会信用代码", "credit_code", True),
    Column("类型", "org_type", True),
    Column("住所镇街", "town", True),
    Column("成立日期", "established_on", True),
    Column("成立文号", "document_number", True),
    Column("法定代表人", "representative_name", True),
    Column("法定代表人身份证号", "representative_id_number", True),
    Column("业务范围", "business_scope"),
    Column("注册资金", "registered_capital"),
    Column("业务主管单位", "supervising_unit"),
    Column("党组织", "has_party_org"),
    Column("党支部", "party_branch"),
]
HEADERS = {c.key: c.header for c in COLUMNS}
TYPES = {
    "社会团体": OrgType.SOCIAL_GROUP,
    "社会服务机构": OrgType.SERVICE_INSTITUTION,
    "民办非企业单位": OrgType.SERVICE_INSTITUTION,
    "社会服务机构(民办非企业单位)": OrgType.SERVICE_INSTITUTION,
    "基金会": OrgType.FOUNDATION,
    **{value: value for value in OrgType.values},
}
YES_NO = {"是": True, "否": False, "": False, "yes": True, "no": False}


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def template_workbook() -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "social_organisations"
    sheet.append([neutralise_cell(c.header) for c in COLUMNS])
    sheet.append(
        [
            neutralise_cell(v)
            for v in (
                "中山市示例协会",
                "51442000MJ0000001J",
                "社会团体",
                "(镇街名称)",
                "2020-01-01",
                "中民社登〔2020〕1号",
                "张三",
                "442000198001010033",
                "",
                "30000.00",
                "",
                "否",
                "",
            )
        ]
    )
    for cells in sheet.iter_cols(min_row=1, max_row=2):
        for cell in cells:
            cell.number_format = "@"
    return workbook


def export_workbook(queryset) -> Workbook:
    """The organisations in the import's columns (ID numbers masked), every text cell neutralised."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("social_organisations")
    sheet.append([neutralise_cell(c.header) for c in COLUMNS] + [neutralise_cell("状态")])
    first_decisions = dict(
        StatusChange.objects.filter(organisation__in=queryset, status=OrgStatus.ESTABLISHED).values_list(
            "organisation_id", "document_number"
        )
    )
    for org in queryset.select_related("town").iterator(chunk_size=2000):
        sheet.append(
            [
                neutralise_cell(v)
                for v in (
                    org.name,
                    org.credit_code,
                    org.get_org_type_display(),
                    org.town.name,
                    org.established_on.isoformat(),
                    first_decisions.get(org.pk, ""),
                    org.representative_name,
                    mask_id_number(org.representative_id_number) if org.representative_id_number else "",
                    org.business_scope,
                    str(org.registered_capital),
                    org.supervising_unit,
                    "是" if org.has_party_org else "否",
                    org.party_branch,
                    org.get_status_display(),
                )
            ]
        )
    return workbook


def _read(file, errors: list[RowError]) -> list[tuple[int, dict]]:
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        errors.append(RowError(0, "", _("The file is not an Excel workbook (.xlsx): %(error)s") % {"error": exc}))
        return []
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            errors.append(RowError(1, "", _("The sheet is empty.")))
            return []
        by_header = {c.header: c for c in COLUMNS}
        positions: dict[str, int] = {}
        for index, title in enumerate(header):
            title = cell_text(title)
            if not title:
                continue
            if title not in by_header:
                errors.append(
                    RowError(
                        1,
                        title,
                        _("Unknown column %(title)s; the columns are: %(columns)s.")
                        % {"title": title, "columns": "、".join(c.header for c in COLUMNS)},
                    )
                )
            elif by_header[title].key in positions:
                errors.append(RowError(1, title, _("The column appears twice.")))
            else:
                positions[by_header[title].key] = index
        for column in COLUMNS:
            if column.required and column.key not in positions:
                errors.append(RowError(1, column.header, _("The column is missing.")))
        if errors:
            return []
        result = []
        for number, cells in enumerate(rows, start=2):
            if cells is None or all(cell_text(c) == "" for c in cells):
                continue
            if len(result) >= MAX_ROWS:
                errors.append(RowError(number, "", _("A file holds at most %(n)d rows; split it.") % {"n": MAX_ROWS}))
                break
            values = {key: cell_text(cells[index] if index < len(cells) else None) for key, index in positions.items()}
            for key in ("credit_code", "representative_id_number"):
                raw = cells[positions[key]] if positions[key] < len(cells) else None
                if isinstance(raw, int | float) and not isinstance(raw, bool):
                    values[f"{key}_numeric"] = True
            result.append((number, values))
        return result
    finally:
        workbook.close()


def _check(
    number: int, values: dict, *, towns: dict, area: str, user_town: int | None, errors: list[RowError]
) -> SocialOrganisation | None:
    def error(key: str, message: str) -> None:
        errors.append(RowError(number, HEADERS.get(key, key), message))

    before = len(errors)
    for column in COLUMNS:
        if column.required and not values.get(column.key):
            error(column.key, _("This column is required."))
    for key in ("credit_code", "representative_id_number"):
        if values.get(f"{key}_numeric"):
            error(key, _("The number is stored as a number, which loses digits; format the column as text."))
    org_type = TYPES.get(values.get("org_type", ""))
    if values.get("org_type") and org_type is None:
        error(
            "org_type",
            _("%(value)s is not a type; use 社会团体, 社会服务机构 (民办非企业单位) or 基金会.")
            % {"value": values["org_type"]},
        )
    town = towns.get(values.get("town", ""))
    if values.get("town") and town is None:
        error("town", _("%(value)s is not a town of this bureau.") % {"value": values["town"]})
    elif town is not None and user_town is not None and town.pk != user_town:
        error("town", _("You can only register records of your own town."))
    established = None
    if values.get("established_on"):
        try:
            established = datetime.date.fromisoformat(values["established_on"][:10])
        except ValueError:
            error("established_on", _("%(value)s is not a date (YYYY-MM-DD).") % {"value": values["established_on"]})
    capital = 0
    if values.get("registered_capital"):
        try:
            capital = parse_money(values["registered_capital"])
        except ValueError:
            error(
                "registered_capital",
                _("%(value)s is not an amount of yuan ≥ 0.") % {"value": values["registered_capital"]},
            )
    party = YES_NO.get(values.get("has_party_org", ""))
    if party is None:
        error("has_party_org", _("Use 是 or 否."))
    if len(errors) > before:
        return None
    org = SocialOrganisation(
        name=values["name"],
        credit_code=values["credit_code"],
        org_type=org_type,
        town=town,
        established_on=established,
        representative_name=values["representative_name"],
        representative_id_number=values["representative_id_number"],
        business_scope=values.get("business_scope", ""),
        registered_capital=capital,
        supervising_unit=values.get("supervising_unit", "")[:100],
        has_party_org=party,
        party_branch=values.get("party_branch", "")[:100],
    )
    try:
        organisation_check(org, bureau_area_code=area)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            error(key, messages[0])
        return None
    return org


def organisations_import(*, file, user) -> ImportResult:
    """Validate the whole workbook, then import it all or nothing. `file`: a path or a file object."""
    errors: list[RowError] = []
    try:
        require_permission(user, "socialorgs.add_socialorganisation", what=_("import social organisations"))
        check_size(file, limit=settings.UPLOAD_MAX_BYTES_XLSX, what=_("workbook"))
        check_xlsx_archive(file)
    except (ValidationError, PermissionDenied) as refused:
        message = refused.messages[0] if isinstance(refused, ValidationError) else str(refused)
        return ImportResult(errors=[RowError(0, "", message)])
    rows = _read(file, errors)
    result = ImportResult(rows=len(rows))
    towns = {t.name: t for t in Town.objects.all()}
    area, user_town = current_bureau().area_code, user_town_id(user)
    checked = []
    for number, values in rows:
        org = _check(number, values, towns=towns, area=area, user_town=user_town, errors=errors)
        if org is not None:
            checked.append((number, values, org))
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for number, _values, org in checked:
        for seen, key, value in ((seen_codes, "credit_code", org.credit_code), (seen_names, "name", org.name)):
            first = seen.setdefault(value, number)
            if first != number:
                errors.append(
                    RowError(
                        number, HEADERS[key], _("%(value)s is also on row %(row)d.") % {"value": value, "row": first}
                    )
                )
    if not errors:
        try:
            result.created = _write(checked, user=user)
        except IntegrityError as exc:
            errors.append(
                RowError(
                    0,
                    "",
                    _("The registry changed while importing (%(error)s); nothing was imported, try again.")
                    % {"error": str(exc).splitlines()[0]},
                )
            )
    result.errors = sorted(errors, key=lambda e: e.row)
    return result


@transaction.atomic
def _write(checked: list, *, user) -> int:
    now = timezone.now()
    orgs = [org for _number, _values, org in checked]
    for org in orgs:
        org.status, org.created_at, org.updated_at = OrgStatus.ESTABLISHED, now, now
    # The live-name rule again inside the transaction: the form's check ran before it.
    names = [org.name for org in orgs]
    if SocialOrganisation.objects.filter(name__in=names, status__in=LIVE_STATUSES).exists():
        raise IntegrityError("socialorg_live_name_unique")
    bulk_create_with_history(
        orgs,
        SocialOrganisation,
        batch_size=2000,
        default_user=recorded_user(user),
        default_change_reason=_("Excel import"),
        default_date=now,
    )
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                organisation=org,
                status=OrgStatus.ESTABLISHED,
                document_number=values["document_number"][:60],
                decided_on=org.established_on,
                recorded_by=recorded_user(user),
            )
            for (_number, values, _org), org in zip(checked, orgs, strict=True)
        ],
        batch_size=2000,
    )
    return len(orgs)
