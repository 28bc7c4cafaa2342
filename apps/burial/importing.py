"""Excel import of death records — the common way funeral homes report. All or nothing, like the people
import (apps.people.importing): every row is checked and every problem listed (row, column, reason);
if any row fails nothing is written.

Columns (header row 1, any order; * = required):
    姓名*          name (taken from the registry when the ID number is registered)
    公民身份号码   18-character ID number, validated like the registry's; a registered person's death
                   ends their benefits at once (the same service as a single record)
    本地户籍       是 / 否 (default 是)
    镇街*          the town, as named in the registry (a registered person's own town wins)
    死亡日期*      date of death
    死亡地点       place of death
    死亡原因       疾病 / 衰老 / 意外 / 其他 (default 疾病)
    殡仪馆         the funeral home, as named in the registry
    火化日期       cremation date
    免于火化情形   少数民族土葬习俗（如回族） / 划定的允许土葬地区 / 其他法定情形
    骨灰安放方式   公墓墓穴 / 骨灰堂（楼、墙） / 树葬 / 海葬 / 花坛葬 / 草坪葬 / 家属带回 / 土葬（依法免于火化）
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from apps.core.uploads import check_size, check_xlsx_archive
from apps.people.models import FuneralHome, Town

from . import services
from .models import DeathRecord, Disposition

MAX_ROWS = 5_000
COLUMNS = {
    "姓名": "name",
    "公民身份号码": "id_number",
    "本地户籍": "local_hukou",
    "镇街": "town",
    "死亡日期": "date_of_death",
    "死亡地点": "place_of_death",
    "死亡原因": "cause",
    "殡仪馆": "funeral_home",
    "火化日期": "cremated_on",
    "免于火化情形": "exemption",
    "骨灰安放方式": "disposition",
}
REQUIRED = ("姓名", "镇街", "死亡日期")


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    benefits_stopped: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Abort(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(_text(value).replace("/", "-"))


def _choice(label: str, choices) -> str:
    for value, text in choices:
        if label in (str(text), value):
            return value
    raise ValueError(label)


def _values(cells: dict, towns: dict, homes: dict) -> dict:
    """The service's keyword arguments from one row; ValueError(column, message) for a bad cell."""
    values = {
        "name": cells.get("name", ""),
        "id_number": cells.get("id_number", ""),
        "place_of_death": cells.get("place_of_death", ""),
    }
    local = cells.get("local_hukou", "") or "是"
    if local not in ("是", "否"):
        raise ValueError("本地户籍", _("Write 是 or 否."))
    values["local_hukou"] = local == "是"
    if cells.get("town"):
        if cells["town"] not in towns:
            raise ValueError("镇街", _("%(name)s is not a town of this bureau.") % {"name": cells["town"]})
        values["town"] = towns[cells["town"]]
    for column, key in (("死亡日期", "date_of_death"), ("火化日期", "cremated_on")):
        try:
            values[key] = _date(cells.get(f"{key}_raw"))
        except ValueError:
            raise ValueError(column, _("%(value)s is not a date (YYYY-MM-DD).") % {"value": cells.get(key)}) from None
    for column, key, choices in (
        ("死亡原因", "cause", DeathRecord.Cause.choices),
        ("免于火化情形", "exemption", DeathRecord.Exemption.choices),
        ("骨灰安放方式", "disposition", Disposition.choices),
    ):
        if cells.get(key):
            try:
                values[key] = _choice(cells[key], choices)
            except ValueError:
                raise ValueError(
                    column,
                    _("%(value)s is not one of: %(choices)s.")
                    % {"value": cells[key], "choices": " / ".join(str(t) for v, t in choices if v)},
                ) from None
    if cells.get("funeral_home"):
        if cells["funeral_home"] not in homes:
            raise ValueError(
                "殡仪馆", _("%(name)s is not a registered funeral home.") % {"name": cells["funeral_home"]}
            )
        values["funeral_home"] = homes[cells["funeral_home"]]
    return values


def _read(file, result: ImportResult) -> list[tuple[int, dict]]:
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        result.errors.append(_("The file is not an Excel workbook (.xlsx): %(error)s") % {"error": exc})
        return []
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [_text(h) for h in (next(rows, None) or [])]
        unknown = [h for h in header if h and h not in COLUMNS]
        missing = [h for h in REQUIRED if h not in header]
        for title in unknown:
            result.errors.append(
                _("row 1, %(column)s: unknown column; the columns are: %(columns)s.")
                % {"column": title, "columns": "、".join(COLUMNS)}
            )
        for title in missing:
            result.errors.append(_("row 1, %(column)s: the column is missing.") % {"column": title})
        if result.errors:
            return []
        out = []
        for number, cells in enumerate(rows, start=2):
            if cells is None or all(_text(c) == "" for c in cells):
                continue
            if len(out) >= MAX_ROWS:
                result.errors.append(_("A file holds at most %(n)d rows; split it.") % {"n": MAX_ROWS})
                break
            values = {}
            for index, title in enumerate(header):
                if title in COLUMNS and index < len(cells):
                    values[COLUMNS[title]] = _text(cells[index])
                    values[f"{COLUMNS[title]}_raw"] = cells[index]
            out.append((number, values))
        return out
    finally:
        workbook.close()


def deaths_import(*, file, user) -> ImportResult:
    """Check every row through the burial service in one transaction; any error rolls back the whole file."""
    result = ImportResult()
    try:
        check_size(file, limit=settings.UPLOAD_MAX_BYTES_XLSX, what=_("workbook"))
        check_xlsx_archive(file)
    except ValidationError as refused:
        result.errors.append(refused.messages[0])
        return result
    rows = _read(file, result)
    result.rows = len(rows)
    if result.errors:
        return result
    towns = {town.name: town for town in Town.objects.all()}
    homes = {h.name: h for h in FuneralHome.objects.all()}
    try:
        with transaction.atomic():
            for number, cells in rows:
                try:
                    values = _values(cells, towns, homes)
                except ValueError as bad:
                    column, message = bad.args
                    result.errors.append(
                        _("row %(row)s, %(column)s: %(message)s")
                        % {"row": number, "column": column, "message": message}
                    )
                    continue
                try:
                    with transaction.atomic():
                        record = services.death_record_create(user=user, **values)
                except (ValidationError, PermissionDenied) as refused:
                    messages = refused.messages if isinstance(refused, ValidationError) else [str(refused)]
                    result.errors.extend(
                        _("row %(row)s: %(message)s") % {"row": number, "message": m} for m in messages
                    )
                    continue
                result.created += 1
                result.benefits_stopped += len((record.benefits_effect or {}).get("ended", []))
            if result.errors:
                raise _Abort
    except _Abort:
        result.created = result.benefits_stopped = 0
    return result
