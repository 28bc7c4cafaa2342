"""Keeps ID numbers and bank accounts out of the logs (request lines, query strings, paths).

`PiiMaskingFilter` rewrites a record's message with every 15/18-character ID number and every 12-19
digit account number masked as on a list screen (`440***********123X`, `6222***********1234`). It is
attached to the loggers that write request lines (django.request, django.server, gunicorn.access,
gunicorn.error) and to the console handler, so it holds whatever format or arguments a logger uses
(gunicorn passes a dict of atoms).
"""

from __future__ import annotations

import logging
import re

from .idcard import mask_account, mask_id_number

# Not inside a longer run of digits or letters: a 20-digit number or a hex digest stays as it is.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
ACCOUNT = re.compile(r"(?<![0-9A-Za-z])[0-9]{12,19}(?![0-9A-Za-z])")


def mask_numbers(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return ACCOUNT.sub(lambda m: mask_account(m.group()), text)


class PiiMaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
