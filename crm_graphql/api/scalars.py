"""Scalars: ``Decimal`` as a plain string in and out (never a JSON number, NaN or ``1E+2``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import strawberry
from strawberry.schema.types.base_scalars import wrap_parser


def _serialize(value: Decimal) -> str:
    if not isinstance(value, Decimal):
        raise TypeError("Decimal fields resolve to decimal.Decimal")
    return f"{value:f}"


def _parse(value: object) -> Decimal:
    # Only strings: JSON numbers lose exactness before they reach us.
    if not isinstance(value, str):
        raise ValueError('Decimal values are strings, e.g. "1234.50"')
    text = value.strip()
    if not text or len(text) > 40 or any(c in text for c in "eE_ "):
        raise ValueError(f"{value[:40]!r} is not a plain decimal number")
    try:
        parsed = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value[:40]!r} is not a decimal number") from None
    if not parsed.is_finite():
        raise ValueError("NaN and Infinity are not decimal numbers")
    return parsed


DecimalScalar = strawberry.scalar(
    name="Decimal",
    description=(
        'An exact decimal number written as a string: "1234.50". Totals carry their '
        "currency's minor units; unit prices, quantities and percents up to four places."
    ),
    serialize=_serialize,
    parse_value=wrap_parser(_parse, "Decimal"),
)

SCALAR_MAP = {Decimal: DecimalScalar}
