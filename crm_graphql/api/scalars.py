"""Scalars: ``Decimal`` as a plain string in and out (never a JSON number, NaN or ``1E+2``)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from operator import methodcaller

import dateutil.parser
import strawberry
from strawberry.schema.types.base_scalars import wrap_parser
from strawberry.types.scalar import ScalarDefinition

from crm_graphql import money


def _serialize(value: Decimal) -> str:
    if not isinstance(value, Decimal):
        raise TypeError("Decimal fields resolve to decimal.Decimal")
    return f"{value.copy_abs() if value.is_zero() else value:f}"  # never "-0.00"


#: ASCII digits, an optional leading minus, an optional fraction: nothing else (no exponent,
#: no sign "+", no surrounding space, no ".5" or "5.", no other script's digits).
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _parse(value: object) -> Decimal:
    # Only strings: JSON numbers lose exactness before they reach us. Places are checked
    # by the services (more than four is an INVALID user error, not a GraphQL error).
    if not isinstance(value, str):
        raise ValueError('Decimal values are strings, e.g. "1234.50"')
    if len(value) > 41 or not _PLAIN_DECIMAL.fullmatch(value):
        raise ValueError(f"{value[:41]!r} is not a plain decimal number: ASCII digits, an optional leading minus")
    parsed = money.parse_decimal(value, max_places=40)
    return parsed.copy_abs() if parsed.is_zero() else parsed  # "-0" is 0


DecimalScalar = strawberry.scalar(
    name="Decimal",
    description=(
        'An exact decimal number written as a string: "1234.50". Totals carry their '
        "currency's minor units; unit prices, quantities and percents up to four places."
    ),
    serialize=_serialize,
    parse_value=wrap_parser(_parse, "Decimal"),
)

#: Dates and times a client may send: the range every database holds, with room for the
#: date arithmetic services do (a contract's end, a quote's validity) without overflowing.
MIN_YEAR, MAX_YEAR = 1000, 9998


def _in_range(value: dt.date) -> None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"years {MIN_YEAR} to {MAX_YEAR} only")


def _parse_datetime(value: str) -> dt.datetime:
    parsed: dt.datetime = dateutil.parser.isoparse(value)
    try:
        utc = parsed.astimezone(dt.UTC) if parsed.tzinfo is not None else parsed
    except OverflowError:
        raise ValueError(f"years {MIN_YEAR} to {MAX_YEAR} only") from None
    _in_range(parsed)
    _in_range(utc)
    return parsed


#: The one date form accepted (Python 3.11's fromisoformat also reads "20260105", "2026-W01-1").
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _parse_date(value: str) -> dt.date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("dates are written YYYY-MM-DD")
    parsed = dt.date.fromisoformat(value)
    _in_range(parsed)
    return parsed


DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description="Date with time (isoformat)",
    serialize=methodcaller("isoformat"),
    parse_value=wrap_parser(_parse_datetime, "DateTime"),
)
DateScalar = strawberry.scalar(
    name="Date",
    description="Date (isoformat)",
    serialize=methodcaller("isoformat"),
    parse_value=wrap_parser(_parse_date, "Date"),
)

SCALAR_MAP: dict[object, ScalarDefinition] = {Decimal: DecimalScalar, dt.datetime: DateTimeScalar, dt.date: DateScalar}
