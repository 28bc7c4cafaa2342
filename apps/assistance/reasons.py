"""The classification's reason in the reader's language.

apps.benefits.rules (pure, no Django) states its reason as a fixed English sentence with the numbers in it,
and the application stores that sentence; a screen reads it through `reason_text`, which recognises each
of the rule's sentences and says it again through gettext with the amounts as money (¥1,225.00).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from apps.core.display import money

_N = r"(-?[\d.]+)"
_PATTERNS = [
    (re.compile(r"^the assets test was not passed$"), lambda: _("the assets test was not passed")),
    (
        re.compile(rf"^per-capita income {_N} < standard {_N}$"),
        lambda i, s: (
            _("per-capita income %(income)s is below the standard %(standard)s")
            % {"income": money(i), "standard": money(s)}
        ),
    ),
    (
        re.compile(rf"^per-capita income {_N} ≥ standard {_N} and < {_N} × standard = {_N}$"),
        lambda i, s, m, limit: (
            _(
                "per-capita income %(income)s is not below the standard %(standard)s but below "
                "%(multiple)s × the standard = %(limit)s"
            )
            % {"income": money(i), "standard": money(s), "multiple": m, "limit": money(limit)}
        ),
    ),
    (
        re.compile(rf"^per-capita income {_N} is {_N} after rigid expenses, < {_N}$"),
        lambda i, after, limit: (
            _("per-capita income %(income)s is %(after)s after rigid expenses, below %(limit)s")
            % {"income": money(i), "after": money(after), "limit": money(limit)}
        ),
    ),
    (
        re.compile(
            rf"^per-capita income {_N} is not below {_N} × standard = {_N}(?: \(after rigid expenses: {_N}\))?$"
        ),
        lambda i, m, limit, after=None: (
            (
                _("per-capita income %(income)s is not below %(multiple)s × the standard = %(limit)s")
                % {"income": money(i), "multiple": m, "limit": money(limit)}
            )
            + ((_("(after rigid expenses: %(after)s)") % {"after": money(after)}) if after else "")
        ),
    ),
]


def reason_text(reason: str) -> str:
    for pattern, say in _PATTERNS:
        match = pattern.match(reason or "")
        if match:
            return say(*[g for g in match.groups() if g is not None])
    return reason
