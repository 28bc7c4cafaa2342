"""The bank file's lines are the CSV that COPY writes one column per field, whatever the names hold.

PostgreSQL writes the lines with a separator other than the comma and five of the columns in one
(bankfile.BodyStream); these tests write out the lines such a file must carry.
"""

import datetime
import hashlib
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.db import connection

from apps.disbursement import bankfile
from apps.disbursement.bankfile import bank_file_open, comma_lines, csv_field
from apps.disbursement.models import PaymentLine
from apps.disbursement.services import payment_run_approve, payment_run_start
from apps.people.models import Town
from tests import factories as f
from tests.disbursement.conftest import entitlement

pytestmark = pytest.mark.django_db

# name, bank name -> 姓名, 开户行 as the file carries them
PAYEES = [
    ("张,三", "中国银行,中山分行", '"张,三"', '"中国银行,中山分行"'),
    ('李"四"', "农业银行", '"李""四"""', "农业银行"),
    ("王\x1f五", "工商\x1f银行", "王\x1f五", "工商\x1f银行"),
    ("赵\n六", "建设\r银行", '"赵\n六"', '"建设\r银行"'),
    ("=钱,七", "", "\"'=钱,七\"", ""),
    ("孙八", "邮储银行", "孙八", "邮储银行"),
]


def test_csv_field_is_copys_rule():
    assert [csv_field(v) for v in (None, "", "甲镇", "甲,镇", 'a"b', "a\rb", "a\nb", "a\x1fb")] == [
        "", '""', "甲镇", '"甲,镇"', '"a""b"', '"a\rb"', '"a\nb"', "a\x1fb"]


def test_comma_lines_quotes_as_copy_does_with_commas():
    # 姓名 quoted for its comma, 公民身份号码 empty text, 社保卡号 NULL, 开户行 quoted only for the
    # separator; details quoted by COPY for the quotes of a town named 甲"镇, which stay CSV.
    piece = ('1\x1f"张,三"\x1f""\x1f\x1f"a\x1fb"\x1f200.00\x1f"MZ07,高龄津贴,202408,""甲""""镇"","\x1f7\n'
             '2\x1f孙八\x1f11\x1f22\x1f农业银行\x1f1.00\x1fMZ01,最低生活保障,202408,乙镇,\x1f8\n'
             '3\x1f"赵\n六"\x1f11\x1f22\x1fx,y\x1f1.00\x1fMZ01,最低生活保障,202408,乙镇,\x1f9\n').encode()
    assert comma_lines(piece).decode() == (
        '1,"张,三","",,a\x1fb,200.00,MZ07,高龄津贴,202408,"甲""镇",,7\n'
        '2,孙八,11,22,农业银行,1.00,MZ01,最低生活保障,202408,乙镇,,8\n'
        '3,"赵\n六",11,22,"x,y",1.00,MZ01,最低生活保障,202408,乙镇,,9\n')


def _run(users, *, towns):
    """Six 200.00 longevity lines of 2024-06 for PAYEES, in `towns` by turns; one of them made an arrears line."""
    made = []
    for n, (name, bank, _, _) in enumerate(PAYEES):
        person = f.person(name=name, bank_account=f"62284800000000{n:05d}", bank_name=bank)
        person.town = towns[n % len(towns)]
        person.save(update_fields=["town"])
        made.append(entitlement(programme="longevity", person=person, variant="90-99"))
    u = users("zhongshan")
    run = payment_run_start(period=datetime.date(2024, 6, 1), kind="regular", user=u.finance, background=False)
    # A line of another month and kind goes the general way through the query (备注, 发放期号).
    PaymentLine.objects.filter(run=run, entitlement=made[-1]).update(line_type="arrears",
                                                                    period=datetime.date(2024, 3, 1))
    return payment_run_approve(run=run, user=u.approver), u


def _expected(run, towns) -> list[str]:
    lines = {line.payee_name: line for line in PaymentLine.objects.filter(run=run)}
    rows = []
    for number, (name, _, payee, bank) in enumerate(sorted(PAYEES, key=lambda p: lines[p[0]].pk), start=1):
        line = lines[name]
        town = csv_field(next(t.name for t in towns if t.pk == line.town_id))
        remark, period = ("差额补发", "202403") if line.line_type == "arrears" else ("", "202406")
        rows.append(f"{number},{payee},{line.id_number},{line.bank_account},{bank},200.00,MZ07,高龄津贴,{period},"
                    f"{town},{remark},{line.pk}\n")
    return rows


