"""Concurrent requests with the same idempotency key all get the first result (issue 14)."""

from __future__ import annotations

import asyncio
from typing import Any

from converting import CONVERT_QUOTE_TO_ORDER, deal
from factories import pk

from crm_graphql import models as m


async def test_twenty_concurrent_requests_with_one_key_all_replay_the_first(gql: Any) -> None:
    # given a quote, and 20 identical conversions with one idempotency key sent at once
    ids = await deal(gql)
    request = {"input": {"quoteId": ids["quote"], "idempotencyKey": "order-once"}}
    bodies = await asyncio.gather(*(gql(CONVERT_QUOTE_TO_ORDER, request) for _ in range(20)))
    payloads = [b["convertQuoteToOrder"] for b in bodies]
    # then every one answers the same order, none ALREADY_CONVERTED
    assert [p["userErrors"] for p in payloads] == [[]] * 20
    assert len({p["salesOrder"]["id"] for p in payloads}) == 1
    assert await m.SalesOrder.filter(quote_id=pk(ids["quote"])).count() == 1
    assert await m.IdempotencyKey.filter(key="order-once").count() == 1
    # and another key is a second conversion, refused as before
    again = await gql(CONVERT_QUOTE_TO_ORDER, {"input": {"quoteId": ids["quote"], "idempotencyKey": "other"}})
    assert [e["code"] for e in again["convertQuoteToOrder"]["userErrors"]] == ["ALREADY_CONVERTED"]


async def test_concurrent_creates_with_one_key_make_one_record(gql: Any) -> None:
    create_account = (
        """mutation($i: CreateAccountInput!) { createAccount(input: $i) { account { id } userErrors { code } } }"""
    )
    bodies = await asyncio.gather(
        *(gql(create_account, {"i": {"name": "Once", "idempotencyKey": "account-once"}}) for _ in range(20))
    )
    assert [b["createAccount"]["userErrors"] for b in bodies] == [[]] * 20
    assert len({b["createAccount"]["account"]["id"] for b in bodies}) == 1
    assert await m.Account.filter(name="Once").count() == 1
