"""Every filter operator, combinators, relation filters at depth; all of it in SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from crm_graphql import models as m
from crm_graphql.api.relay import to_global_id
from crm_graphql.db import count_statements
from crm_graphql.enums import OpportunityStatus

ACCOUNTS = "query($f: AccountFilter) { accounts(filter: $f, first: 100) { totalCount nodes { name } } }"
OPPS = """query($f: OpportunityFilter) { opportunities(filter: $f, first: 100, orderBy: [{field: TITLE}]) {
  totalCount nodes { title } } }"""


async def accounts(gql: Any, f: dict[str, Any]) -> list[str]:
    conn = (await gql(ACCOUNTS, {"f": f}))["accounts"]
    got = sorted(n["name"] for n in conn["nodes"])
    assert conn["totalCount"] == len(got)
    return got


async def opps(gql: Any, f: dict[str, Any]) -> list[str]:
    conn = (await gql(OPPS, {"f": f}))["opportunities"]
    got = [n["title"] for n in conn["nodes"]]
    assert conn["totalCount"] == len(got)
    return got


async def world() -> dict[str, Any]:
    stages = {s.name: s for s in await m.Stage.all()}
    acme = await m.Account.create(name="Acme Holding", city="Berlin")
    acme_sub = await m.Account.create(name="Acme Berlin GmbH", city="berlin", parent=acme)
    globex = await m.Account.create(name="Globex", city=None)
    umbrella_sub = await m.Account.create(
        name="Umbrella Labs", city="Paris", parent=await m.Account.create(name="umbrella corp", city="Paris")
    )
    day = dt.date(2026, 3, 1)
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)

    async def opp(title: str, account: m.Account, amount: str | None, prob: int, stage: str, n: int) -> Any:
        status = {"Closed Won": OpportunityStatus.WON, "Closed Lost": OpportunityStatus.LOST}.get(
            stage, OpportunityStatus.OPEN
        )
        return await m.Opportunity.create(
            title=title,
            account=account,
            stage=stages[stage],
            status=status,
            probability=prob,
            currency="EUR",
            amount=None if amount is None else Decimal(amount),
            close_date=None if n < 0 else day + dt.timedelta(n),
            closed_at=None if status == OpportunityStatus.OPEN else at + dt.timedelta(days=n),
        )

    o1 = await opp("o1 small", acme_sub, "999.99", 10, "Prospecting", 0)
    o2 = await opp("o2 exact", acme_sub, "1000.00", 50, "Proposal", 1)
    o3 = await opp("o3 big", globex, "25000.50", 100, "Closed Won", 2)
    o4 = await opp("o4 none", umbrella_sub, None, 0, "Closed Lost", -1)
    o5 = await opp("o5 tiny", acme, "0.0001", 20, "Qualification", 3)
    for o, status in ((o2, "SENT"), (o3, "ACCEPTED"), (o3, "SENT"), (o5, "DRAFT")):
        await m.Quote.create(
            number=f"Q-{o.id}-{status}", name="q", account_id=o.account_id, opportunity=o, currency="EUR", status=status
        )
    return {"o1": o1, "o2": o2, "o3": o3, "o4": o4, "o5": o5, "acme": acme, "globex": globex}


async def test_string_filter(gql: Any) -> None:
    await world()
    assert await accounts(gql, {"city": {"eq": "Berlin"}}) == ["Acme Holding"]  # eq is case-sensitive
    assert await accounts(gql, {"city": {"eq": "BERLIN"}}) == []
    assert await accounts(gql, {"city": {"ne": "Paris"}}) == ["Acme Berlin GmbH", "Acme Holding", "Globex"]
    assert await accounts(gql, {"city": {"in": ["Paris", "berlin"]}}) == [
        "Acme Berlin GmbH",
        "Umbrella Labs",
        "umbrella corp",
    ]
    assert await accounts(gql, {"name": {"contains": "ACME"}}) == ["Acme Berlin GmbH", "Acme Holding"]
    assert await accounts(gql, {"name": {"contains": "lab"}}) == ["Umbrella Labs"]
    assert await accounts(gql, {"name": {"startsWith": "UMB"}}) == ["Umbrella Labs", "umbrella corp"]
    assert await accounts(gql, {"name": {"startsWith": "Labs"}}) == []
    assert await accounts(gql, {"city": {"isNull": True}}) == ["Globex"]
    assert len(await accounts(gql, {"city": {"isNull": False}})) == 4
    # LIKE wildcards are literal
    assert await accounts(gql, {"name": {"contains": "%"}}) == []
    assert await accounts(gql, {"name": {"startsWith": "_"}}) == []


async def test_decimal_filter(gql: Any) -> None:
    await world()
    assert await opps(gql, {"amount": {"eq": "1000"}}) == ["o2 exact"]
    assert await opps(gql, {"amount": {"eq": "1000.0000"}}) == ["o2 exact"]
    assert await opps(gql, {"amount": {"ne": "1000"}}) == ["o1 small", "o3 big", "o4 none", "o5 tiny"]
    assert await opps(gql, {"amount": {"in": ["999.99", "0.0001"]}}) == ["o1 small", "o5 tiny"]
    assert await opps(gql, {"amount": {"gt": "999.99"}}) == ["o2 exact", "o3 big"]
    assert await opps(gql, {"amount": {"gte": "999.99"}}) == ["o1 small", "o2 exact", "o3 big"]
    assert await opps(gql, {"amount": {"lt": "1000"}}) == ["o1 small", "o5 tiny"]
    assert await opps(gql, {"amount": {"lte": "1000"}}) == ["o1 small", "o2 exact", "o5 tiny"]
    assert await opps(gql, {"amount": {"isNull": True}}) == ["o4 none"]
    # numeric, not textual: "25000.50" > "9" as numbers
    assert await opps(gql, {"amount": {"gt": "9"}}) == ["o1 small", "o2 exact", "o3 big"]


async def test_int_date_datetime_filters(gql: Any) -> None:
    await world()
    assert await opps(gql, {"probability": {"eq": 50}}) == ["o2 exact"]
    assert await opps(gql, {"probability": {"ne": 50}}) == ["o1 small", "o3 big", "o4 none", "o5 tiny"]
    assert await opps(gql, {"probability": {"in": [0, 100]}}) == ["o3 big", "o4 none"]
    assert await opps(gql, {"probability": {"gt": 20}}) == ["o2 exact", "o3 big"]
    assert await opps(gql, {"probability": {"gte": 20}}) == ["o2 exact", "o3 big", "o5 tiny"]
    assert await opps(gql, {"probability": {"lt": 10}}) == ["o4 none"]
    assert await opps(gql, {"probability": {"lte": 10}}) == ["o1 small", "o4 none"]
    assert await opps(gql, {"probability": {"isNull": True}}) == []
    assert await opps(gql, {"closeDate": {"eq": "2026-03-02"}}) == ["o2 exact"]
    assert await opps(gql, {"closeDate": {"ne": "2026-03-02"}}) == ["o1 small", "o3 big", "o4 none", "o5 tiny"]
    assert await opps(gql, {"closeDate": {"in": ["2026-03-01", "2026-03-04"]}}) == ["o1 small", "o5 tiny"]
    assert await opps(gql, {"closeDate": {"gt": "2026-03-02"}}) == ["o3 big", "o5 tiny"]
    assert await opps(gql, {"closeDate": {"gte": "2026-03-02"}}) == ["o2 exact", "o3 big", "o5 tiny"]
    assert await opps(gql, {"closeDate": {"lt": "2026-03-02"}}) == ["o1 small"]
    assert await opps(gql, {"closeDate": {"lte": "2026-03-02"}}) == ["o1 small", "o2 exact"]
    assert await opps(gql, {"closeDate": {"isNull": True}}) == ["o4 none"]
    t = "2026-03-03T12:00:00+00:00"
    assert await opps(gql, {"closedAt": {"eq": t}}) == ["o3 big"]
    assert await opps(gql, {"closedAt": {"ne": t}}) == ["o1 small", "o2 exact", "o4 none", "o5 tiny"]
    assert await opps(gql, {"closedAt": {"in": [t]}}) == ["o3 big"]
    assert await opps(gql, {"closedAt": {"gt": "2026-02-01T00:00:00+00:00"}}) == ["o3 big", "o4 none"]
    assert await opps(gql, {"closedAt": {"gte": t}}) == ["o3 big"]
    assert await opps(gql, {"closedAt": {"lt": t}}) == ["o4 none"]
    assert await opps(gql, {"closedAt": {"lte": t}}) == ["o3 big", "o4 none"]
    assert await opps(gql, {"closedAt": {"isNull": False}}) == ["o3 big", "o4 none"]


async def test_id_and_enum_filters(gql: Any) -> None:
    w = await world()
    o1, o3 = to_global_id("Opportunity", w["o1"].id), to_global_id("Opportunity", w["o3"].id)
    assert await opps(gql, {"id": {"eq": o1}}) == ["o1 small"]
    assert await opps(gql, {"id": {"in": [o1, o3, "garbage", to_global_id("Account", w["o2"].id)]}}) == [
        "o1 small",
        "o3 big",
    ]
    assert await opps(gql, {"id": {"eq": "garbage"}}) == []
    assert await opps(gql, {"id": {"eq": to_global_id("Account", w["o1"].id)}}) == []
    assert await opps(gql, {"status": {"eq": "WON"}}) == ["o3 big"]
    assert await opps(gql, {"status": {"in": ["WON", "LOST"]}}) == ["o3 big", "o4 none"]
    acme = to_global_id("Account", w["acme"].id)
    assert await accounts(gql, {"parent": {"id": {"eq": acme}}}) == ["Acme Berlin GmbH"]


async def test_and_or_not(gql: Any) -> None:
    await world()
    assert await opps(gql, {"and": [{"amount": {"gte": "1"}}, {"probability": {"lte": 50}}]}) == [
        "o1 small",
        "o2 exact",
    ]
    assert await opps(gql, {"or": [{"amount": {"gte": "25000"}}, {"probability": {"eq": 10}}]}) == [
        "o1 small",
        "o3 big",
    ]
    assert await opps(gql, {"not": {"status": {"eq": "OPEN"}}}) == ["o3 big", "o4 none"]
    assert await opps(gql, {"not": {"or": [{"status": {"eq": "OPEN"}}, {"amount": {"isNull": True}}]}}) == ["o3 big"]
    assert await opps(gql, {"title": {"startsWith": "o"}, "or": [{"probability": {"eq": 0}}]}) == ["o4 none"]


async def test_relation_filters_run_in_sql(gql: Any) -> None:
    await world()
    await gql("{ viewer { id } }")
    f = {"account": {"parent": {"name": {"startsWith": "acme"}}}}
    with count_statements() as counter:
        assert await opps(gql, f) == ["o1 small", "o2 exact"]
    assert counter.count == 2, counter.statements  # one SELECT for the page, one COUNT
    # a missing relation at the end of the path reads as null
    assert len(await opps(gql, {"account": {"parent": {"parent": {"name": {"isNull": True}}}}})) == 5
    assert await opps(gql, {"account": {"parent": {"name": {"isNull": False}}}}) == ["o1 small", "o2 exact", "o4 none"]
    assert await opps(gql, {"account": {"parent": {"city": {"eq": "Paris"}}}}) == ["o4 none"]
    assert await opps(gql, {"stage": {"kind": {"eq": "OPEN"}}, "amount": {"gte": "1000"}}) == ["o2 exact"]
    assert await opps(gql, {"not": {"account": {"parent": {"name": {"startsWith": "acme"}}}}}) == [
        "o3 big",
        "o4 none",
        "o5 tiny",
    ]

    with count_statements() as counter:
        assert await opps(gql, {"quotes": {"some": {"status": {"eq": "SENT"}}}}) == ["o2 exact", "o3 big"]
    assert counter.count == 2, counter.statements
    assert await opps(gql, {"quotes": {"every": {"status": {"eq": "SENT"}}}}) == [
        "o1 small",
        "o2 exact",
        "o4 none",
    ]  # vacuous truth for no quotes
    assert await opps(gql, {"quotes": {"none": {"status": {"eq": "SENT"}}}}) == ["o1 small", "o4 none", "o5 tiny"]
    assert await accounts(gql, {"opportunities": {"some": {"status": {"eq": "WON"}}}}) == ["Globex"]
    assert await accounts(gql, {"opportunities": {"some": {"quotes": {"some": {"status": {"eq": "DRAFT"}}}}}}) == [
        "Acme Holding"
    ]


async def test_negations_keep_rows_with_nulls(gql: Any) -> None:
    await world()
    # a null amount does not satisfy "every amount >= 1"
    assert await accounts(gql, {"opportunities": {"every": {"amount": {"gte": "1"}}}}) == [
        "Acme Berlin GmbH",
        "Globex",
        "umbrella corp",
    ]
    assert await opps(gql, {"not": {"amount": {"gte": "1"}}}) == ["o4 none", "o5 tiny"]
    assert await accounts(gql, {"not": {"city": {"eq": "Paris"}}}) == ["Acme Berlin GmbH", "Acme Holding", "Globex"]
