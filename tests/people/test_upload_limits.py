"""Issue 10 defect 4, the people import: a workbook's size and its unpacked size are checked before parsing."""

import io
import time
import zipfile

import pytest
from django.test import override_settings

from apps.people.importing import people_import
from apps.people.models import Person

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml":
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels":
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml":
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
        '</sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    "xl/worksheets/sheet1.xml":
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v>'
        '</c></row></sheetData></worksheet>',
}


def zip_bomb_xlsx(unpacked_mb: int = 60) -> io.BytesIO:
    """A workbook whose one shared string is `unpacked_mb` MB of one repeated character: it packs to ~100 KB,
    and a reader that parses it holds it all in memory."""
    strings = (f'<sst xmlns="{MAIN}" count="2" uniqueCount="2"><si><t>户编号</t></si><si><t>'
               + "某" * (unpacked_mb * MB // 3) + "</t></si></sst>")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/sharedStrings.xml", strings)
    bomb.seek(0)
    return bomb


def test_a_zip_bomb_workbook_is_refused_fast_before_parsing(zs):
    bomb = zip_bomb_xlsx()
    assert len(bomb.getvalue()) < 400 * 1024  # a few hundred KB on the wire …
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size > 60 * MB - 100  # … 60 MB unpacked
    bomb.seek(0)
    persons = Person.objects.count()
    started = time.perf_counter()
    result = people_import(file=bomb, source="bomb.xlsx")
    seconds = time.perf_counter() - started
    assert not result.ok and len(result.errors) == 1
    message = result.errors[0].message
    assert message.startswith("The workbook's part xl/sharedStrings.xml unpacks ")
    assert message.endswith(" times its packed size; the limit is 100 (a file built to exhaust the server).")
    assert seconds < 0.5
    assert Person.objects.count() == persons


@override_settings(UPLOAD_MAX_XLSX_UNPACKED_BYTES=10 * MB, UPLOAD_MAX_XLSX_RATIO=100_000)
def test_a_workbook_unpacking_above_the_limit_is_refused(zs):
    result = people_import(file=zip_bomb_xlsx(unpacked_mb=12), source="big.xlsx")
    assert not result.ok
    assert result.errors[0].message.startswith("The workbook unpacks to 12.0")
    assert result.errors[0].message.endswith("; the limit is 10.0\xa0MB.")


@override_settings(UPLOAD_MAX_BYTES_XLSX=100 * 1024)
def test_an_oversize_workbook_is_refused_naming_the_limit(zs):
    padded = io.BytesIO(b"PK\x03\x04" + b"\0" * (200 * 1024 - 4))
    result = people_import(file=padded, source="big.xlsx")
    assert [e.message for e in result.errors] == ["The workbook is 200.0\xa0KB; the limit is 100.0\xa0KB."]


def test_the_admin_upload_shows_the_refusal(zs, login_as):
    client = login_as("zhongshan", "zhongshan-caseworker1")
    bomb = zip_bomb_xlsx()
    bomb.name = "bomb.xlsx"
    started = time.perf_counter()  # includes sending the 100 KB
    page = client.post("/admin/people/person/import/", {"file": bomb}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and time.perf_counter() - started < 2
    assert "xl/sharedStrings.xml unpacks" in page.content.decode()
