"""Bureau facts extracted by hand from the annual reports, in `seeds/<schema>.yaml`.

`load_seed(path)` validates a file against SEED_SCHEMA and returns it with dates parsed; every
error names the file and the field (`seeds/haifeng.yaml: standards[3].effective_from: ...`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import jsonschema
import yaml
from django.conf import settings

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
BUREAU_SCHEMAS = ["zhongshan", "guangzhou", "haifeng", "nanshan", "xcity"]

_decimal = {"type": "string", "pattern": r"^\d+(\.\d+)?$"}  # non-negative by construction
_date = {"type": "string", "format": "date"}
_source = {
    "type": "object",
    "required": ["file", "phrase"],
    "properties": {"file": {"type": "string", "minLength": 1}, "phrase": {"type": "string"}},
}
_source_kind = {"enum": ["report", "public", "derived", "synthetic"]}

SEED_SCHEMA = {
    "type": "object",
    "required": ["bureau", "towns", "standards", "statistics"],
    "properties": {
        "bureau": {
            "type": "object",
            "required": ["schema", "name_zh", "name_en", "area_code", "level", "report_year",
                         "report_file", "tekun_multiplier", "id_area_codes", "settings"],
            "properties": {
                "schema": {"enum": BUREAU_SCHEMAS},
                "name_zh": {"type": "string", "minLength": 2},
                "name_en": {"type": "string", "minLength": 2},
                "area_code": {"anyOf": [{"type": "null"}, {"type": "string", "pattern": r"^\d{6}$"}]},
                "level": {"enum": ["prefecture_city", "sub_provincial_city", "county", "city_district", "demo"]},
                "province": {"type": ["string", "null"]},
                "region_class": {"type": ["integer", "null"], "minimum": 1, "maximum": 6},
                "report_year": {"type": "integer", "minimum": 2000, "maximum": 2100},
                "report_file": {"type": "string"},
                "tekun_multiplier": _decimal,
                "id_area_codes": {"type": "array", "minItems": 1,
                                  "items": {"type": "string", "pattern": r"^\d{6}$"}},
                "settings": {
                    "type": "object",
                    "properties": {
                        "classified_share": _decimal,
                        "phaseout_months": {"type": "integer", "minimum": 0},
                        "review_months_stable": {"type": "integer", "minimum": 1},
                        "review_months_other": {"type": "integer", "minimum": 1},
                        "review_months_marginal": {"type": "integer", "minimum": 1},
                        "temporary_cap_multiple": _decimal,
                        "marginal_income_multiple": _decimal,
                        "annual_report_deadline": {"type": "string", "pattern": r"^\d\d-\d\d$"},
                    },
                },
            },
        },
        "towns": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "kind", "source", "source_kind"],
                "properties": {
                    "name": {"type": "string", "minLength": 2},
                    "kind": {"enum": ["town", "street", "district", "farm", "new_area"]},
                    "area_code": {"type": "string", "pattern": r"^\d{6}$"},
                    "source": _source,
                    "source_kind": _source_kind,
                },
            },
        },
        "standards": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["programme", "variant", "amount", "unit", "effective_from", "source", "source_kind"],
                "properties": {
                    "programme": {"type": "string", "minLength": 2},
                    "variant": {"type": "string", "minLength": 1},
                    "amount": _decimal,
                    "unit": {"enum": ["month", "year"]},
                    "effective_from": _date,
                    "date_assumed": {"type": "boolean"},
                    "source": _source,
                    "source_kind": _source_kind,
                },
            },
        },
        "statistics": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "section", "value", "unit", "period", "source"],
                "dependentRequired": {"gap_reason": ["gap_reason_zh"], "gap_reason_zh": ["gap_reason"]},
                "properties": {
                    "key": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"},
                    "section": {"enum": ["social_assistance", "elderly", "disability", "children",
                                         "social_orgs", "burial", "other"]},
                    "value": _decimal,
                    "unit": {"type": "string"},
                    "period": {"type": "integer"},
                    "coverage": {"enum": ["year", "jan_oct", "two_years", "cumulative"]},
                    "compare": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"},
                    # Why the data does not reproduce the figure (the fidelity view shows it): both
                    # languages or neither.
                    "gap_reason": {"type": "string", "minLength": 10, "maxLength": 400},
                    "gap_reason_zh": {"type": "string", "minLength": 4, "maxLength": 400},
                    "source": _source,
                },
            },
        },
    },
}


class SeedError(ValueError):
    """A seeds file that does not match SEED_SCHEMA; the message lists every problem."""

    def __init__(self, path: Path, problems: list[str]):
        self.path, self.problems = path, problems
        super().__init__("\n".join(f"{path.name}: {p}" for p in problems))


def _where(error: jsonschema.ValidationError) -> str:
    where = ""
    for part in error.absolute_path:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return where or "(top level)"


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return error.message.replace("is a required property", "is missing")
    if error.validator == "pattern" and error.schema.get("pattern") == _decimal["pattern"]:
        return f"{error.instance!r} is not a non-negative decimal amount"
    return error.message


def _yaml_dates_to_strings(value):
    # YAML parses 2024-01-01 to a date; the schema checks strings, and a quoted date is as good.
    if isinstance(value, dict):
        return {k: _yaml_dates_to_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_yaml_dates_to_strings(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def validate_seed(data: dict, path: Path) -> None:
    data = _yaml_dates_to_strings(data)
    validator = jsonschema.Draft202012Validator(SEED_SCHEMA, format_checker=jsonschema.FormatChecker())
    problems = [f"{_where(e)}: {_message(e)}" for e in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))]
    if problems:
        raise SeedError(path, problems)
    seen: set[tuple] = set()
    for i, standard in enumerate(data["standards"]):
        key = (standard["programme"], standard["variant"], standard["effective_from"])
        if key in seen:
            problems.append(f"standards[{i}]: a second standard for {key[0]}/{key[1]} effective {key[2]}")
        seen.add(key)
    if problems:
        raise SeedError(path, problems)


@dataclass(frozen=True)
class Seed:
    path: Path
    data: dict

    @property
    def bureau(self) -> dict:
        return self.data["bureau"]

    @property
    def schema(self) -> str:
        return self.bureau["schema"]

    @property
    def report_year(self) -> int:
        return int(self.bureau["report_year"])

    def statistic_row(self, key: str, period: int | None = None) -> dict | None:
        """The row of `key` for `period`; without a period, the report year's, else the latest year's."""
        rows = [row for row in self.data["statistics"] if row["key"] == key]
        if period is not None:
            return next((row for row in rows if int(row["period"]) == period), None)
        rows.sort(key=lambda row: (int(row["period"]) == self.report_year, int(row["period"])))
        return rows[-1] if rows else None

    def statistic(self, key: str, period: int | None = None) -> Decimal | None:
        """The value of `key` for `period` (default: the report year; a key reported only for other
        years gives its latest). 海丰's 补差水平 is 710 in 2022 and 739 in 2023, its report year."""
        row = self.statistic_row(key, period)
        return Decimal(row["value"]) if row else None


def load_seed(path: Path) -> Seed:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SeedError(path, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise SeedError(path, ["(top level): expected a mapping"])
    validate_seed(data, path)
    for standard in data["standards"]:
        standard["effective_from"] = _as_date(standard["effective_from"])
        try:
            standard["amount"] = Decimal(standard["amount"])
        except InvalidOperation as exc:  # pragma: no cover - the schema pattern rules it out
            raise SeedError(path, [f"bad amount {standard['amount']!r}"]) from exc
    return Seed(path=path, data=data)


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def load_all() -> list[Seed]:
    return [load_seed(SEEDS_DIR / f"{schema}.yaml") for schema in BUREAU_SCHEMAS]