@pytest.mark.parametrize("piece", [1, 256 * 1024], ids=["a piece a line", "one piece"])
def test_names_with_commas_quotes_separators_and_line_breaks(in_bureau, users, monkeypatch, piece):
    monkeypatch.setattr(bankfile, "PIECE", piece)
    with in_bureau("zhongshan"):
        town = f.town()
        Town.objects.filter(pk=town.pk).update(name='甲,"镇"')
        towns = list(Town.objects.order_by("id")[:2])
        run, u = _run(users, towns=towns)
        content = b"".join(bank_file_open(run=run, user=u.finance, fmt="csv", channel="api")[1])
        expected = _expected(run, towns)
    body = content[3:content.rindex("控制记录".encode())].decode("utf-8")
    assert body == "序号,姓名,公民身份号码,社保卡号/银行账号,开户行,金额,补贴项目代码,补贴项目名称,发放期号,所属区划,备注,明细编号\n" + "".join(
        expected)
    assert '"甲,""镇"""' in body
    control = content[content.rindex("控制记录".encode()):].decode().strip().split(",")
    assert control == ["控制记录", "批次号", str(run.pk), "笔数", "6", "总金额", "1200.00", "SHA-256",
                       hashlib.sha256(body.encode()).hexdigest()]


@pytest.mark.parametrize(("limit", "name"), [("DETAILS_CASE_LIMIT", '+乙,"镇"'), ("TOWN_CASE_LIMIT", '=甲,"镇"')],
                         ids=["details by two lookups", "towns read per line"])
def test_the_queries_past_a_case_limit_give_the_same_file(in_bureau, users, monkeypatch, limit, name):
    """Past DETAILS_CASE_LIMIT a line's programme and town are two lookups joined by `||`; past TOWN_CASE_LIMIT
    its town is read from people_town. Either way the same bytes, names neutralised and quoted as before."""
    with in_bureau("zhongshan"):
        town = f.town()
        Town.objects.filter(pk=town.pk).update(name=name)
        towns = list(Town.objects.order_by("id")[:2])
        run, u = _run(users, towns=towns)
        by_case = b"".join(bank_file_open(run=run, user=u.finance, fmt="csv", channel="api")[1])
        monkeypatch.setattr(bankfile, limit, 0)
        past_limit = b"".join(bank_file_open(run=run, user=u.finance, fmt="csv", channel="api")[1])
    assert past_limit == by_case
    assert f"MZ07,高龄津贴,202406,{csv_field(chr(39) + name)},,".encode() in by_case  # a line of the run's month
    assert "MZ07,高龄津贴,202403,".encode() in by_case  # the arrears line
    assert run.total_amount == Decimal("1200.00")


def test_the_case_asks_first_for_the_bureaus_commonest_programmes_and_towns(in_bureau, users):
    """The statistics only order the CASE's branches (a line stops at its first match), never the file."""
    with in_bureau("zhongshan"):
        towns = list(Town.objects.order_by("id")[:2])
        run, u = _run(users, towns=towns)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE disbursement_paymentline")
        programmes = bankfile._line_shares("programme_id")
        town_shares = bankfile._line_shares("town_id")
        by_statistics = b"".join(bank_file_open(run=run, user=u.finance, fmt="csv", channel="api")[1])
        with patch.object(bankfile, "_line_shares", lambda column: {"orphan": 0.6, "tekun": 0.3}
                          if column == "programme_id" else {str(towns[1].pk): 0.9}):
            order = list(bankfile._programmes())
            other_order = b"".join(bank_file_open(run=run, user=u.finance, fmt="csv", channel="api")[1])
    assert programmes == {"longevity": 1.0}  # the six lines of _run
    assert town_shares == {str(towns[0].pk): 0.5, str(towns[1].pk): 0.5}
    assert order[:3] == ["orphan", "tekun", "longevity"]  # then the default order
    assert other_order == by_statistics
