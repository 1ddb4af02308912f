"""What a quote document shows (DOMAIN.md 4), as the context a template renders.

Every line: quantity, unit, unit price, discount, tax rate and line total. Then subtotal,
document discount, net total, tax per rate, rounding and total, where

    total = subtotal - discount + tax + rounding,

rounding being the sum of the ROUNDING lines, which stay out of ``items``, the subtotal and
the net total. The line taxes come from ``services.pricing`` (the same arithmetic that
stores the quote's totals), grouped by rate; nothing here is a float. Validity names the
dates that exist: "valid until 31 Jan 2027", nothing when there is none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from crm_graphql import money
from crm_graphql.enums import LineItemSource
from crm_graphql.services import amounts

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(value: dt.date) -> str:
    """``31 Jan 2027`` (English month names whatever the server's locale)."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def validity(valid_from: dt.date | None, valid_until: dt.date | None) -> str:
    if valid_from and valid_until:
        return f"valid from {day(valid_from)} until {day(valid_until)}"
    if valid_until:
        return f"valid until {day(valid_until)}"
    if valid_from:
        return f"valid from {day(valid_from)}"
    return ""


def _number(text: str) -> Markup:
    """A figure the server formatted (digits, a point, a minus): safe in every format, and
    not escaped in Markdown, where ``1.`` at a line start would otherwise be defused."""
    return Markup(text)


def _plain(value: Decimal) -> Markup:
    """A quantity, percent or rate without trailing zeros ("2", "7.5")."""
    return _number(money.plain(value))


def address(account: Any) -> str:
    parts = [account.street, " ".join(p for p in (account.postal_code, account.city) if p), account.country]
    return ", ".join(p for p in parts if p)


def tax_by_rate(items: Sequence[Any], line_taxes: Sequence[Decimal], currency: str) -> list[tuple[Decimal, Decimal]]:
    """(rate, tax) per tax rate of the taxable lines, lowest rate first; the taxes of the
    lines at one rate are added (each line's tax is already rounded, DOMAIN.md 1 step 4)."""
    zero = money.round_money(Decimal(0), currency)
    by_rate: dict[Decimal, Decimal] = {}
    for item, tax in zip(items, line_taxes, strict=True):
        if item.source == LineItemSource.ROUNDING:
            continue
        by_rate[item.tax_rate] = by_rate.get(item.tax_rate, zero) + tax
    return sorted(by_rate.items())


def quote_context(quote: Any, account: Any, contact: Any, items: Sequence[Any]) -> dict[str, Any]:
    """The names of ``templating.CONTEXT``, filled from a quote and its lines (in order)."""
    cur = quote.currency
    totals = amounts.totals_of(items, quote.discount_percent, cur)
    rounding_lines = [i for i in items if i.source == LineItemSource.ROUNDING]
    rounding = sum((i.line_total for i in rounding_lines), money.round_money(Decimal(0), cur))
    net = totals.subtotal - totals.discount_total
    total = net + totals.tax_total + rounding

    def amount(value: Decimal) -> Markup:
        return _number(money.format_amount(value, cur))

    return {
        "customer": {"name": account.name, "address": address(account), "vatNumber": account.vat_number or ""},
        "contact": {"name": " ".join(p for p in (contact.first_name, contact.last_name) if p) if contact else ""},
        "quote": {
            "number": quote.number,
            "revision": str(quote.revision),
            "name": quote.name,
            "description": quote.description or "",
            "validFrom": quote.valid_from.isoformat() if quote.valid_from else "",
            "validUntil": quote.valid_until.isoformat() if quote.valid_until else "",
            "validity": validity(quote.valid_from, quote.valid_until),
        },
        "currency": cur,
        "items": [
            {
                "name": i.name,
                "description": i.description or "",
                "quantity": _plain(i.quantity),
                "unit": i.unit,
                "unitPrice": _number(money.format_price(i.unit_price, cur)),
                "discountPercent": _plain(i.discount_percent),
                "taxRate": _plain(i.tax_rate),
                "lineTotal": amount(line_total),
            }
            for i, line_total in zip(items, totals.line_totals, strict=True)
            if i.source != LineItemSource.ROUNDING
        ],
        "totals": {
            "subtotal": amount(totals.subtotal),
            "discountPercent": _plain(quote.discount_percent),
            "discount": amount(totals.discount_total),
            "hasDiscount": bool(quote.discount_percent),
            "net": amount(net),
            "taxes": [
                {"rate": _plain(rate), "amount": amount(tax)}
                for rate, tax in tax_by_rate(items, totals.line_taxes, cur)
            ],
            "tax": amount(totals.tax_total),
            "rounding": amount(rounding),
            "hasRounding": bool(rounding_lines),
            "total": amount(total),
        },
    }
