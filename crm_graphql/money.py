"""Exact money: ``Decimal`` only, never a float.

Storage: every money, quantity and percent value is kept in the database as an integer
count of ten-thousandths (``Decimal("12.3456")`` -> ``123456``). Integers compare, sort
and sum exactly in SQL on SQLite and PostgreSQL alike, so filters such as
``amount >= 1000`` run in SQL without a float cast (PITFALLS.md 16).

Rounding: half-up (half away from zero, ``ROUND_HALF_UP``) to the currency's minor
units (ISO 4217 exponent: 2 for EUR, 0 for JPY, 3 for KWD) wherever a total is formed.
Unit prices and quantities carry at most four decimals; more is refused, never rounded.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

#: Places kept in storage (ten-thousandths).
STORAGE_PLACES = 4
_SCALE: int = 10**STORAGE_PLACES
_STORAGE_QUANTUM = Decimal(1).scaleb(-STORAGE_PLACES)

#: ISO 4217 active codes whose minor unit is not 2.
_EXPONENT_EXCEPTIONS: dict[str, int] = {
    "BHD": 3,
    "BIF": 0,
    "CLF": 4,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "IQD": 3,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "PYG": 0,
    "RWF": 0,
    "TND": 3,
    "UGX": 0,
    "UYI": 0,
    "UYW": 4,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
}

#: ISO 4217 active codes whose minor unit is 2.
_TWO_PLACES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR
FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW
KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN
NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD
SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU
UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL
""".split()  # noqa: SIM905 (a word block reads better than 150 literals)

CURRENCY_EXPONENTS: dict[str, int] = {code: 2 for code in _TWO_PLACES} | _EXPONENT_EXCEPTIONS


class MoneyError(ValueError):
    """A value that is not acceptable as money, quantity or percent."""


def is_currency(code: str) -> bool:
    return code in CURRENCY_EXPONENTS


def minor_units(currency: str) -> int:
    """The ISO 4217 exponent: how many decimals an amount in ``currency`` carries."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise MoneyError(f"Unknown currency code {currency!r}") from None


def quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def round_places(value: Decimal, places: int) -> Decimal:
    """Round half away from zero to ``places`` decimals."""
    return value.quantize(quantum(places), rounding=ROUND_HALF_UP)


def round_money(value: Decimal, currency: str) -> Decimal:
    """Round a total half-up to the currency's minor units (0.125 EUR -> 0.13)."""
    return round_places(value, minor_units(currency))


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def parse_decimal(text: str, *, max_places: int = STORAGE_PLACES) -> Decimal:
    """Parse a decimal string strictly: finite, plain notation, at most ``max_places`` decimals."""
    if not isinstance(text, str):
        raise MoneyError('Expected a decimal number written as a string, e.g. "12.50"')
    stripped = text.strip()
    if not stripped or len(stripped) > 40 or any(c in stripped for c in "eE_ "):
        raise MoneyError(f"{text!r} is not a plain decimal number")
    try:
        value = Decimal(stripped)
    except InvalidOperation:
        raise MoneyError(f"{text!r} is not a decimal number") from None
    if not value.is_finite():
        raise MoneyError(f"{text!r} is not a finite number")
    if decimal_places(value) > max_places:
        raise MoneyError(f"{text!r} has more than {max_places} decimal places")
    return value


def to_units(value: Decimal) -> int:
    """Decimal -> integer ten-thousandths for storage; refuses more than 4 places."""
    scaled = value * _SCALE
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{value} has more than {STORAGE_PLACES} decimal places")
    return int(scaled)


def from_units(units: int) -> Decimal:
    """Integer ten-thousandths from storage -> Decimal with 4 places."""
    return (Decimal(units) / _SCALE).quantize(_STORAGE_QUANTUM)


def plain(value: Decimal, min_places: int = 0, max_places: int = STORAGE_PLACES) -> str:
    """Format without exponent, keeping between ``min_places`` and ``max_places`` decimals."""
    value = round_places(value, max_places)
    places = min(max(decimal_places(value), min_places), max_places)
    return f"{value:.{places}f}"


def format_amount(value: Decimal, currency: str) -> str:
    """A total in its currency's minor units: ``Decimal('100') EUR -> '100.00'``."""
    return plain(round_money(value, currency), minor_units(currency))


def format_price(value: Decimal, currency: str) -> str:
    """A unit price: at least the currency's places, up to four (``12.5 -> '12.50'``)."""
    return plain(value, minor_units(currency))
