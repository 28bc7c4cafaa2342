"""Money typed by a person (form, API, import) → Decimal, with one set of messages.

The money rules themselves (rounding of computed amounts) are apps.benefits.rules; this is only the
reading of input, which every app that takes an amount shares.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CENT = Decimal("0.01")


def parse_money(value, *, allow_negative: bool = False, exact: bool = False) -> Decimal:
    """A user-typed amount → Decimal rounded half-up to the cent; ValueError("not a number"),
    ValueError("negative") or, when `exact` (more than two decimals refused rather than rounded),
    ValueError("too many decimals") says what was wrong (the caller adds the field)."""
    if isinstance(value, float):
        # A float has already lost the cents it was typed with; go through its shortest repr.
        value = repr(value)
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("not a number")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError("not a number") from None
    if not amount.is_finite():
        raise ValueError("not a number")
    if amount < 0 and not allow_negative:
        raise ValueError("negative")
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if exact and rounded != amount:
        raise ValueError("too many decimals")
    return rounded


def money_input(field: str, value, *, label: str, allow_negative: bool = False) -> Decimal:
    """`parse_money`, refusing bad input as ValidationError({field: message})."""
    try:
        return parse_money(value, allow_negative=allow_negative)
    except ValueError as exc:
        if str(exc) == "negative":
            raise ValidationError({field: _("%(label)s cannot be negative (%(value)s).")
                                   % {"label": label, "value": value}}) from None
        raise ValidationError({field: _("%(label)s must be a number of yuan, not %(value)r.")
                               % {"label": label, "value": value}}) from None


def format_yuan(amount) -> str:
    """Money on a screen: ¥17,521,604.01 (two places, ROUND_HALF_UP, thousands separated)."""
    if amount is None:
        return "—"
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"-¥{-value:,}" if value < 0 else f"¥{value:,}"
