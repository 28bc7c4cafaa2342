"""A streaming XLSX writer for exports of a million rows: sheet XML written straight into the zip.

General-purpose writers (xlsxwriter, openpyxl) spend tens of microseconds a cell on objects, styles and
shared strings; a bank file is twelve million cells. Here a row is one formatted string — numbers as
`<v>`, text as inline strings — deflated at level 1 as it comes, so memory stays flat whatever the row
count. What it writes is the small, standard subset every spreadsheet reads: a workbook, its sheets
in the order given (a sheet may be written after the ones it is listed before, e.g. a control sheet
whose figures are known only at the end), three cell styles (plain, money `0.00`, bold).

Text is escaped for XML here; neutralising spreadsheet formulas is the caller's (apps.core.exports).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

PLAIN, MONEY, BOLD = 0, 1, 2
MAX_ROWS = 1_048_576  # a sheet's rows, its header included

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# XML 1.0 forbids these characters even escaped; a spreadsheet refuses the whole file over one.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# An XML parser reads a bare CR as LF; a character reference keeps it.
_ENTITIES = {"\r": "&#13;"}


def text(value: str) -> str:
    """XML-escaped text for a cell (most text needs nothing: checked first, as this runs per cell)."""
    return escape(_INVALID.sub("", value), _ENTITIES) if _NEEDS_ESCAPE.search(value) else value


def _t(value: str) -> str:
    # Leading or trailing whitespace survives only where the element says so.
    if value[0].isspace() or value[-1].isspace():
        return f'<t xml:space="preserve">{text(value)}</t>'
    return f"<t>{text(value)}</t>"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = [column_letter(i) for i in range(64)]


def row_xml(number: int, values: Sequence[str], kinds: Sequence[str], *, style: int = PLAIN) -> str:
    """One row: `values` as text (numbers as their exact decimal text, e.g. "2665.00"), each written as
    its kind says — "number", "money" (shown 0.00) or "text" (an inline string); empty values are
    left out, as an empty cell."""
    cells = [f'<row r="{number}">']
    for index, value in enumerate(values):
        if value == "" or value is None:
            continue
        kind = kinds[index]
        cells.append(_cell(kind, f"{_LETTERS[index]}{number}", _t(value) if kind == "text" else value, style))
    cells.append("</row>")
    return "".join(cells)


def _cell(kind: str, ref: str, content: str, style: int = PLAIN) -> str:
    """One cell; `content` is the <t> element of a text cell, else the value's text."""
    attributes = f' s="{MONEY if kind == "money" else style}"' if kind == "money" or style else ""
    if kind == "text":
        return f'<c r="{ref}" t="inlineStr"{attributes}><is>{content}</is></c>'
    return f'<c r="{ref}"{attributes}><v>{content}</v></c>'


# Anything the fast path of RowFormat cannot write as it is: a character to escape, or whitespace at a
# value's edge (values joined by NUL, which PostgreSQL text never holds).
_SLOW = re.compile("[&<>\r\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|^\\s|\\s$|\\s\x00|\x00\\s")
# What makes a piece of CSV text need the careful path (csv.reader, RowFormat's check): a quoted
# field, a character XML must escape or refuse, or whitespace other than the line ends anywhere
# (one character class each: a scan of a quarter megabyte takes well under a millisecond).
_CSV_SPECIAL = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
_SPACE = re.compile("[^\\S\n]")


def plain_csv(text: str) -> bool:
    """Whether every field of these CSV lines can go into the sheet as it is: unquoted, nothing to
    escape, no whitespace to preserve. Then `line.split(",")` is the row and `RowFormat.plain` writes it."""
    return _CSV_SPECIAL.search(text) is None and _SPACE.search(text) is None


