"""Pricing arithmetic: line and document totals, rounding, conversion, bundle splits.

Pure functions on ``Decimal`` (never a float): no I/O, no ORM, no GraphQL. Every total is
rounded half-up (``ROUND_HALF_UP``, half away from zero) to the currency's minor units,
in the fixed order of DOMAIN.md section 1:

1. lineTotal = round(quantity x unitPrice x (1 - lineDiscount/100))
   (a bundle component line carries its stored, authoritative ``fixed_total`` instead);
2. subtotal = sum of the lineTotals of the discountable lines;
3. discountTotal = round(subtotal x documentDiscount/100);
4. each line's tax = round(lineTotal x (1 - documentDiscount/100) x taxRate/100)
   (no tax on a non-taxable line; the document discount only reduces the tax base of a
   discountable line), taxTotal = sum of the line taxes;
5. total = subtotal - discountTotal + taxTotal.

Rounding lines (``taxable=False, discountable=False``) are applied after step 5 and
reported apart as ``rounding_total`` (DOMAIN.md 4: a rounding line is no revenue):
``total = subtotal - discount_total + tax_total + rounding_total``, while ``net_total``
(the figure an opportunity, its contracts and reports use) leaves the rounding out, so
always ``total == net_total + tax_total + rounding_total``.

Arithmetic runs in a local decimal context with 60 significant digits, so intermediate
products are exact and each value is rounded exactly once.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from crm_graphql.money import (
    MoneyError,
    is_currency,
    minor_units,
    quantum,
    round_money,
    round_places,
)

#: Places a unit price carries (converted prices, bundle line unit prices).
PRICE_PLACES = 4

_HUNDRED = Decimal(100)
_ZERO = Decimal(0)
_ONE = Decimal(1)
_PRECISION = 60


class MissingRate(MoneyError):
    """No exchange rate is known for ``currency``."""

    def __init__(self, currency: str) -> None:
        super().__init__(f"No exchange rate for currency {currency!r}")
        self.currency = currency


@dataclass(frozen=True)
class Line:
    """One document line as pricing sees it.

    ``fixed_total``: the stored authoritative lineTotal of a bundle component line.
    A rounding line has ``taxable=False`` and ``discountable=False``.
    """

    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = _ZERO
    tax_rate: Decimal = _ZERO
    fixed_total: Decimal | None = None
    taxable: bool = True
    discountable: bool = True


@dataclass(frozen=True)
class Totals:
    """Totals of a document; ``line_totals``/``line_taxes`` follow the order of the lines."""

    subtotal: Decimal
    discount_total: Decimal
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    line_totals: tuple[Decimal, ...]
    line_taxes: tuple[Decimal, ...]
    #: Sum of the rounding lines: in ``total`` only, never in ``subtotal`` or ``net_total``.
    rounding_total: Decimal = _ZERO


def _context() -> decimal.Context:
    return decimal.Context(prec=_PRECISION, rounding=decimal.ROUND_HALF_UP)


def _finite(value: Decimal, what: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise MoneyError(f"{what} must be a finite Decimal, got {value!r}")
    return value


def _clean(value: Decimal) -> Decimal:
    """Drop the sign of a negative zero (``-0.00`` -> ``0.00``)."""
    return abs(value) if value.is_zero() else value


def _percent(value: Decimal, what: str) -> Decimal:
    _finite(value, what)
    if not _ZERO <= value <= _HUNDRED:
        raise MoneyError(f"{what} must be between 0 and 100, got {value}")
    return value


def _in_minor_units(value: Decimal, currency: str, what: str) -> Decimal:
    """``value`` quantized to the currency's places; refuses finer values (never rounds)."""
    _finite(value, what)
    with decimal.localcontext(_context()):
        rounded = round_money(value, currency)
    if rounded != value:
        raise MoneyError(f"{what} {value} has more decimals than {currency} allows")
    return rounded


def line_total(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, currency: str) -> Decimal:
    """Step 1: round(quantity x unit_price x (1 - discount_percent/100)) to minor units."""
    _finite(quantity, "quantity")
    _finite(unit_price, "unit price")
    _percent(discount_percent, "discount percent")
    with decimal.localcontext(_context()):
        exact = quantity * unit_price * (_HUNDRED - discount_percent) / _HUNDRED
        return _clean(round_money(exact, currency))


def _line_total_of(line: Line, currency: str) -> Decimal:
    if line.fixed_total is not None:
        return _clean(_in_minor_units(line.fixed_total, currency, "fixed line total"))
    return line_total(line.quantity, line.unit_price, line.discount_percent, currency)


def document_totals(lines: Sequence[Line], discount_percent: Decimal, currency: str) -> Totals:
    """Totals of a quote/order/invoice, steps 1-5 of DOMAIN.md 1, then rounding lines.

    Non-discountable lines (rounding lines) stay out of the subtotal, the discount and the
    net total; their lineTotals make ``rounding_total``, added to ``total`` after step 5.
    Non-taxable lines get a tax of 0. Example: one line 100.00 at 21 % tax with a 10 %
    document discount -> subtotal 100.00, discount 10.00, tax 18.90, net 90.00,
    total 108.90.
    """
    _percent(discount_percent, "document discount percent")
    places = minor_units(currency)
    zero = _ZERO.quantize(quantum(places))
    totals: list[Decimal] = []
    taxes: list[Decimal] = []
    subtotal = zero
    after = zero  # rounding lines, applied after step 5
    with decimal.localcontext(_context()):
        kept = (_HUNDRED - discount_percent) / _HUNDRED
        for line in lines:
            amount = _line_total_of(line, currency)
            totals.append(amount)
            if line.discountable:
                subtotal += amount
            else:
                after += amount
            if line.taxable:
                rate = _finite(line.tax_rate, "tax rate")
                if rate < 0:
                    raise MoneyError(f"tax rate must not be negative, got {rate}")
                base = amount * kept if line.discountable else amount
                taxes.append(round_money(base * rate / _HUNDRED, currency))
            else:
                taxes.append(zero)
        discount_total = round_money(subtotal * discount_percent / _HUNDRED, currency)
        tax_total = sum(taxes, zero)
        net_total = subtotal - discount_total
        total = subtotal - discount_total + tax_total + after
    return Totals(
        subtotal=subtotal,
        discount_total=discount_total,
        net_total=net_total,
        tax_total=tax_total,
        total=total,
        line_totals=tuple(totals),
        line_taxes=tuple(taxes),
        rounding_total=after,
    )


