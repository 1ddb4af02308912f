"""Derived money: document totals from their lines, an opportunity's amount.

Always recomputed on the server from stored lines (never taken from a client), inside the
caller's transaction, and stored so that filters and sorts run in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from crm_graphql import models as m
from crm_graphql import money
from crm_graphql.enums import AmountSource, LineItemSource
from crm_graphql.services import config, pricing


def to_line(item: Any) -> pricing.Line:
    rounding = item.source == LineItemSource.ROUNDING
    return pricing.Line(
        quantity=item.quantity,
        unit_price=item.unit_price,
        discount_percent=item.discount_percent,
        tax_rate=item.tax_rate,
        fixed_total=item.line_total if item.source in (LineItemSource.BUNDLE, LineItemSource.ROUNDING) else None,
        taxable=not rounding,
        discountable=not rounding,
    )


def totals_of(items: Sequence[Any], discount_percent: Decimal, currency: str) -> pricing.Totals:
    return pricing.document_totals([to_line(i) for i in items], discount_percent, currency)


def totals_values(totals: pricing.Totals) -> dict[str, Decimal]:
    return {
        "subtotal": totals.subtotal,
        "discount_total": totals.discount_total,
        "net_total": totals.net_total,
        "tax_total": totals.tax_total,
        "total": totals.total,
    }


async def rates(conn: BaseDBAsyncClient) -> dict[str, Decimal]:
    return {r.currency: r.rate for r in await m.ExchangeRate.all().using_db(conn)}


async def recompute_quote(conn: BaseDBAsyncClient, quote: Any) -> None:
    """Store the quote's totals from its lines and refresh its opportunity's amount."""
    items = await m.QuoteItem.filter(quote_id=quote.id).using_db(conn).order_by("position", "id")
    values = totals_values(totals_of(items, quote.discount_percent, quote.currency))
    await m.Quote.filter(id=quote.id).using_db(conn).update(**values)
    for k, v in values.items():
        setattr(quote, k, v)
    if quote.opportunity_id is not None:
        await refresh_opportunity(conn, quote.opportunity_id)


async def refresh_opportunity(conn: BaseDBAsyncClient, opportunity_id: int) -> None:
    """amount = active quote's net total (converted) > items' net total > manual budget."""
    opp = await m.Opportunity.filter(id=opportunity_id).using_db(conn).first()
    if opp is None:
        return
    quote = await m.Quote.filter(opportunity_id=opp.id, is_active=True, deleted_at__isnull=True).using_db(conn).first()
    amount: Decimal | None
    if quote is not None:
        source = AmountSource.QUOTE
        amount = quote.net_total
        if quote.currency != opp.currency:
            amount = pricing.convert(
                amount, quote.currency, opp.currency, await rates(conn), config.BASE_CURRENCY,
                money.minor_units(opp.currency),
            )  # fmt: skip
    else:
        items = await m.OpportunityItem.filter(opportunity_id=opp.id).using_db(conn)
        if items:
            source = AmountSource.ITEMS
            amount = totals_of(items, Decimal(0), opp.currency).net_total
        else:
            source = AmountSource.MANUAL
            amount = None if opp.manual_amount is None else money.round_money(opp.manual_amount, opp.currency)
    expected = None if amount is None else pricing.expected_revenue(amount, opp.probability, opp.currency)
    await (
        m.Opportunity.filter(id=opp.id)
        .using_db(conn)
        .update(amount=amount, amount_source=source, expected_revenue=expected)
    )
