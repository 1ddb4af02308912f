"""Contracts: made when an opportunity is won, cancelled when it is reopened."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from crm_graphql import models as m
from crm_graphql.actor import Actor
from crm_graphql.enums import ContractKind, ContractStatus, ConversionKind, LineItemSource, ProductKind
from crm_graphql.errors import InvalidTransition
from crm_graphql.services import access, amounts, lineage, numbering, pricing, timeline


def add_months(start: dt.date, months: int) -> dt.date:
    """``start`` plus ``months`` calendar months, clamped to the month's end (Jan 31 + 1 = Feb 28/29)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


async def source_lines(conn: BaseDBAsyncClient, opp: m.Opportunity) -> tuple[list[Any], Decimal, str, Any]:
    """The lines a won opportunity turns into contracts: its active quote's, else its own items.

    Returns (lines, net total, currency, the active quote or None).
    """
    quote = await m.Quote.filter(opportunity_id=opp.id, is_active=True, deleted_at__isnull=True).using_db(conn).first()
    if quote is not None:
        items = await m.QuoteItem.filter(quote_id=quote.id).using_db(conn).order_by("position", "id")
        return list(items), quote.net_total, quote.currency, quote
    own = await m.OpportunityItem.filter(opportunity_id=opp.id).using_db(conn).order_by("position", "id")
    net = amounts.totals_of(own, Decimal(0), opp.currency).net_total
    return list(own), net, opp.currency, None


async def contracts_for_won_opportunity(
    conn: BaseDBAsyncClient, actor: Actor, opp: m.Opportunity, start: dt.date
) -> list[m.Contract]:
    """One contract per product line of the won opportunity (manual and rounding lines make none).

    ``value`` is the line's share of the net total: the net total (document discount and
    rounding included) allocated over the line totals, so the values sum to it exactly.
    """
    lines, net_total, currency, _quote = await source_lines(conn, opp)
    priced = [line for line in lines if line.source != LineItemSource.ROUNDING]
    if not priced:
        return []
    shares = pricing.allocate(net_total, [max(line.line_total, Decimal(0)) for line in priced], currency)
    product_ids = {line.product_id for line in priced if line.product_id is not None}
    products = {p.id: p for p in await m.Product.filter(id__in=list(product_ids)).using_db(conn)}
    made = []
    for line, share in zip(priced, shares, strict=True):
        product = products.get(line.product_id) if line.product_id is not None else None
        if product is None:
            continue
        time_based = product.kind == ProductKind.TIME_BASED
        contract = await m.Contract.create(
            using_db=conn,
            number=await numbering.next_number(conn, "C"),
            name=line.name,
            kind=ContractKind.TIME_BASED if time_based else ContractKind.ONE_TIME,
            account_id=opp.account_id,
            opportunity_id=opp.id,
            product_id=product.id,
            owner_id=opp.owner_id,
            start_date=start,
            end_date=add_months(start, product.term_months or 0) if time_based and product.term_months else None,
            quantity=line.quantity,
            value=share,
            currency=currency,
        )
        await lineage.link(conn, opp, contract, ConversionKind.OPPORTUNITY_TO_CONTRACT)
        made.append(contract)
    return made


async def cancel_for_opportunity(conn: BaseDBAsyncClient, opportunity_id: int) -> int:
    """Cancel (never delete) the active contracts of a reopened opportunity."""
    return await (
        m.Contract.filter(opportunity_id=opportunity_id, status=ContractStatus.ACTIVE)
        .using_db(conn)
        .update(status=ContractStatus.CANCELLED, cancelled_at=dt.datetime.now(dt.UTC), version=F("version") + 1)
    )


async def cancel_contract(actor: Actor, contract_id: int) -> m.Contract:
    """ACTIVE -> CANCELLED. Raises NotFound, InvalidTransition; nothing is written when it raises."""
    async with in_transaction() as conn:
        contract = await access.load_for_write(conn, actor, m.Contract, contract_id, ("input", "contractId"))
        claimed = await (
            m.Contract.filter(id=contract.id, status=ContractStatus.ACTIVE)
            .using_db(conn)
            .update(status=ContractStatus.CANCELLED, cancelled_at=dt.datetime.now(dt.UTC), version=F("version") + 1)
        )
        if not claimed:
            raise InvalidTransition(f"A {contract.status} contract cannot be cancelled.", ("input", "contractId"))
        opportunity = await m.Opportunity.filter(id=contract.opportunity_id).using_db(conn).first()
        if opportunity is not None:  # DOMAIN.md 9: every write is on a timeline, with who did it
            await timeline.record(
                conn,
                opportunity,
                "CONTRACT_CANCELLED",
                actor,
                {"contract": timeline.ref(contract, number=contract.number)},
            )
        return await m.Contract.get(id=contract.id, using_db=conn)