class RowFormat:
    """`RowFormat(kinds)(number, values)` is `row_xml(number, values, kinds)`, several times faster: one
    function per pattern of empty cells (a handful in a file) whose body is an f-string of the row's
    markup; a row with anything to escape takes `row_xml`. `plain(number, values)` skips the check,
    for values known to need no escaping (`plain_csv`); `number` is the row number as text."""

    def __init__(self, kinds: Sequence[str]):
        self.kinds = tuple(kinds)
        self.functions: dict[tuple[bool, ...], Callable[[str, Sequence[str]], str]] = {}

    def _function(self, mask: tuple[bool, ...]) -> Callable[[str, Sequence[str]], str]:
        cells = ['<row r="{n}">']
        for index, present in enumerate(mask):
            if present:
                value, kind = f"{{v[{index}]}}", self.kinds[index]
                cells.append(_cell(kind, f"{_LETTERS[index]}{{n}}", f"<t>{value}</t>" if kind == "text" else value))
        cells.append("</row>")
        # An f-string compiled once is the cheapest way CPython has to join two dozen pieces (str.format
        # parses its template on every call, a million times a file). The source is this module's own
        # markup, column letters and indexes (repr quotes it): no value is ever part of it.
        function = eval(f"lambda n, v: f{''.join(cells)!r}")  # noqa: S307
        return self.functions.setdefault(mask, function)

    def plain(self, number: str, values: Sequence[str]) -> str:
        mask = tuple(map(bool, values))
        return (self.functions.get(mask) or self._function(mask))(number, values)

    def __call__(self, number: int, values: Sequence[str]) -> str:
        if _SLOW.search("\x00".join(values)):
            return row_xml(number, values, self.kinds)
        return self.plain(str(number), values)


class Workbook:
    """`Workbook(path_or_file)`; `sheet(name)` returns a writer of row XML; `close()` writes the rest.

    `order` lists the sheet names as the workbook shows them (default: in the order they were made)."""

    def __init__(self, target, *, order: Sequence[str] | None = None):
        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True)
        self.sheets: list[str] = []
        self.order = list(order or [])
        self._open = None

    def sheet(self, name: str) -> Sheet:
        self._close_sheet()
        self.sheets.append(name)
        handle = self.zip.open(f"xl/worksheets/sheet{len(self.sheets)}.xml", "w", force_zip64=True)
        handle.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">'
                     "<sheetData>".encode())
        self._open = Sheet(handle)
        return self._open

    def _close_sheet(self) -> None:
        if self._open is not None:
            self._open.flush()
            self._open.handle.write(b"</sheetData></worksheet>")
            self._open.handle.close()
            self._open = None

    def close(self) -> None:
        self._close_sheet()
        shown = [n for n in self.order if n in self.sheets] + [n for n in self.sheets if n not in self.order]
        number = {name: i + 1 for i, name in enumerate(self.sheets)}
        sheets = "".join(f'<sheet name="{text(name)}" sheetId="{number[name]}" r:id="rId{number[name]}"/>'
                         for name in shown)
        self.zip.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                             f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>{sheets}</sheets>'
                                             "</workbook>")
        rels = "".join(f'<Relationship Id="rId{i}" Type="{_RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in number.values())
        rels += f'<Relationship Id="rId{len(number) + 1}" Type="{_RELS}/styles" Target="styles.xml"/>'
        self.zip.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                                        f'<Relationships xmlns="{_PACKAGE_RELS}">{rels}</Relationships>')
        self.zip.writestr("xl/styles.xml", STYLES)
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
                            for i in number.values())
        self.zip.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"))
        self.zip.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                         f'<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
                                         f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        self.zip.close()


class Sheet:
    """Rows as XML strings (`row_xml`), buffered and written in large pieces."""

    PIECE = 1 << 20

    def __init__(self, handle):
        self.handle = handle
        self.buffer: list[str] = []
        self.size = 0

    def write(self, row_xml: str) -> None:
        self.buffer.append(row_xml)
        self.size += len(row_xml)
        if self.size >= self.PIECE:
            self.flush()

    def write_rows(self, rows: Sequence[str]) -> None:
        """Many rows at once (a piece of a bank file): one call instead of one a row."""
        self.buffer.extend(rows)
        self.size += sum(map(len, rows))
        if self.size >= self.PIECE:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.handle.write("".join(self.buffer).encode())
            self.buffer.clear()
            self.size = 0
