"""Scalars: ``Decimal`` as a plain string in and out (never a JSON number, NaN or ``1E+2``)."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry.schema.types.base_scalars import wrap_parser

from crm_graphql import money


def _serialize(value: Decimal) -> str:
    if not isinstance(value, Decimal):
        raise TypeError("Decimal fields resolve to decimal.Decimal")
    return f"{value:f}"


def _parse(value: object) -> Decimal:
    # Only strings: JSON numbers lose exactness before they reach us. Places are checked
    # by the services (more than four is an INVALID user error, not a GraphQL error).
    if not isinstance(value, str):
        raise ValueError('Decimal values are strings, e.g. "1234.50"')
    return money.parse_decimal(value[:41], max_places=40)


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
