"""The streaming XLSX writer: what openpyxl reads back is what was written, cell by cell."""

import io

import openpyxl

from apps.core import xlsx

KINDS = ("number", "text", "money", "text")


def test_rows_read_back_exactly_with_escapes_whitespace_and_empty_cells():
    rows = [
        ["1", "张三", "2665.00", "最低生活保障"],
        ["2", "A&B <银行>", "0.10", ""],
        ["3", " 前后空格 ", "12.00", "'\r回车"],
        ["4", "", "7.50", "=1+1"],
    ]
    fast = xlsx.RowFormat(KINDS)
    buffer = io.BytesIO()
    workbook = xlsx.Workbook(buffer, order=["控制记录"])
    sheet = workbook.sheet("明细")
    sheet.write(xlsx.row_xml(1, ["序号", "姓名", "金额", "项目"], ["text"] * 4, style=xlsx.BOLD))
    for number, row in enumerate(rows, start=2):
        assert fast(number, row) == xlsx.row_xml(number, row, KINDS)
        sheet.write(fast(number, row))
    workbook.sheet("控制记录").write(xlsx.row_xml(1, ["笔数", "4"], ["text", "text"]))
    workbook.close()

    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["控制记录", "明细"]  # listed as ordered, though written last
    read = list(book["明细"].iter_rows(values_only=True))
    assert read[0] == ("序号", "姓名", "金额", "项目") and book["明细"]["A1"].font.b
    assert read[1:] == [
        (1, "张三", 2665.0, "最低生活保障"),
        (2, "A&B <银行>", 0.1, None),
        (3, " 前后空格 ", 12.0, "'\r回车"),
        (4, None, 7.5, "=1+1"),
    ]
    assert book["明细"]["C2"].number_format == "0.00"
    assert book["明细"]["D5"].data_type == "s"  # text, never a formula
    assert list(book["控制记录"].iter_rows(values_only=True)) == [("笔数", "4")]


def test_column_letters():
    assert [xlsx.column_letter(i) for i in (0, 11, 25, 26, 27, 701, 702)] == ["A", "L", "Z", "AA", "AB", "ZZ", "AAA"]


def test_plain_csv_pieces_are_those_split_on_commas_alone():
    assert xlsx.plain_csv("1,张三,2665.00,最低生活保障\n2,李四,,高龄津贴\n")
    for careful in ('1,"A,B",1.00,x\n', "1,A&B,1.00,x\n", "1,<b>,1.00,x\n", "1, 张三,1.00,x\n", "1,张三\u3000,1.00,x\n",
                    "1,'\t制表,1.00,x\n", "1,'\r回车,1.00,x\n", "1,\x07,1.00,x\n"):
        assert not xlsx.plain_csv(careful), careful
    fast = xlsx.RowFormat(KINDS)
    for number, line in enumerate(["1,张三,2665.00,最低生活保障", "2,,0.10,", "3,'=1+1,7.50,项目"], start=2):
        values = line.split(",")
        assert fast.plain(str(number), values) == fast(number, values) == xlsx.row_xml(number, values, KINDS)
