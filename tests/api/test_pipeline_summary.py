"""pipelineSummary: grouping, currency conversion, filters and visibility."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from factories import create, pk

from crm_graphql import models as m
from crm_graphql.db import count_statements
from crm_graphql.enums import Role

SUMMARY = """query($by: PipelineGroupBy!, $filter: OpportunityFilter, $currency: String) {
  pipelineSummary(groupBy: $by, filter: $filter, currency: $currency) { key label count amount weightedAmount } }"""


async def test_summary_by_stage_converts_currencies(gql: Any) -> None:
    await m.ExchangeRate.create(currency="USD", rate=Decimal("0.5"))
    account = await create(gql, "Account", {"name": "Acme"})
    await create(gql, "Opportunity", {"title": "A", "accountId": account, "manualAmount": "1000"})
    await create(
        gql,
        "Opportunity",
        {"title": "B", "accountId": account, "manualAmount": "1000", "currency": "USD", "closeDate": "2026-05-03"},
    )
    rows = (await gql(SUMMARY, {"by": "STAGE"}))["pipelineSummary"]
    assert [(r["label"], r["count"], r["amount"], r["weightedAmount"]) for r in rows] == [
        ("Prospecting", 2, "1500.00", "150.00")
    ]
    rows = (await gql(SUMMARY, {"by": "STAGE", "currency": "USD"}))["pipelineSummary"]
    assert (rows[0]["amount"], rows[0]["weightedAmount"]) == ("3000.00", "300.00")
    months = (await gql(SUMMARY, {"by": "CLOSE_MONTH"}))["pipelineSummary"]
    assert {(r["key"], r["count"]) for r in months} == {("2026-05", 1), (None, 1)}
    accounts = (await gql(SUMMARY, {"by": "ACCOUNT", "filter": {"title": {"eq": "A"}}}))["pipelineSummary"]
    assert [(r["key"], r["label"], r["amount"]) for r in accounts] == [(account, "Acme", "1000.00")]
    owners = (await gql(SUMMARY, {"by": "OWNER"}))["pipelineSummary"]
    assert [(r["label"], r["count"]) for r in owners] == [("Admin", 2)]


async def test_summary_hides_what_the_user_cannot_see(gql: Any, actors: Any) -> None:
    account = await create(gql, "Account", {"name": "Secret", "isPrivate": True})
    await create(gql, "Opportunity", {"title": "Hidden", "accountId": account, "manualAmount": "5"})
    rows = (await gql.as_(actors[Role.SALES_REP])(SUMMARY, {"by": "STAGE"}))["pipelineSummary"]
    assert rows == []
    assert pk(account) > 0


async def test_summary_missing_rate_is_an_error(gql: Any) -> None:
    account = await create(gql, "Account", {"name": "Acme"})
    await create(gql, "Opportunity", {"title": "A", "accountId": account, "manualAmount": "1"})
    body = await gql(SUMMARY, {"by": "STAGE", "currency": "JPY"}, errors=True)
    assert body["errors"][0]["message"] == "No exchange rate for JPY: set one with setExchangeRate first."
    assert body["errors"][0]["extensions"] == {"code": "MISSING_EXCHANGE_RATE", "currency": "JPY"}


async def test_summary_reads_rates_only_for_another_currency(gql: Any) -> None:
    """The default pipeline is a subquery of the grouped statement; exchange rates are read
    only when a currency other than the base is involved, and a missing one is still an error."""
    account = await create(gql, "Account", {"name": "Acme"})
    await create(gql, "Opportunity", {"title": "A", "accountId": account, "manualAmount": "10"})
    await gql(SUMMARY, {"by": "STAGE"})  # warm
    with count_statements() as counter:
        rows = (await gql(SUMMARY, {"by": "STAGE"}))["pipelineSummary"]
    assert [(r["label"], r["amount"]) for r in rows] == [("Prospecting", "10.00")]
    assert counter.count == 2, counter.statements  # grouped sums, stage labels
    assert not any("exchange_rates" in sql for sql in counter.statements)
    await create(gql, "Opportunity", {"title": "B", "accountId": account, "manualAmount": "10", "currency": "USD"})
    with count_statements() as counter:
        body = await gql(SUMMARY, {"by": "STAGE"}, errors=True)
    assert body["errors"][0]["extensions"] == {"code": "MISSING_EXCHANGE_RATE", "currency": "USD"}
    assert counter.count == 3, counter.statements  # grouped sums, rates, stage labels
    await m.ExchangeRate.create(currency="USD", rate=Decimal("0.5"))
    rows = (await gql(SUMMARY, {"by": "STAGE"}))["pipelineSummary"]
    assert [(r["count"], r["amount"]) for r in rows] == [(2, "15.00")]


async def test_summary_statement_kept_per_user_and_filter(gql: Any, actors: Any) -> None:
    """The grouped statement is kept per user and arguments: each user and filter still gets
    its own answer when the same document runs again."""
    account = await create(gql, "Account", {"name": "Secret", "isPrivate": True})
    await create(gql, "Opportunity", {"title": "Hidden", "accountId": account, "manualAmount": "5"})
    await create(gql, "Opportunity", {"title": "Other", "accountId": account, "manualAmount": "7"})
    rep = gql.as_(actors[Role.SALES_REP])
    for _ in range(2):
        assert [r["amount"] for r in (await gql(SUMMARY, {"by": "STAGE"}))["pipelineSummary"]] == ["12.00"]
        assert (await rep(SUMMARY, {"by": "STAGE"}))["pipelineSummary"] == []
        hidden = {"by": "STAGE", "filter": {"title": {"eq": "Hidden"}}}
        assert [r["amount"] for r in (await gql(SUMMARY, hidden))["pipelineSummary"]] == ["5.00"]
        other = {"by": "STAGE", "filter": {"title": {"eq": "Other"}}}
        assert [r["amount"] for r in (await gql(SUMMARY, other))["pipelineSummary"]] == ["7.00"]
