"""A five-level query costs the same number of statements for 5 and for 50 accounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crm_graphql import models as m
from crm_graphql.db import count_statements

NODES = """
{ accounts(first: 50) { totalCount nodes { name
    opportunities(first: 5) { totalCount nodes { title
      quotes(first: 5) { totalCount nodes { number
        items(first: 10) { totalCount nodes { name lineTotal product { code name } } } } } } } } } }
"""
EDGES = """
{ accounts(first: 50) { edges { node { name
    opportunities(first: 5) { edges { node { title
      quotes(first: 5) { edges { node { number
        items(first: 10) { edges { node { name product { code } } } } } } } } } } } } } }
"""


async def build(n: int) -> None:
    stage = await m.Stage.filter(is_default=True).first()
    assert stage is not None
    products = [m.Product(name=f"P{i}", code=f"P-{i}") for i in range(3)]
    await m.Product.bulk_create(products)
    products = list(await m.Product.all())
    await m.Account.bulk_create([m.Account(name=f"Account {i:03d}") for i in range(n)])
    accounts = list(await m.Account.all())
    await m.Opportunity.bulk_create(
        [
            m.Opportunity(
                title=f"Deal {a.id}-{j}",
                account_id=a.id,
                stage_id=stage.id,
                pipeline_id=stage.pipeline_id,
                currency="EUR",
            )
            for a in accounts
            for j in range(2)
        ]
    )
    opps = await m.Opportunity.all().values_list("id", "account_id")
    await m.Quote.bulk_create(
        [m.Quote(number=f"Q-{oid}", name="Q", account_id=aid, opportunity_id=oid, currency="EUR") for oid, aid in opps]
    )
    quotes = list(await m.Quote.all())
    await m.QuoteItem.bulk_create(
        [
            m.QuoteItem(
                quote_id=q.id,
                position=k,
                currency="EUR",
                product_id=products[k].id,
                name=f"Line {k}",
                quantity=Decimal(1),
                unit_price=Decimal(10),
                line_total=Decimal(10),
            )
            for q in quotes
            for k in range(2)
        ]
    )


async def statements(gql: Any, query: str) -> int:
    await gql("{ viewer { id } }")  # warm
    with count_statements() as counter:
        data = await gql(query)
    assert data["accounts"]
    return counter.count


async def measure(gql: Any, n: int) -> tuple[int, int]:
    await build(n)
    return await statements(gql, NODES), await statements(gql, EDGES)


# accounts, opportunities, quotes, items: one SELECT each (the compiled read path reads
# products by a LEFT JOIN in the items statement); plus one COUNT per level.
EXPECTED_NODES = 4 + 4
EXPECTED_EDGES = 4


async def test_five_levels_with_5_accounts(gql: Any) -> None:
    assert await measure(gql, 5) == (EXPECTED_NODES, EXPECTED_EDGES)


async def test_five_levels_with_50_accounts(gql: Any) -> None:
    assert await measure(gql, 50) == (EXPECTED_NODES, EXPECTED_EDGES)


async def test_counts_are_right(gql: Any) -> None:
    await build(5)
    data = await gql(NODES)
    accounts = data["accounts"]
    assert accounts["totalCount"] == 5
    for account in accounts["nodes"]:
        assert account["opportunities"]["totalCount"] == 2
        for opp in account["opportunities"]["nodes"]:
            assert opp["quotes"]["totalCount"] == 1
            items = opp["quotes"]["nodes"][0]["items"]
            assert items["totalCount"] == 2
            assert [i["product"]["code"] for i in items["nodes"]] == ["P-0", "P-1"]
