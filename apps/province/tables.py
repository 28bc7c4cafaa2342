"""The dashboard's tables, one definition each: the page shows them under the charts, XLSX exports them."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from apps.benefits.models import ProgrammeCode
from apps.core.exports import neutralise_cell

from . import selectors
from .templatetags.province import cell


@dataclass
class Table:
    name: str
    title: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[dict]

    def cells(self) -> list[list]:
        return [[row.get(key) for key, _label in self.columns] for row in self.rows]

    @cached_property
    def html(self) -> str:
        """The table body's rows, formatted in Python: a template loop over thousands of cells costs seconds.

        Cached on the table, so a dashboard served from the cache formats nothing again.
        """
        if not self.rows:
            return format_html('<tr><td colspan="{}">{}</td></tr>', len(self.columns), _("No rollup rows yet."))
        # A bureau's name leads to its page (the drill-down); safe: every cell is escaped by format_html.
        return mark_safe(
            "".join(
                "<tr>"
                + "".join(
                    format_html('<td><a href="{}">{}</a></td>', _bureau_url(row["bureau"]), cell(value))
                    if key == "name_zh" and row.get("bureau")
                    else format_html("<td>{}</td>", cell(value))
                    for (key, _label), value in zip(self.columns, cells, strict=True)
                )
                + "</tr>"
                for row, cells in zip(self.rows, self.cells(), strict=True)
            )
        )


def _bureau_url(schema_name: str) -> str:
    return reverse("province-bureau", args=[schema_name])


def dashboard(filters: dict, *, bureau: str = "") -> dict[str, Table]:
    """Every table of the dashboard (or of one bureau's page), each built once."""
    filters = {**filters, "bureau": bureau}
    built = {
        "standards": standards(**filters),
        "health": health(**filters),
        "indicators": indicators(**filters),
        "fidelity": fidelity(**filters),
        "duplicates": duplicates(**filters),
    }
    if bureau:
        built["stats"] = stats(**filters)
    else:
        built["totals"] = totals(**filters)
        built["references"] = references(**filters)
    built["alerts"] = alerts(health_rows=built["health"].rows, standard_rows=built["standards"].rows)
    if bureau:
        built["alerts"].rows = [r for r in built["alerts"].rows if r["bureau"] in ("", bureau)]
    return built


def _labelled(rows: list[dict]) -> list[dict]:
    """Rows with the programme's name in place of its code (codes stay in the API)."""
    labels = dict(ProgrammeCode.choices)
    return [{**row, "programme": labels.get(row.get("programme"), row.get("programme"))} for row in rows]


MONTHLY_COLUMNS = [
    ("households_active", _("households")),
    ("persons_active", _("persons")),
    ("new", _("new")),
    ("stopped", _("stopped")),
    ("amount_generated", _("amount generated")),
    ("amount_paid", _("amount paid")),
    ("amount_failed", _("amount failed")),
    ("amount_recovered", _("amount recovered")),
]


def _of_bureau(rows: list[dict], bureau: str) -> list[dict]:
    """One bureau's rows (its page and its exports), ranks and ratios as computed among all."""
    return [r for r in rows if r["bureau"] == bureau] if bureau else rows


def standards(*, bureau="", **_filters) -> Table:
    return Table(
        "standards",
        _("Standards against the provincial minimum"),
        [
            ("name_zh", _("bureau")),
            ("programme", _("programme")),
            ("region_class", _("region class")),
            ("standard", _("standard in force")),
            ("minimum", _("provincial minimum")),
            ("ratio", _("ratio")),
            ("percent_above", _("% above the minimum")),
            ("rank", _("rank in the province")),
            ("ranked_among", _("ranked among")),
            ("below_minimum", _("below the minimum")),
        ],
        _labelled(_of_bureau(selectors.standards_table(), bureau)),
    )


def stats(*, period=None, programme="", bureau="", **_filters) -> Table:
    return Table(
        "stats",
        _("Caseload and amounts by month and programme"),
        [
            ("name_zh", _("bureau")),
            ("period", _("period")),
            ("programme", _("programme")),
            *MONTHLY_COLUMNS,
        ],
        _labelled(selectors.stats(period=period, programme=programme, bureau=bureau)),
    )


def health(*, bureau="", **_filters) -> Table:
    return Table(
        "health",
        _("Payment runs and review backlog"),
        [
            ("name_zh", _("bureau")),
            ("run.period", _("last run's period")),
            ("run.status", _("status")),
            ("run.approved_at", _("approved")),
            ("run.lines", _("lines")),
            ("run.failed", _("failed")),
            ("run.failure_rate", _("failure rate")),
            ("run.held", _("lines held")),
            ("reviews.due_30_days", _("reviews due (30 days)")),
            ("reviews.overdue", _("reviews overdue")),
        ],
        _of_bureau(selectors.health_table(), bureau),
    )


def indicators(*, year=None, bureau="", **_filters) -> Table:
    """One row per bureau, one column per figure (socialorgs.*, burial.*) of the year."""
    year = year or timezone.localdate().year
    rows: dict[str, dict] = {}
    columns: dict[str, str] = {}
    for r in selectors.indicators(year=year):
        if bureau and r["bureau__schema_name"] != bureau:
            continue
        row = rows.setdefault(r["bureau__schema_name"], {"name_zh": r["bureau__name_zh"], "year": r["year"]})
        row[r["key"]] = r["value"]
        columns.setdefault(r["key"], r["label"] or r["key"])
    return Table(
        "indicators",
        _("Social organisations and burial"),
        [("name_zh", _("bureau")), ("year", _("year")), *sorted(columns.items())],
        [rows[k] for k in sorted(rows)],
    )


def fidelity(*, bureau="", **_filters) -> Table:
    return Table(
        "fidelity",
        _("Fidelity to the annual reports"),
        [
            ("name_zh", _("bureau")),
            ("year", _("report year")),
            ("reported", _("reported figures")),
            ("compared", _("compared with the data")),
            ("within_tolerance", _("reproduced within 1%")),
            ("share_reproduced", _("share reproduced")),
            ("not_computed", _("not computed from the data")),
            ("not_comparable", _("not comparable")),
        ],
        selectors.fidelity_summary(bureau=bureau),
    )


def duplicates(*, bureau="", **_filters) -> Table:
    rows = []
    for alert in selectors.duplicate_list(status=""):
        if bureau and not any(p["bureau"] == bureau for p in alert.parties):
            continue
        rows.append(
            {
                "hash": alert.person_hash[:12],
                "status": alert.get_status_display(),
                "parties": "; ".join(
                    f"{p['name_zh']} {'/'.join(p['programmes'])}{' ✓' if p['resolved'] else ''}" for p in alert.parties
                ),
                "opened_at": alert.opened_at,
                "closed_at": alert.closed_at,
            }
        )
    return Table(
        "duplicates",
        _("Duplicate-benefit alerts (一人多保)"),
        [
            ("hash", _("hash (first 12)")),
            ("status", _("status")),
            ("parties", _("bureaus and programmes")),
            ("opened_at", _("opened")),
            ("closed_at", _("closed")),
        ],
        rows,
    )


def alerts(*, health_rows=None, standard_rows=None, **_filters) -> Table:
    rows = selectors.alert_list(health=health_rows, standards=standard_rows)
    return Table("alerts", _("Alerts"), [("level", _("level")), ("message", _("alert"))], rows)


def totals(*, period=None, programme="", **_filters) -> Table:
    return Table(
        "totals",
        _("Province totals by programme"),
        [("period", _("period")), ("programme", _("programme")), ("bureaus", _("bureaus")), *MONTHLY_COLUMNS],
        _labelled(selectors.province_totals(period=period, programme=programme)),
    )


def references(**_filters) -> Table:
    return Table(
        "references",
        _("Reference standards of cities that are not bureaus here"),
        [
            ("name_zh", _("city")),
            ("programme", _("programme")),
            ("monthly_amount", _("monthly amount")),
            ("effective_from", _("effective from")),
            ("source", _("source")),
        ],
        _labelled(selectors.reference_table()),
    )


TABLES = {
    "standards": standards,
    "totals": totals,
    "stats": stats,
    "health": health,
    "indicators": indicators,
    "fidelity": fidelity,
    "duplicates": duplicates,
    "alerts": alerts,
    "references": references,
}


def _cell(value):
    """A value as openpyxl writes it: numbers and dates as such, text neutralised (formula injection)."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, bool):
        return "✓" if value else ""
    if value is None or isinstance(value, int | float | Decimal | datetime.date):
        return value
    return neutralise_cell(str(value))


def xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = table.name
    sheet.append([str(label) for _key, label in table.columns])
    for row in table.cells():
        sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
