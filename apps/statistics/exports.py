"""The annual statistics as an XLSX in the layout of a 年度统计 table, and the comparison with the report.

The rows are read first (in the bureau's schema), then written to a temporary file with xlsxwriter in
constant-memory mode and streamed out in pieces; every text cell is neutralised (SPEC §8).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from decimal import Decimal

import xlsxwriter
from django.utils.translation import gettext as _

from apps.core.exports import neutralise_cell
from apps.core.registries import Figure

from . import labels, rules
from .selectors import FidelityRow

PIECE = 64 * 1024


def _number(value) -> float | int | str:
    """xlsxwriter writes numbers as doubles; whole numbers go as int, decimals as their exact text
    value rounded to the cent (a money cell of 183900.00 reads back 183900)."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value.quantize(rules.CENT))


def write_annual_xlsx(path: str, *, title: str, figures: list[Figure], fidelity: list[FidelityRow]) -> None:
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": os.path.dirname(path)})
    bold = workbook.add_format({"bold": True})
    heading = workbook.add_format({"bold": True, "font_size": 14})
    money = workbook.add_format({"num_format": "#,##0.00"})
    count = workbook.add_format({"num_format": "#,##0"})
    sheet = workbook.add_worksheet(_("Annual statistics")[:31])
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, 3, 16)
    sheet.set_column(4, 4, 40)
    sheet.write(0, 0, neutralise_cell(title), heading)
    header = [_("No."), _("Indicator"), _("Unit"), _("Value"), _("Note")]
    for col, text in enumerate(header):
        sheet.write(2, col, neutralise_cell(text), bold)
    row, group = 3, None
    for n, figure in enumerate(figures, start=1):
        if figure.group != group:
            group = figure.group
            sheet.write(row, 1, neutralise_cell(labels.group_label(group)), bold)
            row += 1
        sheet.write(row, 0, n)
        sheet.write(row, 1, neutralise_cell(str(figure.label)))
        sheet.write(row, 2, neutralise_cell(labels.unit_label(figure.unit)))
        sheet.write(row, 3, _number(figure.value), money if figure.unit in labels.MONEY_LIKE else count)
        sheet.write(row, 4, neutralise_cell(str(figure.note or "")))
        row += 1
    compare = workbook.add_worksheet(_("Compared with the report")[:31])
    compare.set_column(0, 0, 40)
    compare.set_column(1, 5, 16)
    compare.set_column(6, 8, 40)
    header = [
        _("Indicator"),
        _("Computed"),
        _("Reported"),
        _("Difference"),
        _("Difference %"),
        _("Unit"),
        _("Report phrase"),
        _("Status"),
        _("Reason for the gap"),
    ]
    for col, text in enumerate(header):
        compare.write(0, col, neutralise_cell(text), bold)
    for r, item in enumerate(fidelity, start=1):
        compare.write(r, 0, neutralise_cell(str(item.label)))
        compare.write(r, 1, _number(item.computed))
        compare.write(r, 2, _number(item.reported))
        compare.write(r, 3, _number(item.difference))
        compare.write(r, 4, _number(item.percent))
        compare.write(r, 5, neutralise_cell(labels.unit_label(item.unit)))
        compare.write(r, 6, neutralise_cell(item.phrase))
        compare.write(r, 7, neutralise_cell(str(item.reason or labels.status_label(item.status))))
        gap = item.gap_reason or (_("Outside the tolerance and no reason given.") if item.unexplained else "")
        compare.write(r, 8, neutralise_cell(str(gap)))
    workbook.close()


def annual_xlsx_chunks(*, title: str, figures: list[Figure], fidelity: list[FidelityRow]) -> Iterator[bytes]:
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_annual_xlsx(path, title=title, figures=figures, fidelity=fidelity)
        with open(path, "rb") as file:
            while piece := file.read(PIECE):
                yield piece
    finally:
        os.unlink(path)
