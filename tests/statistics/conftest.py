"""Fixtures of the statistics tests: the disbursement tests' users and run cycle, and a bank return."""

from __future__ import annotations

import pytest

from tests.disbursement.conftest import cycle, month, users  # noqa: F401 - fixtures and a helper, reused


@pytest.fixture
def bank_return(users):  # noqa: F811 - the fixture imported above
    """bank_return(schema, run, failed=[line, ...]) -> the accepted import: every other line of the run paid."""
    from apps.disbursement.models import PaymentLine
    from apps.disbursement.returns import bank_return_import

    def make(schema: str, run, *, failed=()):
        failed_ids = {line.pk for line in failed}
        rows = []
        for line in PaymentLine.objects.filter(run=run).order_by("id"):
            if line.pk in failed_ids:
                rows.append(f"{line.pk},,{line.amount},失败,卡或账号不存在,,")
            else:
                rows.append(f"{line.pk},,{line.amount},成功,,B{line.pk},")
        content = ("明细编号,账号,金额,结果,失败原因,银行流水号,入账日期\n" + "\n".join(rows) + "\n").encode()
        return bank_return_import(run=run, content=content, file_name=f"r{run.pk}.csv", user=users(schema).finance)

    return make
