"""Concurrent conversions through real HTTP requests: exactly one wins."""

from __future__ import annotations

import asyncio
from typing import Any

from converting import CONVERT_QUOTE_TO_ORDER, WIN, deal, product
from factories import pk

from crm_graphql import models as m
from crm_graphql.enums import ProductKind


async def test_twenty_concurrent_quote_to_order_make_one_order(gql: Any) -> None:
    ids = await deal(gql)
    bodies = await asyncio.gather(
        *(gql(CONVERT_QUOTE_TO_ORDER, {"input": {"quoteId": ids["quote"]}}) for _ in range(20))
    )
    payloads = [b["convertQuoteToOrder"] for b in bodies]
    won = [p for p in payloads if p["salesOrder"] is not None]
    refused = [p["userErrors"][0]["code"] for p in payloads if p["salesOrder"] is None]
    assert len(won) == 1 and refused == ["ALREADY_CONVERTED"] * 19
    assert await m.SalesOrder.filter(quote_id=pk(ids["quote"])).count() == 1
    assert await m.LineageLink.filter(kind="QUOTE_TO_ORDER").count() == 1


async def test_twenty_concurrent_wins_make_contracts_once(gql: Any) -> None:
    support = await product("support", ProductKind.TIME_BASED, 12)
    ids = await deal(gql, [(support, "1", "100"), (await product("laptop"), "2", "50")])
    bodies = await asyncio.gather(*(gql(WIN, {"input": {"opportunityId": ids["opportunity"]}}) for _ in range(20)))
    payloads = [b["winOpportunity"] for b in bodies]
    assert sum(p["opportunity"] is not None for p in payloads) == 1
    assert (
        sorted(p["userErrors"][0]["code"] for p in payloads if p["opportunity"] is None) == ["INVALID_TRANSITION"] * 19
    )
    assert await m.Contract.filter(opportunity_id=pk(ids["opportunity"])).count() == 2
    assert await m.TimelineEvent.filter(kind="WON").count() == 1