def rounding_adjustment(total: Decimal, round_to: Decimal, currency: str) -> Decimal:
    """The amount that brings ``total`` to the nearest multiple of ``round_to`` (half-up).

    12.25 to 0.5 -> 12.50, adjustment 0.25; 12.24 -> 12.00, adjustment -0.24; halves go
    away from zero (-12.25 -> -12.50). ``round_to`` must be > 0 and a multiple of the
    currency's minor unit (0.005 EUR or 0.5 JPY is refused), else ``MoneyError``.
    """
    _in_minor_units(total, currency, "total")
    _finite(round_to, "round to")
    if round_to <= 0:
        raise MoneyError(f"round to must be greater than 0, got {round_to}")
    _in_minor_units(round_to, currency, "round to")
    with decimal.localcontext(_context()):
        steps = (total / round_to).quantize(_ONE, rounding=decimal.ROUND_HALF_UP)
        return _clean(round_money(steps * round_to - total, currency))


def _rate(currency: str, rates: Mapping[str, Decimal], base: str) -> Decimal:
    if not is_currency(currency):
        raise MoneyError(f"Unknown currency code {currency!r}")
    if currency == base:
        return _ONE
    try:
        rate = rates[currency]
    except KeyError:
        raise MissingRate(currency) from None
    _finite(rate, f"exchange rate of {currency}")
    if rate <= 0:
        raise MoneyError(f"exchange rate of {currency} must be greater than 0, got {rate}")
    return rate


def convert(
    amount: Decimal,
    from_currency: str,
    to_currency: str,
    rates: Mapping[str, Decimal],
    base: str,
    places: int,
) -> Decimal:
    """Convert through the base currency, rounded half-up to ``places``.

    ``rates[X]`` means 1 X = r base; the base itself is 1. Callers pass 4 for unit prices
    or the target currency's minor units for totals. A missing rate raises
    ``MissingRate(currency)``; an unknown code or a rate <= 0 raises ``MoneyError``.
    """
    _finite(amount, "amount")
    if not is_currency(base):
        raise MoneyError(f"Unknown currency code {base!r}")
    source = _rate(from_currency, rates, base)
    target = _rate(to_currency, rates, base)
    with decimal.localcontext(_context()):
        return _clean(round_places(amount * source / target, places))


def allocate(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Split ``total`` over ``weights`` exactly (largest remainder), in minor units.

    Each part is the proportional share rounded down, in minor units; the units left go
    one each to the largest remainders, ties to the earliest component
    (100.01 over 1:1 -> [50.01, 50.00]). A negative total is split like its absolute value
    and negated. All weights zero -> equal split. Empty or negative weights, or a total
    finer than the currency's minor unit, raise ``MoneyError``.
    """
    places = minor_units(currency)
    _in_minor_units(total, currency, "total")
    if not weights:
        raise MoneyError("Cannot allocate over no weights")
    exact: list[Fraction] = []
    for weight in weights:
        _finite(weight, "weight")
        if weight < 0:
            raise MoneyError(f"weights must not be negative, got {weight}")
        exact.append(Fraction(weight))
    weight_sum = sum(exact, Fraction(0))
    if weight_sum == 0:
        exact = [Fraction(1)] * len(exact)
        weight_sum = Fraction(len(exact))
    with decimal.localcontext(_context()):
        units = int(total.scaleb(places))
    sign = -1 if units < 0 else 1
    units = abs(units)
    shares = [units * w / weight_sum for w in exact]
    parts = [int(share) for share in shares]  # floor: shares are >= 0
    left = units - sum(parts)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
    for index in by_remainder[:left]:
        parts[index] += 1
    step = quantum(places)
    return [(Decimal(sign * part).scaleb(-places)).quantize(step) for part in parts]


def unit_price_from_total(line_total: Decimal, quantity: Decimal) -> Decimal:
    """A bundle line's displayed unit price: lineTotal / quantity, half-up to 4 places."""
    _finite(line_total, "line total")
    _finite(quantity, "quantity")
    if quantity <= 0:
        raise MoneyError(f"quantity must be greater than 0, got {quantity}")
    with decimal.localcontext(_context()):
        return _clean(round_places(line_total / quantity, PRICE_PLACES))


def expected_revenue(amount: Decimal, probability: int, currency: str) -> Decimal:
    """amount x probability / 100, rounded half-up to the currency's minor units."""
    _finite(amount, "amount")
    if isinstance(probability, bool) or not isinstance(probability, int):
        raise MoneyError(f"probability must be an integer, got {probability!r}")
    if not 0 <= probability <= 100:
        raise MoneyError(f"probability must be between 0 and 100, got {probability}")
    with decimal.localcontext(_context()):
        return _clean(round_money(amount * probability / _HUNDRED, currency))
