"""Derived money: document totals from their lines, an opportunity's amount.

Always recomputed on the server from stored lines (never taken from a client), inside the
caller's transaction, and stored so that filters and sorts run in SQL. A change of an
opportunity's amount lands on its timeline (DOMAIN.md 6), whatever caused it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from crm_graphql import models as m
from crm_graphql import money
from crm_graphql.actor import Actor
from crm_graphql.enums import AmountSource, LineItemSource, OpportunityStatus
from crm_graphql.errors import MissingExchangeRate
from crm_graphql.models.lines import LineItem
from crm_graphql.services import config, pricing, timeline

Path = tuple[str, ...]


def to_line(item: LineItem) -> pricing.Line:
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


def totals_of(items: Sequence[LineItem], discount_percent: Decimal, currency: str) -> pricing.Totals:
    return pricing.document_totals([to_line(i) for i in items], discount_percent, currency)


def totals_values(totals: pricing.Totals) -> dict[str, Decimal]:
    return {
        "subtotal": totals.subtotal,
        "discount_total": totals.discount_total,
        "net_total": totals.net_total,
        "tax_total": totals.tax_total,
        "rounding_total": totals.rounding_total,
        "total": totals.total,
    }


async def rates(conn: BaseDBAsyncClient) -> dict[str, Decimal]:
    return {r.currency: r.rate for r in await m.ExchangeRate.all().using_db(conn)}


def convert(
    value: Decimal, old: str, new: str, known: Mapping[str, Decimal], places: int, path: Path | None
) -> Decimal:
    """``value`` in ``old`` converted into ``new`` through the base currency, half-up to ``places``.

    Raises MissingExchangeRate (naming the currency, at ``path``) when a rate is not set.
    """
    try:
        return pricing.convert(value, old, new, known, config.BASE_CURRENCY, places)
    except pricing.MissingRate as exc:
        raise MissingExchangeRate(exc.currency, path) from None


async def recompute_quote(
    conn: BaseDBAsyncClient,
    quote: m.Quote,
    actor: Actor | None = None,
    path: Path | None = None,
    *,
    record: bool = True,
) -> None:
    """Store the quote's totals from its lines and refresh its opportunity's amount."""
    items = await m.QuoteItem.filter(quote_id=quote.id).using_db(conn).order_by("position", "id")
    values = totals_values(totals_of(items, quote.discount_percent, quote.currency))
    await m.Quote.filter(id=quote.id).using_db(conn).update(**values)
    for k, v in values.items():
        setattr(quote, k, v)
    if quote.opportunity_id is not None:
        await refresh_opportunity(conn, quote.opportunity_id, actor, path, record=record)


async def derive(conn: BaseDBAsyncClient, opp: Any, path: Path | None = None) -> dict[str, Any]:
    """``amount``, ``amount_source`` and ``expected_revenue`` of ``opp`` as it stands (its
    currency, probability and manual budget, its stored items and active quote):
    the active quote's net total (converted) > the items' net total > the manual budget.

    Raises MissingExchangeRate when the active quote is in a currency without a rate.
    """
    quote = await m.Quote.filter(opportunity_id=opp.id, is_active=True, deleted_at__isnull=True).using_db(conn).first()
    amount: Decimal | None
    if quote is not None:
        source = AmountSource.QUOTE
        amount = quote.net_total
        if quote.currency != opp.currency:
            amount = convert(
                amount, quote.currency, opp.currency, await rates(conn), money.minor_units(opp.currency), path
            )
        amount = money.round_money(amount, opp.currency)
    else:
        items = await m.OpportunityItem.filter(opportunity_id=opp.id).using_db(conn)
        if items:
            source = AmountSource.ITEMS
            amount = totals_of(items, Decimal(0), opp.currency).net_total
        else:
            source = AmountSource.MANUAL
            amount = None if opp.manual_amount is None else money.round_money(opp.manual_amount, opp.currency)
    expected = None if amount is None else pricing.expected_revenue(amount, opp.probability, opp.currency)
    return {"amount": amount, "amount_source": source, "expected_revenue": expected}


async def refresh_opportunity(
    conn: BaseDBAsyncClient,
    opportunity_id: int,
    actor: Actor | None = None,
    path: Path | None = None,
    *,
    record: bool = True,
) -> None:
    """Store the opportunity's derived amount; a changed amount lands on its timeline
    (``AMOUNT_CHANGED``, by ``actor``) unless ``record`` is off (demo data).
    Raises MissingExchangeRate (see ``derive``)."""
    opp = await m.Opportunity.filter(id=opportunity_id).using_db(conn).first()
    if opp is None:
        return
    values = await derive(conn, opp, path)
    await m.Opportunity.filter(id=opp.id).using_db(conn).update(**values)
    diff = timeline.changes({"amount": opp.amount}, {"amount": values["amount"]})
    if diff and record:
        await timeline.record(
            conn, opp, "AMOUNT_CHANGED", actor, {"changes": diff, "amountSource": values["amount_source"]}
        )
    for k, v in values.items():
        setattr(opp, k, v)


async def refresh_converted(conn: BaseDBAsyncClient, currency: str, actor: Actor) -> None:
    """After ``currency``'s exchange rate changed: the open opportunities whose active quote is
    in another currency than theirs, one of the two being ``currency``, take the new rate."""
    pairs = await (
        m.Quote.filter(is_active=True, deleted_at__isnull=True, opportunity__status=OpportunityStatus.OPEN)
        .filter(Q(currency=currency) | Q(opportunity__currency=currency))
        .using_db(conn)
        .values_list("opportunity_id", "currency", "opportunity__currency")
    )
    for opportunity_id, quote_currency, opp_currency in pairs:
        if quote_currency != opp_currency:
            await refresh_opportunity(conn, opportunity_id, actor)
