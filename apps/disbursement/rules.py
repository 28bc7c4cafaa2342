"""Pure helpers of the disbursement: periods, bank-file texts, bank-return values. No ORM, no I/O."""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation

# Money rounds one way everywhere: the benefits kernel owns it.
from apps.benefits.rules import money


# A return repeats a few amounts (the standards) and one posting date on every line: the parses are
# remembered (the values are immutable), which halves the Python time of an 80,000-line return.
@functools.lru_cache(maxsize=4096)
def parse_amount(text: str) -> Decimal:
    """A bank file amount: digits with at most two decimals ('1596', '1596.00'); ValueError otherwise."""
    text = (text or "").strip().replace(",", "")
    if not re.fullmatch(r"-?\d+(\.\d{1,2})?", text):
        raise ValueError(text)
    try:
        return money(text)
    except InvalidOperation:
        raise ValueError(text) from None


@functools.lru_cache(maxsize=256)
def parse_bank_date(text: str) -> datetime.date | None:
    """'2025-04-02', '2025/04/02' or '20250402'; empty → None; ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


RESULT_WORDS = {
    "成功": "paid", "success": "paid", "paid": "paid", "s": "paid",
    "失败": "failed", "failed": "failed", "failure": "failed", "fail": "failed", "f": "failed",
}

# Reasons banks give for a refused credit; others are accepted as the bank wrote them.
FAILURE_REASONS = ["户名与账号不符", "卡或账号不存在", "已销户", "冻结/挂失", "账号位数不符", "开户行错误"]


def parse_result(text: str) -> str:
    """成功/失败 (or success/failed) → 'paid'/'failed'; ValueError otherwise."""
    key = (text or "").strip().lower()
    if key not in RESULT_WORDS:
        raise ValueError(text)
    return RESULT_WORDS[key]


CONTROL_MARK = "控制记录"


def control_record(*, run_id: int, count: int, total: Decimal, sha256: str | None = None) -> list[str]:
    """The control record row: 控制记录, 批次号, id, 笔数, n, 总金额, total[, SHA-256, hex]."""
    row = [CONTROL_MARK, "批次号", str(run_id), "笔数", str(count), "总金额", f"{money(total):.2f}"]
    if sha256 is not None:
        row += ["SHA-256", sha256]
    return row


def parse_control_record(row: list[str]) -> dict[str, str]:
    """The key/value pairs after 控制记录 → {'批次号': '17', '笔数': '3', ...}."""
    cells = [c.strip() for c in row[1:]]
    return {cells[i]: cells[i + 1] for i in range(0, len(cells) - 1, 2) if cells[i]}

